"""Community leaders: nominated by anyone signed in, endorsed or declined by a coordinator
of the county, supported over time, and invited as LEADER users when they want to be.
A leader is a person: their contact details are kept only with consent, apart from the
rest, and shown only to coordinators and admins of their county."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.errors import BadInput, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from api.people import repository
from api.people import service as people
from api.people.models import CommunityLeader, LeaderContact, LeaderSupport
from api.places import service as places
from api.shared import clock
from api.shared.language import Language
from api.shared.text import required_text
from api.shared.versioning import check_version

STAFF = (Role.COORDINATOR, Role.ADMIN)
TEXT_MAX = 2000
NAME_MAX = 200
HOURS_MAX = 1000.0


class LeaderStatus(Enum):
    NOMINATED = "NOMINATED"
    ENDORSED = "ENDORSED"
    DECLINED = "DECLINED"


# How a decided nomination reads in a sentence: "already endorsed", "eisoes wedi'i gymeradwyo".
_DECIDED = {
    LeaderStatus.ENDORSED.value: ("endorsed", "wedi'i gymeradwyo"),
    LeaderStatus.DECLINED.value: ("declined", "wedi'i wrthod"),
}


class SupportKind(Enum):
    TRAINING = "TRAINING"
    MENTORING = "MENTORING"
    PEER_NETWORK = "PEER_NETWORK"
    FUNDING = "FUNDING"


@dataclass(frozen=True)
class Nomination:
    community_id: uuid.UUID
    name: str
    reason: str
    connection: str
    email: str | None = None
    phone: str | None = None
    consent_to_contact: bool = False


@dataclass(frozen=True)
class Support:
    kind: SupportKind
    given_on: date
    hours: float
    given_by: str
    note: str | None = None


@dataclass
class LeaderSupportLine:
    leader: CommunityLeader
    times: dict[SupportKind, int] = field(default_factory=dict)
    hours: dict[SupportKind, float] = field(default_factory=dict)


def _note_too_long() -> BadInput:
    return BadInput(
        f"Keep the note to {TEXT_MAX} characters.",
        field="note",
        cy=f"Cadwch y nodyn o fewn {TEXT_MAX} nod.",
    )


async def _county_of_community(session: AsyncSession, community_id: uuid.UUID) -> str | None:
    found = await places.community_with_county(session, community_id)
    return None if found is None else found[1]


async def nominate(
    session: AsyncSession, principal: Principal, nomination: Nomination
) -> CommunityLeader:
    """Anyone signed in may nominate; someone whose roles are tied to counties may nominate
    only in those counties, where they know the people."""
    actor = principal.require_user()
    county = await _county_of_community(session, nomination.community_id)
    errors: list[DomainError] = []
    if county is None:
        errors.append(places.no_such_community())
    elif principal.grants and not principal.has_any(list(principal.grants), county):
        raise Forbidden(
            "You can nominate leaders only in the counties you work in.",
            cy="Dim ond yn y siroedd rydych yn gweithio ynddynt y gallwch enwebu arweinwyr.",
        )
    name = required_text(nomination.name, "name", NAME_MAX, errors)
    reason = required_text(nomination.reason, "reason", TEXT_MAX, errors)
    connection = required_text(nomination.connection, "connection", TEXT_MAX, errors)
    email = (nomination.email or "").strip().lower() or None
    phone = (nomination.phone or "").strip() or None
    if (email or phone) and not nomination.consent_to_contact:
        errors.append(
            BadInput(
                "Contact details are kept only when the person has agreed: "
                "leave them out, or confirm their consent.",
                field="consentToContact",
                cy="Dim ond pan fydd yr unigolyn wedi cytuno y cedwir manylion cyswllt: "
                "gadewch nhw allan, neu cadarnhewch eu caniatâd.",
            )
        )
    if email and (len(email) > 320 or "@" not in email.strip("@")):
        errors.append(people.not_an_email())
    if phone and (len(phone) > 40 or sum(c.isdigit() for c in phone) < 6):
        errors.append(
            BadInput("This is not a phone number.", field="phone", cy="Nid rhif ffôn yw hwn.")
        )
    if errors:
        raise InvalidInput(errors)
    assert county is not None
    leader = CommunityLeader(
        id=uuid.uuid4(),
        community_id=nomination.community_id,
        county_code=county,
        name=name,
        reason=reason,
        connection=connection,
        nominated_by=actor,
        status=LeaderStatus.NOMINATED.value,
    )
    contact = (
        LeaderContact(leader_id=leader.id, email=email, phone=phone, consent_at=clock.now())
        if email or phone
        else None
    )
    await repository.add_leader(session, leader, contact)
    audit.record(
        session,
        actor_id=actor,
        action="leader.nominated",
        entity_type="community_leader",
        entity_id=leader.id,
        # Never the contact details: the audit log is read more widely than they may be.
        after={"community_id": leader.community_id, "name": name, "contact_kept": bool(contact)},
    )
    await session.commit()
    return leader


async def _leader_for_staff(
    session: AsyncSession, principal: Principal, leader_id: uuid.UUID
) -> tuple[uuid.UUID, CommunityLeader]:
    principal.require(STAFF)
    leader = await repository.leader_by_id(session, leader_id)
    if leader is None:
        raise InvalidInput(
            [
                NotFound(
                    "There is no leader with this id.",
                    field="id",
                    cy="Nid oes arweinydd â'r id hwn.",
                )
            ]
        )
    return principal.require(STAFF, leader.county_code), leader


async def decide(
    session: AsyncSession,
    principal: Principal,
    leader_id: uuid.UUID,
    version: int | None,
    endorse: bool,
    note: str | None,
) -> CommunityLeader:
    """A coordinator of the county endorses or declines a nomination, once."""
    actor, leader = await _leader_for_staff(session, principal, leader_id)
    try:
        check_version(leader.version, version)
    except Conflict as conflict:
        raise InvalidInput([conflict]) from None
    if leader.status != LeaderStatus.NOMINATED.value:
        en, cy = _DECIDED[leader.status]
        raise InvalidInput(
            [
                Conflict(
                    f"This nomination was already {en}.",
                    field="id",
                    cy=f"Mae'r enwebiad hwn eisoes {cy}.",
                )
            ]
        )
    if note is not None and len(note) > TEXT_MAX:
        raise InvalidInput([_note_too_long()])
    before = {"status": leader.status}
    leader.status = (LeaderStatus.ENDORSED if endorse else LeaderStatus.DECLINED).value
    leader.decided_by, leader.decided_at = actor, clock.now()
    leader.decision_note = (note or "").strip() or None
    await session.flush()
    audit.record(
        session,
        actor_id=actor,
        action="leader.endorsed" if endorse else "leader.declined",
        entity_type="community_leader",
        entity_id=leader.id,
        before=before,
        after={"status": leader.status, "note": leader.decision_note},
    )
    await session.commit()
    return leader


async def invite(
    session: AsyncSession, principal: Principal, leader_id: uuid.UUID
) -> tuple[CommunityLeader, str, str]:
    """Make an endorsed leader a LEADER user of their county, at the email they agreed
    to be contacted on: (leader, email, the one-time password to pass on)."""
    actor, leader = await _leader_for_staff(session, principal, leader_id)
    contact = (await repository.leader_contacts(session, [leader.id])).get(leader.id)
    if leader.status != LeaderStatus.ENDORSED.value:
        raise InvalidInput(
            [
                Conflict(
                    "Only endorsed leaders can be invited.",
                    field="id",
                    cy="Dim ond arweinwyr sydd wedi'u cymeradwyo y gellir eu gwahodd.",
                )
            ]
        )
    if leader.user_id is not None:
        raise InvalidInput(
            [
                Conflict(
                    "This leader already has an account.",
                    field="id",
                    cy="Mae gan yr arweinydd hwn gyfrif eisoes.",
                )
            ]
        )
    if contact is None or contact.email is None:
        raise InvalidInput(
            [
                BadInput(
                    "There is no consented email address to invite them at.",
                    field="id",
                    cy="Nid oes cyfeiriad e-bost y cafwyd caniatâd i'w ddefnyddio i'w gwahodd.",
                )
            ]
        )
    account, password = await people.create_invited_user(
        session,
        actor_id=actor,
        email=contact.email,
        display_name=leader.name,
        grant=people.GrantInput(Role.LEADER, county_codes=(leader.county_code,)),
    )
    leader.user_id = account.user.id
    audit.record(
        session,
        actor_id=actor,
        action="leader.invited",
        entity_type="community_leader",
        entity_id=leader.id,
        after={"user_id": account.user.id},
    )
    await session.commit()
    return leader, contact.email, password


async def record_support(
    session: AsyncSession, principal: Principal, leader_id: uuid.UUID, support: Support
) -> LeaderSupport:
    actor, leader = await _leader_for_staff(session, principal, leader_id)
    errors: list[DomainError] = []
    if leader.status != LeaderStatus.ENDORSED.value:
        errors.append(
            Conflict(
                "Support is recorded for endorsed leaders.",
                field="leaderId",
                cy="Dim ond ar gyfer arweinwyr sydd wedi'u cymeradwyo y cofnodir cymorth.",
            )
        )
    if not 0 < support.hours <= HOURS_MAX:
        errors.append(
            BadInput(
                f"Give hours between 0 and {HOURS_MAX:g}.",
                field="hours",
                cy=f"Rhowch oriau rhwng 0 a {HOURS_MAX:g}.",
            )
        )
    if support.given_on > clock.now().date():
        errors.append(
            BadInput(
                "The date is in the future.", field="givenOn", cy="Mae'r dyddiad yn y dyfodol."
            )
        )
    given_by = required_text(support.given_by, "givenBy", NAME_MAX, errors)
    if support.note is not None and len(support.note) > TEXT_MAX:
        errors.append(_note_too_long())
    if errors:
        raise InvalidInput(errors)
    row = LeaderSupport(
        id=uuid.uuid4(),
        leader_id=leader.id,
        kind=support.kind.value,
        given_on=support.given_on,
        hours=support.hours,
        given_by=given_by,
        note=support.note,
        recorded_by=actor,
    )
    repository.add_support(session, row)
    audit.record(
        session,
        actor_id=actor,
        action="leader.supported",
        entity_type="community_leader",
        entity_id=leader.id,
        after={"kind": row.kind, "hours": row.hours, "given_on": row.given_on},
    )
    await session.commit()
    return row


async def leaders(
    session: AsyncSession,
    principal: Principal,
    *,
    community_id: uuid.UUID | None,
    county_code: str | None,
    status: LeaderStatus | None,
    language: Language,
) -> list[CommunityLeader]:
    """Leaders of a community or county, for people who work there (never the public), by
    name in the order a reader of `language` expects."""
    principal.require_user()
    if community_id is not None:
        county_code = await _county_of_community(session, community_id)
        if county_code is None:
            raise places.no_such_community()
    if county_code is None:
        raise BadInput(
            "Give a communityId or a countyCode.",
            field="countyCode",
            cy="Rhowch communityId neu countyCode.",
        )
    if not principal.has_any(list(Role), county_code):
        raise Forbidden(
            "You can see the leaders of the counties you work in.",
            cy="Dim ond arweinwyr y siroedd rydych yn gweithio ynddynt y gallwch eu gweld.",
        )
    return await repository.leaders(
        session,
        community_id=community_id,
        county_code=county_code,
        status=status.value if status else None,
        language=language,
    )


async def visible_contacts(
    session: AsyncSession, principal: Principal, leaders: list[CommunityLeader]
) -> dict[uuid.UUID, LeaderContact]:
    """The contact details of those leaders whose county the caller coordinates."""
    allowed = [leader.id for leader in leaders if principal.has_any(STAFF, leader.county_code)]
    return await repository.leader_contacts(session, allowed) if allowed else {}


async def support_report(
    session: AsyncSession, principal: Principal, county_code: str, language: Language
) -> list[LeaderSupportLine]:
    """Who has been supported how in a county: times and hours by kind, per leader, by name
    in the order a reader of `language` expects."""
    principal.require(STAFF, county_code)
    endorsed = await repository.leaders(
        session,
        community_id=None,
        county_code=county_code,
        status=LeaderStatus.ENDORSED.value,
        language=language,
    )
    lines = {leader.id: LeaderSupportLine(leader) for leader in endorsed}
    totals: dict[uuid.UUID, dict[SupportKind, tuple[int, float]]] = defaultdict(dict)
    for leader_id, kind, times, hours in await repository.support_by_leader_and_kind(
        session, county_code
    ):
        totals[leader_id][SupportKind(kind)] = (times, hours)
    for leader_id, by_kind in totals.items():
        if leader_id in lines:
            lines[leader_id].times = {k: t for k, (t, _) in by_kind.items()}
            lines[leader_id].hours = {k: h for k, (_, h) in by_kind.items()}
    return list(lines.values())


async def endorsed_leader_counts(
    session: AsyncSession, community_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many endorsed leaders each community has (a number, safe to show anyone)."""
    return await repository.endorsed_leader_counts(session, community_ids)
