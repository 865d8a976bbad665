"""Assets: community assets with their points, revisions and photos

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)
POINT = Geometry("POINT", srid=4326, spatial_index=False)


def _user(name: str) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey("users.id"))


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name_en", sa.String(200)),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("description", sa.Text()),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(50)), nullable=False),
        sa.Column("geom", POINT, nullable=False),
        sa.Column("display_geom", POINT, nullable=False),
        sa.Column("accuracy_m", sa.Float()),
        sa.Column("address", sa.Text()),
        sa.Column("postcode", sa.String(10)),
        sa.Column("contact_name", sa.String(200)),
        sa.Column("contact_phone", sa.String(40)),
        sa.Column("contact_email", sa.String(320)),
        sa.Column("website", sa.String(500)),
        sa.Column("opening_times", sa.Text()),
        sa.Column("accessibility", sa.Text()),
        sa.Column("languages", postgresql.ARRAY(sa.String(2)), nullable=False),
        sa.Column("wellbeing", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("status_reason", sa.Text()),
        sa.Column("county_code", sa.String(32), sa.ForeignKey("counties.code"), nullable=False),
        sa.Column("community_id", UUID, sa.ForeignKey("communities.id")),
        sa.Column("lsoa_id", UUID, sa.ForeignKey("lsoas.id")),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("attribution", sa.Text()),
        _user("created_by"),
        _user("updated_by"),
        _user("verified_by"),
        sa.Column("fingerprint", sa.String(64), nullable=False),
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
    op.create_index("ix_assets_geom", "assets", ["geom"], postgresql_using="gist")
    op.create_index("ix_assets_display_geom", "assets", ["display_geom"], postgresql_using="gist")
    op.create_index("ix_assets_tags", "assets", ["tags"], postgresql_using="gin")
    op.create_index("ix_assets_updated_at_id", "assets", ["updated_at", "id"])
    op.create_index("ix_assets_status", "assets", ["status"])
    op.create_index("ix_assets_county_code", "assets", ["county_code"])
    op.create_index("ix_assets_community_id", "assets", ["community_id"])

    op.create_table(
        "asset_revisions",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("asset_id", UUID, sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        _user("actor_id"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_fields", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.UniqueConstraint("asset_id", "version", name="uq_asset_revisions_asset_id_version"),
    )
    op.create_table(
        "asset_photos",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("asset_id", UUID, sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("image_key", sa.String(200), nullable=False),
        sa.Column("thumbnail_key", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text()),
        _user("created_by"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_asset_photos_asset_id", "asset_photos", ["asset_id"])


def downgrade() -> None:
    op.drop_table("asset_photos")
    op.drop_table("asset_revisions")
    op.drop_table("assets")
