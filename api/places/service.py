"""Rules of the places domain. Geography is open data: anyone may read it; only the
command line loads it."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import BadInput, DomainError
from api.places import repository
from api.places.models import Community, CommunitySet, CommunityVersion, County, Lsoa
from api.places.point_index import point_index
from api.places.repository import CommunityFigures, PlaceQuery, PlaceRow
from api.shared.language import Language
from api.shared.pagination import Page, PageRequest
from geodata.region import RegionData

# Simplifying by more than this would turn a county into a triangle.
MAX_SIMPLIFY_M = 5_000.0


def no_such_community(
    field: str = "communityId", error: type[DomainError] = BadInput
) -> DomainError:
    return error(
        "There is no community with this id.", field=field, cy="Nid oes cymuned â'r id hwn."
    )


def no_such_community_set(code: str, field: str = "setCode") -> BadInput:
    return BadInput(
        f"There is no community set with code {code!r}.",
        field=field,
        cy=f"Nid oes set o gymunedau â'r cod {code!r}.",
    )


def no_such_county(code: str, field: str = "countyCode") -> BadInput:
    return BadInput(
        f"There is no county with code {code!r}.", field=field, cy=f"Nid oes sir â'r cod {code!r}."
    )


async def county_codes(session: AsyncSession) -> set[str]:
    """Codes of every loaded county (for checking role scopes and filters)."""
    return await repository.county_codes(session)


async def load_region(session: AsyncSession, data: RegionData) -> dict[str, int]:
    """Write an already-checked region in the caller's transaction; rows written per table.
    Loading the same files again writes nothing."""
    return await repository.load_region(session, data)


async def attributions(session: AsyncSession) -> list[str]:
    return await repository.attributions(session)


async def counties(session: AsyncSession, language: Language = Language.EN) -> Sequence[County]:
    return await repository.counties(session, language)


async def county(session: AsyncSession, code: str) -> County | None:
    return await repository.county_by_code(session, code)


async def county_population(session: AsyncSession, county: County) -> int | None:
    """People living in a county (from its LSOAs), when every LSOA's figure is known."""
    return await repository.county_population(session, county.id)


async def counties_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, County]:
    return {c.id: c for c in await repository.counties_by_id(session, ids)}


async def community_set(session: AsyncSession, code: str) -> CommunitySet:
    found = await repository.community_set_by_code(session, code)
    if found is None:
        raise no_such_community_set(code)
    return found


async def community_sets(session: AsyncSession) -> Sequence[CommunitySet]:
    return await repository.community_sets(session)


async def community_sets_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CommunitySet]:
    return {s.id: s for s in await repository.community_sets_by_id(session, ids)}


async def communities(
    session: AsyncSession,
    page: PageRequest,
    language: Language,
    county_code: str | None = None,
    set_code: str | None = None,
) -> Page[Community]:
    """A page of one set's communities (by default the region's default set), by name in
    the request's language."""
    set_id = (await community_set(session, set_code)).id if set_code is not None else None
    if county_code is None:
        return (await repository.community_pages(session, page, language, None, set_id))[None]
    found = await repository.county_by_code(session, county_code)
    if found is None:
        raise no_such_county(county_code)
    pages = await repository.community_pages(session, page, language, [found.id], set_id)
    return pages[found.id]


async def communities_of_counties(
    session: AsyncSession, page: PageRequest, language: Language, county_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID | None, Page[Community]]:
    return await repository.community_pages(session, page, language, county_ids)


# What a place is for an item that needs none.
NOWHERE = PlaceRow(None, None, None, None, county_known=True)


async def places_of(session: AsyncSession, wanted: Sequence[PlaceQuery | None]) -> list[PlaceRow]:
    """Where each lies, in input order (None: nothing to place, NOWHERE back). A bare point
    (no community or county named) inside a community is placed by the process's copy of
    the boundaries; the rest (a named community or county, a point outside every community,
    with its 1 km square) by one statement, only when there are any."""
    found = [NOWHERE] * len(wanted)
    bare = [(n, (q.lat, q.lon)) for n, q in enumerate(wanted) if q is not None and q.bare_point]
    # Only when there are bare points: a batch with none reads no boundary version.
    located = (await point_index(session)).locate([p for _, p in bare]) if bare else []
    for (n, _), hit in zip(bare, located, strict=True):
        if hit is not None:
            found[n] = PlaceRow(hit[0], hit[1], None, None, county_known=True)
    rest = [
        (n, query) for n, query in enumerate(wanted) if query is not None and found[n] is NOWHERE
    ]
    looked_up = await repository.places_of(session, [query for _, query in rest])
    for (n, _), place in zip(rest, looked_up, strict=True):
        found[n] = place
    return found


async def default_set_communities(
    session: AsyncSession, language: Language = Language.EN
) -> Sequence[Community]:
    """All communities of the default set (the ones conversations and assets are filed
    under), without paging: for region-wide figures. By name in `language`."""
    return await repository.default_set_communities(session, language)


async def communities_in(
    session: AsyncSession, set_id: uuid.UUID, county_codes: Sequence[str]
) -> Sequence[tuple[Community, str]]:
    """All communities of a set in these counties (with each one's county code)."""
    return await repository.communities_in(session, set_id, county_codes)


async def communities_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Community]:
    return {c.id: c for c in await repository.communities_by_id(session, ids)}


async def community_with_county(
    session: AsyncSession, community_id: uuid.UUID
) -> tuple[Community, str] | None:
    """A community and its county's code, in one look-up (None: no such community)."""
    return await repository.community_with_county(session, community_id)


async def community(session: AsyncSession, community_id: uuid.UUID) -> Community | None:
    return await repository.community_by_id(session, community_id)


async def community_figures(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CommunityFigures]:
    return await repository.community_figures(session, ids)


async def community_versions(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CommunityVersion]]:
    """Earlier versions of each community, newest first."""
    grouped: dict[uuid.UUID, list[CommunityVersion]] = {i: [] for i in ids}
    for row in await repository.community_versions(session, ids):
        grouped[row.community_id].append(row)
    return grouped


async def lsoas_of_communities(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Lsoa]]:
    grouped: dict[uuid.UUID, list[Lsoa]] = {i: [] for i in ids}
    for community_id, lsoa in await repository.lsoas_of_communities(session, ids):
        grouped[community_id].append(lsoa)
    return grouped


def check_simplify(simplify_m: float | None) -> float | None:
    if simplify_m is None or simplify_m == 0:
        return None
    if not math.isfinite(simplify_m) or not 0 < simplify_m <= MAX_SIMPLIFY_M:
        raise BadInput(
            f"simplifyM must be between 0 and {MAX_SIMPLIFY_M:g} metres.",
            field="simplifyM",
            cy=f"Rhaid i simplifyM fod rhwng 0 a {MAX_SIMPLIFY_M:g} metr.",
        )
    return simplify_m


async def geojson(
    session: AsyncSession, model: type, ids: Sequence[uuid.UUID], simplify_m: float | None
) -> dict[uuid.UUID, str]:
    return await repository.geojson_by_id(session, model, ids, check_simplify(simplify_m))


def point_problems(lat: float, lon: float, prefix: str = "") -> list[DomainError]:
    """What is wrong with a point given as degrees; fields are `prefix` + lat / lon."""
    problems: list[DomainError] = []
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        problems.append(
            BadInput(
                "lat must be a latitude between -90 and 90 degrees.",
                field=f"{prefix}lat",
                cy="Rhaid i lat fod yn lledred rhwng -90 a 90 gradd.",
            )
        )
    if not math.isfinite(lon) or not -180 <= lon <= 180:
        problems.append(
            BadInput(
                "lon must be a longitude between -180 and 180 degrees.",
                field=f"{prefix}lon",
                cy="Rhaid i lon fod yn hydred rhwng -180 a 180 gradd.",
            )
        )
    return problems


def check_point(lat: float, lon: float) -> None:
    problems = point_problems(lat, lon)
    if problems:
        raise problems[0]


async def place_at(
    session: AsyncSession, lat: float, lon: float
) -> tuple[County | None, Community | None, Lsoa | None]:
    """The county, community and LSOA covering a point; all None outside the region."""
    check_point(lat, lon)
    return await repository.place_at(session, lat, lon)
