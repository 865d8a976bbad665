"""The `cymuned` command: set up and run the service, load a region, make the first admin."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from api.db import RequestSession, make_engine, make_sessionmaker
from api.local_cluster import LocalCluster, ensure_postgis
from api.settings import LOCAL_DATA_DIR, LOCAL_PG_PORT, Settings, get_settings

T = TypeVar("T")


def _local_cluster() -> LocalCluster:
    return LocalCluster(LOCAL_DATA_DIR, LOCAL_PG_PORT)


def database_up(settings: Settings) -> None:
    """Make sure there is a database: the configured one, or the project-local cluster."""
    if settings.database_url:
        return
    ensure_postgis()
    _local_cluster().start()


def migrate(settings: Settings) -> None:
    from api.migrations import upgrade

    upgrade(settings.resolved_database_url())


async def _in_transaction(settings: Settings, work: Callable[[RequestSession], Awaitable[T]]) -> T:
    engine = make_engine(settings.resolved_database_url())
    try:
        async with make_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def load_region(
    settings: Settings, directory: Path | None = None, region: str | None = None
) -> None:
    from api.places import service as places
    from geodata.region import RegionDataError, read_region

    directory = directory or settings.geodata_dir
    try:
        data = read_region(directory, region or settings.region)
    except RegionDataError as exc:
        sys.exit(str(exc))
    written = asyncio.run(_in_transaction(settings, lambda s: places.load_region(s, data)))
    summary = ", ".join(f"{table} {count}" for table, count in written.items())
    print(f"Region {data.name_en} from {directory}: rows written: {summary}.")


def first_admin(settings: Settings, email: str | None, password: str | None) -> None:
    from api.errors import DomainError
    from api.people import service as people

    try:
        made = asyncio.run(
            _in_transaction(
                settings,
                lambda s: people.ensure_first_admin(
                    s, email or settings.admin_email, password or settings.admin_password
                ),
            )
        )
    except DomainError as exc:
        sys.exit(f"Cannot make the first admin: {exc.message}")
    if made is None:
        return
    made_email, generated = made
    if generated:
        print(f"First admin: {made_email}  password: {generated}  (shown once: keep it safe)")
    else:
        print(f"First admin: {made_email}")


def seed_assets(settings: Settings) -> None:
    from api.assets.seed import seed_assets as seed

    tally = asyncio.run(_in_transaction(settings, lambda s: seed(s, settings)))
    for source, counted in tally.items():
        print(f"Assets from {source}: " + ", ".join(f"{k} {n}" for k, n in sorted(counted.items())))


def recount_theme_tallies(settings: Settings) -> None:
    from api.conversations import theme_tallies

    counted = asyncio.run(_in_transaction(settings, theme_tallies.recount))
    print(f"Theme tallies recounted from the codings; campaigns: {counted}.")


def setup(settings: Settings) -> None:
    database_up(settings)
    migrate(settings)
    load_region(settings)
    seed_assets(settings)  # cheap, and a second run changes nothing
    first_admin(settings, None, None)


def _development_secret() -> str:
    """Development keeps one JWT secret under .data/, so tokens survive a restart."""
    path = LOCAL_DATA_DIR / "jwt-secret"
    if not path.exists():
        LOCAL_DATA_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    if settings.env == "development" and "CYMUNED_JWT_SECRET" not in os.environ:
        os.environ["CYMUNED_JWT_SECRET"] = _development_secret()
    get_settings.cache_clear()
    from api.request_id import configure_logging

    configure_logging()
    print(f"Cymuned on http://{host}:{port}/graphql (GraphiQL in a browser)")
    uvicorn.run("api.main:app", host=host, port=port, log_config=None)


def print_schema() -> None:
    from api.schema import build_schema

    print(build_schema(Settings(env="development", _env_file=None)).as_str())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="cymuned", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="database up, migrations, region, first admin")
    run = commands.add_parser("serve", help="serve the API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    db = commands.add_parser("db", help="the project-local PostgreSQL cluster")
    db.add_argument("action", choices=["start", "stop", "url"])
    commands.add_parser("migrate", help="apply database migrations")
    load = commands.add_parser("load-region", help="load a region's boundaries and figures")
    load.add_argument("--dir", type=Path, help="geodata directory (default: setting)")
    load.add_argument("--region", help="region manifest name or path (default: setting)")
    admin = commands.add_parser("create-admin", help="make the first admin if there is none")
    admin.add_argument("--email")
    admin.add_argument("--password")
    commands.add_parser("print-schema", help="print the GraphQL schema (SDL)")
    commands.add_parser("seed-assets", help="load the region's open-data points as assets")
    commands.add_parser(
        "recount-theme-tallies", help="rebuild the theme report's tallies from the codings"
    )
    args = parser.parse_args(argv)

    if args.command == "print-schema":
        print_schema()
        return
    try:
        settings = get_settings()
    except ValidationError as exc:
        sys.exit(f"The configuration is not usable:\n{exc}")
    if args.command == "setup":
        setup(settings)
    elif args.command == "serve":
        serve(settings, args.host, args.port)
    elif args.command == "db":
        cluster = _local_cluster()
        if args.action == "start":
            database_up(settings)
        elif args.action == "stop":
            cluster.stop()
        else:
            print(settings.resolved_database_url())
    elif args.command == "migrate":
        migrate(settings)
    elif args.command == "load-region":
        load_region(settings, args.dir, args.region)
    elif args.command == "seed-assets":
        seed_assets(settings)
    elif args.command == "recount-theme-tallies":
        recount_theme_tallies(settings)
    elif args.command == "create-admin":
        first_admin(settings, args.email, args.password)


if __name__ == "__main__":
    main()
