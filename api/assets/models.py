"""Community assets: what a place has (groups, venues, green spaces, people's skills), where
it is, its revisions and its photos."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
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


class Category(Enum):
    """The asset-based community development families."""

    INDIVIDUAL = "INDIVIDUAL"  # skills and gifts of people
    ASSOCIATION = "ASSOCIATION"  # groups, clubs
    INSTITUTION = "INSTITUTION"  # public bodies, schools, GP practices
    PHYSICAL = "PHYSICAL"  # buildings, green and blue spaces
    ECONOMIC = "ECONOMIC"  # businesses, social enterprises
    CULTURAL = "CULTURAL"  # heritage, language, arts


class Status(Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    ARCHIVED = "ARCHIVED"
    REJECTED = "REJECTED"


class WellbeingWay(Enum):
    """The Five Ways to Wellbeing."""

    CONNECT = "CONNECT"
    BE_ACTIVE = "BE_ACTIVE"
    TAKE_NOTICE = "TAKE_NOTICE"
    KEEP_LEARNING = "KEEP_LEARNING"
    GIVE = "GIVE"


POINT = Geometry("POINT", srid=4326, spatial_index=False)


class Asset(Versioned, Base):
    """One asset. `geom` is where the phone said it is and never leaves the server for an
    INDIVIDUAL; `display_geom` is the point every output uses (the community's interior
    point for an INDIVIDUAL). Both, and the county/community/LSOA, are set by the
    database from the point in the statement that writes it."""

    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_geom", "geom", postgresql_using="gist"),
        Index("ix_assets_display_geom", "display_geom", postgresql_using="gist"),
        Index("ix_assets_tags", "tags", postgresql_using="gin"),
        Index("ix_assets_updated_at_id", "updated_at", "id"),
    )

    # Made by the phone, so a replay of the same item is recognised.
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_cy: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), nullable=False)
    geom: Mapped[Any] = mapped_column(POINT, nullable=False, deferred=True, deferred_raiseload=True)
    display_geom: Mapped[Any] = mapped_column(
        POINT, nullable=False, deferred=True, deferred_raiseload=True
    )
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(500))
    opening_times: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(2)), nullable=False)
    wellbeing: Mapped[list[str]] = mapped_column(ARRAY(String(16)), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    county_code: Mapped[str] = mapped_column(
        ForeignKey("counties.code"), nullable=False, index=True
    )
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"), index=True)
    lsoa_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lsoas.id"))
    # Where the record came from (a phone, or a named open data set) and its credit line.
    source: Mapped[str] = mapped_column(String(64), nullable=False)
    attribution: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    verified_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Hash of the content as last sent: the same content again is UNCHANGED.
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)


class AssetRevision(Base):
    """One change to an asset: who, when, what kind, and which fields (names only, so an
    INDIVIDUAL's exact point is never repeated here)."""

    __tablename__ = "asset_revisions"
    __table_args__ = (UniqueConstraint("asset_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)


class AssetPhoto(Base):
    """A photo of an asset, stored (EXIF stripped) as a bounded image and a thumbnail."""

    __tablename__ = "asset_photos"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    image_key: Mapped[str] = mapped_column(String(200), nullable=False)
    thumbnail_key: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    caption: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
