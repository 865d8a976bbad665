"""Bytes on the wire for each operation a phone sends (graphql/operations/): the request
as a full document and as a persisted-query hash, and the response plain and gzipped.
Operations that need variables are sent with none, so their response is the (small)
error a phone would get; the request sizes are what matter for them.

    .venv/bin/python bench/wire.py
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from pathlib import Path

import httpx
import orjson
from harness import bench_database

from api.app import create_app
from api.db import make_engine, make_sessionmaker
from api.settings import Settings

OPERATIONS = Path(__file__).resolve().parent.parent / "graphql" / "operations"


async def measure(url: str) -> list[tuple[str, int, int, int, int]]:
    engine = make_engine(url)
    settings = Settings(env="test", database_url=url, jwt_secret="x" * 48, _env_file=None)
    app = create_app(settings, make_sessionmaker(engine))
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for path in sorted(OPERATIONS.glob("*.graphql")):
            document = path.read_text()
            digest = hashlib.sha256(document.encode()).hexdigest()
            full = orjson.dumps({"query": document})
            hashed = orjson.dumps(
                {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
            )
            response = await client.post(
                "/graphql", content=hashed, headers={"content-type": "application/json"}
            )
            body = response.content
            rows.append((path.stem, len(full), len(hashed), len(body), len(gzip.compress(body))))
    await engine.dispose()
    return rows


def main() -> None:
    with bench_database() as url:
        rows = asyncio.run(measure(url))
    print(f"\n{'operation':<28}{'request':>10}{'with APQ':>10}{'response':>10}{'gzipped':>10}")
    for name, full, hashed, body, zipped in rows:
        print(f"{name:<28}{full:>10}{hashed:>10}{body:>10}{zipped:>10}")
    totals = [sum(r[i] for r in rows) for i in range(1, 5)]
    print(f"{'all':<28}{totals[0]:>10}{totals[1]:>10}{totals[2]:>10}{totals[3]:>10}")
    print("bytes; gzip applies to responses over 1 KB when the client accepts it")


if __name__ == "__main__":
    main()
