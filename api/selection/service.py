"""Selection rounds: choosing at least one community per county for place-based action,
with scores that explain themselves and decisions that are recorded, never rewritten."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.conversations import figures as conversations
from api.errors import BadInput, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from api.places import service as places
from api.places.models import Community
from api.selection import indicators, repository
from api.selection.models import SelectionCriterion, SelectionDecision, SelectionRound
from api.selection.scoring import Criterion, Direction, Normalisation, Scored, score
from api.shared import clock
from api.shared.limits import COUNTY_CODES_MAX, check_caps, over_caps
from api.shared.text import required_text

MANAGERS = (Role.COORDINATOR, Role.ADMIN)
OPEN, CLOSED, SUPERSEDED = "OPEN", "CLOSED", "SUPERSEDED"
TEXT_MAX = 4000


class DecisionKind:
    SHORTLISTED = "SHORTLISTED"
    SELECTED = "SELECTED"


# Statuses and decisions as they read in a sentence, in English and in Welsh.
_ENDED = {CLOSED: ("closed", "wedi cau"), SUPERSEDED: ("superseded", "wedi'i ddisodli")}
_DECIDED = {
    DecisionKind.SHORTLISTED: ("shortlisted", "ar y rhestr fer"),
    DecisionKind.SELECTED: ("selected", "wedi'i dewis"),
}


@dataclass(frozen=True)
class RoundInput:
    programme: str
    name: str
    set_code: str
    county_codes: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    normalisation: Normalisation = Normalisation.MIN_MAX


@dataclass(frozen=True)
class Ranked:
    community: Community
    scored: Scored
    decisions: list[str]


def _check_criteria(criteria: tuple[Criterion, ...]) -> list[DomainError]:
    # One criterion per indicator: a longer list repeats one.
    errors = over_caps((criteria, len(indicators.INDICATORS), "criteria"))
    if errors:
        return errors
    if not criteria:
        errors.append(
            BadInput(
                "Give at least one criterion.",
                field="criteria",
                cy="Rhowch o leiaf un maen prawf.",
            )
        )
    seen: set[str] = set()
    for n, criterion in enumerate(criteria):
        if criterion.indicator not in indicators.INDICATORS:
            known = ", ".join(sorted(indicators.INDICATORS))
            errors.append(
                BadInput(
                    f"There is no indicator {criterion.indicator!r}: choose one of {known}.",
                    field=f"criteria[{n}].indicator",
                    cy=f"Nid oes dangosydd {criterion.indicator!r}: dewiswch un o {known}.",
                )
            )
        elif criterion.indicator in seen:
            errors.append(
                BadInput(
                    "Each indicator may appear once.",
                    field=f"criteria[{n}].indicator",
                    cy="Caiff pob dangosydd ymddangos unwaith yn unig.",
                )
            )
        seen.add(criterion.indicator)
        if not math.isfinite(criterion.weight) or criterion.weight < 0:
            errors.append(
                BadInput(
                    "Weights are zero or more.",
                    field=f"criteria[{n}].weight",
                    cy="Mae pwysoliadau'n sero neu'n fwy.",
                )
            )
    if criteria and all(c.weight == 0 for c in criteria if math.isfinite(c.weight)):
        errors.append(
            BadInput(
                "At least one weight must be above zero.",
                field="criteria",
                cy="Rhaid i o leiaf un pwysoliad fod yn fwy na sero.",
            )
        )
    return errors


def _criteria_rows(
    round_id: uuid.UUID, criteria: tuple[Criterion, ...]
) -> list[SelectionCriterion]:
    return [
        SelectionCriterion(
            round_id=round_id,
            indicator=c.indicator,
            position=n,
            weight=c.weight,
            direction=c.direction.value,
        )
        for n, c in enumerate(criteria)
    ]


def _require_over_counties(principal: Principal, counties: tuple[str, ...]) -> uuid.UUID:
    user = principal.require(MANAGERS)
    if not principal.covers_any(MANAGERS, frozenset(counties)):
        raise Forbidden(
            "You can run selection rounds only over counties you coordinate.",
            cy="Dim ond dros siroedd rydych yn eu cydlynu y gallwch gynnal cylchoedd dethol.",
        )
    return user


async def create_round(
    session: AsyncSession, principal: Principal, new: RoundInput
) -> SelectionRound:
    """A new round over some counties, for a community set, with weighted criteria."""
    user = principal.require(MANAGERS)
    check_caps((new.county_codes, COUNTY_CODES_MAX, "countyCodes"))
    errors = _check_criteria(new.criteria)
    for text, field in ((new.programme, "programme"), (new.name, "name")):
        required_text(text, field, 200, errors)
    community_set = None
    try:
        community_set = await places.community_set(session, new.set_code)
    except BadInput as error:
        errors.append(error)
    known = await places.county_codes(session)
    unknown = sorted(set(new.county_codes) - known)
    if not new.county_codes or unknown:
        listed = ", ".join(unknown)
        errors.append(
            BadInput(
                f"Unknown counties: {listed or 'none given'}.",
                field="countyCodes",
                cy=f"Siroedd anhysbys: {listed or 'ni roddwyd yr un'}.",
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert community_set is not None
    counties = tuple(sorted(set(new.county_codes)))
    _require_over_counties(principal, counties)
    round_ = SelectionRound(
        id=uuid.uuid4(),
        programme=new.programme.strip(),
        name=new.name.strip(),
        set_id=community_set.id,
        county_codes=list(counties),
        normalisation=new.normalisation.value,
        status=OPEN,
        round_version=1,
        created_by=user,
    )
    await repository.add_round(session, round_, _criteria_rows(round_.id, new.criteria))
    audit.record(
        session,
        actor_id=user,
        action="selection_round.created",
        entity_type="selection_round",
        entity_id=round_.id,
        after={
            "name": round_.name,
            "set": new.set_code,
            "counties": counties,
            "criteria": [f"{c.indicator}:{c.weight}:{c.direction.value}" for c in new.criteria],
        },
    )
    await session.commit()
    return round_


async def _round(session: AsyncSession, round_id: uuid.UUID) -> SelectionRound:
    round_ = await repository.round_by_id(session, round_id)
    if round_ is None:
        raise InvalidInput(
            [
                NotFound(
                    "There is no selection round with this id.",
                    field="roundId",
                    cy="Nid oes cylch dethol â'r id hwn.",
                )
            ]
        )
    return round_


def _must_be_open(round_: SelectionRound) -> None:
    if round_.status != OPEN:
        en, cy = _ENDED[round_.status]
        raise InvalidInput(
            [
                Conflict(
                    f"This round is {en}: nothing more can change in it.",
                    field="roundId",
                    cy=f"Mae'r cylch hwn {cy}: ni all dim byd arall newid ynddo.",
                )
            ]
        )


async def change_criteria(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    criteria: tuple[Criterion, ...],
    normalisation: Normalisation | None,
) -> SelectionRound:
    """New weights. Before any decision the round is changed in place; after one, a new
    version of the round takes them and the old version keeps its decisions as they were."""
    round_ = await _round(session, round_id)
    user = _require_over_counties(principal, tuple(round_.county_codes))
    _must_be_open(round_)
    errors = _check_criteria(criteria)
    if errors:
        raise InvalidInput(errors)
    before = [
        f"{c.indicator}:{c.weight}:{c.direction}"
        for c in await repository.criteria_of(session, round_.id)
    ]
    method = (normalisation or Normalisation(round_.normalisation)).value
    if await repository.count_decisions(session, round_.id) == 0:
        await repository.replace_criteria(session, round_.id, _criteria_rows(round_.id, criteria))
        round_.normalisation = method
        result = round_
    else:
        result = SelectionRound(
            id=uuid.uuid4(),
            programme=round_.programme,
            name=round_.name,
            set_id=round_.set_id,
            county_codes=list(round_.county_codes),
            normalisation=method,
            status=OPEN,
            round_version=round_.round_version + 1,
            previous_id=round_.id,
            created_by=user,
        )
        await repository.set_status(session, round_.id, SUPERSEDED)
        await repository.add_round(session, result, _criteria_rows(result.id, criteria))
    audit.record(
        session,
        actor_id=user,
        action="selection_round.criteria_changed",
        entity_type="selection_round",
        entity_id=result.id,
        before={"criteria": before, "round": round_.id},
        after={
            "criteria": [f"{c.indicator}:{c.weight}:{c.direction.value}" for c in criteria],
            "round": result.id,
            "normalisation": method,
        },
    )
    await session.commit()
    return result


async def round_or_none(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> SelectionRound | None:
    """A round, for coordinators and admins of any of its counties."""
    principal.require(MANAGERS)
    found = await repository.round_by_id(session, round_id)
    if found is None:
        return None
    if not any(principal.has_any(MANAGERS, code) for code in found.county_codes):
        raise Forbidden(
            "This round is for counties you do not coordinate.",
            cy="Mae'r cylch hwn ar gyfer siroedd nad ydych yn eu cydlynu.",
        )
    return found


async def criteria(session: AsyncSession, round_id: uuid.UUID) -> list[SelectionCriterion]:
    return await repository.criteria_of(session, round_id)


async def decisions(session: AsyncSession, round_id: uuid.UUID) -> list[SelectionDecision]:
    return await repository.decisions_of(session, round_id)


async def ranking(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, county_code: str
) -> list[Ranked]:
    """The round's communities in one county, highest score first, each score explained."""
    round_ = await _round(session, round_id)
    principal.require(MANAGERS, county_code)
    if county_code not in round_.county_codes:
        raise InvalidInput(
            [
                BadInput(
                    "This county is not in the round.",
                    field="countyCode",
                    cy="Nid yw'r sir hon yn y cylch.",
                )
            ]
        )
    rows = await repository.criteria_of(session, round_.id)
    chosen = [Criterion(r.indicator, r.weight, Direction(r.direction)) for r in rows]
    communities = {
        c.id: c for c, _ in await places.communities_in(session, round_.set_id, [county_code])
    }
    values = await indicators.evaluate(session, [c.indicator for c in chosen], list(communities))
    made: dict[uuid.UUID, list[str]] = {}
    for decision in await repository.decisions_of(session, round_.id):
        made.setdefault(decision.community_id, []).append(decision.kind)
    return [
        Ranked(communities[s.community_id], s, made.get(s.community_id, []))
        for s in score(chosen, values, Normalisation(round_.normalisation))
    ]


async def decide(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    community_id: uuid.UUID,
    kind: str,
    rationale: str,
) -> SelectionDecision:
    """Shortlist or select a community, with the reason; recorded once, never rewritten."""
    round_ = await _round(session, round_id)
    principal.require(MANAGERS)
    _must_be_open(round_)
    errors: list[DomainError] = []
    found = await places.community_with_county(session, community_id)
    community, county = found if found is not None else (None, None)
    if community is None or community.set_id != round_.set_id:
        errors.append(
            BadInput(
                "This community is not in the round's community set.",
                field="communityId",
                cy="Nid yw'r gymuned hon yn set gymunedau'r cylch.",
            )
        )
    elif county not in round_.county_codes:
        errors.append(
            BadInput(
                "This community's county is not in the round.",
                field="communityId",
                cy="Nid yw sir y gymuned hon yn y cylch.",
            )
        )
    if not rationale.strip() or len(rationale) > TEXT_MAX:
        errors.append(
            BadInput(
                f"Give the reason in 1 to {TEXT_MAX} characters.",
                field="rationale",
                cy=f"Rhowch y rheswm mewn 1 i {TEXT_MAX} nod.",
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert county is not None
    user = principal.require(MANAGERS, county)
    decision = SelectionDecision(
        id=uuid.uuid4(),
        round_id=round_.id,
        community_id=community_id,
        county_code=county,
        kind=kind,
        rationale=rationale.strip(),
        decided_by=user,
        decided_at=clock.now(),
    )
    if not await repository.add_decision(session, decision):
        en, cy = _DECIDED[kind]
        raise InvalidInput(
            [
                Conflict(
                    f"This community is already {en} in this round.",
                    field="communityId",
                    cy=f"Mae'r gymuned hon eisoes {cy} yn y cylch hwn.",
                )
            ]
        )
    audit.record(
        session,
        actor_id=user,
        action=f"selection.{kind.lower()}",
        entity_type="selection_round",
        entity_id=round_.id,
        after={"community_id": community_id, "rationale": decision.rationale},
    )
    await session.commit()
    return decision


async def close_round(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> SelectionRound:
    """Close a round once every county in it has at least one selected community."""
    round_ = await _round(session, round_id)
    user = _require_over_counties(principal, tuple(round_.county_codes))
    _must_be_open(round_)
    missing = sorted(
        set(round_.county_codes) - await repository.selected_counties(session, round_.id)
    )
    if missing:
        found = {c.code: c for c in await places.counties(session)}
        named = [(found.get(code), code) for code in missing]
        listed_en = ", ".join(f"{c.name_en if c else code} ({code})" for c, code in named)
        listed_cy = ", ".join(
            f"{(c.name_cy or c.name_en) if c else code} ({code})" for c, code in named
        )
        raise InvalidInput(
            [
                BadInput(
                    "Select at least one community in every county first: still missing "
                    f"{listed_en}.",
                    field="roundId",
                    cy="Dewiswch o leiaf un gymuned ym mhob sir yn gyntaf: "
                    f"mae {listed_cy} heb un eto.",
                )
            ]
        )
    await repository.set_status(session, round_.id, CLOSED, closed_at=clock.now(), closed_by=user)
    audit.record(
        session,
        actor_id=user,
        action="selection_round.closed",
        entity_type="selection_round",
        entity_id=round_.id,
        after={"status": CLOSED},
    )
    await session.commit()
    return round_


@dataclass(frozen=True)
class Comparison:
    communities: list[Community]
    values: dict[str, dict[uuid.UUID, float | None]]
    top_themes: dict[uuid.UUID, list[conversations.RaisedTheme]]
    computed_at: datetime


async def compare(
    session: AsyncSession, principal: Principal, community_ids: list[uuid.UUID]
) -> Comparison:
    """Every indicator for these communities side by side, with the themes people raised
    most there, and when it was computed."""
    principal.require_user()
    if not 1 <= len(community_ids) <= 20:
        raise BadInput(
            "Compare between 1 and 20 communities.",
            field="ids",
            cy="Cymharwch rhwng 1 ac 20 o gymunedau.",
        )
    wanted = list(dict.fromkeys(community_ids))
    found = await places.communities_by_id(session, wanted)
    if len(found) != len(wanted):
        raise BadInput(
            "One of these is not a community.", field="ids", cy="Nid yw un o'r rhain yn gymuned."
        )
    communities = [found[cid] for cid in wanted]
    ids = [c.id for c in communities]
    values = await indicators.evaluate(session, list(indicators.INDICATORS), ids)
    themes = await conversations.top_themes_within(session, ids)
    return Comparison(communities, values, themes, clock.now())
