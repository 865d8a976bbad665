"""Indexes for listing conversations and for each coder's pending second codings

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_conversations_campaign_id_collected_at_id",
        "conversations",
        ["campaign_id", "collected_at", "id"],
    )
    op.create_index(
        "ix_conversations_second_coder_id_pending",
        "conversations",
        ["second_coder_id"],
        postgresql_where=sa.text("second_coder_id IS NOT NULL AND second_coded_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_second_coder_id_pending", table_name="conversations")
    op.drop_index("ix_conversations_campaign_id_collected_at_id", table_name="conversations")
