"""Assets, end to end over HTTP on loopback: the API against a floor serving the same SQL
from a minimal asyncpg + orjson endpoint, measured side by side in one run.

  assets(near) and assets(bbox), 100 per page, GraphQL  vs  the same SQL, raw
  map tiles at z8, z12 and z15                          vs  raw ST_AsMVT
  syncAssets with 200 new items                         vs  one multi-row INSERT

Both servers listen on 127.0.0.1 only, each in its own process, and are stopped at the end.
Responses are requested uncompressed from both (the floor does not compress).
Run: .venv/bin/python bench/assets.py [--assets 100000|1000000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from harness import alternate, bench_database, print_table, serving

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"
EMAIL, PASSWORD = "bench@example.org", "bench password that is long enough"
# Where the lists are read: around Carmarthen, and a box over Llanelli and Carmarthen.
CENTRE = (51.8576, -4.3121)
RADIUS_M = 5_000
BBOX = (-4.40, 51.65, -4.05, 51.90)


def tile_at(lat: float, lon: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


# Tiles over Carmarthen at three zooms.
TILES = [tile_at(*CENTRE, z) for z in (8, 12, 15)]

NEAR_QUERY = """query Near($lat: Float!, $lon: Float!, $r: Float!) {
  assets(filter: {near: {lat: $lat, lon: $lon, radiusM: $r}}, first: 100) {
    edges { node { id nameEn category location { lat lon } distanceM } }
  }
}"""
BBOX_QUERY = """query Box($w: Float!, $s: Float!, $e: Float!, $n: Float!) {
  assets(filter: {bbox: {west: $w, south: $s, east: $e, north: $n}}, first: 100) {
    edges { node { id nameEn category location { lat lon } distanceM } }
  }
}"""
SYNC_MUTATION = """mutation Sync($input: [AssetInput!]!) {
  syncAssets(input: $input) { results { id status asset { id version } } }
}"""

# The floor: the statements the API sends, without the API around them.
PUBLIC = "a.status = 'VERIFIED' AND a.category <> 'INDIVIDUAL'"
COLUMNS = "a.id, a.name_en, a.category, ST_Y(a.display_geom), ST_X(a.display_geom)"
FLOOR_NEAR = f"""
SELECT {COLUMNS},
       ST_Distance(a.display_geom::geography, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography)
         AS d
FROM assets a
WHERE {PUBLIC} AND a.display_geom && ST_MakeEnvelope($4, $5, $6, $7, 4326)
  AND ST_DWithin(a.display_geom::geography, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography, $3)
ORDER BY d, a.id LIMIT 101"""
FLOOR_BBOX = f"""
SELECT {COLUMNS}, NULL FROM assets a
WHERE {PUBLIC} AND a.display_geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY a.id LIMIT 101"""
FLOOR_TILE = f"""
SELECT ST_AsMVT(t, 'assets', 4096, 'geom') FROM (
  SELECT a.id::text AS id, coalesce(a.name_en, a.name_cy) AS name, a.name_cy, a.category,
         ST_AsMVTGeom(ST_Transform(a.display_geom, 3857), ST_TileEnvelope($1, $2, $3)) AS geom
  FROM assets a
  WHERE {PUBLIC} AND a.display_geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)
  LIMIT $4) t"""
FLOOR_INSERT = """
INSERT INTO assets (id, name_en, category, tags, geom, display_geom, accuracy_m, languages,
  wellbeing, status, county_code, community_id, source, fingerprint, version, created_at,
  updated_at)
SELECT v.id, v.name_en, v.category, '{}', p.geom, p.geom, v.accuracy_m, '{}', '{}', 'PENDING',
  (SELECT code FROM counties c WHERE ST_Covers(c.geom, p.geom) LIMIT 1),
  (SELECT id FROM communities c WHERE ST_Covers(c.geom, p.geom) LIMIT 1),
  'floor', md5(v.id::text), 1, now(), now()
FROM jsonb_to_recordset($1::jsonb)
  AS v(id uuid, name_en text, category text, lat float8, lon float8, accuracy_m float8),
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326) AS geom) p"""

# Synthetic assets, generated inside the default set's community polygons in proportion to
# their area, so each point's county and community are known without a spatial look-up:
# one INSERT ... SELECT in the database, nothing through the API.
SEED = """
WITH place AS (
  SELECT m.id, m.geom, m.area_m2, k.code FROM communities m
  JOIN community_sets s ON s.id = m.set_id AND s.is_default
  JOIN counties k ON k.id = m.county_id),
region AS (SELECT sum(area_m2) AS total FROM place),
points AS (
  SELECT place.id, place.code, (ST_Dump(ST_GeneratePoints(place.geom,
           greatest(1, round(CAST(:n AS bigint) * place.area_m2 / region.total))::int, 42))).geom
           AS p
  FROM place, region),
numbered AS (SELECT id, code, p, row_number() OVER () AS n FROM points)
INSERT INTO assets (id, name_en, category, tags, geom, display_geom, accuracy_m, languages,
  wellbeing, status, county_code, community_id, source, fingerprint, version, created_at,
  updated_at)
SELECT gen_random_uuid(), 'Synthetic asset ' || n,
  (ARRAY['ASSOCIATION','INSTITUTION','PHYSICAL','ECONOMIC','CULTURAL'])[1 + n % 5],
  ARRAY['bench'], p, p, 10, ARRAY['en'], ARRAY['CONNECT'],
  CASE WHEN n % 10 = 0 THEN 'PENDING' ELSE 'VERIFIED' END, code, id,
  'bench', md5(n::text), 1, now(), now()
FROM numbered"""

# How to recreate, and how to drop, the assets table's indexes (all but those of its
# constraints: the primary key stays) and foreign keys.
ASSET_INDEXES_AND_KEYS = """
SELECT indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = 'assets'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'assets'::regclass)
UNION ALL
SELECT format('ALTER TABLE assets ADD CONSTRAINT %I %s', conname, pg_get_constraintdef(oid))
FROM pg_constraint WHERE conrelid = 'assets'::regclass AND contype = 'f'"""
DROP_ASSET_INDEXES_AND_KEYS = """
SELECT format('ALTER TABLE assets DROP CONSTRAINT %I', conname)
FROM pg_constraint WHERE conrelid = 'assets'::regclass AND contype = 'f'
UNION ALL
SELECT format('DROP INDEX %I', indexname) FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = 'assets'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'assets'::regclass)"""


# --- the two servers (each run in its own process by this same script) --------------------


def serve_api(url: str, port: int) -> None:
    import uvicorn

    from api.app import create_app
    from api.serving import settle_collector
    from api.settings import Settings

    settings = Settings(
        env="development",
        database_url=url,
        jwt_secret=SECRET,
        # The run sends a few thousand requests a minute from one address.
        rate_limit_per_address=1_000_000,
        rate_limit_per_user=1_000_000,
        _env_file=None,
    )
    app = create_app(settings)
    settle_collector()  # as `api.main` does for production
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# A floor route of another benchmark: (connection, query string) -> (body, content type).
FloorRoute = Callable[[Any, dict[str, str]], Awaitable[tuple[bytes, bytes]]]


def serve_floor(url: str, port: int, routes: dict[str, FloorRoute] | None = None) -> None:
    """A minimal ASGI app: asyncpg pool, the SQL above (and any `routes` given), orjson;
    nothing else."""
    import asyncpg
    import uvicorn

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    pool: list[Any] = []
    extra = routes or {}

    async def send_body(send: Any, body: bytes, content_type: bytes) -> None:
        headers = [(b"content-type", content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def listing(rows: list[Any]) -> bytes:
        edges = [
            {
                "node": {
                    "id": str(r[0]),
                    "nameEn": r[1],
                    "category": r[2],
                    "location": {"lat": r[3], "lon": r[4]},
                    "distanceM": None if r[5] is None else round(r[5], 1),
                }
            }
            for r in rows[:100]
        ]
        return orjson.dumps({"data": {"assets": {"edges": edges}}})

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    pool.append(await asyncpg.create_pool(dsn, min_size=1, max_size=4))
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await pool[0].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"].strip("/").split("/")
        query = dict(p.split("=") for p in scope["query_string"].decode().split("&") if p)
        async with pool[0].acquire() as conn:
            if path[0] == "near":
                lat, lon, r = float(query["lat"]), float(query["lon"]), float(query["r"])
                box = near_box(lat, lon, r)
                rows = await conn.fetch(FLOOR_NEAR, lat, lon, r, *box)
                await send_body(send, listing(rows), b"application/json")
            elif path[0] == "bbox":
                rows = await conn.fetch(FLOOR_BBOX, *(float(query[k]) for k in "wsen"))
                await send_body(send, listing(rows), b"application/json")
            elif path[0] == "tile":
                z, x, y = (int(p) for p in path[1:4])
                data = await conn.fetchval(FLOOR_TILE, z, x, y, 5000)
                await send_body(send, bytes(data or b""), b"application/vnd.mapbox-vector-tile")
            elif path[0] == "insert":
                rows = orjson.loads(body)
                await conn.execute(FLOOR_INSERT, orjson.dumps(rows).decode())
                await send_body(send, b'{"ok":true}', b"application/json")
            elif path[0] in extra:
                await send_body(send, *await extra[path[0]](conn, query))
            else:
                await send_body(send, b"ok", b"text/plain")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def near_box(lat: float, lon: float, r: float) -> tuple[float, float, float, float]:
    # The same box the API's repository draws around the circle.
    dlat = r / 111_000 * 1.01
    dlon = r / (111_000 * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def server(kind: str, url: str, script: str = __file__) -> contextlib.AbstractContextManager[str]:
    """`script` (this one, or another bench that serves the same way) as a server process on
    127.0.0.1, stopped afterwards."""
    return serving(
        [sys.executable, script, f"--serve-{kind}", url, "{port}"],
        "/healthz" if kind == "api" else "/",
        {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


# --- data --------------------------------------------------------------------------------


async def seed(url: str, n: int) -> int:
    """About `n` synthetic assets and the bench's coordinator; how many were made."""
    from sqlalchemy import text

    from api.auth.principal import ALL_COUNTIES, Principal, Role
    from api.db import make_engine, make_sessionmaker
    from api.people import service as people
    from api.people.service import GrantInput, NewUser

    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        # A bulk load: the table's own indexes and foreign keys are dropped, the rows written
        # in one statement, then the same definitions (read from the catalogue) rebuilt once,
        # which is several times faster than maintaining them row by row.
        rebuild = [row[0] for row in await session.execute(text(ASSET_INDEXES_AND_KEYS))]
        for statement in (await session.execute(text(DROP_ASSET_INDEXES_AND_KEYS))).scalars():
            await session.execute(text(statement))
        made = (await session.execute(text(SEED), {"n": n})).rowcount
        for statement in rebuild:
            await session.execute(text(statement))
        admin = Principal(user_id=uuid.UUID(int=1), grants={Role.ADMIN: ALL_COUNTIES})
        await people.create_user(
            session,
            admin,
            NewUser(
                email=EMAIL,
                display_name="Bench",
                password=PASSWORD,
                roles=[GrantInput(Role.COORDINATOR, all_counties=True)],
            ),
        )
        await session.commit()
    async with engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("ANALYZE assets"))
    await engine.dispose()
    return made


# Points on land near the centre (the Tywi runs through Carmarthen, outside every county).
LAND = """
SELECT ST_Y(d.geom), ST_X(d.geom) FROM ST_Dump(ST_GeneratePoints(
  (SELECT ST_Intersection(geom, ST_Buffer(ST_SetSRID(ST_MakePoint($2, $1), 4326), 0.03))
   FROM counties ORDER BY geom <-> ST_SetSRID(ST_MakePoint($2, $1), 4326) LIMIT 1), 5000, 7)) d"""
LAND_POINTS: list[tuple[float, float]] = []


async def land_points(url: str) -> list[tuple[float, float]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return [tuple(r) for r in await conn.fetch(LAND, *CENTRE)]
    finally:
        await conn.close()


def sync_items(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "category": "ASSOCIATION",
            "nameEn": f"Bench group {i}",
            "location": {"lat": lat, "lon": lon, "accuracyM": 10.0},
        }
        for i, (lat, lon) in enumerate(random.sample(LAND_POINTS, n))
    ]


# --- the run -----------------------------------------------------------------------------


async def measure(api: str, floor: str, rounds: int) -> None:
    # Like with like: the floor does not compress, so neither side is asked to.
    async with httpx.AsyncClient(timeout=60, headers={"Accept-Encoding": "identity"}) as client:

        async def graphql(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.post(
                api + "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = response.json()
            assert "errors" not in body, body
            return body

        lat, lon = CENTRE
        near_vars = {"lat": lat, "lon": lon, "r": RADIUS_M}
        a = await graphql(NEAR_QUERY, near_vars)
        f = (await client.get(f"{floor}/near", params=near_vars)).json()
        assert len(a["data"]["assets"]["edges"]) == len(f["data"]["assets"]["edges"]) == 100
        w, s, e, n = BBOX
        box_vars = {"w": w, "s": s, "e": e, "n": n}
        timings = await alternate(
            [
                (
                    "floor: near, asyncpg + orjson",
                    lambda: client.get(f"{floor}/near", params=near_vars),
                ),
                ("GraphQL assets(near), 100", lambda: graphql(NEAR_QUERY, near_vars)),
                (
                    "floor: bbox, asyncpg + orjson",
                    lambda: client.get(f"{floor}/bbox", params=box_vars),
                ),
                ("GraphQL assets(bbox), 100", lambda: graphql(BBOX_QUERY, box_vars)),
            ],
            rounds,
        )
        print_table("List pages (100 per page)", timings[:2], timings[0].name)
        print_table("", timings[2:], timings[2].name)

        tile_contenders = []
        for z, x, y in TILES:
            tile_contenders += [
                (f"floor: raw ST_AsMVT z{z}", _getter(client, f"{floor}/tile/{z}/{x}/{y}")),
                (f"API /tiles/assets z{z}", _getter(client, f"{api}/tiles/assets/{z}/{x}/{y}.mvt")),
            ]
        timings = await alternate(tile_contenders, rounds)
        for i in range(0, len(timings), 2):
            print_table("Map tiles" if i == 0 else "", timings[i : i + 2], timings[i].name)

        login = await graphql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            {"e": EMAIL, "p": PASSWORD},
        )
        token = login["data"]["login"]["accessToken"]

        async def sync() -> None:
            body = await graphql(SYNC_MUTATION, {"input": sync_items(200)}, token)
            statuses = {r["status"] for r in body["data"]["syncAssets"]["results"]}
            assert statuses == {"CREATED"}, statuses

        async def insert() -> None:
            items = [
                {
                    "id": i["id"],
                    "name_en": i["nameEn"],
                    "category": i["category"],
                    "lat": i["location"]["lat"],
                    "lon": i["location"]["lon"],
                    "accuracy_m": i["location"]["accuracyM"],
                }
                for i in sync_items(200)
            ]
            response = await client.post(f"{floor}/insert", content=orjson.dumps(items))
            assert response.is_success

        timings = await alternate(
            [("floor: one multi-row INSERT, 200", insert), ("GraphQL syncAssets, 200", sync)],
            max(5, rounds // 3),
        )
        print_table("Writes (200 new assets per request)", timings, timings[0].name)


def _getter(client: httpx.AsyncClient, url: str) -> Any:
    async def get() -> None:
        response = await client.get(url)
        assert response.status_code == 200, response.text

    return get


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1].startswith("--serve-"):
        {"--serve-api": serve_api, "--serve-floor": serve_floor}[sys.argv[1]](
            sys.argv[2], int(sys.argv[3])
        )
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--assets",
        type=int,
        default=100_000,
        help="synthetic assets (the issue asks for 100000 and 1000000)",
    )
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with bench_database() as url:
        started = time.perf_counter()
        made = asyncio.run(seed(url, args.assets))
        print(f"Seeded {made:,} synthetic assets in {time.perf_counter() - started:.1f} s")
        LAND_POINTS.extend(asyncio.run(land_points(url)))
        with server("api", url) as api, server("floor", url) as floor:
            asyncio.run(measure(api, floor, args.rounds))


if __name__ == "__main__":
    main()
