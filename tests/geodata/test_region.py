"""Reading and checking region files, without a database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.settings import Settings
from geodata.region import RegionDataError, read_region

GEODATA = Settings(env="development", _env_file=None).geodata_dir


def test_reads_the_real_region() -> None:
    region = read_region(GEODATA, "hywel_dda")
    assert len(region.counties) == 3
    assert len(region.lsoas) == 229
    assert len(region.communities) == 50
    assert region.deprivation_areas == 1909  # counted from the all-Wales file
    names = {c.code: (c.name_en, c.name_cy) for c in region.counties}
    assert names["W06000009"] == ("Pembrokeshire", "Sir Benfro")
    tyisha = region.figures["W01000733"]
    assert (tyisha.rank, tyisha.population) == (17, 1340)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "geodata"
    shutil.copytree(GEODATA, target)
    return target


def _edit_feature(directory: Path, name: str, index: int, edit: object) -> None:
    path = directory / name
    data = json.loads(path.read_text())
    edit(data["features"][index])  # type: ignore[operator]
    path.chmod(0o644)
    path.write_text(json.dumps(data))


def _problems(directory: Path) -> list[str]:
    with pytest.raises(RegionDataError) as caught:
        read_region(directory, "hywel_dda")
    return caught.value.problems


def test_self_intersecting_boundary_is_reported_by_feature(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def bowtie(feature: dict) -> None:
        feature["geometry"] = {
            "type": "Polygon",
            "coordinates": [[[-4.1, 52.0], [-4.0, 52.1], [-4.0, 52.0], [-4.1, 52.1], [-4.1, 52.0]]],
        }

    _edit_feature(directory, "hywel_dda_msoa_2011.geojson", 3, bowtie)
    [problem] = _problems(directory)
    assert problem.startswith("hywel_dda_msoa_2011.geojson feature 4 (W02000")
    assert "Self-intersection" in problem


def test_missing_property_is_reported(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit_feature(
        directory, "hywel_dda_msoa_2011.geojson", 0, lambda f: f["properties"].pop("msoa11hclnm")
    )
    [problem] = _problems(directory)
    assert problem == (
        "hywel_dda_msoa_2011.geojson feature 1 (W02000116): missing property msoa11hclnm"
    )


def test_feature_outside_its_county_is_reported(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    # An LSOA of Ceredigion claimed by Pembrokeshire.
    _edit_feature(
        directory,
        "hywel_dda_lsoa_2011_wimd2019.geojson",
        0,
        lambda f: f["properties"].update(lad13cd="W06000009"),
    )
    [problem] = _problems(directory)
    assert "feature 1 (W01000506): lies" in problem
    assert "outside its county W06000009 (Pembrokeshire)" in problem


def test_bad_csv_value_is_reported_by_line(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "lsoa_population_hywel_dda.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[1], "many", 1)
    path.chmod(0o644)
    path.write_text("\n".join(lines) + "\n")
    [problem] = _problems(directory)
    assert problem == "lsoa_population_hywel_dda.csv line 3: population is not a number ('many')"


def test_population_file_is_optional(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "lsoa_population_hywel_dda.csv").unlink()
    region = read_region(directory, "hywel_dda")
    assert all(f.population is None for f in region.figures.values())
    assert region.figures["W01000733"].rank == 17


def test_another_region_loads_from_its_own_manifest(tmp_path: Path) -> None:
    """A region is files plus a mapping of property names: no code knows Hywel Dda."""

    def square(x: float, y: float, size: float) -> dict:
        ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}

    def collection(features: list[tuple[dict, dict]]) -> str:
        return json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": p, "geometry": g} for p, g in features
                ],
            }
        )

    (tmp_path / "shires.geojson").write_text(
        collection([({"id": "S1", "nm": "Shire", "nmw": "Sir"}, square(-3.0, 52.0, 0.2))])
    )
    (tmp_path / "small.geojson").write_text(
        collection(
            [
                ({"id": "A1", "nm": "A one", "shire": "S1"}, square(-3.0, 52.0, 0.1)),
                ({"id": "A2", "nm": "A two", "shire": "S1"}, square(-2.9, 52.1, 0.1)),
            ]
        )
    )
    (tmp_path / "hoods.geojson").write_text(
        collection(
            [
                (
                    {"code": "H1", "en": "Hood", "cy": "Cymdogaeth", "shire": "S1"},
                    square(-3.0, 52.0, 0.2),
                ),
            ]
        )
    )
    manifest = tmp_path / "tiny.json"
    manifest.write_text(
        json.dumps(
            {
                "code": "T1",
                "name_en": "Tiny",
                "attribution": ["Made up for a test."],
                "counties": {
                    "file": "shires.geojson",
                    "code": "id",
                    "name_en": "nm",
                    "name_cy": "nmw",
                },
                "lsoas": {
                    "file": "small.geojson",
                    "code": "id",
                    "name_en": "nm",
                    "county": "shire",
                },
                "community_sets": [
                    {
                        "code": "HOODS",
                        "name_en": "Hoods",
                        "layer": {
                            "file": "hoods.geojson",
                            "code": "code",
                            "name_en": "en",
                            "name_cy": "cy",
                            "county": "shire",
                        },
                    }
                ],
            }
        )
    )
    region = read_region(tmp_path, manifest)
    assert [c.name_cy for c in region.counties] == ["Sir"]
    assert [a.code for a in region.lsoas] == ["A1", "A2"]
    assert region.communities[0].name_cy == "Cymdogaeth"
    assert region.deprivation_areas is None
