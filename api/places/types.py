"""GraphQL for geography: counties, communities, LSOAs and what covers a point."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import strawberry

from api.context import Info
from api.places import community_editing as editing
from api.places import loaders, service
from api.places.models import DOMAIN_RANK_COLUMNS
from api.places.models import Community as CommunityRow
from api.places.models import CommunitySet as CommunitySetRow
from api.places.models import CommunityVersion as CommunityVersionRow
from api.places.models import County as CountyRow
from api.places.models import Lsoa as LsoaRow
from api.places.repository import COMMUNITY_KEY_TYPES, CommunityFigures, community_cursor_key
from api.shared.geojson import GeoJSON, as_geojson
from api.shared.language import pick
from api.shared.pagination import Connection, PageRequest
from api.shared.payloads import answer
from api.shared.user_errors import UserError

SIMPLIFY_HELP = "Simplify the outline, in metres (0 or null: the full boundary)."


async def _geometry(info: Info, model: type, ident: uuid.UUID, simplify_m: float | None) -> object:
    simplify = service.check_simplify(simplify_m)
    return as_geojson(await loaders.geojson(info.context).load((model, ident, simplify)))


@strawberry.interface
class Named:
    name_en: str
    name_cy: str | None

    @strawberry.field(description="The name in the language asked for by Accept-Language.")
    def name(self, info: Info) -> str:
        return pick(info.context.language, self.name_en, self.name_cy) or ""


@strawberry.type
class County(Named):
    id: uuid.UUID
    code: str
    area_km2: float

    @classmethod
    def of(cls, row: CountyRow) -> County:
        return cls(
            id=row.id,
            code=row.code,
            name_en=row.name_en,
            name_cy=row.name_cy,
            area_km2=round(row.area_m2 / 1e6, 3),
        )

    @strawberry.field(description=f"The boundary as GeoJSON. {SIMPLIFY_HELP}")
    async def geometry(self, info: Info, simplify_m: float | None = None) -> GeoJSON:
        return await _geometry(info, CountyRow, self.id, simplify_m)

    @strawberry.field(description="The county's communities, by name in the request's language.")
    async def communities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Community]:
        page = PageRequest.parse(
            first, after, info.context.settings.page_size_max, COMMUNITY_KEY_TYPES
        )
        rows = await loaders.county_communities(info.context).load((self.id, page))
        return Connection.of(rows, community_cursor_key, Community.of)


@strawberry.type(
    description="Deprivation of a community, counted from its LSOAs' national "
    "ranks (ranks are never averaged)."
)
class Deprivation:
    index: str | None = strawberry.field(description="The deprivation index, e.g. WIMD 2019.")
    ranked_areas: int | None = strawberry.field(
        description="How many areas the national ranking has (1,909 LSOAs in Wales)."
    )
    lsoa_count: int
    lsoas_in_most_deprived_10_pct: int
    lsoas_in_most_deprived_20_pct: int
    most_deprived_rank: int | None = strawberry.field(
        description="National rank of the community's most deprived LSOA (1 = most deprived)."
    )
    population_share_in_most_deprived_20_pct: float | None = strawberry.field(
        description="Share (0-1) of the population living in the nationally most deprived 20% "
        "of LSOAs; null when population figures are missing."
    )
    domains: list[DomainDeprivation] = strawberry.field(
        description="The same counts for each domain of the index (income, health, access...)."
    )


@strawberry.type(description="LSOAs in the national most deprived 10% / 20% for one domain.")
class DomainDeprivation:
    domain: str
    lsoas_in_most_deprived_10_pct: int
    lsoas_in_most_deprived_20_pct: int


@strawberry.type(description="Who lives there, from the LSOA population estimates.")
class People:
    population: int | None
    share_under_16: float | None
    share_aged_65_plus: float | None
    rural_lsoa_share: float | None = strawberry.field(
        description="Share of its LSOAs in rural classes (small towns, villages, dispersed)."
    )


@strawberry.type(description="Lower Layer Super Output Area: the small area statistics use.")
class Lsoa:
    id: uuid.UUID
    code: str
    name_en: str
    local_name: str | None
    population: int | None
    deprivation_rank: int | None
    income_rank: int | None
    employment_rank: int | None
    health_rank: int | None
    education_rank: int | None
    access_rank: int | None
    housing_rank: int | None
    community_safety_rank: int | None
    physical_environment_rank: int | None

    @classmethod
    def of(cls, row: LsoaRow) -> Lsoa:
        return cls(
            id=row.id,
            **{
                f: getattr(row, f)
                for f in (
                    "code",
                    "name_en",
                    "local_name",
                    "population",
                    "deprivation_rank",
                    *DOMAIN_RANK_COLUMNS,
                )
            },
        )


@strawberry.type(description="One way of dividing the region into communities.")
class CommunitySet(Named):
    id: uuid.UUID
    code: str
    source: str = strawberry.field(description="MSOA, WARD (loaded from files) or CUSTOM.")
    is_default: bool

    @classmethod
    def of(cls, row: CommunitySetRow) -> CommunitySet:
        return cls(
            id=row.id,
            code=row.code,
            source=row.source,
            name_en=row.name_en,
            name_cy=row.name_cy,
            is_default=row.is_default,
        )


@strawberry.type
class Community(Named):
    id: uuid.UUID
    code: str
    source: str
    area_km2: float
    version: int
    county_id: strawberry.Private[uuid.UUID]
    set_id: strawberry.Private[uuid.UUID]

    @strawberry.field(name="set", description="The community set it belongs to.")
    async def community_set(self, info: Info) -> CommunitySet:
        return CommunitySet.of(await loaders.community_set(info.context).load(self.set_id))

    @classmethod
    def of(cls, row: CommunityRow) -> Community:
        return cls(
            id=row.id,
            code=row.code,
            source=row.source,
            name_en=row.name_en,
            name_cy=row.name_cy,
            area_km2=round(row.area_m2 / 1e6, 3),
            version=row.version,
            county_id=row.county_id,
            set_id=row.set_id,
        )

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await loaders.county(info.context).load(self.county_id))

    async def _figures(self, info: Info) -> CommunityFigures | None:
        return await loaders.figures(info.context).load(self.id)

    @strawberry.field(description="People living in the community's LSOAs, when known.")
    async def population(self, info: Info) -> int | None:
        figures = await self._figures(info)
        return figures.population if figures else None

    @strawberry.field
    async def deprivation(self, info: Info) -> Deprivation | None:
        f = await self._figures(info)
        if f is None:
            return None
        return Deprivation(
            index=f.deprivation_index,
            ranked_areas=f.deprivation_areas,
            lsoa_count=f.lsoa_count,
            lsoas_in_most_deprived_10_pct=f.lsoas_most_deprived_10,
            lsoas_in_most_deprived_20_pct=f.lsoas_most_deprived_20,
            most_deprived_rank=f.most_deprived_rank,
            population_share_in_most_deprived_20_pct=f.population_share_most_deprived_20,
            domains=[
                DomainDeprivation(
                    domain=d,
                    lsoas_in_most_deprived_10_pct=f.domain_most_deprived_10[d],
                    lsoas_in_most_deprived_20_pct=f.domain_most_deprived_20[d],
                )
                for d in f.domain_most_deprived_10
            ],
        )

    @strawberry.field(description="Population, age structure and rurality.")
    async def people(self, info: Info) -> People | None:
        f = await self._figures(info)
        if f is None:
            return None
        return People(
            population=f.population,
            share_under_16=f.share_under_16,
            share_aged_65_plus=f.share_aged_65_plus,
            rural_lsoa_share=f.rural_lsoa_share,
        )

    @strawberry.field(description="The LSOAs that make up the community, most deprived first.")
    async def lsoas(self, info: Info) -> list[Lsoa]:
        return [Lsoa.of(r) for r in await loaders.lsoas(info.context).load(self.id)]

    @strawberry.field(description=f"The boundary as GeoJSON. {SIMPLIFY_HELP}")
    async def geometry(self, info: Info, simplify_m: float | None = None) -> GeoJSON:
        return await _geometry(info, CommunityRow, self.id, simplify_m)

    @strawberry.field(description="Earlier versions, newest first (the current one is not here).")
    async def versions(self, info: Info) -> list[CommunityVersion]:
        rows = await loaders.versions(info.context).load(self.id)
        return [CommunityVersion.of(r) for r in rows]


@strawberry.type(description="A community as it was before an edit.")
class CommunityVersion(Named):
    version: int
    replaced_at: datetime
    replaced_by: uuid.UUID | None

    @classmethod
    def of(cls, row: CommunityVersionRow) -> CommunityVersion:
        return cls(
            version=row.version,
            name_en=row.name_en,
            name_cy=row.name_cy,
            replaced_at=row.replaced_at,
            replaced_by=row.replaced_by,
        )


async def _communities(
    info: Info,
    first: int | None,
    after: str | None,
    county_code: str | None,
    set_code: str | None = None,
) -> Connection[Community]:
    page = PageRequest.parse(first, after, info.context.settings.page_size_max, COMMUNITY_KEY_TYPES)
    rows = await service.communities(
        info.context.session, page, info.context.language, county_code, set_code
    )
    return Connection.of(rows, community_cursor_key, Community.of)


@strawberry.type(description="What covers a point; all null outside the region.")
class Place:
    county: County | None
    community: Community | None
    lsoa: Lsoa | None


@strawberry.type
class Query:
    @strawberry.field(description="Credits the data's licences require to be shown to users.")
    async def attribution(self, info: Info) -> list[str]:
        return await service.attributions(info.context.session)

    @strawberry.field(description="The region's counties, by name in the request's language.")
    async def counties(self, info: Info) -> list[County]:
        rows = await service.counties(info.context.session, info.context.language)
        return [County.of(c) for c in rows]

    @strawberry.field
    async def county(self, info: Info, code: str) -> County | None:
        row = await service.county(info.context.session, code)
        return County.of(row) if row else None

    @strawberry.field(description="Community sets, the default first.")
    async def community_sets(self, info: Info) -> list[CommunitySet]:
        return [CommunitySet.of(s) for s in await service.community_sets(info.context.session)]

    @strawberry.field(
        description="Communities of one set (by default the region's default set), by name in "
        "the request's language (in Welsh, a community with no Welsh name by its English "
        "one); optionally of one county."
    )
    async def communities(
        self,
        info: Info,
        county_code: str | None = None,
        set_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Community]:
        return await _communities(info, first, after, county_code, set_code)

    @strawberry.field
    async def community(self, info: Info, id: uuid.UUID) -> Community | None:
        row = await service.community(info.context.session, id)
        return Community.of(row) if row else None

    @strawberry.field(description="The county, community and LSOA containing a point.")
    async def place_at(self, info: Info, lat: float, lon: float) -> Place:
        county, community, lsoa = await service.place_at(info.context.session, lat, lon)
        return Place(
            county=County.of(county) if county else None,
            community=Community.of(community) if community else None,
            lsoa=Lsoa.of(lsoa) if lsoa else None,
        )


@strawberry.input(description="Where a community's boundary comes from: exactly one of these.")
class CommunityShapeInput:
    geometry: GeoJSON | None = strawberry.field(
        default=None, description="A GeoJSON Polygon or MultiPolygon (lon/lat)."
    )
    lsoa_codes: list[str] | None = strawberry.field(default=None, description="Merge these LSOAs.")
    community_ids: list[uuid.UUID] | None = strawberry.field(
        default=None, description="Merge these communities (of any set, e.g. wards)."
    )
    clip_to_region: bool = strawberry.field(
        default=False,
        description="Cut away whatever lies outside the region (clippedAreaKm2 says how "
        "much). Not asked, a shape with more than a sliver outside (over 5% of its area, and "
        "over 1,000 m²) is refused, and a sliver (a tidal river, say) is kept as drawn.",
    )

    def plain(self) -> editing.Shape:
        return editing.Shape(
            geometry=self.geometry,
            lsoa_codes=tuple(self.lsoa_codes) if self.lsoa_codes is not None else None,
            community_ids=tuple(self.community_ids) if self.community_ids is not None else None,
            clip_to_region=self.clip_to_region,
        )


@strawberry.input
class CreateCommunitySetInput:
    code: str
    name_en: str
    name_cy: str | None = None
    based_on: str | None = strawberry.field(
        default=None, description="Start as an editable copy of this set (e.g. WARD)."
    )


@strawberry.input
class CreateCommunityInput:
    set_code: str
    name_en: str
    name_cy: str | None = None
    shape: CommunityShapeInput


@strawberry.input
class UpdateCommunityInput:
    id: uuid.UUID
    version: int = strawberry.field(description="The version your copy is based on.")
    name_en: str | None = None
    name_cy: str | None = None
    shape: CommunityShapeInput | None = None


@strawberry.type
class CommunitySetPayload:
    community_set: CommunitySet | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CommunityPayload:
    community: Community | None = None
    clipped_area_km2: float = strawberry.field(
        default=0.0, description="How much of the shape was cut away to fit the region."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# The fields of a CommunityPayload, from the community as edited.
_EDITED: dict[str, Callable[[editing.EditedCommunity], object]] = {
    "community": lambda edited: Community.of(edited.community),
    "clipped_area_km2": lambda edited: round(edited.clipped_m2 / 1e6, 3),
}


@strawberry.type
class Mutation:
    @strawberry.mutation(description="A new set for hand-drawn communities (COORDINATOR, ADMIN).")
    async def create_community_set(
        self, info: Info, input: CreateCommunitySetInput
    ) -> CommunitySetPayload:
        return await answer(
            info,
            CommunitySetPayload,
            editing.create_community_set,
            input.code,
            input.name_en,
            input.name_cy,
            input.based_on,
            community_set=CommunitySet.of,
        )

    @strawberry.mutation(
        description="Draw a community, or merge LSOAs or communities into one "
        "(COORDINATOR or ADMIN of its county)."
    )
    async def create_community(self, info: Info, input: CreateCommunityInput) -> CommunityPayload:
        return await answer(
            info,
            CommunityPayload,
            editing.create_community,
            input.set_code,
            input.name_en,
            input.name_cy,
            input.shape.plain(),
            **_EDITED,
        )

    @strawberry.mutation(description="A new version of a hand-drawn community; the old is kept.")
    async def update_community(self, info: Info, input: UpdateCommunityInput) -> CommunityPayload:
        shape = input.shape.plain() if input.shape else editing.Shape()
        return await answer(
            info,
            CommunityPayload,
            editing.update_community,
            input.id,
            input.version,
            input.name_en,
            input.name_cy,
            shape,
            **_EDITED,
        )
