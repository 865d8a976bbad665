"""Loading the region into PostGIS: idempotent, and all-or-nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.db import RequestSession
from api.places import service as places
from api.places.models import Community, CommunityLsoa, County, Lsoa
from api.settings import Settings
from geodata.region import RegionData, RegionDataError, read_region


async def _counts(session: RequestSession) -> dict[str, int]:
    return {
        model.__tablename__: await session.scalar(select(func.count()).select_from(model))
        for model in (County, Lsoa, Community, CommunityLsoa)
    }


async def test_the_real_region_is_loaded(session: RequestSession) -> None:
    assert await _counts(session) == {
        "counties": 3,
        "lsoas": 229,
        "communities": 50,
        "community_lsoas": 229,
    }


async def test_loading_again_writes_nothing(session: RequestSession, region: RegionData) -> None:
    written = await places.load_region(session, region)
    assert written == {
        "regions": 0,
        "counties": 0,
        "lsoas": 0,
        "communities": 0,
        "community_lsoas": 0,
    }
    assert (await _counts(session))["communities"] == 50


async def test_a_changed_name_updates_only_that_row(
    session: RequestSession, region: RegionData
) -> None:
    renamed = region.communities[0].__class__(
        **{**region.communities[0].__dict__, "name_cy": "Enw newydd"}
    )
    changed = RegionData(**{**region.__dict__, "communities": [renamed, *region.communities[1:]]})
    written = await places.load_region(session, changed)
    assert written["communities"] == 1
    assert sum(written.values()) == 1
    name = await session.scalar(select(Community.name_cy).where(Community.code == renamed.code))
    assert name == "Enw newydd"


async def test_a_broken_file_loads_nothing(
    session: RequestSession, settings: Settings, tmp_path: Path
) -> None:
    directory = tmp_path / "geodata"
    shutil.copytree(settings.geodata_dir, directory)
    path = directory / "hywel_dda_msoa_2011.geojson"
    data = json.loads(path.read_text())
    data["features"][-1]["geometry"]["coordinates"] = [[[-4.0, 52.0], [-4.0, 52.0]]]
    path.chmod(0o644)
    path.write_text(json.dumps(data))
    before = await _counts(session)
    with pytest.raises(RegionDataError) as caught:
        await places.load_region(session, read_region(directory, settings.region))
    assert "hywel_dda_msoa_2011.geojson feature 50" in str(caught.value)
    assert await _counts(session) == before
