"""Conversation tallies: progress reads counts kept with every write, not the whole table;
population bands dropped (representativeness reads places' LSOA age figures)

Revision ID: 0012
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_tallies",
        sa.Column(
            "campaign_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("conversation_campaigns.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("county_code", sa.String(32), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    # The conversations already stored, counted once.
    op.execute(
        """
        INSERT INTO conversation_tallies (campaign_id, county_code, dimension, value, n)
        SELECT c.campaign_id, c.county_code, d.dimension, coalesce(d.value, ''), count(*)
        FROM conversations c CROSS JOIN LATERAL (VALUES
            ('county', c.county_code),
            ('community', CAST(c.community_id AS text)),
            ('channel', c.channel),
            ('language', c.language),
            ('week', CAST(CAST(date_trunc('week', c.collected_at AT TIME ZONE 'UTC') AS date)
                          AS text)),
            ('age_band', c.age_band)
        ) AS d(dimension, value)
        GROUP BY 1, 2, 3, 4
        """
    )

    op.drop_table("population_bands")


def downgrade() -> None:
    op.create_table(
        "population_bands",
        sa.Column("area_code", sa.String(32), primary_key=True),
        sa.Column("attribute", sa.String(32), primary_key=True),
        sa.Column("band", sa.String(32), primary_key=True),
        sa.Column("population", sa.Integer(), nullable=False),
    )
    op.drop_table("conversation_tallies")
