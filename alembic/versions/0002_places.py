"""Places: regions, counties, communities, LSOAs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AREA_M2 = "ST_Area(ST_Transform(geom, 27700))"


def _uuid_pk() -> sa.Column:
    return sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True)


def _geom() -> sa.Column:
    return sa.Column(
        "geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "regions",
        _uuid_pk(),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("attribution", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("deprivation_index", sa.String(64)),
        sa.Column("deprivation_areas", sa.Integer()),
    )
    op.create_table(
        "counties",
        _uuid_pk(),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "region_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("regions.id"), nullable=False
        ),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        _geom(),
        sa.Column("area_m2", sa.Float(), sa.Computed(AREA_M2, persisted=True)),
    )
    op.create_table(
        "community_sets",
        _uuid_pk(),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "region_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("regions.id"), nullable=False
        ),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "communities",
        _uuid_pk(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column(
            "set_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("community_sets.id"),
            nullable=False,
        ),
        sa.Column(
            "county_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("counties.id"), nullable=False
        ),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("source", sa.String(32), nullable=False),
        _geom(),
        sa.Column("area_m2", sa.Float(), sa.Computed(AREA_M2, persisted=True)),
        sa.Column("created_by", postgresql.UUID(as_uuid=True)),
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
        sa.UniqueConstraint("set_id", "code", name="uq_communities_set_id_code"),
    )
    op.create_index("ix_communities_county_id", "communities", ["county_id"])
    op.create_index("ix_communities_set_id_name_en_id", "communities", ["set_id", "name_en", "id"])
    op.create_table(
        "community_versions",
        sa.Column(
            "community_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("communities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        _geom(),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", postgresql.UUID(as_uuid=True)),
    )
    op.create_table(
        "lsoas",
        _uuid_pk(),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "county_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("counties.id"), nullable=False
        ),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_cy", sa.String(200)),
        sa.Column("local_name", sa.String(200)),
        sa.Column("population", sa.Integer()),
        sa.Column("under_16", sa.Integer()),
        sa.Column("aged_65_plus", sa.Integer()),
        sa.Column("rural_urban_class", sa.String(100)),
        sa.Column("rural", sa.Boolean()),
        sa.Column("deprivation_rank", sa.Integer()),
        sa.Column("deprivation_score", sa.Float()),
        *(
            sa.Column(f"{domain}_rank", sa.Integer())
            for domain in (
                "income",
                "employment",
                "health",
                "education",
                "access",
                "housing",
                "community_safety",
                "physical_environment",
            )
        ),
        _geom(),
    )
    op.create_index("ix_lsoas_county_id", "lsoas", ["county_id"])
    op.create_table(
        "community_lsoas",
        sa.Column(
            "community_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("communities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "lsoa_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("lsoas.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_community_lsoas_lsoa_id", "community_lsoas", ["lsoa_id"])
    for table in ("counties", "communities", "lsoas"):
        op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")


def downgrade() -> None:
    for table in (
        "community_lsoas",
        "lsoas",
        "community_versions",
        "communities",
        "community_sets",
        "counties",
        "regions",
    ):
        op.drop_table(table)
