from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.shared.versioning import Versioned

# Area in square metres, computed by the database in British National Grid (EPSG:27700).
AREA_M2 = "ST_Area(ST_Transform(geom, 27700))"


# The domains of the deprivation index each LSOA carries a rank for (WIMD's eight).
DEPRIVATION_DOMAINS = (
    "income",
    "employment",
    "health",
    "education",
    "access",
    "housing",
    "community_safety",
    "physical_environment",
)
DOMAIN_RANK_COLUMNS = tuple(f"{domain}_rank" for domain in DEPRIVATION_DOMAINS)


class Boundary:
    """What every loaded area has: an id, a code from its source, names and a boundary."""

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    # Deferred and raising: boundaries are large, and only the GeoJSON loader reads them.
    geom: Mapped[object] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False),
        nullable=False,
        deferred=True,
        deferred_raiseload=True,
    )


class Region(Base):
    """A set of counties loaded together (e.g. a health board area)."""

    __tablename__ = "regions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    # Credit lines the data's licences require to be shown to users.
    attribution: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    # Size of the national deprivation ranking its LSOAs' ranks come from (1,909 for WIMD 2019).
    deprivation_index: Mapped[str | None] = mapped_column(String(64))
    deprivation_areas: Mapped[int | None] = mapped_column(Integer)


class County(Boundary, Base):
    __tablename__ = "counties"
    __table_args__ = (Index("ix_counties_geom", "geom", postgresql_using="gist"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("regions.id"), nullable=False)
    area_m2: Mapped[float] = mapped_column(Float, Computed(AREA_M2, persisted=True))


# The source of communities drawn or edited in Cymuned (not loaded from files).
CUSTOM_SOURCE = "CUSTOM"


class CommunitySet(Base):
    """One way of dividing a region into communities (MSOAs, wards, or drawn by hand).
    Several sets live side by side; the region's first loaded set is its default."""

    __tablename__ = "community_sets"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("regions.id"), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Community(Versioned, Boundary, Base):
    """An area treated as a community, in one community set. Editing one keeps its id and
    bumps its version; the earlier versions stay in community_versions."""

    __tablename__ = "communities"
    __table_args__ = (
        UniqueConstraint("set_id", "code", name="uq_communities_set_id_code"),
        Index("ix_communities_geom", "geom", postgresql_using="gist"),
        Index("ix_communities_set_id_name_en_id", "set_id", "name_en", "id"),
    )

    # Codes are unique within a set, not across sets.
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_sets.id"), nullable=False)
    county_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counties.id"), nullable=False, index=True
    )
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    area_m2: Mapped[float] = mapped_column(Float, Computed(AREA_M2, persisted=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class CommunityVersion(Base):
    """A community as it was before an edit: names and boundary, who replaced it and when."""

    __tablename__ = "community_versions"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    geom: Mapped[object] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False),
        nullable=False,
        deferred=True,
        deferred_raiseload=True,
    )
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


# Point look-ups test one small polygon instead of reading a whole boundary (hundreds to
# thousands of vertices, stored out of line) for every point: each county and community
# is also kept cut into pieces of at most this many vertices (ST_Subdivide). Triggers
# (migration 0015) cut them whenever a boundary is written; pieces go with their area.
PIECE_VERTICES = 64


class Piece:
    piece: Mapped[int] = mapped_column(Integer, primary_key=True)
    geom: Mapped[object] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False
    )


class CountyPiece(Piece, Base):
    __tablename__ = "county_pieces"
    __table_args__ = (Index("ix_county_pieces_geom", "geom", postgresql_using="gist"),)

    county_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counties.id", ondelete="CASCADE"), primary_key=True
    )


class CommunityPiece(Piece, Base):
    __tablename__ = "community_pieces"
    __table_args__ = (Index("ix_community_pieces_geom", "geom", postgresql_using="gist"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )


# Which boundaries a point look-up sees: triggers (migration 0017) draw a new random version
# whenever counties, community sets, communities or their pieces are written, so a copy of
# the boundaries held in a process (api.places.point_index) knows when it is stale. Being
# random, a version is never seen twice: not after a rolled-back write, not in another
# database.
class BoundaryVersion(Base):
    __tablename__ = "boundary_versions"
    __table_args__ = (CheckConstraint('"only"', name="one_row"),)

    only: Mapped[bool] = mapped_column(Boolean, primary_key=True, default=True)
    version: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)


class Lsoa(Boundary, Base):
    """A Lower Layer Super Output Area with its deprivation ranks and population."""

    __tablename__ = "lsoas"
    __table_args__ = (Index("ix_lsoas_geom", "geom", postgresql_using="gist"),)

    county_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counties.id"), nullable=False, index=True
    )
    local_name: Mapped[str | None] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    under_16: Mapped[int | None] = mapped_column(Integer)
    aged_65_plus: Mapped[int | None] = mapped_column(Integer)
    rural_urban_class: Mapped[str | None] = mapped_column(String(100))
    rural: Mapped[bool | None] = mapped_column(Boolean)
    deprivation_rank: Mapped[int | None] = mapped_column(Integer)
    deprivation_score: Mapped[float | None] = mapped_column(Float)
    income_rank: Mapped[int | None] = mapped_column(Integer)
    employment_rank: Mapped[int | None] = mapped_column(Integer)
    health_rank: Mapped[int | None] = mapped_column(Integer)
    education_rank: Mapped[int | None] = mapped_column(Integer)
    access_rank: Mapped[int | None] = mapped_column(Integer)
    housing_rank: Mapped[int | None] = mapped_column(Integer)
    community_safety_rank: Mapped[int | None] = mapped_column(Integer)
    physical_environment_rank: Mapped[int | None] = mapped_column(Integer)


class CommunityLsoa(Base):
    """Which LSOAs make up a community: within a set, each LSOA belongs to the community
    covering the largest share of its area, so population and deprivation roll up once."""

    __tablename__ = "community_lsoas"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    lsoa_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lsoas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
