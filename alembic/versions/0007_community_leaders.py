"""Community leaders: nominations, consented contact details, support given

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "community_leaders",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("community_id", UUID, sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("county_code", sa.String(32), sa.ForeignKey("counties.code"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("connection", sa.String(2000), nullable=False),
        sa.Column("nominated_by", UUID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", UUID, sa.ForeignKey("users.id")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.String(2000)),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id")),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_community_leaders_community_id_status", "community_leaders", ["community_id", "status"]
    )
    op.create_table(
        "leader_contacts",
        sa.Column(
            "leader_id",
            UUID,
            sa.ForeignKey("community_leaders.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(40)),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "leader_support",
        sa.Column("id", UUID, primary_key=True),
        sa.Column(
            "leader_id",
            UUID,
            sa.ForeignKey("community_leaders.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("given_by", sa.String(200), nullable=False),
        sa.Column("note", sa.String(2000)),
        sa.Column("recorded_by", UUID, sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_leader_support_leader_id", "leader_support", ["leader_id"])


def downgrade() -> None:
    for table in ("leader_support", "leader_contacts", "community_leaders"):
        op.drop_table(table)
