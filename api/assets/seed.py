"""The demo region's real points (libraries, GP practices, hospitals, pharmacies,
supermarkets from ../shared/geodata) as VERIFIED assets, written through the same
`sync_assets` a phone uses. Ids are derived from each source's own id, so loading again
changes nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.assets import service
from api.assets.drafts import POSTCODE, AssetDraft
from api.assets.models import Category, Status, WellbeingWay
from api.settings import Settings

NAMESPACE = uuid.UUID("5b0f3c1e-8d0c-4a57-9a55-0e6a43f0c0de")

OS_LIBRARIES = (
    "Contains OS data © Crown copyright and database right; library buildings via "
    "Libraries Hacked (librarydata-db, MIT)."
)
NHS_WALES = (
    "NHS Wales / StatsWales data via ruthikssha/rural-wales-service-accessibility "
    "(CC BY 4.0); check the upstream licence before publishing."
)
OSM = "© OpenStreetMap contributors (ODbL 1.0)."


@dataclass(frozen=True)
class PointSet:
    """One file of points and how its features become assets."""

    file: str
    source: str
    category: Category
    tags: tuple[str, ...]
    attribution: str
    id_of: Callable[[dict[str, Any]], str]
    names_of: Callable[[dict[str, Any]], tuple[str | None, str | None]]
    wellbeing: tuple[WellbeingWay, ...] = ()
    postcode_of: Callable[[dict[str, Any]], str | None] = lambda p: None


def _library_names(p: dict[str, Any]) -> tuple[str | None, str | None]:
    # OS names Welsh libraries "Cymraeg/English"; an unnamed building is still a library.
    name = p.get("name")
    if not name:
        return "Library", "Llyfrgell"
    if "/" in name:
        cy, en = (part.strip() for part in name.split("/", 1))
        return en, cy
    return name, None


def _named(key: str, fallback_en: str, fallback_cy: str) -> Callable[..., Any]:
    def names(p: dict[str, Any]) -> tuple[str | None, str | None]:
        return (p[key], None) if p.get(key) else (fallback_en, fallback_cy)

    return names


def _postcode(p: dict[str, Any]) -> str | None:
    code = " ".join(str(p.get("postcode") or "").upper().split())
    return code if POSTCODE.match(code) else None


POINT_SETS = (
    PointSet(
        "hywel_dda_library_buildings_os.geojson",
        "geodata:libraries",
        Category.INSTITUTION,
        ("library",),
        OS_LIBRARIES,
        lambda p: p["os_id"],
        _library_names,
        (WellbeingWay.KEEP_LEARNING, WellbeingWay.CONNECT),
    ),
    PointSet(
        "hywel_dda_gp_practices.geojson",
        "geodata:gp_practices",
        Category.INSTITUTION,
        ("gp", "health"),
        NHS_WALES,
        lambda p: p["gp_code"],
        _named("gp_name", "GP practice", "Meddygfa"),
    ),
    PointSet(
        "hywel_dda_hospitals.geojson",
        "geodata:hospitals",
        Category.INSTITUTION,
        ("hospital", "health"),
        NHS_WALES,
        lambda p: p["hospital_name"],
        _named("hospital_name", "Hospital", "Ysbyty"),
        postcode_of=_postcode,
    ),
    PointSet(
        "hywel_dda_pharmacies_osm.geojson",
        "geodata:pharmacies",
        Category.ECONOMIC,
        ("pharmacy", "health"),
        OSM,
        lambda p: p["id"],
        _named("name", "Pharmacy", "Fferyllfa"),
    ),
    PointSet(
        "hywel_dda_supermarkets_osm.geojson",
        "geodata:supermarkets",
        Category.ECONOMIC,
        ("supermarket", "food"),
        OSM,
        lambda p: p["id"],
        _named("name", "Supermarket", "Archfarchnad"),
    ),
)


def drafts_of(directory: Path, points: PointSet) -> Iterator[AssetDraft]:
    features = json.loads((directory / points.file).read_text())["features"]
    for feature in features:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        name_en, name_cy = points.names_of(props)
        yield AssetDraft(
            id=uuid.uuid5(NAMESPACE, f"{points.source}:{points.id_of(props)}"),
            category=points.category,
            lat=lat,
            lon=lon,
            name_en=name_en,
            name_cy=name_cy,
            tags=points.tags,
            postcode=points.postcode_of(props),
            wellbeing=points.wellbeing,
        )


async def seed_assets(
    session: AsyncSession, settings: Settings, directory: Path | None = None
) -> dict[str, Counter[str]]:
    """Load every point set; per set, how many items were CREATED, UNCHANGED, etc."""
    directory = directory or settings.geodata_dir
    tally: dict[str, Counter[str]] = {}
    for points in POINT_SETS:
        drafts = list(drafts_of(directory, points))
        counted: Counter[str] = Counter()
        for start in range(0, len(drafts), settings.asset_batch_max):
            outcomes = await service.sync_assets(
                session,
                service.SYSTEM,
                settings,
                drafts[start : start + settings.asset_batch_max],
                status=Status.VERIFIED,
                source=points.source,
                attribution=points.attribution,
            )
            counted.update(o.status.value for o in outcomes)
        tally[points.source] = counted
    return tally
