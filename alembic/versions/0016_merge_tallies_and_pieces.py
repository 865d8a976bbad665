"""One head again: theme tallies and boundary pieces, built side by side from 0013

Revision ID: 0016
Revises: 0014, 0015
"""

revision = "0016"
down_revision = ("0014", "0015")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
