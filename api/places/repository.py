"""Every SQL statement of the places domain."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import (
    Float,
    Select,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.places.models import (
    CUSTOM_SOURCE,
    DEPRIVATION_DOMAINS,
    DOMAIN_RANK_COLUMNS,
    BoundaryVersion,
    Community,
    CommunityLsoa,
    CommunityPiece,
    CommunitySet,
    CommunityVersion,
    County,
    Lsoa,
    Region,
)
from api.shared.label_order import label_in
from api.shared.language import Language, pick
from api.shared.pagination import Page, PageRequest
from geodata.region import Area, RegionData

GEOJSON_DECIMALS = 6


async def county_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(County.code))).all())


# --- what a point look-up held in a process reads ----------------------------------------


async def boundary_version(session: AsyncSession) -> uuid.UUID:
    return (await session.scalars(select(BoundaryVersion.version))).one()


async def default_community_pieces(
    session: AsyncSession,
) -> list[tuple[uuid.UUID, str, bytes]]:
    """(community id, its county's code, the piece as WKB) for every piece of every
    community in a default set."""
    rows = await session.execute(
        select(CommunityPiece.community_id, County.code, func.ST_AsBinary(CommunityPiece.geom))
        .join(Community, Community.id == CommunityPiece.community_id)
        .join(CommunitySet, CommunitySet.id == Community.set_id)
        .join(County, County.id == Community.county_id)
        .where(CommunitySet.is_default)
        .order_by(CommunityPiece.community_id, CommunityPiece.piece)
    )
    return [(community_id, code, bytes(wkb)) for community_id, code, wkb in rows.all()]


# --- where a batch's points and named places lie ---------------------------------------


# Where each point or named community lies, for a whole batch in one statement: the
# community of the region's default community set (by id, or the one covering the point),
# its county (or the county covering a point no community covers) and the point's 1 km
# grid square in British National Grid. Progress counts per community of that set. Points
# are tested against places' boundary pieces: small polygons, not whole boundaries.
PLACES_SQL = text(
    """
    WITH defaults AS (SELECT id FROM community_sets WHERE is_default)
    SELECT p.i, cm.id AS community_id, coalesce(cmc.code, ct.code, p.county) AS county_code,
           CASE WHEN cm.id IS NULL AND p.lat IS NOT NULL
                THEN floor(ST_X(ST_Transform(q.pt, 27700)) / 1000)::int END AS e_km,
           CASE WHEN cm.id IS NULL AND p.lat IS NOT NULL
                THEN floor(ST_Y(ST_Transform(q.pt, 27700)) / 1000)::int END AS n_km,
           (p.county IS NULL OR known.code IS NOT NULL) AS county_known
    FROM unnest(CAST(:i AS int[]), CAST(:lat AS float8[]), CAST(:lon AS float8[]),
                CAST(:community AS uuid[]), CAST(:county AS text[]))
         AS p(i, lat, lon, community, county)
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS pt) q
    LEFT JOIN LATERAL (
        SELECT c.id, c.county_id FROM communities c
        WHERE p.community IS NOT NULL AND c.id = p.community
          AND c.set_id IN (SELECT id FROM defaults)
        UNION ALL
        SELECT c.id, c.county_id
        FROM community_pieces cp JOIN communities c ON c.id = cp.community_id
        WHERE p.community IS NULL AND p.lat IS NOT NULL AND ST_Covers(cp.geom, q.pt)
          AND c.set_id IN (SELECT id FROM defaults)
        LIMIT 1
    ) cm ON true
    LEFT JOIN counties cmc ON cmc.id = cm.county_id
    LEFT JOIN LATERAL (
        SELECT k.code FROM county_pieces kp JOIN counties k ON k.id = kp.county_id
        WHERE cm.id IS NULL AND p.lat IS NOT NULL AND ST_Covers(kp.geom, q.pt) LIMIT 1
    ) ct ON true
    LEFT JOIN counties known ON known.code = p.county
    """
)


@dataclass(frozen=True)
class PlaceRow:
    community_id: uuid.UUID | None
    county_code: str | None
    e_km: int | None
    n_km: int | None
    county_known: bool


class PlaceQuery(NamedTuple):
    """What is known of where something happened: a point, a community, a county, or none."""

    lat: float | None
    lon: float | None
    community_id: uuid.UUID | None
    county_code: str | None

    @property
    def bare_point(self) -> bool:
        """A point alone, with no community or county named."""
        return (
            self.lat is not None
            and self.lon is not None
            and self.community_id is None
            and self.county_code is None
        )


async def places_of(session: AsyncSession, items: Sequence[PlaceQuery]) -> list[PlaceRow]:
    """For each, where it lies; in input order."""
    if not items:
        return []
    rows = await session.execute(
        PLACES_SQL,
        {
            "i": list(range(len(items))),
            "lat": [i.lat for i in items],
            "lon": [i.lon for i in items],
            "community": [i.community_id for i in items],
            "county": [i.county_code for i in items],
        },
    )
    by_index = {r.i: r for r in rows.all()}
    return [
        PlaceRow(
            by_index[n].community_id,
            by_index[n].county_code,
            by_index[n].e_km,
            by_index[n].n_km,
            by_index[n].county_known,
        )
        for n in range(len(items))
    ]


# --- loading -----------------------------------------------------------------------------


async def _upsert(
    session: AsyncSession,
    model: type,
    rows: list[dict[str, Any]],
    compare: Sequence[str],
    keys: Sequence[str] = ("code",),
) -> int:
    """Insert or update by `keys` in one statement; returns how many rows were written.
    Rows whose values are all unchanged are not touched, so reloading writes nothing."""
    if not rows:
        return 0
    stmt = insert(model).values(rows)
    table = model.__table__
    changed = tuple_(*(table.c[c] for c in compare)).is_distinct_from(
        tuple_(*(stmt.excluded[c] for c in compare))
    )
    updates: dict[str, Any] = {c: stmt.excluded[c] for c in compare}
    if "version" in table.c:
        updates["version"] = table.c.version + 1
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_=updates, where=changed
    ).returning(table.c.id)
    return len((await session.execute(stmt)).all())


def _area_row(area: Area, **extra: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "code": area.code,
        "name_en": area.name_en,
        "name_cy": area.name_cy,
        "geom": from_shape(area.geometry, srid=4326),
        **extra,
    }


async def load_region(session: AsyncSession, data: RegionData) -> dict[str, int]:
    """Write a region in a handful of statements; returns rows written per table."""
    written: dict[str, int] = {}
    written["regions"] = await _upsert(
        session,
        Region,
        [
            {
                "id": uuid.uuid4(),
                "code": data.code,
                "name_en": data.name_en,
                "name_cy": data.name_cy,
                "attribution": data.attribution,
                "deprivation_index": data.deprivation_index,
                "deprivation_areas": data.deprivation_areas,
            }
        ],
        ["name_en", "name_cy", "attribution", "deprivation_index", "deprivation_areas"],
    )
    region_id = await session.scalar(select(Region.id).where(Region.code == data.code))
    written["counties"] = await _upsert(
        session,
        County,
        [_area_row(c, region_id=region_id) for c in data.counties],
        ["region_id", "name_en", "name_cy", "geom"],
    )
    county_ids = dict(
        (
            await session.execute(
                select(County.code, County.id).where(
                    County.code.in_([c.code for c in data.counties])
                )
            )
        ).all()
    )
    written["lsoas"] = await _upsert(
        session,
        Lsoa,
        [
            _area_row(
                a,
                county_id=county_ids[a.county_code],
                local_name=a.local_name,
                population=data.figures[a.code].population,
                under_16=data.figures[a.code].under_16,
                aged_65_plus=data.figures[a.code].aged_65_plus,
                rural_urban_class=data.figures[a.code].rural_urban_class,
                rural=data.figures[a.code].rural,
                deprivation_rank=data.figures[a.code].rank,
                deprivation_score=data.figures[a.code].score,
                **{f"{d}_rank": r for d, r in data.figures[a.code].domain_ranks.items()},
            )
            for a in data.lsoas
        ],
        [
            "county_id",
            "name_en",
            "name_cy",
            "local_name",
            "population",
            "under_16",
            "aged_65_plus",
            "rural_urban_class",
            "rural",
            "deprivation_rank",
            "deprivation_score",
            *DOMAIN_RANK_COLUMNS,
            "geom",
        ],
    )
    written["community_sets"] = written["communities"] = written["community_lsoas"] = 0
    for position, community_set in enumerate(data.community_sets):
        written["community_sets"] += await _upsert(
            session,
            CommunitySet,
            [
                {
                    "id": uuid.uuid4(),
                    "code": community_set.code,
                    "region_id": region_id,
                    "name_en": community_set.name_en,
                    "name_cy": community_set.name_cy,
                    "source": community_set.source,
                    "is_default": position == 0,
                }
            ],
            ["region_id", "name_en", "name_cy", "source", "is_default"],
        )
        set_id = await session.scalar(
            select(CommunitySet.id).where(CommunitySet.code == community_set.code)
        )
        written["communities"] += await _upsert(
            session,
            Community,
            [
                _area_row(
                    c,
                    set_id=set_id,
                    county_id=county_ids[c.county_code],
                    source=community_set.source,
                    version=1,
                )
                for c in community_set.communities
            ],
            ["county_id", "name_en", "name_cy", "source", "geom"],
            keys=("set_id", "code"),
        )
        written["community_lsoas"] += await link_lsoas(session, set_id)
    if any(written.values()):
        # Statistics now rather than when autovacuum gets round to it: without them the
        # planner guesses that a point falls in fifteen boundary pieces (it falls in one),
        # and looks each point up by a bitmap scan taking twice as long as an index scan.
        await session.execute(
            text("ANALYZE counties, county_pieces, communities, community_pieces, lsoas")
        )
    return written


# An LSOA touched by a community over less than this share of its area is not counted as
# touching it: boundaries from different sources never line up exactly.
SLIVER_SHARE = 0.01


async def link_lsoas(session: AsyncSession, set_id: uuid.UUID) -> int:
    """Give each LSOA to the community of the set that covers the largest share of its
    area (so population and deprivation roll up once); returns links added or removed."""
    shared = func.ST_Area(func.ST_Intersection(Community.geom, Lsoa.geom))
    best = await session.execute(
        select(Community.id, Lsoa.id)
        .join(Lsoa, func.ST_Intersects(Community.geom, Lsoa.geom))
        .where(Community.set_id == set_id, shared > SLIVER_SHARE * func.ST_Area(Lsoa.geom))
        .order_by(Lsoa.id, shared.desc(), Community.id)
        .ext(distinct_on(Lsoa.id))
    )
    wanted = {(community_id, lsoa_id) for community_id, lsoa_id in best.all()}
    current = await session.execute(
        select(CommunityLsoa.community_id, CommunityLsoa.lsoa_id)
        .join(Community, Community.id == CommunityLsoa.community_id)
        .where(Community.set_id == set_id)
    )
    have = {(community_id, lsoa_id) for community_id, lsoa_id in current.all()}
    stale, missing = have - wanted, wanted - have
    if stale:
        await session.execute(
            delete(CommunityLsoa).where(
                tuple_(CommunityLsoa.community_id, CommunityLsoa.lsoa_id).in_(stale)
            )
        )
    if missing:
        await session.execute(
            insert(CommunityLsoa),
            [{"community_id": c, "lsoa_id": lsoa} for c, lsoa in missing],
        )
    return len(stale) + len(missing)


# --- reading -----------------------------------------------------------------------------


async def attributions(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(Region.attribution).order_by(Region.code))
    return [line for lines in rows.all() for line in lines]


async def counties(session: AsyncSession, language: Language = Language.EN) -> Sequence[County]:
    """By name in `language`."""
    order = label_in(language, County.name_en, County.name_cy)
    return (await session.scalars(select(County).order_by(order, County.code))).all()


async def county_by_code(session: AsyncSession, code: str) -> County | None:
    return await session.scalar(select(County).where(County.code == code))


async def counties_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[County]:
    return (await session.scalars(select(County).where(County.id.in_(ids)))).all()


def community_order(language: Language) -> tuple[Any, Any]:
    """By name in `language`, then id."""
    return (label_in(language, Community.name_en, Community.name_cy), Community.id)


# A cursor holds both names and the id, so it finds its place in either language's order.
COMMUNITY_KEY_TYPES = (str, str, uuid.UUID)


def community_cursor_key(community: Community) -> tuple[str, str, uuid.UUID]:
    return (community.name_en, community.name_cy or "", community.id)


def _in_set(set_id: uuid.UUID | None) -> Any:
    """Communities of one set, or (None) of every region's default set."""
    if set_id is not None:
        return Community.set_id == set_id
    return Community.set_id.in_(select(CommunitySet.id).where(CommunitySet.is_default))


async def community_pages(
    session: AsyncSession,
    page: PageRequest,
    language: Language,
    county_ids: Sequence[uuid.UUID] | None,
    set_id: uuid.UUID | None = None,
) -> dict[uuid.UUID | None, Page[Community]]:
    """One page of a set's communities, by name in `language`, for each county in
    `county_ids` (or, with None, one page of all of them under the key None), in two
    statements whatever the number of counties. No set: the default sets."""
    order = community_order(language)
    group = Community.county_id if county_ids is not None else literal(None)
    scope = [_in_set(set_id)]
    if county_ids is not None:
        scope.append(Community.county_id.in_(county_ids))
    totals = dict(
        (await session.execute(select(group, func.count()).where(*scope).group_by(group))).all()
    )
    ranked = select(
        Community.id,
        func.row_number().over(partition_by=group, order_by=order).label("n"),
    ).where(*scope)
    if page.after is not None:
        name_en, name_cy, ident = page.after
        name = pick(language, name_en, name_cy)
        ranked = ranked.where(tuple_(*order) > tuple_(literal(name), literal(ident)))
    ranked = ranked.subquery()
    rows = (
        await session.scalars(
            select(Community)
            .join(ranked, ranked.c.id == Community.id)
            .where(ranked.c.n <= page.limit + 1)
            .order_by(*order)
        )
    ).all()
    grouped: dict[uuid.UUID | None, list[Community]] = defaultdict(list)
    for row in rows:
        grouped[row.county_id if county_ids is not None else None].append(row)
    keys = list(county_ids) if county_ids is not None else [None]
    return {
        key: Page(
            rows=grouped[key][: page.limit],
            has_next=len(grouped[key]) > page.limit,
            total=totals.get(key, 0),
        )
        for key in keys
    }


async def community_sets(session: AsyncSession) -> Sequence[CommunitySet]:
    return (
        await session.scalars(
            select(CommunitySet).order_by(CommunitySet.is_default.desc(), CommunitySet.code)
        )
    ).all()


async def community_set_by_code(session: AsyncSession, code: str) -> CommunitySet | None:
    return await session.scalar(select(CommunitySet).where(CommunitySet.code == code))


async def community_sets_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> Sequence[CommunitySet]:
    return (await session.scalars(select(CommunitySet).where(CommunitySet.id.in_(ids)))).all()


async def default_set_communities(
    session: AsyncSession, language: Language = Language.EN
) -> Sequence[Community]:
    """Every community of the regions' default sets, by name in `language`."""
    return (
        await session.scalars(
            select(Community).where(_in_set(None)).order_by(*community_order(language))
        )
    ).all()


async def communities_in(
    session: AsyncSession, set_id: uuid.UUID, county_codes: Sequence[str]
) -> Sequence[tuple[Community, str]]:
    """Every community of a set in these counties, with its county code, by name."""
    rows = await session.execute(
        select(Community, County.code)
        .join(County, County.id == Community.county_id)
        .where(Community.set_id == set_id, County.code.in_(county_codes))
        .order_by(*community_order(Language.EN))
    )
    return [(community, code) for community, code in rows.all()]


async def communities_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Community]:
    return (await session.scalars(select(Community).where(Community.id.in_(ids)))).all()


async def community_with_county(
    session: AsyncSession, community_id: uuid.UUID
) -> tuple[Community, str] | None:
    row = (
        await session.execute(
            select(Community, County.code)
            .join(County, County.id == Community.county_id)
            .where(Community.id == community_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def community_by_id(session: AsyncSession, community_id: uuid.UUID) -> Community | None:
    return await session.get(Community, community_id)


async def geojson_by_id(
    session: AsyncSession, model: type, ids: Sequence[uuid.UUID], simplify_m: float | None
) -> dict[uuid.UUID, str]:
    """GeoJSON text of each geometry; simplified in metres (in British National Grid)."""
    geom = model.geom
    if simplify_m:
        geom = func.ST_Transform(
            func.ST_SimplifyPreserveTopology(func.ST_Transform(geom, 27700), simplify_m), 4326
        )
    rows = await session.execute(
        select(model.id, func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(geom), GEOJSON_DECIMALS)).where(
            model.id.in_(ids)
        )
    )
    return dict(rows.all())


@dataclass(frozen=True)
class CommunityFigures:
    lsoa_count: int
    lsoas_most_deprived_10: int
    lsoas_most_deprived_20: int
    most_deprived_rank: int | None
    population: int | None
    population_most_deprived_20: int | None
    deprivation_areas: int | None
    deprivation_index: str | None
    # Per deprivation domain (income, health, access...): LSOAs in the national 10% / 20%.
    domain_most_deprived_10: dict[str, int]
    domain_most_deprived_20: dict[str, int]
    under_16: int | None
    aged_65_plus: int | None
    rural_lsoas: int | None  # None when the LSOAs' rural/urban class is not known

    def _share(self, part: int | None, whole: int | None) -> float | None:
        return round(part / whole, 4) if part is not None and whole else None

    @property
    def population_share_most_deprived_20(self) -> float | None:
        return self._share(self.population_most_deprived_20, self.population)

    @property
    def share_under_16(self) -> float | None:
        return self._share(self.under_16, self.population)

    @property
    def share_aged_65_plus(self) -> float | None:
        return self._share(self.aged_65_plus, self.population)

    @property
    def rural_lsoa_share(self) -> float | None:
        return self._share(self.rural_lsoas, self.lsoa_count)

    def lsoa_share(self, lsoas: int | None) -> float | None:
        """What share of the community's LSOAs `lsoas` is."""
        return self._share(lsoas, self.lsoa_count)


def _complete_sum(column: Any) -> Any:
    """The sum, or NULL when any LSOA lacks the figure (a partial sum would mislead)."""
    return case((func.count(column) == func.count(), func.sum(column)), else_=None)


async def community_figures(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CommunityFigures]:
    """Population, age, rurality and deprivation counts from each community's LSOAs, in
    one statement.

    Deciles are counted the Welsh Government way: the most deprived 10% of N areas are
    ranks 1..ceil(N/10) (1..191 of 1,909), the most deprived 20% ranks 1..ceil(N/5)."""
    areas = Region.deprivation_areas
    t10, t20 = func.ceil(cast(areas, Float) / 10), func.ceil(cast(areas, Float) / 5)
    columns: dict[str, Any] = {
        "community_id": CommunityLsoa.community_id,
        "lsoa_count": func.count(),
        "d10": func.count().filter(Lsoa.deprivation_rank <= t10),
        "d20": func.count().filter(Lsoa.deprivation_rank <= t20),
        "best": func.min(Lsoa.deprivation_rank),
        "population": _complete_sum(Lsoa.population),
        "population_d20": case(
            (
                func.count(Lsoa.population) == func.count(),
                func.coalesce(func.sum(Lsoa.population).filter(Lsoa.deprivation_rank <= t20), 0),
            ),
            else_=None,
        ),
        "under_16": _complete_sum(Lsoa.under_16),
        "aged_65_plus": _complete_sum(Lsoa.aged_65_plus),
        "rural": case(
            (func.count(Lsoa.rural) == func.count(), func.count().filter(Lsoa.rural)),
            else_=None,
        ),
        "areas": func.max(areas),
        "index": func.max(Region.deprivation_index),
    }
    for domain, rank in zip(DEPRIVATION_DOMAINS, DOMAIN_RANK_COLUMNS, strict=True):
        columns[f"{domain}_10"] = func.count().filter(getattr(Lsoa, rank) <= t10)
        columns[f"{domain}_20"] = func.count().filter(getattr(Lsoa, rank) <= t20)
    stmt = (
        select(*(c.label(name) for name, c in columns.items()))
        .join(Lsoa, Lsoa.id == CommunityLsoa.lsoa_id)
        .join(County, County.id == Lsoa.county_id)
        .join(Region, Region.id == County.region_id)
        .where(CommunityLsoa.community_id.in_(ids))
        .group_by(CommunityLsoa.community_id)
    )
    figures = {}
    for row in (await session.execute(stmt)).mappings():
        figures[row["community_id"]] = CommunityFigures(
            lsoa_count=row["lsoa_count"],
            lsoas_most_deprived_10=row["d10"],
            lsoas_most_deprived_20=row["d20"],
            most_deprived_rank=row["best"],
            population=row["population"],
            population_most_deprived_20=row["population_d20"],
            deprivation_areas=row["areas"],
            deprivation_index=row["index"],
            domain_most_deprived_10={d: row[f"{d}_10"] for d in DEPRIVATION_DOMAINS},
            domain_most_deprived_20={d: row[f"{d}_20"] for d in DEPRIVATION_DOMAINS},
            under_16=row["under_16"],
            aged_65_plus=row["aged_65_plus"],
            rural_lsoas=row["rural"],
        )
    return figures


async def county_population(session: AsyncSession, county_id: uuid.UUID) -> int | None:
    """People in the county's LSOAs; None when any LSOA's figure is missing."""
    return await session.scalar(
        select(_complete_sum(Lsoa.population)).where(Lsoa.county_id == county_id)
    )


async def lsoas_of_communities(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, Lsoa]]:
    rows = await session.execute(
        select(CommunityLsoa.community_id, Lsoa)
        .join(Lsoa, Lsoa.id == CommunityLsoa.lsoa_id)
        .where(CommunityLsoa.community_id.in_(ids))
        .order_by(Lsoa.deprivation_rank.nulls_last(), Lsoa.code)
    )
    return list(rows.all())


def _point(lat: float, lon: float) -> Any:
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def containing(model: type, lat: float, lon: float) -> Select[Any]:
    """The rows of `model` whose area covers the point (answered from the GiST index)."""
    return select(model).where(func.ST_Covers(model.geom, _point(lat, lon))).limit(1)


async def place_at(
    session: AsyncSession, lat: float, lon: float
) -> tuple[County | None, Community | None, Lsoa | None]:
    county = await session.scalar(containing(County, lat, lon))
    if county is None:  # outside the region: nothing smaller can contain it either
        return None, None, None
    community = await session.scalar(
        containing(Community, lat, lon).where(
            Community.set_id.in_(
                select(CommunitySet.id).where(
                    CommunitySet.is_default, CommunitySet.region_id == county.region_id
                )
            )
        )
    )
    lsoa = await session.scalar(containing(Lsoa, lat, lon))
    return county, community, lsoa


# --- drawing and editing communities ----------------------------------------------------


def _wkb(wkb: bytes) -> Any:
    return func.ST_GeomFromWKB(wkb, 4326)


def _area_m2(geom: Any) -> Any:
    return func.ST_Area(func.ST_Transform(geom, 27700))


async def union_of_lsoas(
    session: AsyncSession, codes: Sequence[str]
) -> tuple[bytes | None, set[str]]:
    """The union of the LSOAs with these codes as WKB, and the codes that exist."""
    row = (
        await session.execute(
            select(
                func.ST_AsBinary(func.ST_Multi(func.ST_Union(Lsoa.geom))),
                func.array_agg(Lsoa.code),
            ).where(Lsoa.code.in_(codes))
        )
    ).one()
    return row[0], set(row[1] or [])


async def union_of_communities(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> tuple[bytes | None, set[uuid.UUID]]:
    """The union of these communities (of any set) as WKB, and the ids that exist."""
    row = (
        await session.execute(
            select(
                func.ST_AsBinary(func.ST_Multi(func.ST_Union(Community.geom))),
                func.array_agg(Community.id),
            ).where(Community.id.in_(ids))
        )
    ).one()
    return row[0], set(row[1] or [])


@dataclass(frozen=True)
class RegionFit:
    area_m2: float
    outside_m2: float
    clipped: bytes | None  # the part inside the region (None: nothing inside)
    county_id: uuid.UUID | None  # the county holding the largest share


async def fit_to_region(session: AsyncSession, region_id: uuid.UUID, wkb: bytes) -> RegionFit:
    """How much of a shape lies outside the region's counties, the part inside, and the
    county that holds most of it, in one statement."""
    shape = select(_wkb(wkb).label("geom")).cte("shape")
    region = (
        select(func.ST_Union(County.geom).label("geom"))
        .where(County.region_id == region_id)
        .cte("region")
    )
    inside = func.ST_Multi(
        func.ST_CollectionExtract(func.ST_Intersection(shape.c.geom, region.c.geom), 3)
    )
    best_county = (
        select(County.id)
        .where(County.region_id == region_id, func.ST_Intersects(County.geom, shape.c.geom))
        .order_by(func.ST_Area(func.ST_Intersection(County.geom, shape.c.geom)).desc())
        .limit(1)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                _area_m2(shape.c.geom),
                func.coalesce(_area_m2(func.ST_Difference(shape.c.geom, region.c.geom)), 0.0),
                func.ST_AsBinary(inside),
                best_county,
            ).select_from(shape.join(region, true()))
        )
    ).one()
    clipped = None if row[2] is None or shapely.from_wkb(row[2]).is_empty else row[2]
    return RegionFit(
        area_m2=float(row[0]), outside_m2=float(row[1]), clipped=clipped, county_id=row[3]
    )


async def overlapping(
    session: AsyncSession, set_id: uuid.UUID, wkb: bytes, exclude: uuid.UUID | None
) -> list[tuple[str, float]]:
    """(name, overlap in m²) of the set's communities this shape overlaps, largest first."""
    shape = _wkb(wkb)
    overlap = _area_m2(func.ST_Intersection(Community.geom, shape))
    stmt = (
        select(Community.name_en, overlap)
        .where(Community.set_id == set_id, func.ST_Intersects(Community.geom, shape))
        .order_by(overlap.desc())
    )
    if exclude is not None:
        stmt = stmt.where(Community.id != exclude)
    return [(name, float(area)) for name, area in (await session.execute(stmt)).all()]


async def add_community(session: AsyncSession, community: Community, wkb: bytes) -> Community:
    community.geom = _wkb(wkb)
    session.add(community)
    await session.flush()
    return await _reloaded(session, community.id)


async def replace_community(
    session: AsyncSession,
    community: Community,
    *,
    name_en: str,
    name_cy: str | None,
    wkb: bytes | None,
    county_id: uuid.UUID,
    replaced_by: uuid.UUID | None,
    at: Any,
) -> Community:
    """Keep the current version in community_versions, then write the new one over it."""
    await session.execute(
        insert(CommunityVersion).from_select(
            ["community_id", "version", "name_en", "name_cy", "geom", "replaced_at", "replaced_by"],
            select(
                Community.id,
                Community.version,
                Community.name_en,
                Community.name_cy,
                Community.geom,
                literal(at),
                literal(replaced_by, type_=Community.created_by.type),
            ).where(Community.id == community.id),
        )
    )
    values: dict[str, Any] = {
        "name_en": name_en,
        "name_cy": name_cy,
        "county_id": county_id,
        "version": Community.version + 1,
        "updated_at": at,
    }
    if wkb is not None:
        values["geom"] = _wkb(wkb)
    await session.execute(
        update(Community)
        .where(Community.id == community.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return await _reloaded(session, community.id)


async def _reloaded(session: AsyncSession, community_id: uuid.UUID) -> Community:
    """The row as the database now has it (area and version are computed there)."""
    return (
        await session.scalars(
            select(Community)
            .where(Community.id == community_id)
            .execution_options(populate_existing=True)
        )
    ).one()


async def community_versions(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[CommunityVersion]:
    return list(
        (
            await session.scalars(
                select(CommunityVersion)
                .where(CommunityVersion.community_id.in_(ids))
                .order_by(CommunityVersion.community_id, CommunityVersion.version.desc())
            )
        ).all()
    )


async def copy_communities(
    session: AsyncSession, from_set: uuid.UUID, to_set: uuid.UUID, created_by: uuid.UUID
) -> int:
    """Copy every community of one set into another, as editable ones, in one statement."""
    copied = await session.execute(
        insert(Community)
        .from_select(
            [
                "id",
                "code",
                "set_id",
                "county_id",
                "name_en",
                "name_cy",
                "source",
                "geom",
                "created_by",
                "version",
            ],
            select(
                func.gen_random_uuid(),
                Community.code,
                literal(to_set),
                Community.county_id,
                Community.name_en,
                Community.name_cy,
                literal(CUSTOM_SOURCE),
                Community.geom,
                literal(created_by),
                literal(1),
            ).where(Community.set_id == from_set),
        )
        .returning(Community.id)
    )
    return len(copied.all())


async def add_community_set(session: AsyncSession, community_set: CommunitySet) -> None:
    session.add(community_set)
    await session.flush()
