"""Coders coding at the same moment, and a merge among them, on separate connections
committing for real: the theme tallies lose no update and stay a recount of the codings."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from api.auth.principal import ALL_COUNTIES, Role
from api.conversations import theme_tallies
from api.conversations.models import ThemeTally
from api.migrations import upgrade
from api.places import service as places
from api.settings import Settings
from geodata.region import read_region
from tests.conversations.helpers import add_theme, code, conversation, create_campaign, on, record
from tests.graphql_client import gql, operation
from tests.people.helpers import make_user, sign_in
from tests.scratch import clients_on, session_on

CODERS = 3
EACH = 6  # conversations each coder codes


async def _arrange(url: str, settings: Settings) -> None:
    """The region, a coordinator and the coders; committed."""
    async with session_on(url) as session:
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        await make_user(session, "coordinator@example.org", {Role.COORDINATOR: ALL_COUNTIES})
        for n in range(CODERS):
            await make_user(session, f"coder{n}@example.org", {Role.ENGAGEMENT: ALL_COUNTIES})
        await session.commit()


async def _tallies(url: str, campaign_id: uuid.UUID, *, recount: bool) -> dict[tuple, int]:
    """The campaign's theme tallies as kept (or, with `recount`, counted afresh first)."""
    async with session_on(url) as session:
        if recount:
            await theme_tallies.recount(session, [campaign_id])
        rows = await session.scalars(
            select(ThemeTally).where(ThemeTally.campaign_id == campaign_id, ThemeTally.n != 0)
        )
        found = {
            (t.theme_id, t.county_code, t.community_id, t.age_band, t.language, t.channel): t.n
            for t in rows.all()
        }
        await session.rollback()
    return found


async def test_simultaneous_codings_and_a_merge_keep_the_tallies_a_recount(
    scratch_url: str, settings: Settings
) -> None:
    # Alembic's env runs its own event loop, so it runs in a thread beside this one.
    await asyncio.to_thread(upgrade, scratch_url)
    await _arrange(scratch_url, settings)

    async with clients_on(scratch_url, settings, CODERS + 1) as clients:
        staff = (await sign_in(clients[0], "coordinator@example.org"))["accessToken"]
        coders = [
            (await sign_in(clients[n + 1], f"coder{n}@example.org"))["accessToken"]
            for n in range(CODERS)
        ]
        campaign = (await create_campaign(clients[0], staff, doubleCodingShare=0.0))["id"]
        transport = (await add_theme(clients[0], staff, campaign, "transport"))["theme"]
        subs = [
            (await add_theme(clients[0], staff, campaign, k, parentId=transport["id"]))["theme"]
            for k in ("buses", "trains")
        ]
        family = (await add_theme(clients[0], staff, campaign, "family"))["theme"]
        friends = (await add_theme(clients[0], staff, campaign, "friends"))["theme"]
        # All in one place and profile: every coding lands on the same few tally rows.
        made = await record(
            clients[0], staff, [conversation(campaign) for _ in range(CODERS * EACH)]
        )
        ids = [m["id"] for m in made]

        async def work(n: int) -> list[tuple[str, dict]]:
            """Coder n codes their conversations, then codes them again differently."""
            done = []
            for i in ids[n * EACH : (n + 1) * EACH]:
                for themes in ([subs[0], subs[1], friends], [subs[n % 2], family, friends]):
                    result = await code(clients[n + 1], coders[n], i, [on(t) for t in themes])
                    done.append((i, result))
            return done

        async def merge() -> dict:
            body = await gql(
                clients[0],
                operation("MergeThemes"),
                {"sourceId": friends["id"], "survivorId": family["id"]},
                token=staff,
            )
            return body["data"]["mergeThemes"]

        *coded, merged = await asyncio.gather(*(work(n) for n in range(CODERS)), merge())

    assert merged["userErrors"] == []
    # Codings sent after the merge name a retired theme and are refused; none fails else.
    # Which ones depends on when the merge lands, so a conversation both of whose codings
    # came after it stays uncoded.
    accepted = set()
    for i, result in (r for done in coded for r in done):
        if result.get("round") == 1:
            accepted.add(i)
        else:
            assert [e["field"] for e in result["userErrors"]] == ["codings[2].themeId"], result
    assert accepted  # the coders did code, whatever the merge's moment
    kept = await _tallies(scratch_url, uuid.UUID(campaign), recount=False)
    assert sum(n for key, n in kept.items() if key[0] is None) == len(accepted)
    assert kept == await _tallies(scratch_url, uuid.UUID(campaign), recount=True)
