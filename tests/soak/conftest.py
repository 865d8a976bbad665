"""The soak runs' own world: a throwaway PostGIS cluster with the real region (the fault runs
stop it, so it cannot be the suite's), the real server on a free port of 127.0.0.1, and the
accounts and campaign the simulated phones use.

`make soak` (CYMUNED_SOAK=1) runs the long version; `make test` a short one of a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url, text

from api.auth.principal import ALL_COUNTIES, Role
from api.db import make_engine, make_sessionmaker
from api.local_cluster import LocalCluster, ensure_postgis, free_port
from api.migrations import upgrade
from api.places import service as places
from api.settings import Settings
from geodata.region import read_region
from tests.conftest import TEST_SECRET
from tests.conversations.helpers import create_campaign
from tests.people.helpers import make_user, sign_in
from tests.soak.server import ApiServer
from tests.soak.workload import Accounts, Workload


@dataclass(frozen=True)
class Plan:
    """How long each phase runs (seconds) and how many phones send at once."""

    load_s: float
    lead_s: float  # load before a fault
    outage_s: float
    tail_s: float  # load after the fault is over
    users: int


LONG = os.environ.get("CYMUNED_SOAK") == "1"
PLAN = (
    Plan(load_s=60, lead_s=15, outage_s=10, tail_s=20, users=12)
    if LONG
    else Plan(load_s=3, lead_s=1.5, outage_s=2.5, tail_s=2.5, users=8)
)
USERS = {
    "leader": {Role.LEADER: ALL_COUNTIES},
    "engagement": {Role.ENGAGEMENT: ALL_COUNTIES},
    "coordinator": {Role.COORDINATOR: ALL_COUNTIES},
}
# Five points in each community, kept where a county covers them too (the API refuses
# the rest), seeded so runs compare.
POINTS = text(
    "SELECT ST_Y(p) AS lat, ST_X(p) AS lon FROM (SELECT (ST_Dump("
    "ST_GeneratePoints(geom, 5, 7))).geom AS p FROM communities) s "
    "WHERE EXISTS (SELECT FROM counties k WHERE ST_Covers(k.geom, s.p))"
)


@pytest.fixture(scope="package")
async def soak_cluster() -> AsyncIterator[LocalCluster]:
    ensure_postgis()
    root = Path(tempfile.mkdtemp(prefix="cymuned-soak-"))
    cluster = LocalCluster(root, free_port(), throwaway=True)
    await asyncio.to_thread(cluster.start)
    try:
        yield cluster
    finally:
        cluster.destroy()


async def _fill(url: str) -> None:
    """Migrations and the real region."""
    await asyncio.to_thread(upgrade, url)  # it runs an event loop of its own
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        settings = Settings(env="development", _env_file=None)
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        await session.commit()
    await engine.dispose()


@pytest.fixture(scope="package")
async def soak_server(soak_cluster: LocalCluster, tmp_path_factory) -> AsyncIterator[ApiServer]:
    env = {
        "CYMUNED_ENV": "test",
        "CYMUNED_DATABASE_URL": soak_cluster.url(),
        "CYMUNED_JWT_SECRET": TEST_SECRET,
        "CYMUNED_MEDIA_DIR": str(tmp_path_factory.mktemp("soak-media")),
        # The phones all come from 127.0.0.1: the limits are another test's business.
        "CYMUNED_RATE_LIMIT_PER_ADDRESS": "1000000000",
        "CYMUNED_RATE_LIMIT_PER_USER": "1000000000",
    }
    server = ApiServer(env)
    try:
        # The workers take seconds to import the app: fill the database meanwhile.
        await _fill(soak_cluster.url())
        yield await asyncio.to_thread(server.start)
    finally:
        await asyncio.to_thread(server.stop)
        problems = server.problems()
        print(f"\nThe server logged {len(problems)} lines beyond INFO", *problems[:40], sep="\n")


@pytest.fixture
async def soak_client(soak_server: ApiServer) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=PLAN.users * 2)
    async with httpx.AsyncClient(base_url=soak_server.url, limits=limits) as client:
        yield client


@pytest.fixture(scope="package")
async def accounts(soak_cluster: LocalCluster, soak_server: ApiServer) -> Accounts:
    engine = make_engine(soak_cluster.url())
    async with make_sessionmaker(engine)() as session:
        for name, roles in USERS.items():
            await make_user(session, f"{name}@soak.example.org", roles)
        await session.commit()
        points = [(r.lat, r.lon) for r in await session.execute(POINTS)]
        counties = list(await session.scalars(text("SELECT code FROM counties ORDER BY code")))
    await engine.dispose()
    async with httpx.AsyncClient(base_url=soak_server.url) as client:
        tokens = {
            name: (await sign_in(client, f"{name}@soak.example.org"))["accessToken"]
            for name in USERS
        }
        campaign = await create_campaign(client, tokens["coordinator"])
    return Accounts(**tokens, campaign_id=campaign["id"], points=points, county_codes=counties)


@pytest.fixture
def workload(soak_client: httpx.AsyncClient, accounts: Accounts) -> Workload:
    return Workload(soak_client, accounts, seed=7)


async def connect(cluster: LocalCluster) -> asyncpg.Connection:
    """A plain connection to the soak database, for looking at its tables."""
    url = make_url(cluster.url()).set(drivername="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))
