"""Conversations: campaigns, question sets, conversations, contacts, withdrawals, themes,
codings, population bands

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)
NOW = sa.text("now()")


def _campaign_fk(nullable: bool = False, **kwargs: object) -> sa.Column:
    return sa.Column(
        "campaign_id",
        UUID,
        sa.ForeignKey("conversation_campaigns.id", ondelete="CASCADE"),
        nullable=nullable,
        **kwargs,
    )


def upgrade() -> None:
    op.create_table(
        "conversation_campaigns",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        sa.Column("double_coding_share", sa.Float(), nullable=False),
        sa.Column("codebook_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_table(
        "conversation_county_targets",
        _campaign_fk(primary_key=True),
        sa.Column("county_code", sa.String(32), sa.ForeignKey("counties.code"), primary_key=True),
        sa.Column("target", sa.Integer(), nullable=False),
    )
    op.create_table(
        "conversation_question_sets",
        sa.Column("id", UUID, primary_key=True),
        _campaign_fk(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint(
            "campaign_id", "version", name="uq_conversation_question_sets_campaign_id_version"
        ),
    )
    op.create_table(
        "conversation_questions",
        sa.Column(
            "question_set_id",
            UUID,
            sa.ForeignKey("conversation_question_sets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_cy", sa.Text()),
        sa.Column("choices", postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("campaign_id", UUID, sa.ForeignKey("conversation_campaigns.id"), nullable=False),
        sa.Column("question_set_version", sa.Integer(), nullable=False),
        sa.Column("reference_code", sa.String(16), nullable=False, unique=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", UUID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("county_code", sa.String(32), sa.ForeignKey("counties.code"), nullable=False),
        sa.Column("community_id", UUID, sa.ForeignKey("communities.id")),
        sa.Column("grid_ref", sa.String(16)),
        sa.Column("may_contact", sa.Boolean(), nullable=False),
        sa.Column("may_quote", sa.Boolean(), nullable=False),
        sa.Column("age_band", sa.String(16)),
        sa.Column("gender", sa.String(32)),
        sa.Column("postcode_district", sa.String(4)),
        sa.Column("welsh_speaker", sa.Boolean()),
        sa.Column("disability", sa.Boolean()),
        sa.Column("carer", sa.Boolean()),
        sa.Column("answers", postgresql.JSONB(), nullable=False),
        sa.Column("flags", postgresql.JSONB(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("double_code", sa.Boolean(), nullable=False),
        sa.Column("first_coder_id", UUID),
        sa.Column("first_coded_at", sa.DateTime(timezone=True)),
        sa.Column("second_coder_id", UUID),
        sa.Column("second_coded_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index(
        "ix_conversations_campaign_id_county_code",
        "conversations",
        ["campaign_id", "county_code"],
        postgresql_include=["community_id", "channel", "language", "collected_at", "age_band"],
    )
    op.create_index("ix_conversations_community_id", "conversations", ["community_id"])
    op.create_table(
        "conversation_contacts",
        sa.Column(
            "conversation_id",
            UUID,
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(32)),
    )
    op.create_table(
        "conversation_withdrawals",
        sa.Column("id_digest", sa.String(64), primary_key=True),
        _campaign_fk(),
    )
    op.create_index(
        "ix_conversation_withdrawals_campaign_id", "conversation_withdrawals", ["campaign_id"]
    )
    op.create_table(
        "conversation_themes",
        sa.Column("id", UUID, primary_key=True),
        _campaign_fk(),
        sa.Column("parent_id", UUID, sa.ForeignKey("conversation_themes.id")),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("label_cy", sa.String(200)),
        sa.Column("description_en", sa.Text()),
        sa.Column("description_cy", sa.Text()),
        sa.Column("keywords", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("added_in", sa.Integer(), nullable=False),
        sa.Column("retired_in", sa.Integer()),
        sa.Column("merged_into_id", UUID, sa.ForeignKey("conversation_themes.id")),
        sa.UniqueConstraint("campaign_id", "key", name="uq_conversation_themes_campaign_id_key"),
    )
    op.create_index("ix_conversation_themes_parent_id", "conversation_themes", ["parent_id"])
    op.create_table(
        "conversation_codings",
        sa.Column("id", UUID, primary_key=True),
        sa.Column(
            "conversation_id",
            UUID,
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("round", sa.SmallInteger(), nullable=False),
        sa.Column("coder_id", UUID, nullable=False),
        sa.Column("theme_id", UUID, sa.ForeignKey("conversation_themes.id"), nullable=False),
        sa.Column("question_key", sa.String(64), nullable=False),
        sa.Column("excerpt", sa.Text()),
        sa.UniqueConstraint(
            "conversation_id",
            "round",
            "theme_id",
            "question_key",
            name="uq_conversation_codings_one",
        ),
    )
    op.create_index(
        "ix_conversation_codings_theme_id_id", "conversation_codings", ["theme_id", "id"]
    )
    op.create_table(
        "population_bands",
        sa.Column("area_code", sa.String(32), primary_key=True),
        sa.Column("attribute", sa.String(32), primary_key=True),
        sa.Column("band", sa.String(32), primary_key=True),
        sa.Column("population", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "population_bands",
        "conversation_codings",
        "conversation_themes",
        "conversation_withdrawals",
        "conversation_contacts",
        "conversations",
        "conversation_questions",
        "conversation_question_sets",
        "conversation_county_targets",
        "conversation_campaigns",
    ):
        op.drop_table(table)
