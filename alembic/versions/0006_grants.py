"""Grants: rounds, applications, transitions, panel, conflicts, reviews, tranches, reports,
attachments

Revision ID: 0006
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)
JSONB = postgresql.JSONB()
TZ = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", UUID, primary_key=True)


def _user(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey("users.id"), nullable=nullable)


def _application() -> sa.Column:
    return sa.Column(
        "application_id",
        UUID,
        sa.ForeignKey("grant_applications.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "grant_rounds",
        _id(),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("county_codes", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("opens_at", TZ, nullable=False),
        sa.Column("closes_at", TZ, nullable=False),
        sa.Column("budget_pence", sa.BigInteger(), nullable=False),
        sa.Column("awarded_pence", sa.BigInteger(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("criteria", JSONB, nullable=False),
        sa.Column("tiers", JSONB, nullable=False),
        sa.Column("payment_schedule", JSONB, nullable=False),
        _user("created_by"),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("awarded_pence <= budget_pence", name="ck_grant_rounds_within_budget"),
    )
    op.create_table(
        "grant_applications",
        _id(),
        sa.Column("round_id", UUID, sa.ForeignKey("grant_rounds.id"), nullable=False),
        _user("applicant_id"),
        _user("entered_by", nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("group_type", sa.String(24), nullable=False),
        sa.Column("contact", sa.String(500), nullable=False),
        sa.Column("title_en", sa.String(200)),
        sa.Column("title_cy", sa.String(200)),
        sa.Column("description_en", sa.Text()),
        sa.Column("description_cy", sa.Text()),
        sa.Column("community_id", UUID, sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("county_code", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("amount_requested_pence", sa.BigInteger(), nullable=False),
        sa.Column("budget_lines", JSONB, nullable=False),
        sa.Column("starts_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        sa.Column("involves", sa.Text()),
        sa.Column("five_ways", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("submitted_at", TZ),
        sa.Column("amount_awarded_pence", sa.BigInteger()),
        sa.Column("decided_at", TZ),
        _user("decided_by"),
        sa.Column("decision_rationale", sa.Text()),
        sa.Column("feedback", sa.Text()),
        sa.Column("ineligible_reason", sa.Text()),
        sa.Column("recused_ids", postgresql.ARRAY(UUID), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_grant_applications_round_id", "grant_applications", ["round_id"])
    op.create_index("ix_grant_applications_applicant_id", "grant_applications", ["applicant_id"])
    op.create_table(
        "grant_transitions",
        _id(),
        _application(),
        sa.Column("from_status", sa.String(24), nullable=False),
        sa.Column("to_status", sa.String(24), nullable=False),
        _user("actor_id", nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_grant_transitions_application_id", "grant_transitions", ["application_id"])
    op.create_table(
        "grant_panel_members",
        sa.Column(
            "round_id",
            UUID,
            sa.ForeignKey("grant_rounds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id"), primary_key=True),
    )
    op.create_table(
        "grant_conflicts",
        sa.Column(
            "application_id",
            UUID,
            sa.ForeignKey("grant_applications.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("declared_at", TZ, nullable=False),
    )
    op.create_table(
        "grant_reviews",
        _id(),
        _application(),
        _user("reviewer_id", nullable=False),
        sa.Column("scores", JSONB, nullable=False),
        sa.Column("recommendation", sa.String(24), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("submitted_at", TZ),
        sa.UniqueConstraint(
            "application_id", "reviewer_id", name="uq_grant_reviews_application_id_reviewer_id"
        ),
    )
    op.create_table(
        "grant_tranches",
        _id(),
        _application(),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("condition", sa.String(24), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("paid_on", sa.Date()),
        sa.Column("reference", sa.String(100)),
        _user("recorded_by"),
        sa.UniqueConstraint("application_id", "seq", name="uq_grant_tranches_application_id_seq"),
    )
    op.create_table(
        "grant_reports",
        _id(),
        _application(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("volunteers", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("wemwbs_respondents", sa.Integer()),
        sa.Column("wemwbs_mean_before", sa.Float()),
        sa.Column("wemwbs_mean_after", sa.Float()),
        _user("submitted_by", nullable=False),
        sa.Column("review_note", sa.Text()),
        _user("reviewed_by"),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_grant_reports_application_id", "grant_reports", ["application_id"])
    op.create_table(
        "grant_attachments",
        _id(),
        _application(),
        sa.Column("image_key", sa.String(300), nullable=False),
        sa.Column("thumbnail_key", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text()),
        _user("uploaded_by", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_grant_attachments_application_id", "grant_attachments", ["application_id"])


def downgrade() -> None:
    for table in (
        "grant_attachments",
        "grant_reports",
        "grant_tranches",
        "grant_reviews",
        "grant_conflicts",
        "grant_panel_members",
        "grant_transitions",
        "grant_applications",
        "grant_rounds",
    ):
        op.drop_table(table)
