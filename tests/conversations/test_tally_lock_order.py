"""Every writer of the conversation tallies locks their rows in key order, so two writers
wait for each other rather than deadlock: here a withdrawal meets a writer (standing for a
batch being recorded) that already holds the first of the conversation's tally rows, on
separate connections committing for real."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from sqlalchemy import make_url

from api.auth.principal import ALL_COUNTIES, Role
from api.migrations import upgrade
from api.places import service as places
from api.settings import Settings
from geodata.region import read_region
from tests.conversations.helpers import conversation, create_campaign, record
from tests.graphql_client import gql, operation
from tests.people.helpers import make_user, sign_in
from tests.scratch import clients_on, session_on

# A conversation's tally rows, first and last in key order (campaign, county, dimension,
# value): its age band's and its week's.
ROW = (
    "SELECT n FROM conversation_tallies WHERE campaign_id = $1 AND dimension = $2 "
    "AND value <> '' FOR UPDATE"
)
WAITING = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def test_a_withdrawal_takes_tally_rows_in_key_order(
    scratch_url: str, settings: Settings
) -> None:
    await asyncio.to_thread(upgrade, scratch_url)
    async with session_on(scratch_url) as session:
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        await make_user(session, "coordinator@example.org", {Role.COORDINATOR: ALL_COUNTIES})
        await session.commit()
    raw = make_url(scratch_url).set(drivername="postgresql")
    batch = await asyncpg.connect(raw.render_as_string(hide_password=False))
    # With no index to walk, the API's connections (opened after this) take rows as they
    # lie in the table: the order tally rows are locked in must not hang on a plan.
    for setting in ("enable_indexscan", "enable_bitmapscan"):
        await batch.execute(f"ALTER DATABASE {raw.database} SET {setting} = off")
    try:
        async with clients_on(scratch_url, settings, 1) as [client]:
            token = (await sign_in(client, "coordinator@example.org"))["accessToken"]
            campaign = (await create_campaign(client, token))["id"]
            [made] = await record(
                client, token, [conversation(campaign, profile={"ageBand": "AGE_25_44"})]
            )
            campaign_id = uuid.UUID(campaign)
            # Rewritten, the age band's row lies after the others in the table.
            await batch.execute(
                "UPDATE conversation_tallies SET n = n WHERE campaign_id = $1 "
                "AND dimension = 'age_band'",
                campaign_id,
            )

            async with batch.transaction():
                assert await batch.fetch(ROW, campaign_id, "age_band") == [(1,)]
                withdrawal = asyncio.create_task(
                    gql(
                        client,
                        operation("WithdrawConversation"),
                        {"referenceCode": made["referenceCode"]},
                    )
                )
                # Until the withdrawal waits for the row held here (a wait for a state the
                # database reports, bounded; what follows does not depend on timing).
                for _ in range(2000):
                    if await batch.fetchval(WAITING):
                        break
                    await asyncio.sleep(0.005)
                else:
                    raise AssertionError("the withdrawal never waited for the tally row")
                # Taken in key order, the withdrawal holds none of the rows after the one it
                # waits for; out of order, it would hold the week's, and both would wait.
                await batch.execute("SET LOCAL lock_timeout = '1ms'")
                assert await batch.fetch(ROW, campaign_id, "week") == [(1,)]
            answer = await withdrawal
            assert "errors" not in answer, answer
            left = await batch.fetch(
                "SELECT dimension, n FROM conversation_tallies WHERE campaign_id = $1 AND n <> 0",
                campaign_id,
            )
            assert left == []
    finally:
        await batch.close()
