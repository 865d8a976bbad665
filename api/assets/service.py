"""Rules of the assets domain: who may write, verify and see what; how a batch from a phone
is answered item by item; what a reader may see of an INDIVIDUAL."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.assets import drafts, repository
from api.assets.drafts import AssetDraft, CheckedDraft
from api.assets.models import AssetPhoto, Category, Status
from api.assets.repository import AssetRow, Filter, Found, Scope
from api.audit import service as audit
from api.auth.principal import ALL_COUNTIES, Principal, Role, in_scope
from api.errors import BadInput, Conflict, DomainError, Forbidden, NotFound
from api.places import service as places
from api.read_only import ReadConnection
from api.settings import Settings
from api.shared import clock, photos
from api.shared.batch import ItemOutcome, check_batch_size, is_stale, write_settled
from api.shared.limits import check_each_cap, members
from api.shared.pagination import Page, PageRequest
from api.shared.photos import PhotoStorage
from api.shared.user_errors import BatchStatus
from api.shared.versioning import check_version

# Staff of a county see everything there (PENDING assets, individuals' contact details).
STAFF = (Role.ADMIN, Role.COORDINATOR, Role.ENGAGEMENT, Role.LEADER)
WRITERS = (Role.LEADER, Role.COORDINATOR, Role.ADMIN)
REVIEWERS = (Role.COORDINATOR, Role.ADMIN)
ENTITY = "asset"
MAX_RADIUS_M = 100_000.0
TEXT_SEARCH_MAX = 200
# Tags a list may be filtered by (any of them): more than a screen of tag chips.
FILTER_TAGS_MAX = 50
PHONE = "phone"
# The loader of open data (seed): no user behind it, writing region-wide.
SYSTEM = Principal(grants={Role.ADMIN: ALL_COUNTIES})


def _no_such_asset(field: str) -> NotFound:
    return NotFound("There is no asset with this id.", field=field, cy="Nid oes ased â'r id hwn.")


def _archived(field: str) -> BadInput:
    return BadInput(
        "This asset is archived and can no longer be changed.",
        field=field,
        cy="Mae'r ased hwn wedi'i archifo ac ni ellir ei newid mwyach.",
    )


def _no_such_photo() -> NotFound:
    # The same answer for a photo that does not exist and one the caller may not see.
    return NotFound("There is no such photo.", cy="Nid oes llun o'r fath.")


def scope_of(principal: Principal) -> Scope:
    """Where the caller is staff (None: everywhere; empty: nowhere, the public view)."""
    return Scope(staff_counties=principal.counties(STAFF))


def is_staff_in(scope: Scope, county_code: str) -> bool:
    """Staff of the county, by the caller's scope (worked out once, then asked per asset)."""
    return in_scope(scope.staff_counties, county_code)


def may_see_exact(scope: Scope, asset: AssetRow) -> bool:
    """An INDIVIDUAL's address and contact details are for staff of its county only."""
    return asset.category != Category.INDIVIDUAL.value or is_staff_in(scope, asset.county_code)


# --- writing -----------------------------------------------------------------------------


@dataclass
class _Plan:
    """One item on its way through a batch."""

    index: int
    checked: CheckedDraft
    county: str
    stored: Found | None
    version: int


def _content_of(found: Found) -> dict[str, Any]:
    """The stored content in the shape `drafts.check` gives (for revisions and audit)."""
    asset = found.asset
    content = {name: getattr(asset, name) for name in repository.CONTENT_COLUMNS}
    lat, lon = found.exact or (found.lat, found.lon)
    return {**content, "lat": lat, "lon": lon}


# Stored content -> the AssetInput field a revision names (the point is one field).
FIELD_NAMES = {
    **{attr: name for attr, name, _ in drafts.TEXT_FIELDS},
    "lat": "location",
    "lon": "location",
    "accuracy_m": "location.accuracyM",
}


# An individual is a person: their exact point and contact details stay out of the audit
# log, which more staff read than may see them (the revision still names what changed).
PERSONAL = ("lat", "lon", "contact_name", "contact_phone", "contact_email")


def _auditable(content: dict[str, Any] | None) -> dict[str, Any] | None:
    if content is None or content.get("category") != Category.INDIVIDUAL.value:
        return content
    return {k: v for k, v in content.items() if k not in PERSONAL}


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    changed = {k for k, v in after.items() if (before or {}).get(k) != v}
    return sorted({FIELD_NAMES.get(k, k) for k in changed})


async def sync_assets(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    items: Sequence[AssetDraft],
    *,
    must_exist: bool = False,
    status: Status = Status.PENDING,
    source: str = PHONE,
    attribution: str | None = None,
) -> list[ItemOutcome[Found]]:
    """Answer every item of a batch, in input order, in a fixed number of statements.

    Same id and content as stored: UNCHANGED (nothing written). Based on another version
    than the stored one: CONFLICT with the server copy. Otherwise CREATED or UPDATED,
    all in one statement with one revision each. A bad item is REJECTED alone."""
    actor = None if principal is SYSTEM else principal.require_user()
    if not principal.has_any(WRITERS):
        raise Forbidden(
            "You need the LEADER, COORDINATOR or ADMIN role to write assets.",
            cy="Mae angen rôl LEADER, COORDINATOR neu ADMIN arnoch i ysgrifennu asedau.",
        )
    check_batch_size(items, settings.asset_batch_max)
    if status is not Status.PENDING and not principal.has_any(REVIEWERS):
        raise Forbidden(
            "Only a COORDINATOR or ADMIN may add assets already verified.",
            cy="Dim ond COORDINATOR neu ADMIN sy'n cael ychwanegu asedau "
            "sydd eisoes wedi'u dilysu.",
        )

    outcomes: list[ItemOutcome[Found] | None] = [None] * len(items)
    valid: list[tuple[int, CheckedDraft]] = []
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(items):
        result = drafts.check(item, settings.asset_accuracy_max_m)
        if item.id in seen:
            result = [
                BadInput(
                    "This id appears twice in the batch.",
                    field="id",
                    cy="Mae'r id hwn yn ymddangos ddwywaith yn y swp.",
                )
            ]
        seen.add(item.id)
        if isinstance(result, list):
            outcomes[i] = ItemOutcome.rejected(item.id, result)
        else:
            valid.append((i, result))

    codes = await repository.locate(
        session, [(c.content["lat"], c.content["lon"]) for _, c in valid]
    )
    stored = await repository.lock(session, [c.draft.id for _, c in valid])
    plans: dict[uuid.UUID, _Plan] = {}

    def answer(i: int, checked: CheckedDraft, county: str | None, found: Found | None) -> None:
        outcome, plan = _decide(principal, i, checked, county, found)
        if must_exist and plan is not None and plan.stored is None:
            outcome = ItemOutcome.rejected(checked.draft.id, [_no_such_asset("id")])
            plan = None
        outcomes[i] = outcome
        if plan is not None:
            plans[checked.draft.id] = plan

    for (i, checked), county in zip(valid, codes, strict=True):
        answer(i, checked, county, stored.get(checked.draft.id))

    at = clock.now()

    async def write(pending: list[_Plan]) -> set[uuid.UUID]:
        rows = [
            {
                **p.checked.content,
                "id": str(p.checked.draft.id),
                "version": p.version,
                "status": status.value,
                "source": source,
                "attribution": attribution,
                "fingerprint": p.checked.fingerprint,
                "actor": None if actor is None else str(actor),
                "at": at.isoformat(),
            }
            for p in pending
        ]
        written = await repository.upsert(session, rows)
        return {p.checked.draft.id for p in pending if written.get(p.checked.draft.id) == p.version}

    async def settle(skipped: dict[uuid.UUID, _Plan]) -> dict[uuid.UUID, _Plan]:
        # Written by another transaction between our read and our write: answered from
        # what is stored now, as the same item sent again now would be.
        now_stored = await repository.lock(session, list(skipped))
        for ident, plan in skipped.items():
            del plans[ident]
            answer(plan.index, plan.checked, plan.county, now_stored.get(ident))
        return {ident: plans[ident] for ident in skipped if ident in plans}

    await write_settled(plans, write, settle)
    revisions = []
    changes = []
    for p in plans.values():
        ident = p.checked.draft.id
        before = _content_of(p.stored) if p.stored else None
        action = BatchStatus.UPDATED if p.stored else BatchStatus.CREATED
        outcomes[p.index] = ItemOutcome(status=action, id=ident)
        revisions.append(
            {
                "asset_id": ident,
                "version": p.version,
                "action": action.value,
                "actor_id": actor,
                "at": at,
                "changed_fields": _changed(before, p.checked.content),
            }
        )
        changes.append(
            audit.Change(
                f"asset.{action.value.lower()}",
                ident,
                before=_auditable(before),
                after=_auditable(p.checked.content),
            )
        )
    await repository.add_revisions(session, revisions)
    await audit.record_changes(session, actor_id=actor, entity_type=ENTITY, changes=changes)
    fresh = await repository.by_ids(session, [r["asset_id"] for r in revisions])
    for outcome in outcomes:
        assert outcome is not None
        if outcome.status in (BatchStatus.CREATED, BatchStatus.UPDATED):
            outcome.record = fresh[outcome.id]
    await session.commit()
    return [o for o in outcomes if o is not None]


def _decide(
    principal: Principal,
    index: int,
    checked: CheckedDraft,
    county: str | None,
    stored: Found | None,
) -> tuple[ItemOutcome[Found], _Plan | None]:
    """What to do with one checked item: an outcome now, or a plan to write it."""
    ident, based_on = checked.draft.id, checked.draft.version
    if county is None:
        return ItemOutcome.rejected(
            ident,
            [
                BadInput(
                    "This point is outside every county of the region.",
                    field="location",
                    cy="Mae'r pwynt hwn y tu allan i bob un o siroedd y rhanbarth.",
                )
            ],
        ), None
    counties = {county} | ({stored.asset.county_code} if stored else set())
    if not all(principal.has_any(WRITERS, c) for c in counties):
        return ItemOutcome.rejected(
            ident,
            [
                Forbidden(
                    "You may only write assets in your own counties.",
                    field="location",
                    cy="Dim ond yn eich siroedd eich hun y cewch ysgrifennu asedau.",
                )
            ],
        ), None
    if stored is None:
        plan = _Plan(index, checked, county, None, 1)
        return ItemOutcome(status=BatchStatus.CREATED, id=ident), plan
    if stored.asset.fingerprint == checked.fingerprint:
        return ItemOutcome(status=BatchStatus.UNCHANGED, id=ident, record=stored), None
    if stored.asset.status == Status.ARCHIVED.value:
        return ItemOutcome.rejected(ident, [_archived("id")]), None
    if based_on is None or is_stale(stored.asset.version, based_on):
        return ItemOutcome(status=BatchStatus.CONFLICT, id=ident, server_copy=stored), None
    plan = _Plan(index, checked, county, stored, stored.asset.version + 1)
    return ItemOutcome(status=BatchStatus.UPDATED, id=ident), plan


async def _transition(
    session: AsyncSession,
    principal: Principal,
    asset_id: uuid.UUID,
    version: int | None,
    *,
    to: Status,
    allowed_from: Sequence[Status],
    reason: str | None = None,
) -> Found:
    actor = principal.require_user()
    found = (await repository.lock(session, [asset_id])).get(asset_id)
    if found is None or not (
        is_staff_in(scope_of(principal), found.asset.county_code)
        or found.asset.status == Status.VERIFIED.value
    ):
        raise _no_such_asset("id")
    asset = found.asset
    if to is Status.VERIFIED:
        # A coordinator, or a second leader: one who did not add it.
        second_leader = principal.has(Role.LEADER, asset.county_code) and asset.created_by != actor
        if not (principal.has_any(REVIEWERS, asset.county_code) or second_leader):
            raise Forbidden(
                "Verifying needs a COORDINATOR or ADMIN of the county, or a LEADER there "
                "other than the one who added the asset.",
                cy="I ddilysu, mae angen COORDINATOR neu ADMIN y sir, neu LEADER yno "
                "heblaw'r un a ychwanegodd yr ased.",
            )
    else:
        principal.require(REVIEWERS, asset.county_code)
    check_version(asset.version, version)
    if Status(asset.status) not in allowed_from:
        raise BadInput(
            f"An asset that is {asset.status} cannot become {to.value}.",
            field="status",
            cy=f"Ni all ased sy'n {asset.status} ddod yn {to.value}.",
        )
    at = clock.now()
    new_version = await repository.set_status(
        session,
        asset_id,
        asset.version,
        status=to.value,
        reason=reason,
        actor=actor,
        at=at,
        verified=to is Status.VERIFIED,
    )
    if new_version is None:
        raise Conflict(
            "This asset changed while you were working on it.",
            field="version",
            cy="Newidiodd yr ased hwn tra oeddech yn gweithio arno.",
        )
    await repository.add_revisions(
        session,
        [
            {
                "asset_id": asset_id,
                "version": new_version,
                "action": to.value,
                "actor_id": actor,
                "at": at,
                "changed_fields": ["status"] + (["statusReason"] if reason else []),
                "reason": reason,
            }
        ],
    )
    audit.record(
        session,
        actor_id=actor,
        action=f"asset.{to.value.lower()}",
        entity_type=ENTITY,
        entity_id=asset_id,
        before={"status": asset.status, "status_reason": asset.status_reason},
        after={"status": to.value, "status_reason": reason},
    )
    fresh = (await repository.by_ids(session, [asset_id]))[asset_id]
    await session.commit()
    return fresh


def _note(text: str | None, *, required: bool, field: str = "reason") -> str | None:
    """A short free text (a reason, a caption): trimmed, bounded, required when asked."""
    text = (text or "").strip() or None
    if required and text is None:
        raise BadInput(
            "Say why (the reason is shown to the leader).",
            field=field,
            cy="Dywedwch pam (dangosir y rheswm i'r arweinydd).",
        )
    if text is not None and len(text) > drafts.NOTE_MAX:
        raise BadInput(
            f"Keep the {field} to {drafts.NOTE_MAX} characters.",
            field=field,
            cy=f"Cadwch y {field} o fewn {drafts.NOTE_MAX} nod.",
        )
    return text


async def verify_asset(
    session: AsyncSession, principal: Principal, asset_id: uuid.UUID, version: int | None
) -> Found:
    return await _transition(
        session, principal, asset_id, version, to=Status.VERIFIED, allowed_from=[Status.PENDING]
    )


async def reject_asset(
    session: AsyncSession,
    principal: Principal,
    asset_id: uuid.UUID,
    version: int | None,
    reason: str | None,
) -> Found:
    return await _transition(
        session,
        principal,
        asset_id,
        version,
        to=Status.REJECTED,
        allowed_from=[Status.PENDING, Status.VERIFIED],
        reason=_note(reason, required=True),
    )


async def archive_asset(
    session: AsyncSession,
    principal: Principal,
    asset_id: uuid.UUID,
    version: int | None,
    reason: str | None,
) -> Found:
    return await _transition(
        session,
        principal,
        asset_id,
        version,
        to=Status.ARCHIVED,
        allowed_from=[Status.PENDING, Status.VERIFIED, Status.REJECTED],
        reason=_note(reason, required=False),
    )


# --- reading -----------------------------------------------------------------------------


def check_bbox(bbox: tuple[float, float, float, float], field: str) -> None:
    west, south, east, north = bbox
    box_ok = all(math.isfinite(v) for v in bbox) and (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    )
    if not box_ok:
        raise BadInput(
            "bbox needs west < east (-180..180) and south < north (-90..90).",
            field=field,
            cy="Mae angen west < east (-180..180) a south < north (-90..90) ar bbox.",
        )


def check_filter(flt: Filter) -> None:
    check_each_cap(
        (flt.categories, members(Category), "filter.categories"),
        (flt.statuses, members(Status), "filter.status"),
        (flt.tags, FILTER_TAGS_MAX, "filter.tags"),
    )
    if flt.near:
        errors: list[DomainError] = []
        drafts.check_point(flt.near.lat, flt.near.lon, errors, "filter.near")
        if errors:
            raise errors[0]
        if not math.isfinite(flt.near.radius_m) or not 0 < flt.near.radius_m <= MAX_RADIUS_M:
            raise BadInput(
                f"radiusM must be between 0 and {MAX_RADIUS_M:,.0f} metres.",
                field="filter.near.radiusM",
                cy=f"Rhaid i radiusM fod rhwng 0 a {MAX_RADIUS_M:,.0f} metr.",
            )
    if flt.bbox:
        check_bbox(flt.bbox, "filter.bbox")
    if flt.text and len(flt.text) > TEXT_SEARCH_MAX:
        raise BadInput(
            f"Search text is at most {TEXT_SEARCH_MAX} characters.",
            field="filter.text",
            cy=f"Gall testun chwilio fod yn {TEXT_SEARCH_MAX} nod ar y mwyaf.",
        )


def sort_key(found: Found) -> tuple[Any, ...]:
    if found.distance_m is not None:
        return (found.distance_m, found.asset.id)
    return (found.asset.id,)


async def list_assets(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    flt: Filter,
    first: int | None,
    after: str | None,
) -> tuple[Page[Found], list[uuid.UUID] | None]:
    """A page of the assets the caller may see, and (with updatedSince) the ids that left
    the list since then (archived or rejected)."""
    check_filter(flt)
    key_types = (float, uuid.UUID) if flt.near else (uuid.UUID,)
    request = PageRequest.parse(first, after, settings.page_size_max, key_types)
    rows, has_next = await repository.page(
        session, flt, scope_of(principal), request.limit, request.after
    )
    removed = None
    if flt.updated_since is not None:
        removed = await repository.removed_since(session, flt, flt.updated_since)
    return Page(rows=rows, has_next=has_next), removed


async def asset(session: AsyncSession, principal: Principal, asset_id: uuid.UUID) -> Found | None:
    return (await repository.by_ids(session, [asset_id], scope_of(principal))).get(asset_id)


async def revisions_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    return await repository.revisions_of(session, ids)


async def photos_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    return await repository.photos_of(session, ids)


@dataclass(frozen=True)
class Summary:
    counts: list[tuple[str, str, int]]
    population: int | None

    @property
    def verified(self) -> int:
        return sum(n for _, status, n in self.counts if status == Status.VERIFIED.value)

    @property
    def per_thousand(self) -> float | None:
        if not self.population:
            return None
        return round(self.verified * 1000 / self.population, 2)


async def summary(
    session: AsyncSession,
    principal: Principal,
    county_code: str | None,
    community_id: uuid.UUID | None,
) -> Summary:
    """Counts by category and status in a county or a community (as the caller may see
    them), and VERIFIED assets per 1,000 residents where the population is known."""
    if (county_code is None) == (community_id is None):
        raise BadInput(
            "Give either countyCode or communityId.",
            field="countyCode",
            cy="Rhowch naill ai countyCode neu communityId.",
        )
    if community_id is not None:
        if await places.community(session, community_id) is None:
            raise places.no_such_community("communityId")
        figures = (await places.community_figures(session, [community_id])).get(community_id)
        population = figures.population if figures else None
    else:
        county = await places.county(session, county_code or "")
        if county is None:
            raise places.no_such_county(county_code, "countyCode")
        population = await places.county_population(session, county)
    counts = await repository.counts(session, scope_of(principal), county_code, community_id)
    return Summary(counts=counts, population=population)


# --- photos ------------------------------------------------------------------------------


async def add_photo(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    asset_id: uuid.UUID,
    data: bytes,
    caption: str | None,
) -> AssetPhoto:
    """Store a photo of an asset (writers of its county); its metadata never reaches disk."""
    actor = principal.require_user()
    found = (await repository.by_ids(session, [asset_id], scope_of(principal))).get(asset_id)
    if found is None:
        raise _no_such_asset("assetId")
    principal.require(WRITERS, found.asset.county_code)
    if found.asset.status == Status.ARCHIVED.value:
        raise _archived("assetId")
    caption = _note(caption, required=False, field="caption")
    processed = await asyncio.to_thread(photos.process, data)
    photo_id = uuid.uuid4()
    key = f"assets/{asset_id}/{photo_id}"
    image_key = f"{key}.{processed.extension}"
    thumbnail_key = f"{key}-thumb.{processed.extension}"
    await asyncio.to_thread(storage.save, image_key, processed.image, processed.content_type)
    await asyncio.to_thread(
        storage.save, thumbnail_key, processed.thumbnail, processed.content_type
    )
    row = {
        "id": photo_id,
        "asset_id": asset_id,
        "image_key": image_key,
        "thumbnail_key": thumbnail_key,
        "content_type": processed.content_type,
        "width": processed.width,
        "height": processed.height,
        "caption": caption,
        "created_by": actor,
        "created_at": clock.now(),
    }
    await repository.add_photo(session, row)
    audit.record(
        session,
        actor_id=actor,
        action="asset.photo_added",
        entity_type=ENTITY,
        entity_id=asset_id,
        after={"photo": photo_id, "caption": caption},
    )
    await session.commit()
    return AssetPhoto(**row)


async def photo_file(
    session: AsyncSession, principal: Principal, storage: PhotoStorage, key: str
) -> tuple[bytes, str, bool]:
    """A stored photo file the caller may see: (bytes, content type, public?)."""
    found = await repository.photo_by_key(session, key, scope_of(principal))
    if found is None:
        raise _no_such_photo()
    photo, asset = found
    data = await asyncio.to_thread(storage.read, key)
    if data is None:
        raise _no_such_photo()
    public = asset.asset.status == Status.VERIFIED.value and (
        asset.asset.category != Category.INDIVIDUAL.value
    )
    return data, photo.content_type, public


# --- tiles and exports -------------------------------------------------------------------

MAX_ZOOM = 22
# Past this, leave `limit` out: the export is then the whole register.
EXPORT_LIMIT_MAX = 1_000_000


async def tile(
    connection: ReadConnection, principal: Principal, settings: Settings, z: int, x: int, y: int
) -> bytes:
    """The map tile z/x/y of the assets the caller may see (at most the tile cap)."""
    if not 0 <= z <= MAX_ZOOM:
        raise BadInput(
            f"Zoom is between 0 and {MAX_ZOOM}.",
            field="z",
            cy=f"Mae'r chwyddo rhwng 0 a {MAX_ZOOM}.",
        )
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise BadInput(
            f"At zoom {z}, x and y are between 0 and {2**z - 1}.",
            field="x",
            cy=f"Ar chwyddo {z}, mae x ac y rhwng 0 a {2**z - 1}.",
        )
    return await repository.tile(
        connection, scope_of(principal), z, x, y, settings.asset_tile_feature_cap
    )


async def export(
    session: AsyncSession, principal: Principal, county_code: str | None
) -> AsyncIterator[tuple[Found, bool]]:
    """Every live asset the caller may see, streamed; with each, whether its address and
    contact details may be shown."""
    scope = scope_of(principal)
    async for found in repository.stream_for_export(session, scope, county_code):
        yield found, may_see_exact(scope, found.asset)


def export_geojson(
    connection: ReadConnection,
    principal: Principal,
    county_code: str | None,
    bbox: tuple[float, float, float, float] | None,
    limit: int | None,
) -> AsyncIterator[tuple[str, float, float, str]]:
    """Every live asset the caller may see (in the box, up to `limit`), streamed as (id,
    lat, lon, GeoJSON properties text), with address and contact details only where
    `may_see_exact` allows. The arguments are checked here, before the first byte is sent."""
    if bbox is not None:
        check_bbox(bbox, "bbox")
    if limit is not None and not 1 <= limit <= EXPORT_LIMIT_MAX:
        raise BadInput(
            f"limit is a whole number from 1 to {EXPORT_LIMIT_MAX:,}.",
            field="limit",
            cy=f"Mae limit yn rhif cyfan o 1 i {EXPORT_LIMIT_MAX:,}.",
        )
    return repository.geojson_properties(connection, scope_of(principal), county_code, bbox, limit)


async def verified_counts_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """Public figures for other domains (community selection): VERIFIED assets by category
    inside each community, whatever its community set."""
    return await repository.verified_counts_within(session, community_ids)
