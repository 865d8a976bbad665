"""What every benchmark here shares: a throwaway PostGIS with the real region loaded, a
way to time competitors side by side (alternating, so drift in the machine hits both), and
a printed table of medians and ratios. Benchmarks are not tests: they print figures.

Run one with `.venv/bin/python bench/<name>.py`, or all with `make bench`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.db import make_engine, make_sessionmaker
from api.local_cluster import LocalCluster, ensure_postgis, free_port
from api.migrations import upgrade
from api.settings import Settings


@contextmanager
def bench_database() -> Iterator[str]:
    """A migrated throwaway cluster with the real region loaded; stopped afterwards."""
    ensure_postgis()
    cluster = LocalCluster(
        Path(tempfile.mkdtemp(prefix="cymuned-bench-")), free_port(), throwaway=True
    )
    cluster.start()
    try:
        url = cluster.url()
        upgrade(url)
        asyncio.run(_load_region(url))
        yield url
    finally:
        cluster.destroy()


async def _load_region(url: str) -> None:
    from api.places import service as places
    from geodata.region import read_region

    settings = Settings(env="development", _env_file=None)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        await session.commit()
    await engine.dispose()


@contextmanager
def serving(command: list[str], ready_path: str, env: dict[str, str]) -> Iterator[str]:
    """A server process listening on 127.0.0.1 at a free port (given to the command where
    it says `{port}`), with `env` added to this one's environment: its base URL once
    `ready_path` answers; stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command], env={**os.environ, **env}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + ready_path, timeout=1).is_success:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"{command[:3]} stopped before it answered")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{command[:3]} did not answer on {base}{ready_path}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Timing:
    name: str
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


async def alternate(
    contenders: Sequence[tuple[str, Callable[[], Awaitable[object]]]],
    rounds: int,
    warmup: int = 3,
) -> list[Timing]:
    """Run each contender once per round, in turn, after a few untimed warm-up rounds."""
    for _ in range(warmup):
        for _, run in contenders:
            await run()
    timings = [Timing(name, []) for name, _ in contenders]
    for _ in range(rounds):
        for timing, (_, run) in zip(timings, contenders, strict=True):
            start = time.perf_counter()
            await run()
            timing.seconds.append(time.perf_counter() - start)
    return timings


def print_table(title: str, timings: list[Timing], baseline: str) -> None:
    """Medians, and each one's ratio to the baseline measured in the same run."""
    floor = next(t for t in timings if t.name == baseline).median_ms
    print(f"\n{title}")
    print(f"{'':<44}{'median ms':>12}{'x ' + baseline:>20}")
    for t in timings:
        print(f"{t.name:<44}{t.median_ms:>12.2f}{t.median_ms / floor:>20.2f}")
