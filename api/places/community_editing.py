"""Rules for defining communities by hand: drawing a polygon, merging areas, editing.

A coordinator's community must be a valid polygon, lie inside the region (asked to clip,
whatever lies outside is cut away and reported; not asked, a sliver outside is kept as drawn
and more is refused), and not overlap other communities of its set by more than a sliver.
Sets loaded from files (MSOAs, wards) are never edited here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.errors import BadInput, DomainError, InvalidInput, NotFound
from api.places import repository
from api.places import service as places
from api.places.models import CUSTOM_SOURCE as CUSTOM
from api.places.models import Community, CommunitySet
from api.shared import clock
from api.shared.limits import check_each_cap
from api.shared.versioning import check_version
from geodata.geometry import GeometryProblem, polygonal_from_geojson

COMMUNITY_EDITORS = (Role.COORDINATOR, Role.ADMIN)
# The region's boundaries are clipped to the coast, so tidal rivers and estuaries (the Tywi
# at Carmarthen, say) fall outside them: unless asked to clip, a shape this much outside is
# still "inside" and kept as drawn.
OUTSIDE_TOLERANCE_M2 = 1_000.0
OUTSIDE_TOLERANCE_SHARE = 0.05
# Overlaps up to the larger of these are slivers from drawing by hand, not real overlaps.
OVERLAP_TOLERANCE_M2 = 1_000.0
OVERLAP_TOLERANCE_SHARE = 0.01
NAME_MAX = 200
# LSOAs or communities merged into one community: a community lies within a county, and
# the largest Welsh county (Cardiff) has 214 LSOAs. Each part is one more polygon to union.
PARTS_MAX = 500


@dataclass(frozen=True)
class Shape:
    """Where a community's boundary comes from: exactly one of the three."""

    geometry: Any = None
    lsoa_codes: tuple[str, ...] | None = None
    community_ids: tuple[uuid.UUID, ...] | None = None
    clip_to_region: bool = False

    @property
    def given(self) -> bool:
        return any(x is not None for x in (self.geometry, self.lsoa_codes, self.community_ids))


@dataclass(frozen=True)
class EditedCommunity:
    community: Community
    clipped_m2: float  # how much of the shape was cut away to fit the region


def _check_names(name_en: str, name_cy: str | None) -> list[DomainError]:
    errors: list[DomainError] = []
    if not name_en.strip() or len(name_en.strip()) > NAME_MAX:
        errors.append(
            BadInput(
                f"Give an English name of 1 to {NAME_MAX} characters.",
                field="nameEn",
                cy=f"Rhowch enw Saesneg o 1 i {NAME_MAX} nod.",
            )
        )
    if name_cy is not None and len(name_cy.strip()) > NAME_MAX:
        errors.append(
            BadInput(
                f"Keep the Welsh name to {NAME_MAX} characters.",
                field="nameCy",
                cy=f"Cadwch yr enw Cymraeg o fewn {NAME_MAX} nod.",
            )
        )
    return errors


async def create_community_set(
    session: AsyncSession,
    principal: Principal,
    code: str,
    name_en: str,
    name_cy: str | None,
    based_on: str | None = None,
) -> CommunitySet:
    """A new set of communities to edit by hand (COORDINATOR or ADMIN): empty, or starting
    as a copy of another set (wards, say), whose communities can then be merged and redrawn."""
    actor = principal.require(COMMUNITY_EDITORS)
    errors = _check_names(name_en, name_cy)
    code = code.strip().upper()
    if not code or len(code) > 32 or not code.replace("_", "").replace("-", "").isalnum():
        errors.append(
            BadInput(
                "Give a code of up to 32 letters, digits, - or _.",
                field="code",
                cy="Rhowch god o hyd at 32 o lythrennau, digidau, - neu _.",
            )
        )
    elif await repository.community_set_by_code(session, code):
        errors.append(
            BadInput(
                f"A community set with code {code} already exists.",
                field="code",
                cy=f"Mae set o gymunedau â'r cod {code} yn bod eisoes.",
            )
        )
    # The new set covers the same region as the default one (one region per deployment).
    default = next((s for s in await repository.community_sets(session) if s.is_default), None)
    if default is None:
        errors.append(
            BadInput(
                "Load a region before defining communities.",
                field="code",
                cy="Llwythwch ranbarth cyn diffinio cymunedau.",
            )
        )
    original = None
    if based_on is not None:
        original = await repository.community_set_by_code(session, based_on)
        if original is None:
            errors.append(places.no_such_community_set(based_on, field="basedOn"))
    if errors:
        raise InvalidInput(errors)
    assert default is not None
    community_set = CommunitySet(
        id=uuid.uuid4(),
        code=code,
        region_id=default.region_id,
        name_en=name_en.strip(),
        name_cy=(name_cy or "").strip() or None,
        source=CUSTOM,
        is_default=False,
    )
    await repository.add_community_set(session, community_set)
    copied = 0
    if original is not None:
        copied = await repository.copy_communities(session, original.id, community_set.id, actor)
        await repository.link_lsoas(session, community_set.id)
    audit.record(
        session,
        actor_id=actor,
        action="community_set.created",
        entity_type="community_set",
        entity_id=community_set.id,
        after={
            "code": code,
            "name_en": community_set.name_en,
            "based_on": based_on,
            "communities_copied": copied,
        },
    )
    await session.commit()
    return community_set


async def _shape_wkb(session: AsyncSession, shape: Shape) -> bytes:
    """The boundary as WKB from whichever source was given; BadInput naming the field."""
    sources = [shape.geometry, shape.lsoa_codes, shape.community_ids]
    check_each_cap(
        (shape.lsoa_codes, PARTS_MAX, "lsoaCodes"), (shape.community_ids, PARTS_MAX, "communityIds")
    )
    if sum(s is not None for s in sources) != 1:
        raise BadInput(
            "Give exactly one of geometry, lsoaCodes or communityIds.",
            field="geometry",
            cy="Rhowch un yn unig o geometry, lsoaCodes neu communityIds.",
        )
    if shape.geometry is not None:
        try:
            return shapely.to_wkb(polygonal_from_geojson(shape.geometry))
        except GeometryProblem as problem:
            raise BadInput(
                f"The geometry {problem}.", field="geometry", cy=f"Mae'r geometreg {problem.cy}."
            ) from None
    if shape.lsoa_codes is not None:
        wkb, found = await repository.union_of_lsoas(session, shape.lsoa_codes)
        _all_found(
            shape.lsoa_codes, found, "lsoaCodes", "Unknown LSOA codes", "Codau LSOA anhysbys"
        )
        return wkb  # type: ignore[return-value]
    given = shape.community_ids or ()
    wkb, found_ids = await repository.union_of_communities(session, given)
    _all_found(given, found_ids, "communityIds", "Unknown communities", "Cymunedau anhysbys")
    return wkb  # type: ignore[return-value]


def _all_found(
    given: Collection[Any], found: Collection[Any], field: str, en: str, cy: str
) -> None:
    """BadInput on `field` when nothing was given or some of it was not found (listed)."""
    listed = ", ".join(sorted(str(i) for i in set(given) - set(found)))
    if not given or listed:
        raise BadInput(
            f"{en}: {listed or 'none given'}.",
            field=field,
            cy=f"{cy}: {listed or 'ni roddwyd yr un'}.",
        )


async def _fit(
    session: AsyncSession,
    community_set: CommunitySet,
    shape: Shape,
    exclude: uuid.UUID | None,
) -> tuple[bytes, uuid.UUID, float]:
    """(boundary inside the region, its county, m² clipped away) or BadInput."""
    wkb = await _shape_wkb(session, shape)
    fit = await repository.fit_to_region(session, community_set.region_id, wkb)
    if fit.clipped is None or fit.county_id is None:
        raise BadInput(
            "The community lies outside the region.",
            field="geometry",
            cy="Mae'r gymuned y tu allan i'r rhanbarth.",
        )
    clipped_m2 = 0.0
    if shape.clip_to_region and fit.outside_m2 > 0:
        wkb, clipped_m2 = fit.clipped, fit.outside_m2
    elif fit.outside_m2 > max(OUTSIDE_TOLERANCE_M2, OUTSIDE_TOLERANCE_SHARE * fit.area_m2):
        raise BadInput(
            f"{fit.outside_m2 / 1e6:.3f} km² of the community lies outside the region: "
            "redraw it, or ask for it to be clipped to the region.",
            field="geometry",
            cy=f"Mae {fit.outside_m2 / 1e6:.3f} km² o'r gymuned y tu allan i'r rhanbarth: "
            "ail-luniwch hi, neu gofynnwch iddi gael ei thocio i'r rhanbarth.",
        )
    area = fit.area_m2 - clipped_m2  # what remains once the outside part is cut away
    tolerance = max(OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE * area)
    overlaps = [
        (name, m2)
        for name, m2 in await repository.overlapping(session, community_set.id, wkb, exclude)
        if m2 > tolerance
    ]
    if overlaps:
        listed = "; ".join(f"{name} ({m2 / 1e4:.2f} ha)" for name, m2 in overlaps)
        raise BadInput(
            f"The community overlaps others in the set {community_set.code}: {listed}.",
            field="geometry",
            cy=f"Mae'r gymuned yn gorgyffwrdd ag eraill yn y set {community_set.code}: {listed}.",
        )
    return wkb, fit.county_id, clipped_m2


async def _county_code(session: AsyncSession, county_id: uuid.UUID) -> str:
    return (await repository.counties_by_id(session, [county_id]))[0].code


async def create_community(
    session: AsyncSession,
    principal: Principal,
    set_code: str,
    name_en: str,
    name_cy: str | None,
    shape: Shape,
) -> EditedCommunity:
    """Draw a community, or merge LSOAs or other communities into one."""
    principal.require(COMMUNITY_EDITORS)
    community_set = await repository.community_set_by_code(session, set_code)
    errors = _check_names(name_en, name_cy)
    if community_set is None:
        errors.append(places.no_such_community_set(set_code))
    elif community_set.source != CUSTOM:
        errors.append(
            BadInput(
                f"The {community_set.code} set is loaded from files and cannot be drawn on: "
                "create a set of your own.",
                field="setCode",
                cy=f"Mae'r set {community_set.code} wedi'i llwytho o ffeiliau ac ni ellir "
                "ei golygu: crëwch eich set eich hun.",
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert community_set is not None
    try:
        wkb, county_id, clipped_m2 = await _fit(session, community_set, shape, None)
    except BadInput as error:
        raise InvalidInput([error]) from None
    actor = principal.require(COMMUNITY_EDITORS, await _county_code(session, county_id))
    community = await repository.add_community(
        session,
        Community(
            id=uuid.uuid4(),
            code=f"C-{uuid.uuid4().hex[:10].upper()}",
            set_id=community_set.id,
            county_id=county_id,
            name_en=name_en.strip(),
            name_cy=(name_cy or "").strip() or None,
            source=CUSTOM,
            created_by=actor,
        ),
        wkb,
    )
    await repository.link_lsoas(session, community_set.id)
    audit.record(
        session,
        actor_id=actor,
        action="community.created",
        entity_type="community",
        entity_id=community.id,
        after={
            "set": community_set.code,
            "name_en": community.name_en,
            "name_cy": community.name_cy,
            "area_m2": round(community.area_m2),
            "clipped_m2": round(clipped_m2),
        },
    )
    await session.commit()
    return EditedCommunity(community, clipped_m2)


async def update_community(
    session: AsyncSession,
    principal: Principal,
    community_id: uuid.UUID,
    version: int,
    name_en: str | None,
    name_cy: str | None,
    shape: Shape,
) -> EditedCommunity:
    """A new version of a hand-drawn community; the old one is kept and can be listed."""
    principal.require(COMMUNITY_EDITORS)
    community = await repository.community_by_id(session, community_id)
    if community is None:
        raise InvalidInput([places.no_such_community("id", NotFound)])
    if community.source != CUSTOM:
        raise InvalidInput(
            [
                BadInput(
                    "Communities loaded from files cannot be edited here.",
                    field="id",
                    cy="Ni ellir golygu yma gymunedau a lwythwyd o ffeiliau.",
                )
            ]
        )
    actor = principal.require(COMMUNITY_EDITORS, await _county_code(session, community.county_id))
    new_en = community.name_en if name_en is None else name_en
    new_cy = community.name_cy if name_cy is None else name_cy
    errors = _check_names(new_en, new_cy)
    try:
        check_version(community.version, version)
    except DomainError as conflict:
        errors.append(conflict)
    if errors:
        raise InvalidInput(errors)
    wkb, clipped_m2, county_id = None, 0.0, community.county_id
    if shape.given:
        community_set = (await repository.community_sets_by_id(session, [community.set_id]))[0]
        try:
            wkb, county_id, clipped_m2 = await _fit(session, community_set, shape, community.id)
        except BadInput as error:
            raise InvalidInput([error]) from None
        if county_id != community.county_id:
            principal.require(COMMUNITY_EDITORS, await _county_code(session, county_id))
    before = {
        "name_en": community.name_en,
        "name_cy": community.name_cy,
        "area_m2": round(community.area_m2),
        "version": community.version,
    }
    updated = await repository.replace_community(
        session,
        community,
        name_en=new_en.strip(),
        name_cy=(new_cy or "").strip() or None,
        wkb=wkb,
        county_id=county_id,
        replaced_by=actor,
        at=clock.now(),
    )
    if wkb is not None:
        await repository.link_lsoas(session, updated.set_id)
    audit.record(
        session,
        actor_id=actor,
        action="community.updated",
        entity_type="community",
        entity_id=updated.id,
        before=before,
        after={
            "name_en": updated.name_en,
            "name_cy": updated.name_cy,
            "area_m2": round(updated.area_m2),
            "version": updated.version,
        },
    )
    await session.commit()
    return EditedCommunity(updated, clipped_m2)
