"""Assets against a peer: the API and tipg (an OGC API Features and vector-tile server for
PostGIS on FastAPI + asyncpg) serving the same public assets from the same database, with
the raw-SQL floor beside them, measured side by side in one run.

  100 features in a box as GeoJSON: REST export, GraphQL assets(bbox)  vs  tipg items
  vector tiles at z8, z12 and z15: /tiles/assets                       vs  tipg tiles

tipg reads a view holding exactly what the public may see (VERIFIED, not INDIVIDUAL, at the
displayed point), so both answer with the same features. It is installed into its own
virtualenv, `.venv-tipg/` (made on the first run), never into the project's. Every server
listens on 127.0.0.1 only, in its own process, and is stopped at the end. Responses are
requested uncompressed from all of them (the floor does not compress).
Run: .venv/bin/python bench/peer.py [--assets 100000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from assets import BBOX, BBOX_QUERY, PUBLIC, TILES, seed, serve_floor, server
from harness import Timing, alternate, bench_database, serving

from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TIPG_VENV = ROOT / ".venv-tipg"
TIPG_REQUIREMENTS = ("tipg>=1.6,<2", "uvicorn>=0.30,<1")
COLLECTION = "peer.assets"
PAGE = 100
TILE_CAP = Settings.model_fields["asset_tile_feature_cap"].default

# What the public may see, as tipg's collection: one row per feature, the displayed point.
COLUMNS = """a.id, a.name_en, a.name_cy, a.description, a.category, a.status, a.tags,
  a.county_code, a.community_id, a.address, a.postcode, a.contact_name, a.contact_phone,
  a.contact_email, a.website, a.opening_times, a.accessibility, a.languages, a.wellbeing,
  a.source, a.attribution, a.updated_at"""
VIEW = f"""
CREATE SCHEMA peer;
CREATE VIEW peer.assets AS SELECT {COLUMNS}, a.display_geom AS geom
FROM public.assets a WHERE {PUBLIC}"""
# The floor: the same features from one statement, turned into GeoJSON by orjson.
FLOOR_FEATURES = f"""
SELECT {COLUMNS}, ST_Y(a.display_geom) AS lat, ST_X(a.display_geom) AS lon FROM assets a
WHERE {PUBLIC} AND a.display_geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY a.id LIMIT $5"""

TARGETS = {
    "REST /exports/assets.geojson": "<= 0.5x tipg, <= 1.2x floor",
    "GraphQL assets(bbox)": "<= 3x floor (stretch 2x)",
    "API /tiles/assets": "<= 1x tipg, <= 1.2x floor",
}


# --- tipg, in its own virtualenv ---------------------------------------------------------


def tipg_venv() -> Path:
    """`.venv-tipg/`, made and filled on the first run (again if the requirements change)."""
    stamp = TIPG_VENV / ".installed"
    wanted = "\n".join(TIPG_REQUIREMENTS)
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"Installing {', '.join(TIPG_REQUIREMENTS)} into {TIPG_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TIPG_VENV)], check=True)
        pip = [str(TIPG_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, *TIPG_REQUIREMENTS], check=True)
        stamp.write_text(wanted)
    return TIPG_VENV


def tipg_server(url: str) -> Any:
    """tipg serving only the `peer` schema; catalogue read once at start-up."""
    confid = COLLECTION.replace(".", "_")
    env = {
        "DATABASE_URL": url.replace("postgresql+asyncpg", "postgresql"),
        "TIPG_DB_SCHEMAS": '["peer"]',
        f"TIPG_TABLE_CONFIG__{confid}__PK": "id",
        f"TIPG_TABLE_CONFIG__{confid}__GEOMCOL": "geom",
        "TIPG_CATALOG_TTL": "0",
        "TIPG_MAX_FEATURES_PER_TILE": str(TILE_CAP),
    }
    uvicorn = str(tipg_venv() / "bin" / "uvicorn")
    command = [uvicorn, "tipg.main:app", "--host", "127.0.0.1", "--port", "{port}"]
    return serving([*command, "--log-level", "warning"], "/healthz", env)


# --- the floor: bench/assets.py's, with one more route -----------------------------------


async def floor_features(conn: Any, query: dict[str, str]) -> tuple[bytes, bytes]:
    rows = await conn.fetch(FLOOR_FEATURES, *(float(query[k]) for k in "wsen"), int(query["l"]))
    features = []
    for row in rows:
        properties = dict(row)
        lat, lon = properties.pop("lat"), properties.pop("lon")
        features.append(
            {
                "type": "Feature",
                "id": properties["id"],
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": properties,
            }
        )
    # asyncpg's UUIDs are not uuid.UUID, which orjson writes itself.
    body = orjson.dumps({"type": "FeatureCollection", "features": features}, default=str)
    return body, b"application/geo+json"


# --- data --------------------------------------------------------------------------------


async def prepare(url: str, n: int) -> tuple[int, str]:
    """Seed as bench/assets.py does, add the view; (public features, machine description)."""
    import asyncpg

    await seed(url, n)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(VIEW)
        public = await conn.fetchval("SELECT count(*) FROM peer.assets")
        versions = await conn.fetchval(
            "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version()"
        )
    finally:
        await conn.close()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    machine = (
        f"{os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
        f"PostgreSQL {versions}, load average {load}"
    )
    return public, machine


# --- the run -----------------------------------------------------------------------------


def print_table(title: str, timings: list[Timing]) -> None:
    """Medians, each against the floor and tipg of the same group, and the target."""
    floor = next(t for t in timings if t.name.startswith("floor")).median_ms
    tipg = next(t for t in timings if t.name.startswith("tipg")).median_ms
    print(f"\n{title}")
    print(f"{'':<40}{'median ms':>10}{'x floor':>9}{'x tipg':>8}  target")
    for t in timings:
        target = next((v for k, v in TARGETS.items() if t.name.startswith(k)), "")
        ms = t.median_ms
        print(f"{t.name:<40}{ms:>10.2f}{ms / floor:>9.2f}{ms / tipg:>8.2f}  {target}")


async def measure(api: str, floor: str, tipg: str, rounds: int) -> None:
    async with httpx.AsyncClient(timeout=120, headers={"Accept-Encoding": "identity"}) as client:

        async def get(url: str, **params: Any) -> httpx.Response:
            response = await client.get(url, params=params)
            assert response.status_code == 200, (url, response.status_code, response.text[:300])
            return response

        def getter(url: str, **params: Any) -> Callable[[], Awaitable[httpx.Response]]:
            return lambda: get(url, **params)

        w, s, e, n = BBOX
        box = f"{w},{s},{e},{n}"
        graphql_body = {"query": BBOX_QUERY, "variables": {"w": w, "s": s, "e": e, "n": n}}

        async def graphql() -> None:
            response = await client.post(f"{api}/graphql", json=graphql_body)
            assert "errors" not in response.json(), response.text[:300]

        features = {
            "floor: asyncpg + orjson": getter(f"{floor}/features", w=w, s=s, e=e, n=n, l=PAGE),
            "REST /exports/assets.geojson": getter(
                f"{api}/exports/assets.geojson", bbox=box, limit=PAGE
            ),
            "tipg /collections/…/items": getter(
                f"{tipg}/collections/{COLLECTION}/items", bbox=box, limit=PAGE, f="geojson"
            ),
        }
        # The same features, in the same order (by id), from all three.
        answers = {name: (await run()).json()["features"] for name, run in features.items()}
        ids = {name: [str(f["id"]) for f in found] for name, found in answers.items()}
        assert len(set(map(tuple, ids.values()))) == 1, "the three sent different features"
        assert len(next(iter(ids.values()))) == PAGE
        await graphql()
        contenders = [*features.items(), ("GraphQL assets(bbox), 100", graphql)]
        timings = await alternate(contenders, rounds)
        print_table(f"{PAGE} features in a box as GeoJSON (GraphQL: a page of 100)", timings)

        for z, x, y in TILES:
            tiles = [
                (f"floor: raw ST_AsMVT z{z}", getter(f"{floor}/tile/{z}/{x}/{y}")),
                (f"API /tiles/assets z{z}", getter(f"{api}/tiles/assets/{z}/{x}/{y}.mvt")),
                (
                    f"tipg /collections/…/tiles z{z}",
                    getter(
                        f"{tipg}/collections/{COLLECTION}/tiles/WebMercatorQuad/{z}/{x}/{y}",
                        properties="id,name_en,name_cy,category",
                    ),
                ),
            ]
            timings = await alternate(tiles, rounds)
            print_table(f"Vector tile z{z}/{x}/{y} (at most {TILE_CAP:,} features)", timings)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-floor":
        serve_floor(sys.argv[2], int(sys.argv[3]), {"features": floor_features})
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=100_000, help="synthetic assets")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    tipg_venv()
    with bench_database() as url:
        started = time.perf_counter()
        public, machine = asyncio.run(prepare(url, args.assets))
        print(
            f"Seeded about {args.assets:,} synthetic assets ({public:,} public) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        print(f"Machine: {machine}")
        with (
            server("api", url) as api,
            server("floor", url, __file__) as floor,
            tipg_server(url) as tipg,
        ):
            asyncio.run(measure(api, floor, tipg, args.rounds))


if __name__ == "__main__":
    main()
