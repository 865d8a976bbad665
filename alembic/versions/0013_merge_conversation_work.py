"""One head again: coding indexes and conversation tallies, built side by side from 0010

Revision ID: 0013
Revises: 0011, 0012
"""

revision = "0013"
down_revision = ("0011", "0012")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
