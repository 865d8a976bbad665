"""`cymuned setup` (what `make run` does before serving) on an empty database, twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import func, select

from api.db import make_engine, make_sessionmaker
from api.people.models import User
from api.places.models import Community


def _setup(url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYMUNED_")}
    env.update(CYMUNED_DATABASE_URL=url, CYMUNED_ENV="development")
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(model))
    await engine.dispose()
    return count


async def test_setup_migrates_loads_and_makes_one_admin(scratch_url: str) -> None:
    first = await asyncio.to_thread(_setup, scratch_url)
    assert first.returncode == 0, first.stderr
    assert "First admin: admin@localhost  password: " in first.stdout
    assert "community_sets 2, communities 208" in first.stdout  # 50 MSOAs, 158 wards
    assert await _count(scratch_url, Community) == 208

    again = await asyncio.to_thread(_setup, scratch_url)
    assert again.returncode == 0, again.stderr
    assert "First admin" not in again.stdout  # reused, and the password is never shown again
    assert "regions 0, counties 0, lsoas 0, community_sets 0, communities 0, community_lsoas 0" in (
        again.stdout
    )
    assert await _count(scratch_url, User) == 1
