"""Who may do what with conversations. Conversations are never public: reading one needs
a coding or managing role in its county; contact details need COORDINATOR or ADMIN there."""

from __future__ import annotations

from api.auth.principal import Role

# Record conversations and read them (their answers, never contact details).
CAPTURE = (Role.ADMIN, Role.COORDINATOR, Role.ENGAGEMENT)
# Code conversations into themes and manage the codebook.
CODERS = (Role.COORDINATOR, Role.ENGAGEMENT)
# Read contact details, erase conversations.
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
