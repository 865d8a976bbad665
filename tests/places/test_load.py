"""Loading the region into PostGIS: idempotent, and all-or-nothing."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.db import RequestSession
from api.places import service as places
from api.places.models import Community, CommunityLsoa, CommunitySet, County, Lsoa
from api.settings import Settings
from geodata.region import RegionData, RegionDataError, read_region


async def _counts(session: RequestSession) -> dict[str, int]:
    return {
        model.__tablename__: await session.scalar(select(func.count()).select_from(model))
        for model in (County, Lsoa, CommunitySet, Community, CommunityLsoa)
    }


async def test_the_real_region_is_loaded(session: RequestSession) -> None:
    assert await _counts(session) == {
        "counties": 3,
        "lsoas": 229,
        "community_sets": 2,
        "communities": 50 + 158,  # MSOAs and wards
        "community_lsoas": 229 * 2,  # every LSOA in exactly one community of each set
    }


async def test_loading_again_writes_nothing(session: RequestSession, region: RegionData) -> None:
    written = await places.load_region(session, region)
    assert set(written.values()) == {0}
    assert (await _counts(session))["communities"] == 208


async def test_a_changed_name_updates_only_that_row_and_bumps_its_version(
    session: RequestSession, region: RegionData
) -> None:
    msoas = region.community_sets[0]
    renamed = replace(msoas.communities[0], name_cy="Enw newydd")
    changed = replace(
        region,
        community_sets=[
            replace(msoas, communities=[renamed, *msoas.communities[1:]]),
            *region.community_sets[1:],
        ],
    )
    written = await places.load_region(session, changed)
    assert written["communities"] == 1
    assert sum(written.values()) == 1
    row = (
        await session.execute(
            select(Community.name_cy, Community.version).where(Community.code == renamed.code)
        )
    ).one()
    assert tuple(row) == ("Enw newydd", 2)


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
