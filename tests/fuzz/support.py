"""What the fuzzers share: their example budget and the pool of ids seen so far."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.people.helpers import sign_in

SOAK = os.environ.get("CYMUNED_SOAK") == "1"


def fuzz_settings(examples: int, soak_examples: int) -> hypothesis_settings:
    """Few fixed examples in `make test`; many random ones in `make soak`."""
    return hypothesis_settings(
        max_examples=soak_examples if SOAK else examples,
        derandomize=not SOAK,
        database=None,
        deadline=None,
        print_blob=True,
        # A test's fixtures (its client, transaction, accounts) serve all of its examples.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


@asynccontextmanager
async def savepoint(connection: AsyncConnection) -> AsyncIterator[None]:
    """What an example writes is undone after it, so examples do not see each other's data."""
    nested = await connection.begin_nested()
    try:
        yield
    finally:
        await nested.rollback()


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class IdPool:
    """Ids the app has answered with, so generated arguments can name real records."""

    ids: list[str] = field(default_factory=list)
    never: set[str] = field(default_factory=set)

    def harvest(self, text: str) -> None:
        for found in UUID_TEXT.findall(text):
            if found not in self.never and found not in self.ids:
                self.ids.append(found)

    def pick(self, index: int) -> str:
        return self.ids[index % len(self.ids)] if self.ids else str(uuid.UUID(int=index))


@dataclass
class FuzzWorld:
    client: httpx.AsyncClient
    admin_token: str
    pool: IdPool

    async def fresh_token(self) -> str:
        """A new session for the same ADMIN."""
        return (await sign_in(self.client, ADMIN_EMAIL))["accessToken"]


ADMIN_EMAIL = "fuzz-admin@example.org"


SCHEMA_FILE = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"
