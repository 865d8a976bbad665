"""GraphQL for community assets: the register phones write to, the map and lists people
read, and the reviews coordinators make."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.file_uploads import Upload

from api.assets import loaders, service
from api.assets.drafts import AssetDraft
from api.assets.models import AssetPhoto as AssetPhotoRow
from api.assets.models import AssetRevision as AssetRevisionRow
from api.assets.models import Category, Status, WellbeingWay
from api.assets.repository import Filter, Found, Near, Scope
from api.auth.principal import Principal
from api.context import Info
from api.errors import BadInput, Conflict, DomainError
from api.shared import photos
from api.shared.batch import ItemOutcome
from api.shared.inputs import batch_input
from api.shared.language import Language, pick
from api.shared.pagination import Connection
from api.shared.payloads import respond
from api.shared.user_errors import BatchStatus, UserError

strawberry.enum(
    Category,
    name="AssetCategory",
    description="Families of asset-based community development: INDIVIDUAL (skills and "
    "gifts of people), ASSOCIATION (groups, clubs), INSTITUTION (public bodies, schools, GP "
    "practices), PHYSICAL (buildings, green and blue spaces), ECONOMIC (businesses, social "
    "enterprises), CULTURAL (heritage, language, arts).",
)
strawberry.enum(
    Status,
    name="AssetStatus",
    description="PENDING (new from a leader) -> VERIFIED -> ARCHIVED; or REJECTED with a reason.",
)
strawberry.enum(WellbeingWay, description="The Five Ways to Wellbeing an asset supports.")

MEDIA_PREFIX = "/media/"

# What a phone shows for each category, in English and Welsh.
CATEGORY_LABELS = {
    Category.INDIVIDUAL: ("Skills and gifts of people", "Sgiliau a doniau pobl"),
    Category.ASSOCIATION: ("Groups and clubs", "Grwpiau a chlybiau"),
    Category.INSTITUTION: ("Public bodies and services", "Cyrff a gwasanaethau cyhoeddus"),
    Category.PHYSICAL: ("Places and spaces", "Lleoedd a mannau"),
    Category.ECONOMIC: ("Businesses and social enterprises", "Busnesau a mentrau cymdeithasol"),
    Category.CULTURAL: ("Heritage, language and arts", "Treftadaeth, iaith a'r celfyddydau"),
}


# Stored values to enum members by dict: calling the enum (Category(value)) cost a page of
# 100 about 0.3 ms, some 400 times.
_CATEGORIES = {c.value: c for c in Category}
_STATUSES = {s.value: s for s in Status}
_LANGUAGES = {lang.value: lang for lang in Language}
_WELLBEING = {w.value: w for w in WellbeingWay}


@strawberry.type(
    description="Where an asset is shown. For an INDIVIDUAL this is a point inside its "
    "community (approximate is true), never where the person is."
)
class AssetLocation:
    lat: float
    lon: float
    accuracy_m: float | None
    approximate: bool


@strawberry.type(description="How to get in touch (for an INDIVIDUAL: county staff only).")
class AssetContact:
    name: str | None
    phone: str | None
    email: str | None
    website: str | None


@strawberry.type(description="One change to an asset: who, when, what kind, which fields.")
class AssetRevision:
    version: int
    action: str
    actor_id: uuid.UUID | None
    at: datetime
    changed_fields: list[str]
    reason: str | None

    @classmethod
    def of(cls, row: AssetRevisionRow) -> AssetRevision:
        return cls(
            version=row.version,
            action=row.action,
            actor_id=row.actor_id,
            at=row.at,
            changed_fields=list(row.changed_fields),
            reason=row.reason,
        )


@strawberry.type(description="A photo of an asset (location data removed).")
class AssetPhoto:
    id: uuid.UUID
    url: str
    thumbnail_url: str
    width: int
    height: int
    caption: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: AssetPhotoRow) -> AssetPhoto:
        return cls(
            id=row.id,
            url=MEDIA_PREFIX + row.image_key,
            thumbnail_url=MEDIA_PREFIX + row.thumbnail_key,
            width=row.width,
            height=row.height,
            caption=row.caption,
            created_at=row.created_at,
        )


@strawberry.type(description="Something a community has: a group, a venue, a space, a skill.")
class Asset:
    id: uuid.UUID
    version: int
    name_en: str | None
    name_cy: str | None
    description: str | None
    category: Category
    tags: list[str]
    location: AssetLocation
    address: str | None
    postcode: str | None
    contact: AssetContact | None
    opening_times: str | None
    accessibility: str | None
    languages: list[Language]
    wellbeing: list[WellbeingWay]
    status: Status
    status_reason: str | None
    county_code: str
    community_id: uuid.UUID | None
    source: str
    attribution: str | None
    created_at: datetime
    updated_at: datetime
    distance_m: float | None = strawberry.field(
        description="Metres from the `near` point (only in a `near` search)."
    )
    staff: strawberry.Private[bool]

    @strawberry.field(description="The name in the language asked for by Accept-Language.")
    def name(self, info: Info) -> str:
        return pick(info.context.language, self.name_en, self.name_cy) or ""

    @strawberry.field(description="The category in words, in the language asked for.")
    def category_label(self, info: Info) -> str:
        return pick(info.context.language, *CATEGORY_LABELS[self.category]) or ""

    @strawberry.field(description="Every change, oldest first (county staff only; else empty).")
    async def revisions(self, info: Info) -> list[AssetRevision]:
        if not self.staff:
            return []
        return [AssetRevision.of(r) for r in await loaders.revisions(info.context).load(self.id)]

    @strawberry.field
    async def photos(self, info: Info) -> list[AssetPhoto]:
        return [AssetPhoto.of(p) for p in await loaders.photos(info.context).load(self.id)]

    @classmethod
    def of(cls, found: Found, scope: Scope) -> Asset:
        """`scope`: what the caller may see (service.scope_of), worked out once per request."""
        a = found.asset
        exact = service.may_see_exact(scope, a)
        individual = a.category == Category.INDIVIDUAL.value
        return cls(
            id=a.id,
            version=a.version,
            name_en=a.name_en,
            name_cy=a.name_cy,
            description=a.description,
            category=_CATEGORIES[a.category],
            tags=list(a.tags),
            location=AssetLocation(
                lat=found.lat,
                lon=found.lon,
                accuracy_m=None if individual else a.accuracy_m,
                approximate=individual,
            ),
            address=a.address if exact else None,
            postcode=a.postcode if exact else None,
            contact=AssetContact(
                name=a.contact_name, phone=a.contact_phone, email=a.contact_email, website=a.website
            )
            if exact
            else None,
            opening_times=a.opening_times,
            accessibility=a.accessibility,
            languages=[_LANGUAGES[x] for x in a.languages],
            wellbeing=[_WELLBEING[x] for x in a.wellbeing],
            status=_STATUSES[a.status],
            status_reason=a.status_reason,
            county_code=a.county_code,
            community_id=a.community_id,
            source=a.source,
            attribution=a.attribution,
            created_at=a.created_at,
            updated_at=a.updated_at,
            distance_m=None if found.distance_m is None else round(found.distance_m, 1),
            staff=service.is_staff_in(scope, a.county_code),
        )


@strawberry.type
class AssetConnection(Connection[Asset]):
    removed_ids: list[uuid.UUID] | None = strawberry.field(
        default=None,
        description="With updatedSince: ids archived or rejected since then (drop them).",
    )


# --- inputs ------------------------------------------------------------------------------


@batch_input
@strawberry.input(description="A point from a phone: WGS84 degrees and the fix's accuracy.")
class PointInput:
    lat: float
    lon: float
    accuracy_m: float | None = None


@batch_input
@strawberry.input
class ContactInput:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None


@batch_input
@strawberry.input(
    description="An asset made or edited on a phone. `id` is made by the phone; `version` "
    "is the copy an edit was based on (leave it out for a new asset)."
)
class AssetInput:
    id: uuid.UUID
    category: Category
    location: PointInput
    version: int | None = None
    name_en: str | None = None
    name_cy: str | None = None
    description: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    confirm_accuracy: bool = strawberry.field(
        default=False, description="The leader checked a point whose fix is worse than allowed."
    )
    address: str | None = None
    postcode: str | None = None
    contact: ContactInput | None = None
    opening_times: str | None = None
    accessibility: str | None = None
    languages: list[Language] = strawberry.field(default_factory=list)
    wellbeing: list[WellbeingWay] = strawberry.field(default_factory=list)

    def draft(self) -> AssetDraft:
        contact = self.contact or ContactInput()
        return AssetDraft(
            id=self.id,
            version=self.version,
            category=self.category,
            lat=self.location.lat,
            lon=self.location.lon,
            accuracy_m=self.location.accuracy_m,
            confirm_accuracy=self.confirm_accuracy,
            name_en=self.name_en,
            name_cy=self.name_cy,
            description=self.description,
            tags=tuple(self.tags),
            address=self.address,
            postcode=self.postcode,
            contact_name=contact.name,
            contact_phone=contact.phone,
            contact_email=contact.email,
            website=contact.website,
            opening_times=self.opening_times,
            accessibility=self.accessibility,
            languages=tuple(lang.value for lang in self.languages),
            wellbeing=tuple(self.wellbeing),
        )


@strawberry.input
class BBoxInput:
    west: float
    south: float
    east: float
    north: float


@strawberry.input
class NearInput:
    lat: float
    lon: float
    radius_m: float


@strawberry.input
class AssetFilter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    categories: list[Category] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(
        default_factory=list, description="Assets with any of these tags."
    )
    status: list[Status] = strawberry.field(
        default_factory=list, description="Default: PENDING and VERIFIED (what is live)."
    )
    text: str | None = None
    bbox: BBoxInput | None = None
    near: NearInput | None = strawberry.field(
        default=None, description="Within radiusM metres, nearest first, with distanceM."
    )
    updated_since: datetime | None = strawberry.field(
        default=None, description="Changed since then; removedIds lists those that left."
    )

    def plain(self) -> Filter:
        return Filter(
            county_code=self.county_code,
            community_id=self.community_id,
            categories=[c.value for c in self.categories],
            tags=[t.strip().lower() for t in self.tags],
            statuses=[s.value for s in self.status],
            text=(self.text or "").strip() or None,
            bbox=(self.bbox.west, self.bbox.south, self.bbox.east, self.bbox.north)
            if self.bbox
            else None,
            near=Near(self.near.lat, self.near.lon, self.near.radius_m) if self.near else None,
            updated_since=self.updated_since,
        )


# --- payloads ----------------------------------------------------------------------------


@strawberry.type(description="What happened to one item of a syncAssets batch.")
class AssetSyncResult:
    id: uuid.UUID
    status: BatchStatus
    asset: Asset | None = strawberry.field(description="The stored asset after the write.")
    server_copy: Asset | None = strawberry.field(
        description="With CONFLICT: the server's newer copy, to show beside the phone's."
    )
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: ItemOutcome[Found], scope: Scope) -> AssetSyncResult:
        return cls(
            id=outcome.id,
            status=outcome.status,
            asset=Asset.of(outcome.record, scope) if outcome.record else None,
            server_copy=Asset.of(outcome.server_copy, scope) if outcome.server_copy else None,
            user_errors=[u for e in outcome.errors for u in UserError.all_of(e)],
        )


@strawberry.type
class SyncAssetsPayload:
    results: list[AssetSyncResult] = strawberry.field(
        description="One per input item, in input order."
    )


@strawberry.type(description="The asset after the change, or (nothing written) why not.")
class AssetPayload:
    asset: Asset | None = None
    server_copy: Asset | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of_outcome(cls, outcome: ItemOutcome[Found], principal: Principal) -> AssetPayload:
        result = AssetSyncResult.of(outcome, service.scope_of(principal))
        errors = result.user_errors
        if outcome.status is BatchStatus.CONFLICT:
            errors = [
                UserError.of(
                    Conflict(
                        "This asset changed since your copy: compare with serverCopy.",
                        field="version",
                        cy="Mae'r ased hwn wedi newid ers eich copi chi: cymharwch â serverCopy.",
                    )
                )
            ]
        return cls(asset=result.asset, server_copy=result.server_copy, user_errors=errors)


@strawberry.type(description="The stored photo, or (nothing stored) why not.")
class AssetPhotoPayload:
    photo: AssetPhoto | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CategoryCount:
    category: Category
    count: int


@strawberry.type
class StatusCount:
    status: Status
    count: int


@strawberry.type(description="Assets in a county or community, as the caller may see them.")
class AssetSummary:
    total: int
    by_category: list[CategoryCount]
    by_status: list[StatusCount]
    population: int | None
    verified_per_1000_residents: float | None = strawberry.field(
        description="VERIFIED assets per 1,000 residents; null when population is unknown."
    )

    @classmethod
    def of(cls, summary: service.Summary) -> AssetSummary:
        by_category: Counter[str] = Counter()
        by_status: Counter[str] = Counter()
        for category, status, n in summary.counts:
            by_category[category] += n
            by_status[status] += n
        return cls(
            total=sum(by_status.values()),
            by_category=[
                CategoryCount(category=Category(c), count=n) for c, n in sorted(by_category.items())
            ],
            by_status=[
                StatusCount(status=Status(s), count=n) for s, n in sorted(by_status.items())
            ],
            population=summary.population,
            verified_per_1000_residents=summary.per_thousand,
        )


# --- fields ------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Assets you may see, by id (or nearest first with `near`).")
    async def assets(
        self,
        info: Info,
        filter: AssetFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AssetConnection:
        principal = await info.context.principal()
        page, removed = await service.list_assets(
            info.context.session,
            principal,
            info.context.settings,
            (filter or AssetFilter()).plain(),
            first,
            after,
        )
        scope = service.scope_of(principal)
        connection = AssetConnection.of(page, service.sort_key, lambda f: Asset.of(f, scope))
        connection.removed_ids = removed
        return connection

    @strawberry.field
    async def asset(self, info: Info, id: uuid.UUID) -> Asset | None:
        principal = await info.context.principal()
        found = await service.asset(info.context.session, principal, id)
        return Asset.of(found, service.scope_of(principal)) if found else None

    @strawberry.field(description="Counts of assets in one county or one community.")
    async def asset_summary(
        self, info: Info, county_code: str | None = None, community_id: uuid.UUID | None = None
    ) -> AssetSummary:
        principal = await info.context.principal()
        summary = await service.summary(info.context.session, principal, county_code, community_id)
        return AssetSummary.of(summary)


async def _change(
    info: Info, work: Callable[[AsyncSession, Principal], Awaitable[Found]]
) -> AssetPayload:
    """Run a review (verify/reject/archive); expected failures become userErrors."""
    principal = await info.context.principal()
    return await respond(
        AssetPayload,
        lambda: work(info.context.session, principal),
        expected=(BadInput, Conflict),
        asset=lambda found: Asset.of(found, service.scope_of(principal)),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Send up to 200 assets made offline; one result per item, in order."
    )
    async def sync_assets(self, info: Info, input: list[AssetInput]) -> SyncAssetsPayload:
        principal = await info.context.principal()
        outcomes = await service.sync_assets(
            info.context.session, principal, info.context.settings, [i.draft() for i in input]
        )
        scope = service.scope_of(principal)
        return SyncAssetsPayload(results=[AssetSyncResult.of(o, scope) for o in outcomes])

    @strawberry.mutation(description="Add one asset (online).")
    async def create_asset(self, info: Info, input: AssetInput) -> AssetPayload:
        principal = await info.context.principal()
        (outcome,) = await service.sync_assets(
            info.context.session, principal, info.context.settings, [input.draft()]
        )
        return AssetPayload.of_outcome(outcome, principal)

    @strawberry.mutation(description="Change one asset; `version` is the copy you edited.")
    async def update_asset(self, info: Info, input: AssetInput) -> AssetPayload:
        principal = await info.context.principal()
        if input.version is None:
            error: DomainError = BadInput(
                "Say which version you edited.",
                field="version",
                cy="Dywedwch pa fersiwn a olygwyd gennych.",
            )
            return AssetPayload(user_errors=[UserError.of(error)])
        (outcome,) = await service.sync_assets(
            info.context.session,
            principal,
            info.context.settings,
            [input.draft()],
            must_exist=True,
        )
        return AssetPayload.of_outcome(outcome, principal)

    @strawberry.mutation(
        description="Confirm a PENDING asset (a COORDINATOR or ADMIN, or a second LEADER)."
    )
    async def verify_asset(
        self, info: Info, id: uuid.UUID, version: int | None = None
    ) -> AssetPayload:
        return await _change(info, lambda s, p: service.verify_asset(s, p, id, version))

    @strawberry.mutation(description="Turn an asset down, saying why (COORDINATOR or ADMIN).")
    async def reject_asset(
        self, info: Info, id: uuid.UUID, reason: str, version: int | None = None
    ) -> AssetPayload:
        return await _change(info, lambda s, p: service.reject_asset(s, p, id, version, reason))

    @strawberry.mutation(description="Take an asset off the map (COORDINATOR or ADMIN).")
    async def archive_asset(
        self, info: Info, id: uuid.UUID, version: int | None = None, reason: str | None = None
    ) -> AssetPayload:
        return await _change(info, lambda s, p: service.archive_asset(s, p, id, version, reason))

    @strawberry.mutation(
        description="Add a photo (multipart upload): JPEG, PNG or WebP up to 10 MB. "
        "Location and other metadata are removed before it is stored."
    )
    async def add_asset_photo(
        self, info: Info, asset_id: uuid.UUID, file: Upload, caption: str | None = None
    ) -> AssetPhotoPayload:
        principal = await info.context.principal()
        # One byte over the limit is enough to know it is too big.
        data = await file.read(photos.MAX_BYTES + 1)  # type: ignore[attr-defined]
        return await respond(
            AssetPhotoPayload,
            lambda: service.add_photo(
                info.context.session,
                principal,
                photos.storage_for(info.context.settings),
                asset_id,
                data,
                caption,
            ),
            expected=(BadInput,),
            photo=AssetPhoto.of,
        )
