"""Conversations: recordConversations against a raw COPY of the same rows, and the two
reports against the SQL underneath them, measured side by side in one run.

  recordConversations, batches of 500, over HTTP   vs  COPY of the same rows
  campaignProgress (GraphQL over HTTP)              vs  its SQL
  themeReport (GraphQL over HTTP)                   vs  its SQL (sums of theme tallies, quotes)
                                                    and the count over every coding it replaced

The API runs under uvicorn with two workers, as in production, in its own processes on
127.0.0.1; the database is a throwaway cluster that the harness starts and removes. The
load is reported for the first 10,000 conversations and again for all of them, sent by one
client a batch at a time; then 20,000 more (a campaign of their own, so the reports still
count the first load) from two clients at once, one per worker, with how busy the machine's
processors were meanwhile (server, database and clients share them). That load is set
against one COPY stream, batch after batch, and against as many COPY streams at once as
there were clients.
Run: .venv/bin/python bench/conversations.py [--conversations 200000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from harness import Timing, alternate, bench_database, print_table, serving

from api.auth.principal import ALL_COUNTIES, Principal, Role
from api.conversations import repository, theme_tallies, themes_report
from api.db import make_engine, make_sessionmaker
from api.people import service as people
from api.people.service import GrantInput, NewUser
from api.settings import Settings

BATCH = 500
# The service's production shape: the app `cymuned serve` runs, under uvicorn with this many
# worker processes, logging warnings only. The load at once comes from as many clients.
WORKERS = 2
UVICORN = [
    sys.executable,
    "-m",
    "uvicorn",
    "api.main:app",
    "--workers",
    str(WORKERS),
    "--log-level",
    "warning",
    "--port",
    "{port}",
]
# The load is reported after this many conversations, and again at the end.
FIRST = 10_000
# Sent from WORKERS clients at once: 40 batches, so the figure moves little between runs.
AT_ONCE = 20_000
AT_ONCE_TWIN = "conversations_copy_at_once"
EMAIL, PASSWORD = "bench@example.org", "bench password that is long enough"
SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"
SETUP = Principal(user_id=uuid.UUID(int=1), grants={Role.ADMIN: ALL_COUNTIES})
WORDS = (
    "family friends park bus doctor walking chapel choir rugby beach school work money "
    "loneliness food garden neighbours library coast hills Welsh language housing"
).split()
QUESTIONS = [
    {
        "key": "what_matters",
        "type": "FREE_TEXT",
        "textEn": "What matters to you?",
        "required": True,
    },
    {"key": "healthy_happy_safe", "type": "FREE_TEXT", "textEn": "Healthy, happy and safe?"},
    {"key": "wellbeing", "type": "SCALE_1_5", "textEn": "How are you today?"},
]
AGE_BANDS = ["UNDER_16", "AGE_16_24", "AGE_25_44", "AGE_45_64", "AGE_65_74", "AGE_75_84", None]
CHANNELS = ["STREET", "EVENT", "PHONE", "ONLINE", "GROUP"]

RECORD = """mutation Record($input: [ConversationInput!]!) {
  recordConversations(input: $input) { results { id status userErrors { field message } } }
}"""
PROGRESS = """query P($id: UUID!) {
  campaignProgress(campaignId: $id) {
    conversations counties { code conversations target } communities { id conversations target }
    channels { key conversations } languages { key conversations } weeks { key conversations }
    representativeness { band respondentShare populationShare }
  }
}"""
THEMES = """query T($id: UUID!, $filter: ThemeReportFilter) {
  themeReport(campaignId: $id, filter: $filter) {
    codedConversations themes { theme { key } conversations share quotes { excerpt } }
  }
}"""
# What themeReport counted before theme tallies, kept as a reference: the coded
# conversations, and the distinct (conversation, theme) pairs of every first coding, each
# sub-theme's parent with it.
COUNT_EVERY_CODING = """
WITH coded AS (
    SELECT id FROM conversations WHERE campaign_id = $1 AND first_coded_at IS NOT NULL
),
pairs AS (
    SELECT k.conversation_id, t.id AS theme_id FROM conversation_codings k
    JOIN coded ON coded.id = k.conversation_id JOIN conversation_themes t ON t.id = k.theme_id
    WHERE k.round = 1
    UNION
    SELECT k.conversation_id, t.parent_id FROM conversation_codings k
    JOIN coded ON coded.id = k.conversation_id JOIN conversation_themes t ON t.id = k.theme_id
    WHERE k.round = 1 AND t.parent_id IS NOT NULL
)
SELECT NULL, count(*) FROM coded
UNION ALL
SELECT theme_id, count(*) FROM pairs GROUP BY theme_id
"""
CREATE = """mutation C($input: CreateCampaignInput!) {
  createCampaign(input: $input) { campaign { id } }
}"""
LOGIN = (
    """mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"""
)


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25))).capitalize() + "."


def conversations(
    n: int, campaign_id: str, points: list[tuple[float, float]], seed: int = 7
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    items = []
    for _ in range(n):
        lat, lon = rng.choice(points)
        age = rng.choice(AGE_BANDS)
        items.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "campaignId": campaign_id,
                "questionSetVersion": 1,
                "collectedAt": (
                    start + timedelta(minutes=rng.randint(0, 60 * 24 * 120))
                ).isoformat(),
                "channel": rng.choice(CHANNELS),
                "language": rng.choice(["EN", "EN", "CY"]),
                "consent": {"store": True, "quote": rng.random() < 0.7},
                "answers": [
                    {"questionKey": "what_matters", "text": sentence(rng)},
                    {"questionKey": "healthy_happy_safe", "text": sentence(rng)},
                    {"questionKey": "wellbeing", "scale": rng.randint(1, 5)},
                ],
                "profile": {"ageBand": age} if age else {},
                "location": {"lat": lat, "lon": lon},
            }
        )
    return items


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql", content=orjson.dumps({"query": query, "variables": variables}), headers=headers
    )
    body = orjson.loads(response.content)
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


async def prepare(url: str) -> list[tuple[float, float]]:
    """The bench user, and points to record conversations at."""
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
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
        await session.commit()
        points = [
            (r.lat, r.lon)
            for r in await session.execute(
                text(
                    # Twenty points in each community (seeded, so runs compare), kept
                    # only where a county covers them too: the API refuses the rest.
                    "SELECT ST_Y(p) AS lat, ST_X(p) AS lon FROM (SELECT (ST_Dump("
                    "ST_GeneratePoints(geom, 20, 7))).geom AS p FROM communities) s "
                    "WHERE EXISTS (SELECT FROM counties k WHERE ST_Covers(k.geom, s.p))"
                )
            )
        ]
    await engine.dispose()
    return points


def report_load(n: int, api: Timing, floor: Timing) -> None:
    print_table(f"Loading {n:,} conversations (per batch of {BATCH})", [api, floor], floor.name)
    report_rates(n, sum(api.seconds), sum(floor.seconds))


def report_rates(n: int, api_seconds: float, floor_seconds: float) -> None:
    rate_api, rate_floor = n / api_seconds, n / floor_seconds
    print(
        f"conversations per second: API {rate_api:,.0f}, COPY {rate_floor:,.0f} "
        f"(API at {rate_api / rate_floor:.0%} of the raw rate; target at least 33%)"
    )


class Loader:
    """Sends batches through recordConversations and copies the rows it stored, as they
    are stored, into a twin table (same indexes, same foreign keys, so COPY checks each
    row's campaign, county and community as loading into the real table would): the
    floor."""

    def __init__(
        self, client: httpx.AsyncClient, raw: asyncpg.Connection, token: str, dsn: str
    ) -> None:
        self.client, self.raw, self.token, self.dsn = client, raw, token, dsn
        self.columns: list[str] = []

    async def make_twin(self, table: str = "conversations_copy") -> None:
        await self.raw.execute(f"CREATE TABLE {table} (LIKE conversations INCLUDING ALL)")
        # LIKE copies indexes and checks, never foreign keys.
        for (definition,) in await self.raw.fetch(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'conversations'::regclass AND contype = 'f'"
        ):
            await self.raw.execute(f"ALTER TABLE {table} ADD {definition}")  # named by PostgreSQL
        self.columns = [
            r["attname"]
            for r in await self.raw.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'conversations'::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            )
        ]

    async def record(self, batch: list[dict[str, Any]]) -> float:
        began = time.perf_counter()
        results = (await gql(self.client, RECORD, {"input": batch}, self.token))[
            "recordConversations"
        ]["results"]
        seconds = time.perf_counter() - began
        refused = [r for r in results if r["status"] != "CREATED"]
        assert not refused, refused[:3]
        return seconds

    async def stored(self, batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        rows = await self.raw.fetch(
            "SELECT * FROM conversations WHERE id = ANY($1::uuid[])",
            [uuid.UUID(i["id"]) for i in batch],
        )
        return [tuple(r) for r in rows]

    async def copy(self, batch: list[dict[str, Any]]) -> float:
        records = await self.stored(batch)
        began = time.perf_counter()
        await self.raw.copy_records_to_table(
            "conversations_copy", records=records, columns=self.columns
        )
        return time.perf_counter() - began

    async def twin_at_once(self, campaign_id: str) -> None:
        """A second twin for the copies at once, holding what the first held before the
        campaign's batches (so both floors write into tables of the same size), its writes
        checkpointed so that flushing them does not slow the copies."""
        await self.make_twin(AT_ONCE_TWIN)
        await self.raw.execute(
            f"INSERT INTO {AT_ONCE_TWIN} SELECT * FROM conversations_copy WHERE campaign_id <> $1",
            uuid.UUID(campaign_id),
        )
        await self.raw.execute("CHECKPOINT")

    async def copy_at_once(self, batches: list[list[dict[str, Any]]], streams: int) -> float:
        """The batches' rows copied into the second twin by `streams` connections at once
        (each taking the next batch as soon as its last is copied); the seconds until the
        last is in."""
        waiting = iter([await self.stored(batch) for batch in batches])
        connections = [await asyncpg.connect(self.dsn) for _ in range(streams)]

        async def one_stream(connection: asyncpg.Connection) -> None:
            for records in waiting:
                await connection.copy_records_to_table(
                    AT_ONCE_TWIN, records=records, columns=self.columns
                )

        try:
            began = time.perf_counter()
            await asyncio.gather(*(one_stream(c) for c in connections))
            return time.perf_counter() - began
        finally:
            for connection in connections:
                await connection.close()


async def load_one_client(loader: Loader, items: list[dict[str, Any]]) -> None:
    """One batch at a time, each followed by its COPY."""
    n = len(items)
    api, floor = (
        Timing("recordConversations, 500 per batch", []),
        Timing("COPY of the same rows", []),
    )
    for start in range(0, n, BATCH):
        batch = items[start : start + BATCH]
        api.seconds.append(await loader.record(batch))
        floor.seconds.append(await loader.copy(batch))
        if start + BATCH == FIRST and n > FIRST:
            report_load(FIRST, api, floor)
    report_load(n, api, floor)


async def load_at_once(loader: Loader, items: list[dict[str, Any]]) -> None:
    """WORKERS clients each sending their next batch as soon as the last is answered; the
    rate is the conversations over the time until the last answer. The floors: one COPY
    stream, batch after batch, and WORKERS streams at once."""
    batches = iter([items[start : start + BATCH] for start in range(0, len(items), BATCH)])
    sent: list[list[dict[str, Any]]] = []

    async def one_client() -> None:
        for batch in batches:
            sent.append(batch)
            await loader.record(batch)

    busy_at, total_at = _processor_ticks()
    began = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(WORKERS)))
    api_seconds = time.perf_counter() - began
    busy_after, total_after = _processor_ticks()
    busy, total = busy_after - busy_at, total_after - total_at
    floor_seconds = sum([await loader.copy(batch) for batch in sent])
    await loader.twin_at_once(sent[0][0]["campaignId"])
    floor_at_once = await loader.copy_at_once(sent, WORKERS)
    print(
        f"\nLoading {len(items):,} conversations from {WORKERS} clients at once, "
        f"{WORKERS} workers (per batch of {BATCH})"
    )
    report_rates(len(items), api_seconds, floor_seconds)
    rate_api, rate_at_once = len(items) / api_seconds, len(items) / floor_at_once
    print(
        f"against {WORKERS} COPY streams at once ({rate_at_once:,.0f}/s): "
        f"API at {rate_api / rate_at_once:.0%}"
    )
    print(f"the machine's processors were {busy / total:.0%} busy while the API loaded")


def _processor_ticks() -> tuple[int, int]:
    """(busy, all) ticks of every processor since boot, from Linux's /proc/stat."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, and waiting for I/O
    return sum(ticks) - idle, sum(ticks)


async def run(url: str, base: str, points: list[tuple[float, float]], n: int, rounds: int) -> None:
    settings = Settings(env="test", database_url=url, jwt_secret=SECRET, _env_file=None)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    raw = await asyncpg.connect(dsn)
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        token = (await gql(client, LOGIN, {"e": EMAIL, "p": PASSWORD}))["login"]["accessToken"]
        campaign, other = [
            (await gql(client, CREATE, {"input": {"nameEn": name, "questions": QUESTIONS}}, token))[
                "createCampaign"
            ]["campaign"]["id"]
            for name in ("Bench", "Bench, at once")
        ]
        loader = Loader(client, raw, token, dsn)
        await loader.make_twin()
        await load_one_client(loader, conversations(n, campaign, points))
        await load_at_once(loader, conversations(AT_ONCE, other, points, seed=8))

        await _code_half(raw, campaign)
        campaign_id = uuid.UUID(campaign)
        async with sessionmaker() as session:
            # The codings went in straight in SQL: the tallies are counted once, as the
            # migration that brought them in counts the codings already stored.
            await theme_tallies.recount(session, [campaign_id])
            await session.commit()
        await raw.execute("VACUUM ANALYZE conversation_theme_tallies")

        async def progress_sql() -> None:
            async with sessionmaker() as session:
                await repository.progress_counts(session, campaign_id, None)

        async def themes_counted() -> None:
            await raw.fetch(COUNT_EVERY_CODING, campaign_id)

        async def progress_api() -> None:
            await gql(client, PROGRESS, {"id": campaign}, token)

        timings = await alternate(
            [("campaignProgress (GraphQL)", progress_api), ("progress SQL", progress_sql)], rounds
        )
        print_table(f"campaignProgress over {n:,} conversations", timings, "progress SQL")

        # A narrow filter too (one community, one age band): its quotes take the other plan.
        community, band = await raw.fetchrow(
            "SELECT community_id, age_band FROM conversations WHERE campaign_id = $1 "
            "AND community_id IS NOT NULL AND age_band IS NOT NULL ORDER BY id LIMIT 1",
            campaign_id,
        )
        for title, graphql_filter, values, reference in (
            ("", {}, {}, [("count of every coding (before tallies)", themes_counted)]),
            (
                ", one community and age band",
                {"communityId": str(community), "ageBand": band},
                {"community_id": community, "age_band": band},
                [],
            ),
        ):

            async def themes_sql(values: dict[str, Any] = values) -> None:
                async with sessionmaker() as session:
                    await themes_report.figures(
                        session, campaign_id, None, values, settings.conversation_quotes_per_theme
                    )

            async def themes_api(graphql_filter: dict[str, Any] = graphql_filter) -> None:
                await gql(client, THEMES, {"id": campaign, "filter": graphql_filter}, token)

            timings = await alternate(
                [
                    ("themeReport (GraphQL)", themes_api),
                    ("theme report SQL", themes_sql),
                    *reference,
                ],
                rounds,
            )
            print_table(
                f"themeReport over {n:,} conversations (half coded){title}",
                timings,
                "theme report SQL",
            )
    await raw.close()
    await engine.dispose()


async def _code_half(raw: asyncpg.Connection, campaign: str) -> None:
    """A codebook of eight themes (two with two sub-themes each) and first codings of every
    other conversation, written straight in SQL: only the reports are timed here."""
    themes = []
    for n, key in enumerate(
        ["family", "transport", "health", "nature", "work", "community", "money", "safety"]
    ):
        theme_id = uuid.uuid4()
        themes.append(theme_id)
        await raw.execute(
            "INSERT INTO conversation_themes (id, campaign_id, key, label_en, keywords, added_in) "
            "VALUES ($1, $2, $3, $4, '{}', $5)",
            theme_id,
            uuid.UUID(campaign),
            key,
            key.title(),
            n + 2,
        )
        if n < 2:
            for sub in ("a", "b"):
                sub_id = uuid.uuid4()
                themes.append(sub_id)
                await raw.execute(
                    "INSERT INTO conversation_themes "
                    "(id, campaign_id, parent_id, key, label_en, keywords, added_in) "
                    "VALUES ($1, $2, $3, $4, $5, '{}', 20)",
                    sub_id,
                    uuid.UUID(campaign),
                    theme_id,
                    f"{key}_{sub}",
                    f"{key} {sub}",
                )
    coder = uuid.uuid4()
    await raw.execute(
        """
        WITH picked AS (
            UPDATE conversations SET first_coder_id = $1, first_coded_at = now()
            WHERE campaign_id = $2 AND hashtext(id::text) % 2 = 0
            RETURNING id, answers->>'what_matters' AS said
        )
        INSERT INTO conversation_codings
            (id, conversation_id, round, coder_id, theme_id, question_key, excerpt)
        SELECT gen_random_uuid(), p.id, 1, $1, t.theme, 'what_matters', left(p.said, 40)
        FROM picked p
        CROSS JOIN LATERAL (
            SELECT theme FROM unnest($3::uuid[]) AS theme
            ORDER BY hashtext(p.id::text || theme::text) LIMIT 2
        ) t
        """,
        coder,
        uuid.UUID(campaign),
        themes,
    )
    # What autovacuum does soon after a load: statistics, and the visibility map that lets
    # the reports use index-only scans.
    await raw.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=FIRST)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with bench_database() as url:
        points = asyncio.run(prepare(url))
        # Limits on request rates are for people; this load is one user sending fast.
        with serving(
            UVICORN,
            "/healthz",
            {
                "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
                "CYMUNED_DATABASE_URL": url,
                "CYMUNED_JWT_SECRET": SECRET,
                "CYMUNED_RATE_LIMIT_PER_USER": str(10**6),
                "CYMUNED_RATE_LIMIT_PER_ADDRESS": str(10**6),
            },
        ) as base:
            asyncio.run(run(url, base, points, args.conversations, args.rounds))


if __name__ == "__main__":
    main()
