"""Photos on grant progress and final reports

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "grant_attachments",
        sa.Column(
            "report_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(
                "grant_reports.id",
                ondelete="CASCADE",
                name="fk_grant_attachments_report_id_grant_reports",
            ),
        ),
    )
    op.create_index("ix_grant_attachments_report_id", "grant_attachments", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_grant_attachments_report_id", table_name="grant_attachments")
    op.drop_column("grant_attachments", "report_id")
