"""Fuzzing through the real ASGI app: one transaction per module (rolled back at the end) so
what the generated requests create stays visible to the ones after them, a small world to
find (a campaign, conversations, assets, a grant round), and a pool of the ids seen so far
for the generated UUID arguments to draw from.

`make test` runs a few derandomized examples per operation (repeatable in CI); `make soak`
(CYMUNED_SOAK=1) runs many random ones.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.app import create_app
from api.auth import passwords
from api.auth.principal import ALL_COUNTIES, Role
from api.db import make_sessionmaker
from api.settings import Settings
from tests.conversations.helpers import QUESTIONS, conversation
from tests.fuzz.support import ADMIN_EMAIL, FuzzWorld, IdPool
from tests.grants.helpers import application_input, round_input
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, make_user, sign_in


@pytest.fixture(scope="module")
def cheap_hashing() -> Iterator[None]:
    # Generated createUser/login calls hash passwords; argon2 at full cost would dominate.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        yield


@pytest.fixture(scope="module")
async def fuzz_connection(engine: AsyncEngine, region: Any) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        await outer.rollback()


def _unlimited(settings: Settings, media_dir: Path) -> Settings:
    # Rate limits would turn most generated requests into 429s and test nothing else.
    return settings.model_copy(
        update={
            "media_dir": media_dir,
            "rate_limit_per_address": 1_000_000,
            "rate_limit_per_user": 1_000_000,
            "login_max_failures_per_address": 1_000_000,
        }
    )


@pytest.fixture(scope="module")
def fuzz_app(
    settings: Settings, fuzz_connection: AsyncConnection, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    media = tmp_path_factory.mktemp("fuzz-media")
    return create_app(_unlimited(settings, media), make_sessionmaker(fuzz_connection))


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection, tmp_path: Path) -> Any:
    """The property tests' app: their own transaction, without rate limits."""
    return create_app(_unlimited(settings, tmp_path / "media"), make_sessionmaker(connection))


@pytest.fixture(scope="module")
async def fuzz_world(
    fuzz_app: Any, fuzz_connection: AsyncConnection, cheap_hashing: None
) -> AsyncIterator[FuzzWorld]:
    transport = httpx.ASGITransport(app=fuzz_app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with make_sessionmaker(fuzz_connection)() as session:
            admin = await make_user(session, ADMIN_EMAIL, {Role.ADMIN: ALL_COUNTIES})
            await make_user(session, "fuzz-leader@example.org", {Role.LEADER: {CARMARTHENSHIRE}})
            await session.commit()
        token = (await sign_in(client, ADMIN_EMAIL))["accessToken"]
        # The fuzzers must not deactivate or demote the account they sign in with.
        pool = IdPool(never={str(admin.id)})
        world = FuzzWorld(client, token, pool)
        await _arrange(world)
        yield world


async def _arrange(world: FuzzWorld) -> None:
    """Something of each kind for generated ids to find."""

    async def call(name: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = await gql(world.client, operation(name), variables, token=world.admin_token)
        world.pool.harvest(str(body))
        return body["data"]

    campaign = await call(
        "CreateCampaign", {"input": {"nameEn": "Fuzz", "nameCy": "Fuzz", "questions": QUESTIONS}}
    )
    campaign_id = campaign["createCampaign"]["campaign"]["id"]
    await call("RecordConversations", {"input": [conversation(campaign_id) for _ in range(2)]})
    await call(
        "SyncAssets",
        {
            "input": [
                {
                    "id": str(uuid.uuid4()),
                    "category": "ASSOCIATION",
                    "nameEn": "Walking group",
                    "location": {"lat": 51.8576, "lon": -4.3121, "accuracyM": 10.0},
                }
            ]
        },
    )
    await call("Users", {})
    communities = await call("Communities", {"countyCode": CARMARTHENSHIRE, "first": 5})
    community_id = communities["communities"]["edges"][0]["node"]["id"]
    grant_round = await call("CreateGrantRound", {"input": round_input()})
    await call(
        "CreateGrantApplication",
        {
            "roundId": grant_round["createGrantRound"]["round"]["id"],
            "input": application_input(community_id),
        },
    )
