"""Every SQL statement of the assets domain.

Writes take the whole batch as one JSON parameter (`jsonb_to_recordset`), so a batch of
5 and one of 200 are the same statement; the county, community, LSOA and the displayed
point are worked out by subselects inside that statement, from the point being written.
"""

from __future__ import annotations

import functools
import math
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    Column,
    Float,
    Integer,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from api.assets.models import Asset, AssetPhoto, AssetRevision, Category, Status
from api.db import RequestSession
from api.places.models import Community, CommunitySet, County, Lsoa
from api.read_only import ReadConnection, ReadStatement, read_in_session

GEOGRAPHY = Geography(srid=4326)


# An asset as read: a row holding every column of the Asset model but its two points, by
# name (`row.name_en`). Reads build no ORM objects: a page of 100 is read as plain rows.
AssetRow = Row[Any]


@dataclass
class Found:
    """An asset with the point it may be shown at (and its distance, for `near`)."""

    asset: AssetRow
    lat: float
    lon: float
    distance_m: float | None = None
    # The exact (lat, lon) as stored: read only when writing, never shown.
    exact: tuple[float, float] | None = None


@dataclass(frozen=True)
class Scope:
    """What a caller may read: the public set, plus everything in `staff_counties`
    (None: every county)."""

    staff_counties: frozenset[str] | None


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class Filter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    categories: Sequence[str] = ()
    tags: Sequence[str] = ()
    statuses: Sequence[str] = ()
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    near: Near | None = None
    updated_since: datetime | None = None


LIVE = (Status.PENDING.value, Status.VERIFIED.value)
GONE = (Status.ARCHIVED.value, Status.REJECTED.value)


def _const(value: str) -> Any:
    """A constant written into the SQL, not a parameter: with parameters, PostgreSQL's
    generic plan (used after five runs of a prepared statement) cannot see how rare a
    status is and may choose a slower plan."""
    return literal(value, literal_execute=True)


def _int(value: int) -> Any:
    return literal(value, Integer, literal_execute=True)


def _live() -> ColumnElement[bool]:
    return Asset.status.in_([_const(s) for s in LIVE])


def _point(lon: Any, lat: Any) -> ColumnElement[Any]:
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def visible(scope: Scope) -> ColumnElement[bool]:
    public = and_(
        Asset.status == _const(Status.VERIFIED.value),
        Asset.category != _const(Category.INDIVIDUAL.value),
    )
    if scope.staff_counties is None:
        return true()
    if not scope.staff_counties:
        return public
    return or_(public, Asset.county_code.in_(sorted(scope.staff_counties)))


# --- writing -----------------------------------------------------------------------------


async def locate(session: AsyncSession, points: Sequence[tuple[float, float]]) -> list[str | None]:
    """The county code covering each (lat, lon), in one statement; None outside them all."""
    if not points:
        return []
    rows = func.jsonb_to_recordset(bindparam("points", type_=JSONB)).table_valued(
        column("i", Integer), column("lat", Float), column("lon", Float)
    )
    rows = rows.render_derived(name="p", with_types=True)
    county = (
        select(County.code)
        .where(func.ST_Covers(County.geom, _point(rows.c.lon, rows.c.lat)))
        .limit(1)
        .scalar_subquery()
    )
    found = await session.execute(
        select(rows.c.i, county),
        {"points": [{"i": i, "lat": lat, "lon": lon} for i, (lat, lon) in enumerate(points)]},
    )
    codes: list[str | None] = [None] * len(points)
    for i, code in found.all():
        codes[i] = code
    return codes


async def lock(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Found]:
    """The stored assets with these ids, locked until commit so two phones queue up."""
    if not ids:
        return {}
    stmt = (
        _select(func.ST_Y(Asset.geom).label("exact_lat"), func.ST_X(Asset.geom).label("exact_lon"))
        .where(Asset.id.in_(ids))
        .with_for_update(of=Asset.__table__)
    )
    rows = (await session.execute(stmt)).all()
    return {
        row.id: Found(row, row.lat, row.lon, exact=(row.exact_lat, row.exact_lon)) for row in rows
    }


# Columns a write sets from the draft; the rest come from the server.
CONTENT_COLUMNS: dict[str, Any] = {
    "name_en": String,
    "name_cy": String,
    "description": Text,
    "category": String,
    "tags": ARRAY(String),
    "accuracy_m": Float,
    "address": Text,
    "postcode": String,
    "contact_name": String,
    "contact_phone": String,
    "contact_email": String,
    "website": String,
    "opening_times": Text,
    "accessibility": Text,
    "languages": ARRAY(String),
    "wellbeing": ARRAY(String),
}
SERVER_COLUMNS: dict[str, Any] = {
    "id": UUID(as_uuid=True),
    "version": Integer,
    "status": String,
    "source": String,
    "attribution": Text,
    "fingerprint": String,
    "actor": UUID(as_uuid=True),
    "at": String,
    "lat": Float,
    "lon": Float,
}
# Kept from the first write whatever later edits say.
KEPT_ON_UPDATE = ("created_at", "created_by", "source", "attribution", "verified_by")


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[uuid.UUID, int]:
    """Write every new or changed asset of a batch in one statement. A row with version 1
    is new; a row with version n+1 replaces version n only (another phone's newer write is
    left alone and the row is missing from the answer: a conflict). Returns id -> version."""
    if not rows:
        return {}
    v = (
        func.jsonb_to_recordset(bindparam("rows", type_=JSONB))
        .table_valued(*(column(n, t) for n, t in {**CONTENT_COLUMNS, **SERVER_COLUMNS}.items()))
        .render_derived(name="v", with_types=True)
    )
    point = _point(v.c.lon, v.c.lat)
    # Communities of the default sets (others are drawn for planning and may overlap).
    community = select(Community.id, Community.geom).where(
        func.ST_Covers(Community.geom, point),
        Community.set_id.in_(select(CommunitySet.id).where(CommunitySet.is_default)),
    )
    community = community.limit(1).subquery().lateral("community")
    county_geom = select(County.geom).where(func.ST_Covers(County.geom, point)).limit(1)
    lsoa = select(Lsoa.id).where(func.ST_Covers(Lsoa.geom, point)).limit(1).scalar_subquery()
    display = case(
        (
            v.c.category == Category.INDIVIDUAL.value,
            func.coalesce(
                func.ST_PointOnSurface(community.c.geom),
                func.ST_PointOnSurface(county_geom.scalar_subquery()),
            ),
        ),
        else_=point,
    )
    at = cast(v.c.at, Asset.updated_at.type)
    source = select(
        v.c.id,
        *(v.c[name] for name in CONTENT_COLUMNS),
        point,
        display,
        select(County.code).where(func.ST_Covers(County.geom, point)).limit(1).scalar_subquery(),
        community.c.id,
        lsoa,
        v.c.status,
        v.c.source,
        v.c.attribution,
        v.c.fingerprint,
        v.c.version,
        v.c.actor,
        v.c.actor,
        at,
        at,
    ).select_from(v.outerjoin(community, true()))
    target = [
        "id",
        *CONTENT_COLUMNS,
        "geom",
        "display_geom",
        "county_code",
        "community_id",
        "lsoa_id",
        "status",
        "source",
        "attribution",
        "fingerprint",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]
    stmt = insert(Asset.__table__).from_select(target, source)
    table = Asset.__table__
    resubmitted = case(
        (table.c.status == Status.REJECTED.value, Status.PENDING.value), else_=table.c.status
    )
    changes = {
        name: stmt.excluded[name]
        for name in target
        if name not in ("id", "status", *KEPT_ON_UPDATE)
    }
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={**changes, "status": resubmitted, "status_reason": None},
        where=table.c.version == stmt.excluded.version - 1,
    ).returning(table.c.id, table.c.version)
    written = await session.execute(stmt, {"rows": list(rows)})
    return dict(written.all())


async def set_status(
    session: AsyncSession,
    asset_id: uuid.UUID,
    version: int,
    *,
    status: str,
    reason: str | None,
    actor: uuid.UUID,
    at: datetime,
    verified: bool,
) -> int | None:
    """Move an asset to `status` if it is still at `version`; the new version, or None."""
    values: dict[str, Any] = {
        "status": status,
        "status_reason": reason,
        "updated_by": actor,
        "updated_at": at,
        "version": Asset.version + 1,
    }
    if verified:
        values["verified_by"] = actor
    return await session.scalar(
        update(Asset)
        .where(Asset.id == asset_id, Asset.version == version)
        .values(**values)
        .returning(Asset.version)
        .execution_options(synchronize_session=False)
    )


async def add_revisions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Every revision of a batch in one statement."""
    if rows:
        await session.execute(insert(AssetRevision), list(rows))


async def add_photo(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(AssetPhoto).values(**row))


# --- reading -----------------------------------------------------------------------------


def _plain(column: Column[Any]) -> Any:
    """The column as asyncpg gives it: arrays already come as lists, so they skip
    SQLAlchemy's item-by-item pass over every array of every row."""
    if isinstance(column.type, ARRAY):
        return type_coerce(column, NullType()).label(column.name)
    return column


_ASSET_COLUMNS = [
    _plain(c) for c in Asset.__table__.columns if c.name not in ("geom", "display_geom")
]


def _select(*extra: Any, distance: Any = None) -> Select[Any]:
    """Every column of an asset, the point it is shown at (lat, lon), its `distance` (NULL
    outside a `near` search, so every read has the same shape) and `extra`."""
    return select(
        *_ASSET_COLUMNS,
        func.ST_Y(Asset.display_geom).label("lat"),
        func.ST_X(Asset.display_geom).label("lon"),
        (null() if distance is None else distance).label("distance_m"),
        *extra,
    )


def _found_of(row: AssetRow) -> Found:
    return Found(row, row.lat, row.lon, row.distance_m)


async def _found(session: AsyncSession, stmt: Select[Any]) -> list[Found]:
    return [_found_of(row) for row in (await session.execute(stmt)).all()]


async def by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], scope: Scope | None = None
) -> dict[uuid.UUID, Found]:
    stmt = _select().where(Asset.id.in_(ids))
    if scope is not None:
        stmt = stmt.where(visible(scope))
    return {f.asset.id: f for f in await _found(session, stmt)}


def _envelope(west: float, south: float, east: float, north: float) -> ColumnElement[Any]:
    return func.ST_MakeEnvelope(west, south, east, north, 4326)


def _near_box(near: Near) -> tuple[float, float, float, float]:
    """A box (west, south, east, north) a little larger than the circle, so the GiST
    index narrows the search."""
    dlat = near.radius_m / 111_000 * 1.01
    dlon = near.radius_m / (111_000 * max(math.cos(math.radians(near.lat)), 0.01)) * 1.01
    return near.lon - dlon, near.lat - dlat, near.lon + dlon, near.lat + dlat


def _geography(geom: Any) -> Any:
    return cast(geom, GEOGRAPHY)


def _escaped_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _param(name: str, type_: Any) -> Any:
    return bindparam(name, type_=type_)


# The parts of a Filter that add a condition, and the parameters each one's takes.
_FILTER_PARTS = {
    "statuses": ("statuses",),
    "county_code": ("county_code",),
    "community_id": ("community_id",),
    "categories": ("categories",),
    "tags": ("tags",),
    "text": ("pattern",),
    "bbox": ("w", "s", "e", "n"),
    "near": ("lat", "lon", "radius_m", "near_w", "near_s", "near_e", "near_n"),
    "updated_since": ("updated_since",),
}


@functools.lru_cache(maxsize=512)
def _page_statement(scope: Scope, parts: frozenset[str], after: bool) -> ReadStatement:
    """The statement of `page` for one visibility and one shape of filter (which parts it
    has), built and compiled once: its values are parameters. Building and running it
    through SQLAlchemy cost a page of 100 about 3 ms of CPU, several times the floor's."""
    where = [visible(scope)]
    if "statuses" in parts:
        where.append(Asset.status == any_(_param("statuses", ARRAY(String))))
    else:
        where.append(_live())
    if "county_code" in parts:
        where.append(Asset.county_code == _param("county_code", String))
    if "community_id" in parts:
        where.append(Asset.community_id == _param("community_id", UUID(as_uuid=True)))
    if "categories" in parts:
        where.append(Asset.category == any_(_param("categories", ARRAY(String))))
    if "tags" in parts:
        where.append(Asset.tags.overlap(_param("tags", ARRAY(String(50)))))
    if "text" in parts:
        pattern = _param("pattern", String)
        where.append(
            or_(
                Asset.name_en.ilike(pattern),
                Asset.name_cy.ilike(pattern),
                Asset.description.ilike(pattern),
            )
        )
    if "bbox" in parts:
        box = _envelope(*(_param(side, Float) for side in ("w", "s", "e", "n")))
        where.append(Asset.display_geom.op("&&")(box))
    if "updated_since" in parts:
        where.append(Asset.updated_at > _param("updated_since", Asset.updated_at.type))
    after_id = _param("after_id", UUID(as_uuid=True))
    if "near" in parts:
        here = _geography(_point(_param("lon", Float), _param("lat", Float)))
        distance = func.ST_Distance(_geography(Asset.display_geom), here)
        near_box = _envelope(*(_param(f"near_{side}", Float) for side in ("w", "s", "e", "n")))
        where += [
            Asset.display_geom.op("&&")(near_box),
            func.ST_DWithin(_geography(Asset.display_geom), here, _param("radius_m", Float)),
        ]
        if after:
            last = tuple_(_param("after_distance", Float), after_id)
            where.append(tuple_(distance, Asset.id) > last)
        stmt = _select(distance=distance).where(*where).order_by(distance, Asset.id)
    else:
        if after:
            where.append(Asset.id > after_id)
        stmt = _select().where(*where).order_by(Asset.id)
    given = [name for part in parts for name in _FILTER_PARTS[part]]
    if after:
        given += ["after_distance", "after_id"] if "near" in parts else ["after_id"]
    return ReadStatement.of(stmt.limit(_param("limit", Integer)), *given, "limit")


def _page_parameters(flt: Filter, after: tuple[Any, ...] | None, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "statuses": list(flt.statuses),
        "county_code": flt.county_code,
        "community_id": flt.community_id,
        "categories": list(flt.categories),
        "tags": list(flt.tags),
        "pattern": _escaped_like(flt.text) if flt.text else None,
        "updated_since": flt.updated_since,
        "limit": limit,
    }
    if flt.bbox:
        params.update(zip("wsen", flt.bbox, strict=True))
    if flt.near:
        near = flt.near
        params.update(lat=near.lat, lon=near.lon, radius_m=near.radius_m)
        params.update(zip(("near_w", "near_s", "near_e", "near_n"), _near_box(near), strict=True))
    if after is not None:
        params["after_id"] = after[-1]
        params["after_distance"] = after[0] if flt.near else None
    return params


async def page(
    session: RequestSession,
    flt: Filter,
    scope: Scope,
    limit: int,
    after: tuple[Any, ...] | None,
) -> tuple[list[Found], bool]:
    """One page (limit+1 rows fetched to know whether more follow). Ordered by id, or by
    distance then id with `near`. Run by asyncpg itself (rows by name, as attributes)."""
    parts = frozenset(part for part in _FILTER_PARTS if getattr(flt, part))
    stmt = _page_statement(scope, parts, after is not None)
    rows = await read_in_session(session, stmt, _page_parameters(flt, after, limit + 1))
    found = [_found_of(row) for row in rows]
    return found[:limit], len(found) > limit


async def removed_since(session: AsyncSession, flt: Filter, since: datetime) -> list[uuid.UUID]:
    """Ids of assets (in the filter's area) archived or rejected since `since`."""
    where = [Asset.updated_at > since, Asset.status.in_(GONE)]
    if flt.county_code:
        where.append(Asset.county_code == flt.county_code)
    if flt.community_id:
        where.append(Asset.community_id == flt.community_id)
    return list((await session.scalars(select(Asset.id).where(*where).order_by(Asset.id))).all())


async def revisions_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AssetRevision]]:
    grouped: dict[uuid.UUID, list[AssetRevision]] = defaultdict(list)
    rows = await session.scalars(
        select(AssetRevision)
        .where(AssetRevision.asset_id.in_(ids))
        .order_by(AssetRevision.asset_id, AssetRevision.version)
    )
    for row in rows.all():
        grouped[row.asset_id].append(row)
    return grouped


async def photos_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AssetPhoto]]:
    grouped: dict[uuid.UUID, list[AssetPhoto]] = defaultdict(list)
    rows = await session.scalars(
        select(AssetPhoto)
        .where(AssetPhoto.asset_id.in_(ids))
        .order_by(AssetPhoto.asset_id, AssetPhoto.created_at, AssetPhoto.id)
    )
    for row in rows.all():
        grouped[row.asset_id].append(row)
    return grouped


async def photo_by_key(
    session: AsyncSession, key: str, scope: Scope
) -> tuple[AssetPhoto, Found] | None:
    """The photo stored under `key` and its asset, if that asset is visible in `scope`."""
    photo = await session.scalar(
        select(AssetPhoto).where(or_(AssetPhoto.image_key == key, AssetPhoto.thumbnail_key == key))
    )
    if photo is None:
        return None
    found = await by_ids(session, [photo.asset_id], scope)
    return (photo, found[photo.asset_id]) if photo.asset_id in found else None


async def counts(
    session: AsyncSession, scope: Scope, county_code: str | None, community_id: uuid.UUID | None
) -> list[tuple[str, str, int]]:
    """(category, status, count) for the area, as the caller may see it."""
    where = [visible(scope)]
    if county_code:
        where.append(Asset.county_code == county_code)
    if community_id:
        where.append(Asset.community_id == community_id)
    rows = await session.execute(
        select(Asset.category, Asset.status, func.count())
        .where(*where)
        .group_by(Asset.category, Asset.status)
        .order_by(Asset.category, Asset.status)
    )
    return [tuple(r) for r in rows.all()]


# --- tiles and exports -------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _tile_statement(scope: Scope) -> ReadStatement:
    """The tile SQL for one visibility, built once: only z, x, y and the cap change between
    tiles. Not ordered: ordering by id made PostgreSQL pick a slow generic plan for it."""
    bounds = func.ST_TileEnvelope(
        bindparam("z", type_=Integer), bindparam("x", type_=Integer), bindparam("y", type_=Integer)
    )
    inner = (
        select(
            Asset.id.cast(String).label("id"),
            func.coalesce(Asset.name_en, Asset.name_cy).label("name"),
            Asset.name_cy.label("name_cy"),
            Asset.category.label("category"),
            func.ST_AsMVTGeom(func.ST_Transform(Asset.display_geom, _int(3857)), bounds).label(
                "geom"
            ),
        )
        .where(
            visible(scope),
            _live(),
            Asset.display_geom.op("&&")(func.ST_Transform(bounds, _int(4326))),
        )
        .limit(bindparam("cap", type_=Integer))
        .subquery("t")
    )
    mvt = func.ST_AsMVT(inner.table_valued(), _const("assets"), _int(4096), _const("geom"))
    return ReadStatement.of(select(mvt).select_from(inner), "z", "x", "y", "cap")


async def tile(connection: ReadConnection, scope: Scope, z: int, x: int, y: int, cap: int) -> bytes:
    """A Mapbox vector tile of the visible live assets, at most `cap` features."""
    params = {"z": z, "x": x, "y": y, "cap": cap}
    data = await connection.fetchval(_tile_statement(scope), params)
    return bytes(data or b"")


async def stream_for_export(
    session: AsyncSession, scope: Scope, county_code: str | None
) -> AsyncIterator[Found]:
    """Every visible live asset, read through a server-side cursor in chunks."""
    where = [visible(scope), _live()]
    if county_code:
        where.append(Asset.county_code == county_code)
    result = await session.stream(
        _select().where(*where).order_by(Asset.id).execution_options(yield_per=500)
    )
    async for row in result:
        yield _found_of(row)


# Shown only where `details_shown` holds (an INDIVIDUAL's, to staff of their county).
PERSONAL_DETAILS = (
    "address",
    "postcode",
    "contact_name",
    "contact_phone",
    "contact_email",
    "website",
)


def details_shown(scope: Scope) -> ColumnElement[bool]:
    """Whether a row's address and contact details may be shown: the rule of
    `service.may_see_exact`, in SQL."""
    not_individual = Asset.category != _const(Category.INDIVIDUAL.value)
    if scope.staff_counties is None:
        return true()
    if not scope.staff_counties:
        return not_individual
    return or_(not_individual, Asset.county_code.in_(sorted(scope.staff_counties)))


def _isoformat(moment: Any) -> ColumnElement[str]:
    """A timestamptz as Python's `datetime.isoformat()` writes a UTC time (no fraction
    when the microseconds are zero)."""
    utc = func.timezone("UTC", moment)
    fraction = case(
        (func.date_trunc("second", moment) == moment, ""),
        else_=func.to_char(utc, ".US"),
    )
    return func.concat(func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS'), fraction, "+00:00")


# Rows read from a server-side cursor at a time, in an export; a `limit` up to this is a
# page, read in one fetch.
EXPORT_CHUNK = 500


@functools.lru_cache(maxsize=64)
def _geojson_statement(
    staff_counties: frozenset[str] | None, by_county: bool, in_box: bool, limited: bool
) -> ReadStatement:
    """The statement of `geojson_properties`, built once per shape (building it costs more
    than running it for a page of 100)."""
    scope = Scope(staff_counties)
    where = [visible(scope), _live()]
    if by_county:
        where.append(Asset.county_code == bindparam("county_code"))
    if in_box:
        box = _envelope(*(bindparam(side, type_=Float) for side in ("w", "s", "e", "n")))
        where.append(Asset.display_geom.op("&&")(box))
    chosen = select(*Asset.__table__.c, details_shown(scope).label("shown")).where(*where)
    chosen = chosen.order_by(Asset.id)
    if limited:
        chosen = chosen.limit(bindparam("limit", type_=Integer))
    rows = chosen.subquery("chosen")
    c = rows.c
    properties = select(
        c.id.cast(Text).label("id"),
        c.name_en,
        c.name_cy,
        c.description,
        c.category,
        c.status,
        c.tags,
        (c.category == _const(Category.INDIVIDUAL.value)).label("approximate"),
        c.county_code,
        c.community_id.cast(Text).label("community_id"),
        *(case((c.shown, c[name])).label(name) for name in PERSONAL_DETAILS),
        c.opening_times,
        c.accessibility,
        c.languages,
        c.wellbeing,
        c.source,
        c.attribution,
        _isoformat(c.updated_at).label("updated_at"),
    )
    properties = properties.correlate(rows).lateral("p")
    stmt = (
        select(
            c.id.cast(Text),
            func.ST_Y(c.display_geom),
            func.ST_X(c.display_geom),
            func.row_to_json(literal_column("p")).cast(Text),
        )
        .join_from(rows, properties, true())
        .order_by(c.id)
    )
    names = ["county_code"] * by_county + ["w", "s", "e", "n"] * in_box + ["limit"] * limited
    return ReadStatement.of(stmt, *names)


async def geojson_properties(
    connection: ReadConnection,
    scope: Scope,
    county_code: str | None,
    bbox: tuple[float, float, float, float] | None,
    limit: int | None,
) -> AsyncIterator[tuple[str, float, float, str]]:
    """(id, lat, lon, properties as JSON text) of each visible live asset (in the box, up
    to `limit`), ordered by id, read through a server-side cursor. PostgreSQL writes the
    properties, those of the other exports less the point, once the rows are chosen (so
    never for a row that the limit drops)."""
    stmt = _geojson_statement(
        scope.staff_counties, county_code is not None, bbox is not None, limit is not None
    )
    params: dict[str, Any] = {"county_code": county_code, "limit": limit}
    if bbox:
        params.update(zip("wsen", bbox, strict=True))
    if limit is not None and limit <= EXPORT_CHUNK:
        # A page: one round trip, where a cursor takes several (and a transaction).
        for row in await connection.fetch(stmt, params):
            yield tuple(row)
        return
    async for row in connection.stream(stmt, params, EXPORT_CHUNK):
        yield tuple(row)


async def verified_counts_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """VERIFIED assets by category inside each community, of any community set (counted by
    where they are shown, so an individual counts in their own community)."""
    rows = await session.execute(
        select(Community.id, Asset.category, func.count())
        .join(Asset, func.ST_Covers(Community.geom, Asset.display_geom))
        .where(Community.id.in_(community_ids), Asset.status == "VERIFIED")
        .group_by(Community.id, Asset.category)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for community_id, category, count in rows.all():
        counts.setdefault(community_id, {})[category] = count
    return counts
