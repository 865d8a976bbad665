"""Selection rounds, their criteria and decisions

Revision ID: 0008
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "selection_rounds",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("programme", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("set_id", UUID, sa.ForeignKey("community_sets.id"), nullable=False),
        sa.Column("county_codes", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("normalisation", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("round_version", sa.Integer(), nullable=False),
        sa.Column("previous_id", UUID, sa.ForeignKey("selection_rounds.id")),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", UUID, sa.ForeignKey("users.id")),
    )
    op.create_table(
        "selection_criteria",
        sa.Column(
            "round_id",
            UUID,
            sa.ForeignKey("selection_rounds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
    )
    op.create_table(
        "selection_decisions",
        sa.Column("id", UUID, primary_key=True),
        sa.Column(
            "round_id",
            UUID,
            sa.ForeignKey("selection_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("community_id", UUID, sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("county_code", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rationale", sa.String(4000), nullable=False),
        sa.Column("decided_by", UUID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "round_id", "community_id", "kind", name="uq_selection_decisions_round_community_kind"
        ),
    )


def downgrade() -> None:
    for table in ("selection_decisions", "selection_criteria", "selection_rounds"):
        op.drop_table(table)
