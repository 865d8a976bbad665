"""Bytes on the wire for each operation a phone sends (graphql/operations/): the request
as a full document and as a persisted-query hash, and the response as the server sends it
plain, to a client accepting gzip, and to one accepting brotli (which it compresses only
above 1 KB). Operations that need variables are sent with none, so their response is the (small)
error a phone would get; the request sizes are what matter for them.

    .venv/bin/python bench/wire.py
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx
import orjson
from harness import bench_database

from api.app import create_app
from api.db import make_engine, make_sessionmaker
from api.settings import Settings

OPERATIONS = Path(__file__).resolve().parent.parent / "graphql" / "operations"


ENCODINGS = ("identity", "gzip", "br")


async def measure(url: str) -> list[tuple[str, int, int, int, int, int]]:
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
            sizes = []
            for encoding in ENCODINGS:
                headers = {"content-type": "application/json", "accept-encoding": encoding}
                async with client.stream("POST", "/graphql", content=hashed, headers=headers) as r:
                    sizes.append(sum([len(chunk) async for chunk in r.aiter_raw()]))
            rows.append((path.stem, len(full), len(hashed), *sizes))
    await engine.dispose()
    return rows


def main() -> None:
    with bench_database() as url:
        rows = asyncio.run(measure(url))
    columns = ("request", "with APQ", "response", "gzip", "brotli")
    print(f"\n{'operation':<28}" + "".join(f"{c:>10}" for c in columns))
    for name, *sizes in rows:
        print(f"{name:<28}" + "".join(f"{n:>10}" for n in sizes))
    totals = [sum(r[i] for r in rows) for i in range(1, 6)]
    print(f"{'all':<28}" + "".join(f"{n:>10}" for n in totals))
    print("bytes as sent; responses are compressed over 1 KB when the client accepts it")


if __name__ == "__main__":
    main()
