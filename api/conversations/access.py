"""Who may do what with conversations. Conversations are never public: reading one needs
a coding or managing role in its county; contact details need COORDINATOR or ADMIN there."""

from __future__ import annotations

from api.auth.principal import Role
from api.errors import NotFound

# Record conversations and read them (their answers, never contact details).
CAPTURE = (Role.ADMIN, Role.COORDINATOR, Role.ENGAGEMENT)
# Code conversations into themes and manage the codebook.
CODERS = (Role.COORDINATOR, Role.ENGAGEMENT)
# Read contact details, erase conversations.
MANAGERS = (Role.ADMIN, Role.COORDINATOR)


def not_visible(field: str = "id") -> NotFound:
    """One answer for a conversation that does not exist and one the caller may not see."""
    return NotFound(
        "There is no conversation with this id that you can see.",
        field=field,
        cy="Nid oes sgwrs â'r id hwn y gallwch ei gweld.",
    )
