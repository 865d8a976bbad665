"""One PostGIS for the whole run, migrated and loaded with the real region once; every test
runs inside a transaction that is rolled back, through the real ASGI app."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from api.app import create_app
from api.db import RequestSession, make_engine, make_sessionmaker
from api.local_cluster import LocalCluster, ensure_postgis, free_port
from api.migrations import upgrade
from api.settings import Settings

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    given = os.environ.get("CYMUNED_TEST_DATABASE_URL")
    if given:
        yield given
        return
    ensure_postgis()
    cluster = LocalCluster(
        Path(tempfile.mkdtemp(prefix="cymuned-test-")), free_port(), throwaway=True
    )
    cluster.start()
    try:
        yield cluster.url()
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, jwt_secret=TEST_SECRET, _env_file=None)


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
async def engine(migrated: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def region(engine: AsyncEngine, settings: Settings) -> Any:
    """The real region from the geodata directory, loaded (and committed) once."""
    from api.places import service as places
    from geodata.region import read_region

    data = read_region(settings.geodata_dir, settings.region)
    async with make_sessionmaker(engine)() as session:
        await places.load_region(session, data)
        await session.commit()
    return data


@pytest.fixture
async def connection(engine: AsyncEngine, region: Any) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        await outer.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[RequestSession]:
    """A session in the test's transaction, for arranging data and checking results."""
    async with make_sessionmaker(connection)() as s:
        yield s


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """Where the test's app keeps photos: a directory of the test's own."""
    return tmp_path / "media"


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection, media_dir: Path) -> Any:
    return create_app(
        settings.model_copy(update={"media_dir": media_dir}), make_sessionmaker(connection)
    )


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(connection: AsyncConnection) -> Iterator[StatementCounter]:
    """Counts the SQL statements sent on the test's connection (savepoints excluded)."""
    counter = StatementCounter()
    target = connection.sync_connection
    event.listen(target, "before_cursor_execute", counter)
    yield counter
    event.remove(target, "before_cursor_execute", counter)


SCRATCH = "cymuned_scratch"


@pytest.fixture
async def scratch_url(engine: AsyncEngine) -> AsyncIterator[str]:
    """An empty database beside the test one, dropped afterwards."""
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        await conn.execute(text(f"CREATE DATABASE {SCRATCH}"))
    yield make_url(engine.url).set(database=SCRATCH).render_as_string(hide_password=False)
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
