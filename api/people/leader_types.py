"""GraphQL for community leaders: nominating, endorsing, inviting, supporting, reporting."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from api.context import Info
from api.people import leaders as service
from api.people.leaders import LeaderStatus, SupportKind
from api.people.models import CommunityLeader as LeaderRow
from api.people.models import LeaderContact as ContactRow
from api.shared.payloads import answer
from api.shared.user_errors import UserError

strawberry.enum(LeaderStatus, description="Where a nomination stands.")
strawberry.enum(SupportKind, description="Kinds of support given to leaders.")


@strawberry.type(description="Contact details, shown only to coordinators of the county.")
class LeaderContact:
    email: str | None
    phone: str | None
    consent_at: datetime


@strawberry.type(description="A community leader (a person, not always a user).")
class CommunityLeader:
    id: uuid.UUID
    community_id: uuid.UUID
    county_code: str
    name: str
    reason: str
    connection: str
    status: LeaderStatus
    decision_note: str | None
    decided_at: datetime | None
    has_account: bool
    version: int
    contact: LeaderContact | None = strawberry.field(
        default=None, description="Null unless you coordinate the leader's county."
    )

    @classmethod
    def of(cls, row: LeaderRow, contact: ContactRow | None = None) -> CommunityLeader:
        return cls(
            id=row.id,
            community_id=row.community_id,
            county_code=row.county_code,
            name=row.name,
            reason=row.reason,
            connection=row.connection,
            status=LeaderStatus(row.status),
            decision_note=row.decision_note,
            decided_at=row.decided_at,
            has_account=row.user_id is not None,
            version=row.version,
            contact=LeaderContact(
                email=contact.email, phone=contact.phone, consent_at=contact.consent_at
            )
            if contact
            else None,
        )


@strawberry.type
class SupportCount:
    kind: SupportKind
    times: int
    hours: float


@strawberry.type
class LeaderSupportLine:
    leader: CommunityLeader
    support: list[SupportCount]


@strawberry.input
class NominateLeaderInput:
    community_id: uuid.UUID
    name: str
    reason: str = strawberry.field(description="Why this person.")
    connection: str = strawberry.field(description="How they are connected to the community.")
    email: str | None = None
    phone: str | None = None
    consent_to_contact: bool = strawberry.field(
        default=False, description="They agreed to their contact details being kept."
    )


@strawberry.input
class LeaderSupportInput:
    leader_id: uuid.UUID
    kind: SupportKind
    given_on: date
    hours: float
    given_by: str
    note: str | None = None


@strawberry.type
class LeaderPayload:
    leader: CommunityLeader | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InviteLeaderPayload:
    leader: CommunityLeader | None = None
    email: str | None = None
    one_time_password: str | None = strawberry.field(
        default=None, description="Pass it on to the leader; it is not shown again."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RecordSupportPayload:
    ok: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="Leaders of a community or a county (people who work there).")
    async def community_leaders(
        self,
        info: Info,
        community_id: uuid.UUID | None = None,
        county_code: str | None = None,
        status: LeaderStatus | None = None,
    ) -> list[CommunityLeader]:
        principal = await info.context.principal()
        rows = await service.leaders(
            info.context.session,
            principal,
            community_id=community_id,
            county_code=county_code,
            status=status,
            language=info.context.language,
        )
        contacts = await service.visible_contacts(info.context.session, principal, rows)
        return [CommunityLeader.of(r, contacts.get(r.id)) for r in rows]

    @strawberry.field(description="Who has been supported how, in a county (coordinators).")
    async def leader_support_report(self, info: Info, county_code: str) -> list[LeaderSupportLine]:
        lines = await service.support_report(
            info.context.session, await info.context.principal(), county_code, info.context.language
        )
        return [
            LeaderSupportLine(
                leader=CommunityLeader.of(line.leader),
                support=[
                    SupportCount(kind=kind, times=line.times[kind], hours=line.hours[kind])
                    for kind in SupportKind
                    if kind in line.times
                ],
            )
            for line in lines
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Nominate someone as a leader of a community.")
    async def nominate_leader(self, info: Info, input: NominateLeaderInput) -> LeaderPayload:
        nomination = service.Nomination(
            community_id=input.community_id,
            name=input.name,
            reason=input.reason,
            connection=input.connection,
            email=input.email,
            phone=input.phone,
            consent_to_contact=input.consent_to_contact,
        )
        return await answer(
            info,
            LeaderPayload,
            service.nominate,
            nomination,
            leader=CommunityLeader.of,
        )

    @strawberry.mutation(description="Endorse or decline a nomination (county coordinators).")
    async def decide_leader(
        self,
        info: Info,
        id: uuid.UUID,
        endorse: bool,
        version: int | None = None,
        note: str | None = None,
    ) -> LeaderPayload:
        return await answer(
            info,
            LeaderPayload,
            service.decide,
            id,
            version,
            endorse,
            note,
            leader=CommunityLeader.of,
        )

    @strawberry.mutation(description="Give an endorsed leader a LEADER account.")
    async def invite_leader(self, info: Info, id: uuid.UUID) -> InviteLeaderPayload:
        return await answer(
            info,
            InviteLeaderPayload,
            service.invite,
            id,
            leader=lambda invited: CommunityLeader.of(invited[0]),
            email=lambda invited: invited[1],
            one_time_password=lambda invited: invited[2],
        )

    @strawberry.mutation(description="Record support given to an endorsed leader.")
    async def record_leader_support(
        self, info: Info, input: LeaderSupportInput
    ) -> RecordSupportPayload:
        support = service.Support(
            kind=input.kind,
            given_on=input.given_on,
            hours=input.hours,
            given_by=input.given_by,
            note=input.note,
        )
        return await answer(
            info,
            RecordSupportPayload,
            service.record_support,
            input.leader_id,
            support,
            ok=lambda _: True,
        )
