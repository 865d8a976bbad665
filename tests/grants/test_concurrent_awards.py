"""Awards decided at the same moment, on separate connections committing for real, still
never exceed the round's budget."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import select

from api.auth.principal import ALL_COUNTIES, Principal, Role
from api.grants import applications, panel, rounds, transitions
from api.grants.applications import Draft, FiveWays, GroupType
from api.grants.lifecycle import Status
from api.grants.models import GrantApplication, GrantRound
from api.migrations import upgrade
from api.places import service as places
from api.settings import Settings
from geodata.region import read_region
from tests.grants.helpers import community_ids
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, make_user, sign_in
from tests.scratch import clients_on, session_on

AMOUNT = 20_000
BUDGET = 50_000  # room for two awards of four


async def _arrange(url: str, settings: Settings) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A round with quorum 1 and five applications in review, each reviewed; committed."""
    async with session_on(url) as session:
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        await session.commit()
        coordinator = await make_user(session, "coordinator@example.org", {Role.COORDINATOR: None})
        member = await make_user(session, "panel@example.org", {Role.PANEL: ALL_COUNTIES})
        staff = Principal(user_id=coordinator.id, grants={Role.COORDINATOR: ALL_COUNTIES})
        reviewer = Principal(user_id=member.id, grants={Role.PANEL: ALL_COUNTIES})
        round_ = await rounds.create_round(
            session,
            staff,
            rounds.NewRound(
                name_en="Concurrent round",
                county_codes=[CARMARTHENSHIRE],
                opens_at=datetime.now(UTC) - timedelta(days=1),
                closes_at=datetime.now(UTC) + timedelta(days=1),
                budget_pence=BUDGET,
                quorum=1,
            ),
        )
        await rounds.assign_panel_member(session, staff, round_.id, member.id)
        [community] = await community_ids(session, CARMARTHENSHIRE, 1)
        draft = Draft(
            group_name="Grŵp",
            group_type=GroupType.OTHER,
            contact="01267 000000",
            tier="TRY_IT",
            amount_requested_pence=AMOUNT,
            community_id=uuid.UUID(community),
            title_en="Project",
            description_en="A project",
            budget_lines=[("Everything", AMOUNT)],
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 2, 1),
            involves="Everyone",
            five_ways=[FiveWays.GIVE],
        )
        ids = []
        for _ in range(5):
            view = await applications.create_application(session, staff, round_.id, draft)
            application_id = view.application.id
            await applications.submit_application(session, staff, application_id)
            for status in (Status.ELIGIBILITY_CHECKED, Status.IN_REVIEW):
                await transitions.move_application(session, staff, application_id, status, None)
            await panel.declare_conflict(session, reviewer, application_id, False, None)
            await panel.save_review(
                session,
                reviewer,
                application_id,
                panel.ReviewInput(
                    scores=[(c["key"], 4) for c in round_.criteria],
                    recommendation=panel.Recommendation.FUND,
                    comment=None,
                    submit=True,
                ),
            )
            ids.append(application_id)
    return round_.id, ids


async def _decide(
    client: httpx.AsyncClient, token: str, application_id: uuid.UUID, amount: int | None = None
) -> dict:
    body = await gql(
        client,
        operation("DecideApplication"),
        {
            "applicationId": str(application_id),
            "input": {"outcome": "AWARDED", "rationale": "Fund it", "amountPence": amount},
        },
        token=token,
    )
    return body["data"]["decideApplication"]


def _outcomes(results: list[dict]) -> list[str]:
    return sorted("AWARDED" if r["application"] else r["userErrors"][0]["code"] for r in results)


async def test_simultaneous_awards_stay_within_the_budget(
    scratch_url: str, settings: Settings
) -> None:
    # Alembic's env runs its own event loop, so it runs in a thread beside this one.
    await asyncio.to_thread(upgrade, scratch_url)
    round_id, ids = await _arrange(scratch_url, settings)

    async with clients_on(scratch_url, settings, 2) as clients:
        token = (await sign_in(clients[0], "coordinator@example.org"))["accessToken"]
        # Four awards of 20,000 at once against 50,000: two fit.
        budget_race = await asyncio.gather(
            *(_decide(clients[n % 2], token, i) for n, i in enumerate(ids[:4]))
        )
        # One application decided twice at once, for 5,000 each time: the remaining 10,000
        # would take both, but an application is awarded once.
        twice = await asyncio.gather(*(_decide(client, token, ids[4], 5_000) for client in clients))

    assert _outcomes(budget_race) == ["AWARDED", "AWARDED", "OVER_BUDGET", "OVER_BUDGET"]
    # The loser either lost the race (CONFLICT) or came second (no longer IN_REVIEW).
    assert _outcomes(twice)[0] == "AWARDED"
    assert _outcomes(twice)[1] in {"CONFLICT", "ILLEGAL_TRANSITION"}

    async with session_on(scratch_url) as session:
        round_ = await session.get(GrantRound, round_id)
        awarded = await session.scalars(
            select(GrantApplication.amount_awarded_pence).where(
                GrantApplication.status == Status.AWARDED.value
            )
        )
        assert round_.awarded_pence == sum(awarded.all()) == 2 * AMOUNT + 5_000
