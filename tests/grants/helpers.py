"""A round with its people, and applications moved along, through the GraphQL API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from api.places.models import Community, CommunitySet, County
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, make_user, sign_in

CRITERIA = (
    "community_benefit",
    "community_ownership",
    "feasibility",
    "value_for_money",
    "deprived_reach",
)


async def community_ids(session: AsyncSession, county_code: str, count: int = 3) -> list[str]:
    """Neighbourhoods (the default community set) of a county."""
    rows = await session.scalars(
        select(Community.id)
        .join(County, County.id == Community.county_id)
        .join(CommunitySet, CommunitySet.id == Community.set_id)
        .where(County.code == county_code, CommunitySet.is_default)
        .order_by(Community.name_en)
        .limit(count)
    )
    return [str(i) for i in rows.all()]


def round_input(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "nameEn": "Spring round",
        "nameCy": "Cylch y gwanwyn",
        "countyCodes": [CARMARTHENSHIRE],
        "opensAt": (now - timedelta(days=1)).isoformat(),
        "closesAt": (now + timedelta(days=30)).isoformat(),
        "budgetPence": 1_000_000,
    }
    values.update(overrides)
    return values


def application_input(community_id: str, **overrides: Any) -> dict[str, Any]:
    amount = overrides.pop("amountRequestedPence", 40_000)
    values: dict[str, Any] = {
        "groupName": "Cyfeillion y Parc",
        "groupType": "UNCONSTITUTED",
        "contact": "07700 900123",
        "tier": "TRY_IT",
        "amountRequestedPence": amount,
        "communityId": community_id,
        "titleEn": "Park walks",
        "titleCy": "Teithiau cerdded yn y parc",
        "descriptionEn": "Weekly walks for isolated older people.",
        "budgetLines": [{"item": "Leaflets", "amountPence": amount}],
        "startsOn": "2027-01-10",
        "endsOn": "2027-06-30",
        "involves": "Older people and volunteers",
        "fiveWays": ["CONNECT", "BE_ACTIVE"],
    }
    values.update(overrides)
    return values


def scores(value: int | Sequence[int] = 4) -> list[dict[str, Any]]:
    values = [value] * len(CRITERIA) if isinstance(value, int) else list(value)
    return [{"key": k, "score": v} for k, v in zip(CRITERIA, values, strict=True)]


@dataclass
class World:
    """A Carmarthenshire round with a coordinator, an applicant and an assigned panel."""

    client: httpx.AsyncClient
    session: AsyncSession
    coordinator: str
    applicant: str
    panel: list[str]
    panel_ids: list[str]
    round: dict[str, Any]
    communities: list[str]

    @property
    def round_id(self) -> str:
        return self.round["id"]

    async def call(self, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        """The operation's payload (data's only field); fails on GraphQL errors."""
        body = await gql(self.client, operation(name), variables, token=token)
        return next(iter(body["data"].values()))

    async def other_applicant(self) -> str:
        """The token of another applicant in the round's county (not this world's)."""
        token, _ = await user_token(
            self.client, self.session, "other@example.org", {Role.APPLICANT: {CARMARTHENSHIRE}}
        )
        return token

    async def apply(self, token: str | None = None, **overrides: Any) -> dict[str, Any]:
        community = overrides.pop("communityId", self.communities[0])
        payload = await self.call(
            "CreateGrantApplication",
            {"roundId": self.round_id, "input": application_input(community, **overrides)},
            token or self.applicant,
        )
        assert payload["userErrors"] == [], payload
        return payload["application"]

    async def move(self, application_id: str, status: str, reason: str | None = None) -> None:
        payload = await self.call(
            "MoveGrantApplication",
            {"id": application_id, "status": status, "reason": reason},
            self.coordinator,
        )
        assert payload["userErrors"] == [], payload

    async def in_review(self, **overrides: Any) -> str:
        """A new application submitted, found eligible and put in review; its id."""
        application = await self.apply(**overrides)
        submitted = await self.call(
            "SubmitGrantApplication", {"id": application["id"]}, self.applicant
        )
        assert submitted["userErrors"] == [], submitted
        await self.move(application["id"], "ELIGIBILITY_CHECKED")
        await self.move(application["id"], "IN_REVIEW")
        return application["id"]

    async def declare(
        self, member: int, application_id: str, conflict: bool = False, note: str | None = None
    ) -> dict[str, Any]:
        return await self.call(
            "DeclareConflict",
            {"applicationId": application_id, "conflict": conflict, "note": note},
            self.panel[member],
        )

    async def review(
        self,
        member: int,
        application_id: str,
        value: int | Sequence[int] = 4,
        recommendation: str = "FUND",
        submit: bool = True,
    ) -> dict[str, Any]:
        return await self.call(
            "SaveReview",
            {
                "applicationId": application_id,
                "input": {
                    "scores": scores(value),
                    "recommendation": recommendation,
                    "comment": "Good idea",
                    "submit": submit,
                },
            },
            self.panel[member],
        )

    async def reviewed(self, application_id: str, members: Sequence[int] = (0, 1, 2)) -> None:
        """Declared no conflict and submitted a review, for each of `members`."""
        for member in members:
            assert (await self.declare(member, application_id))["userErrors"] == []
            assert (await self.review(member, application_id))["userErrors"] == []

    async def awarded(self, amount: int | None = None, **overrides: Any) -> str:
        """A new application reviewed by the first three members and awarded; its id."""
        application_id = await self.in_review(**overrides)
        await self.reviewed(application_id)
        decided = await self.decide(application_id, amountPence=amount)
        assert decided["userErrors"] == [], decided
        return application_id

    async def active(self, **overrides: Any) -> str:
        """A new application awarded, accepted by its applicant and made ACTIVE; its id."""
        application_id = await self.awarded(**overrides)
        accepted = await self.call("AcceptAward", {"applicationId": application_id}, self.applicant)
        assert accepted["userErrors"] == [], accepted
        await self.move(application_id, "ACTIVE")
        return application_id

    async def pay(self, application_id: str, seq: int, reference: str = "BACS-1") -> dict[str, Any]:
        return await self.call(
            "RecordPayment",
            {
                "applicationId": application_id,
                "input": {"seq": seq, "paidOn": "2027-02-01", "reference": reference},
            },
            self.coordinator,
        )

    async def report(
        self, application_id: str, kind: str = "PROGRESS", **overrides: Any
    ) -> dict[str, Any]:
        given = {
            "kind": kind,
            "text": "Going well",
            "participants": 40,
            "volunteers": 6,
            "sessions": 10,
        }
        given.update(overrides)
        return await self.call(
            "SubmitGrantReport", {"applicationId": application_id, "input": given}, self.applicant
        )

    async def review_report(
        self, report_id: str, approve: bool = True, note: str | None = None
    ) -> dict[str, Any]:
        return await self.call(
            "ReviewGrantReport",
            {"reportId": report_id, "approve": approve, "note": note},
            self.coordinator,
        )

    async def decide(
        self, application_id: str, token: str | None = None, **decision: Any
    ) -> dict[str, Any]:
        decision.setdefault("outcome", "AWARDED")
        decision.setdefault("rationale", "Strong community support")
        return await self.call(
            "DecideApplication",
            {"applicationId": application_id, "input": decision},
            token or self.coordinator,
        )


async def user_token(
    client: httpx.AsyncClient, session: AsyncSession, email: str, roles: dict[Role, Any]
) -> tuple[str, str]:
    """(access token, user id) of a new user holding `roles`."""
    user = await make_user(session, email, roles)
    return (await sign_in(client, email))["accessToken"], str(user.id)


async def make_world(
    client: httpx.AsyncClient,
    session: AsyncSession,
    panel_size: int = 4,
    **round_overrides: Any,
) -> World:
    coordinator, _ = await user_token(
        client, session, "coordinator@example.org", {Role.COORDINATOR: {CARMARTHENSHIRE}}
    )
    applicant, _ = await user_token(
        client, session, "applicant@example.org", {Role.APPLICANT: {CARMARTHENSHIRE}}
    )
    panel, panel_ids = [], []
    for n in range(panel_size):
        token, user_id = await user_token(
            client, session, f"panel{n}@example.org", {Role.PANEL: {CARMARTHENSHIRE}}
        )
        panel.append(token)
        panel_ids.append(user_id)
    body = await gql(
        client,
        operation("CreateGrantRound"),
        {"input": round_input(**round_overrides)},
        token=coordinator,
    )
    payload = body["data"]["createGrantRound"]
    assert payload["userErrors"] == [], payload
    world = World(
        client=client,
        session=session,
        coordinator=coordinator,
        applicant=applicant,
        panel=panel,
        panel_ids=panel_ids,
        round=payload["round"],
        communities=await community_ids(session, CARMARTHENSHIRE),
    )
    for user_id in panel_ids:
        assigned = await world.call(
            "AssignPanelMember", {"roundId": world.round_id, "userId": user_id}, coordinator
        )
        assert assigned["userErrors"] == []
    return world
