"""Reading conversations for coding: a page of `conversations` (answers, coding state and
codings) and a coder's `codingQueue`, each against the SQL underneath it, side by side.

  conversations, first page of 50 (GraphQL)          vs  its two statements
  conversations, a page deep in the list (GraphQL)   vs  its two statements
  conversations, one county, uncoded only (GraphQL)  vs  its two statements
  codingQueue, 50 (GraphQL)                          vs  its statement

The conversations are written straight in SQL (loading is measured in conversations.py):
spread over every community, collected over 120 days, half of them first-coded with two
themes each and a fifth of those given to a second coder.
Run: .venv/bin/python bench/conversation_listing.py [--conversations 200000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from conversations import CREATE, EMAIL, LOGIN, PASSWORD, QUESTIONS, SECRET, SETUP, gql
from harness import alternate, bench_database, print_table

from api.app import create_app
from api.auth.principal import ALL_COUNTIES, Principal, Role
from api.conversations import repository
from api.conversations.listing import ListFilter, conditions
from api.db import make_engine, make_sessionmaker
from api.people import service as people
from api.people.service import GrantInput, NewUser
from api.settings import Settings
from api.shared.pagination import encode_cursor

PAGE = 50
LIST = """query L($id: UUID!, $filter: ConversationFilter, $after: String) {
  conversations(campaignId: $id, filter: $filter, first: 50, after: $after) {
    edges { cursor node { id collectedAt countyCode answers { questionKey text scale }
      coding { firstCoderId secondCoderId } codings { round themeId questionKey } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
QUEUE = """query Q($id: UUID!) {
  codingQueue(campaignId: $id, first: 50) { round conversation { id answers { text } } }
}"""

LOAD = """
WITH places AS (
    SELECT row_number() OVER (ORDER BY cm.id) - 1 AS k, cm.id, ct.code
    FROM communities cm
    JOIN counties ct ON ct.id = cm.county_id
    JOIN community_sets s ON s.id = cm.set_id AND s.is_default
)
INSERT INTO conversations (
    id, campaign_id, question_set_version, reference_code, collected_at, recorded_by,
    channel, language, county_code, community_id, may_contact, may_quote, answers, flags,
    fingerprint, double_code)
SELECT gen_random_uuid(), $1, 1, 'B' || lpad(g::text, 12, '0'),
       timestamptz '2026-01-05 00:00Z' + (hashtext(g::text)::bigint % 10368000) * interval '1 s',
       $2, (ARRAY['STREET','EVENT','PHONE','ONLINE','GROUP'])[1 + g % 5],
       CASE WHEN g % 3 = 0 THEN 'cy' ELSE 'en' END, p.code, p.id, false, g % 10 < 7,
       jsonb_build_object('what_matters', 'Family, friends and the park by the sea ' || g,
                          'wellbeing', 1 + g % 5),
       '{}', md5(g::text), g % 5 = 0
FROM generate_series(1, $3) g
JOIN places p ON p.k = g % (SELECT count(*) FROM places)
"""
CODE = """
WITH picked AS (
    UPDATE conversations
    SET first_coder_id = $1, first_coded_at = now(),
        second_coder_id = CASE WHEN double_code THEN $2::uuid END
    WHERE campaign_id = $3 AND hashtext(id::text) % 2 = 0
    RETURNING id
)
INSERT INTO conversation_codings
    (id, conversation_id, round, coder_id, theme_id, question_key, excerpt)
SELECT gen_random_uuid(), p.id, 1, $1, t.theme, 'what_matters', NULL
FROM picked p CROSS JOIN unnest($4::uuid[]) AS t(theme)
"""


async def run(url: str, n: int, rounds: int) -> None:
    settings = Settings(env="test", database_url=url, jwt_secret=SECRET, _env_file=None)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        await people.create_user(
            session,
            SETUP,
            NewUser(
                email=EMAIL,
                display_name="bench",
                password=PASSWORD,
                roles=[
                    GrantInput(Role.ADMIN, all_counties=True),
                    GrantInput(Role.COORDINATOR, all_counties=True),
                ],
            ),
        )
    raw = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
    ) as client:
        token = (await gql(client, LOGIN, {"e": EMAIL, "p": PASSWORD}))["login"]["accessToken"]
        campaign = (
            await gql(client, CREATE, {"input": {"nameEn": "Bench", "questions": QUESTIONS}}, token)
        )["createCampaign"]["campaign"]["id"]
        campaign_id = uuid.UUID(campaign)
        me = await raw.fetchval("SELECT id FROM users WHERE email = $1", EMAIL)
        themes = [uuid.uuid4(), uuid.uuid4()]
        for k, theme in enumerate(themes):
            await raw.execute(
                "INSERT INTO conversation_themes (id, campaign_id, key, label_en, keywords, "
                "added_in) VALUES ($1, $2, $3, $3, '{}', 2)",
                theme,
                campaign_id,
                f"theme{k}",
            )
        await raw.execute(LOAD, campaign_id, me, n)
        # Half coded by someone else; the bench user is second coder of the double-coded.
        await raw.execute(CODE, uuid.uuid4(), me, campaign_id, themes)
        await raw.execute("VACUUM ANALYZE")
        county = await raw.fetchval("SELECT code FROM counties ORDER BY code LIMIT 1")
        middle = await raw.fetchrow(
            "SELECT collected_at, id FROM conversations ORDER BY collected_at, id "
            "OFFSET $1 LIMIT 1",
            n // 2,
        )
        principal = Principal(user_id=me, grants={Role.COORDINATOR: ALL_COUNTIES})
        scope = principal.counties([Role.COORDINATOR])
        after = encode_cursor((middle["collected_at"], middle["id"]))
        uncoded = {"countyCode": county, "coded": False}

        def listing_sql(flt: ListFilter, key: tuple | None):
            async def go() -> None:
                async with sessionmaker() as session:
                    rows, _ = await repository.conversations_page(
                        session, campaign_id, scope, conditions(flt), PAGE, key
                    )
                    await repository.codings_of(session, [r.id for r in rows])

            return go

        def listing_api(variables: dict):
            async def go() -> None:
                page = await gql(client, LIST, {"id": campaign, **variables}, token)
                assert len(page["conversations"]["edges"]) == PAGE

            return go

        async def queue_sql() -> None:
            async with sessionmaker() as session:
                await repository.coding_queue(session, campaign_id, me, scope, PAGE)

        async def queue_api() -> None:
            await gql(client, QUEUE, {"id": campaign}, token)

        cases = [
            ("first page", {}, ListFilter(), None),
            (
                "deep page",
                {"after": after},
                ListFilter(),
                (middle["collected_at"], middle["id"]),
            ),
            (
                "one county, uncoded",
                {"filter": uncoded},
                ListFilter(county_code=county, coded=False),
                None,
            ),
        ]
        for name, variables, flt, key in cases:
            timings = await alternate(
                [
                    (f"conversations, {name} (GraphQL)", listing_api(variables)),
                    ("its SQL", listing_sql(flt, key)),
                ],
                rounds,
            )
            print_table(f"conversations, {name}, of {n:,}", timings, "its SQL")
        timings = await alternate(
            [("codingQueue, 50 (GraphQL)", queue_api), ("its SQL", queue_sql)], rounds
        )
        print_table(f"codingQueue over {n:,} conversations", timings, "its SQL")
    await raw.close()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with bench_database() as url:
        asyncio.run(run(url, args.conversations, args.rounds))


if __name__ == "__main__":
    main()
