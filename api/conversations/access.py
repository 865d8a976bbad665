"""Who may do what with conversations. Conversations are never public: reading one needs
a coding or managing role in its county; contact details need COORDINATOR or ADMIN there."""

from __future__ import annotations

from api.auth.principal import ALL_COUNTIES, Principal, Role, Scope

# Record conversations and read them (their answers, never contact details).
CAPTURE = (Role.ADMIN, Role.COORDINATOR, Role.ENGAGEMENT)
# Code conversations into themes and manage the codebook.
CODERS = (Role.COORDINATOR, Role.ENGAGEMENT)
# Read contact details, erase conversations.
MANAGERS = (Role.ADMIN, Role.COORDINATOR)


def counties_of(principal: Principal, roles: tuple[Role, ...]) -> Scope:
    """Every county where the principal holds one of `roles` (ALL_COUNTIES: everywhere)."""
    found: set[str] = set()
    for role in roles:
        if role not in principal.grants:
            continue
        scope = principal.grants[role]
        if scope is ALL_COUNTIES:
            return ALL_COUNTIES
        found |= scope
    return frozenset(found)
