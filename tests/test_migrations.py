"""Migrations: upgrade on an empty database, downgrade to nothing, and /readyz noticing."""

from __future__ import annotations

import asyncio

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import make_engine
from api.migrations import downgrade, head_revisions, upgrade
from api.settings import Settings
from tests.scratch import clients_on


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        tables = set(rows.scalars().all())
    await engine.dispose()
    return tables


async def _ready(settings: Settings, url: str) -> int:
    async with clients_on(url, settings, 1) as [client]:
        return (await client.get("/readyz")).status_code


async def test_upgrade_downgrade_upgrade(scratch_url: str, settings: Settings) -> None:
    # Alembic's env runs its own event loop, so it runs in a thread beside this one.
    await asyncio.to_thread(upgrade, scratch_url)
    assert {"counties", "communities", "lsoas", "users", "audit_log", "alembic_version"} <= (
        await _tables(scratch_url)
    )
    assert await _ready(settings, scratch_url) == 200

    await asyncio.to_thread(downgrade, scratch_url, "0002")
    assert "users" not in await _tables(scratch_url)
    assert await _ready(settings, scratch_url) == 503  # schema behind the code

    await asyncio.to_thread(downgrade, scratch_url, "base")
    assert await _tables(scratch_url) == {"alembic_version"}

    await asyncio.to_thread(upgrade, scratch_url)
    assert "users" in await _tables(scratch_url)


def _drift(connection: Connection) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from geoalchemy2 import alembic_helpers

    from api.db import Base
    from api.models import import_all_models

    import_all_models()
    context = MigrationContext.configure(
        connection, opts={"include_object": alembic_helpers.include_object}
    )
    return compare_metadata(context, Base.metadata)


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    """A model changed without a migration (or the reverse) shows up here."""
    async with engine.connect() as conn:
        drift = await conn.run_sync(_drift)
    assert drift == []


def test_one_head() -> None:
    """Migrations written side by side are merged, so `alembic upgrade head` works for operators."""
    assert len(head_revisions()) == 1
