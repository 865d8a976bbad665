"""Theme tallies: the theme report sums counts kept with every coding, merge and erasure
instead of counting every coding

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_theme_tallies",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "campaign_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("conversation_campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "theme_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("conversation_themes.id", ondelete="CASCADE"),
        ),
        sa.Column("county_code", sa.String(32), nullable=False),
        sa.Column("community_id", postgresql.UUID(as_uuid=True)),
        sa.Column("age_band", sa.String(16)),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "campaign_id",
            "theme_id",
            "county_code",
            "community_id",
            "age_band",
            "language",
            "channel",
            name="uq_conversation_theme_tallies_grain",
            postgresql_nulls_not_distinct=True,
        ),
    )
    # The codings already stored, counted once: distinct (conversation, theme) pairs of
    # the first coder's codings, a sub-theme's parent with it, and (conversation, NULL)
    # for each first-coded conversation.
    op.execute(
        """
        INSERT INTO conversation_theme_tallies
            (campaign_id, theme_id, county_code, community_id, age_band, language, channel, n)
        SELECT c.campaign_id, p.theme_id, c.county_code, c.community_id, c.age_band,
               c.language, c.channel, count(*)
        FROM (
            SELECT k.conversation_id, x.theme_id
            FROM conversation_codings k
            JOIN conversation_themes t ON t.id = k.theme_id
            CROSS JOIN LATERAL (VALUES (t.id), (t.parent_id)) AS x(theme_id)
            WHERE k.round = 1 AND x.theme_id IS NOT NULL
            UNION
            SELECT id, NULL FROM conversations WHERE first_coded_at IS NOT NULL
        ) AS p(conversation_id, theme_id)
        JOIN conversations c ON c.id = p.conversation_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """
    )


def downgrade() -> None:
    op.drop_table("conversation_theme_tallies")
