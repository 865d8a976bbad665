"""Reading a region (counties, LSOAs with deprivation and population, communities) from a
directory of GeoJSON and CSV files, described by a small manifest of file and property names.

Everything is read and checked before anything is returned, and every problem is reported
with its file and feature or line, so a bad file loads nothing half-way.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field, ValidationError
from shapely.geometry import MultiPolygon
from shapely.prepared import prep

from geodata.geometry import GeometryProblem, polygonal_from_geojson, share_outside

MANIFESTS = Path(__file__).resolve().parent / "regions"
# A feature may poke out of its county by this share of its area: boundaries of different
# layers are generalised separately, so their edges never match exactly.
OUTSIDE_TOLERANCE = 0.05


class AreaLayer(BaseModel):
    file: str
    code: str
    name_en: str
    name_cy: str | None = None
    local_name: str | None = None
    county: str | None = None
    source: str | None = None


class DeprivationTable(BaseModel):
    index: str
    file: str
    national_file: str
    national_rank: str
    code: str
    rank: str
    score: str
    domains: dict[str, str]


class PopulationTable(BaseModel):
    file: str
    code: str
    population: str
    optional: bool = False
    # Age bands: the columns that add up to each band (none listed: band unknown).
    under_16: list[str] = []
    aged_65_plus: list[str] = []


class RuralityRule(BaseModel):
    """Which LSOA property holds the rural/urban class, and which classes count as rural."""

    property: str
    rural_classes: list[str]


class CommunitySetLayer(BaseModel):
    """A set of communities that cover the region one way (the first set is the default)."""

    code: str
    name_en: str
    name_cy: str | None = None
    layer: AreaLayer


class Manifest(BaseModel):
    code: str
    name_en: str
    name_cy: str | None = None
    attribution: list[str]
    counties: AreaLayer
    lsoas: AreaLayer
    deprivation: DeprivationTable | None = None
    population: PopulationTable | None = None
    rurality: RuralityRule | None = None
    community_sets: list[CommunitySetLayer] = Field(min_length=1)


@dataclass(frozen=True)
class Area:
    code: str
    name_en: str
    name_cy: str | None
    geometry: MultiPolygon
    county_code: str | None = None
    local_name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class LsoaFigures:
    rank: int | None = None
    score: float | None = None
    domain_ranks: dict[str, int] = field(default_factory=dict)
    population: int | None = None
    under_16: int | None = None
    aged_65_plus: int | None = None
    rural_urban_class: str | None = None
    rural: bool | None = None


@dataclass(frozen=True)
class Headcount:
    population: int | None
    under_16: int | None = None
    aged_65_plus: int | None = None


@dataclass(frozen=True)
class CommunitySetData:
    code: str
    name_en: str
    name_cy: str | None
    source: str
    communities: list[Area]


@dataclass(frozen=True)
class RegionData:
    code: str
    name_en: str
    name_cy: str | None
    attribution: list[str]
    deprivation_index: str | None
    deprivation_areas: int | None
    counties: list[Area]
    lsoas: list[Area]
    figures: dict[str, LsoaFigures]
    community_sets: list[CommunitySetData]

    @property
    def communities(self) -> list[Area]:
        """The default (first) set's communities."""
        return self.community_sets[0].communities


class RegionDataError(ValueError):
    """The region's files have problems; `problems` lists each one in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The region data cannot be loaded:\n- " + "\n- ".join(problems))
        self.problems = problems


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def read_manifest(region: str | Path) -> Manifest:
    path = Path(region) if str(region).endswith(".json") else MANIFESTS / f"{region}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in MANIFESTS.glob("*.json")))
        raise RegionDataError([f"no region manifest {path} (known regions: {known})"])
    try:
        return Manifest.model_validate(orjson.loads(path.read_bytes()))
    except (ValidationError, orjson.JSONDecodeError) as exc:
        raise RegionDataError([f"{path.name}: {exc}"]) from None


def _features(directory: Path, name: str, problems: _Problems) -> list[dict[str, Any]]:
    path = directory / name
    if not path.exists():
        problems.add(name, f"file not found in {directory}")
        return []
    try:
        collection = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        problems.add(name, f"is not valid JSON ({exc})")
        return []
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        problems.add(name, "is not a GeoJSON FeatureCollection")
        return []
    return features


def _read_areas(
    directory: Path, layer: AreaLayer, problems: _Problems, counties: dict[str, Area] | None
) -> list[Area]:
    areas: list[Area] = []
    seen: set[str] = set()
    prepared = {code: prep(c.geometry) for code, c in (counties or {}).items()}
    for number, feature in enumerate(_features(directory, layer.file, problems), start=1):
        props = feature.get("properties") or {}
        code = props.get(layer.code)
        where = f"{layer.file} feature {number}" + (f" ({code})" if code else "")
        missing = [
            p
            for p in (layer.code, layer.name_en, layer.county)
            if p is not None and not props.get(p)
        ]
        if missing:
            problems.add(where, f"missing property {', '.join(missing)}")
            continue
        if code in seen:
            problems.add(where, f"code {code} appears more than once")
            continue
        seen.add(code)
        try:
            geometry = polygonal_from_geojson(feature.get("geometry"))
        except GeometryProblem as exc:
            problems.add(where, f"geometry {exc}")
            continue
        county_code = props.get(layer.county) if layer.county else None
        if counties is not None:
            county = counties.get(county_code)
            if county is None:
                problems.add(where, f"county {county_code} is not one of this region's counties")
                continue
            if not prepared[county_code].contains(geometry):
                outside = share_outside(geometry, county.geometry)
                if outside > OUTSIDE_TOLERANCE:
                    problems.add(
                        where,
                        f"lies {outside:.0%} outside its county {county_code} ({county.name_en})",
                    )
                    continue
        areas.append(
            Area(
                code=code,
                name_en=props[layer.name_en],
                name_cy=props.get(layer.name_cy) if layer.name_cy else None,
                local_name=props.get(layer.local_name) if layer.local_name else None,
                county_code=county_code,
                geometry=geometry,
                properties=props,
            )
        )
    return areas


def _rows(
    directory: Path, name: str, needed: list[str], problems: _Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each CSV row, after checking the header has `needed`."""
    path = directory / name
    if not path.exists():
        problems.add(name, f"file not found in {directory}")
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        absent = [c for c in needed if c not in (reader.fieldnames or [])]
        if absent:
            problems.add(name, f"missing column {', '.join(absent)}")
            return
        for row in reader:
            yield reader.line_num, row


def _number(value: str | None, kind: type, where: str, column: str, problems: _Problems) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        problems.add(where, f"{column} is not a number ({value!r})")
        return None
    if isinstance(number, float) and not math.isfinite(number):
        problems.add(where, f"{column} is not a finite number")
        return None
    return number


def _read_deprivation(
    directory: Path, table: DeprivationTable, problems: _Problems
) -> tuple[dict[str, dict[str, Any]], int | None]:
    national = [
        _number(
            row.get(table.national_rank),
            int,
            f"{table.national_file} line {line}",
            table.national_rank,
            problems,
        )
        for line, row in _rows(directory, table.national_file, [table.national_rank], problems)
    ]
    areas = len(national) or None
    if areas and sorted(national) != list(range(1, areas + 1)):
        problems.add(table.national_file, f"ranks are not exactly 1..{areas}")
    columns = [table.code, table.rank, table.score, *table.domains.values()]
    figures: dict[str, dict[str, Any]] = {}
    for line, row in _rows(directory, table.file, columns, problems):
        where = f"{table.file} line {line}"
        code = row.get(table.code)
        if not code:
            problems.add(where, f"missing value for {table.code}")
            continue
        figures[code] = {
            "rank": _number(row[table.rank], int, where, table.rank, problems),
            "score": _number(row[table.score], float, where, table.score, problems),
            "domain_ranks": {
                domain: _number(row[column], int, where, column, problems)
                for domain, column in table.domains.items()
            },
        }
        if areas and figures[code]["rank"] is not None and not 1 <= figures[code]["rank"] <= areas:
            problems.add(where, f"{table.rank} {figures[code]['rank']} is outside 1..{areas}")
    return figures, areas


def _read_population(
    directory: Path, table: PopulationTable, problems: _Problems
) -> dict[str, Headcount] | None:
    if not (directory / table.file).exists():
        if not table.optional:
            problems.add(table.file, f"file not found in {directory}")
        return None
    columns = [table.population, *table.under_16, *table.aged_65_plus]
    counts: dict[str, Headcount] = {}
    for line, row in _rows(directory, table.file, [table.code, *columns], problems):
        where = f"{table.file} line {line}"
        value = {c: _number(row[c], int, where, c, problems) for c in columns}
        if any(v is not None and v < 0 for v in value.values()):
            problems.add(where, "a count is negative")

        def band(names: list[str], value: dict[str, int | None] = value) -> int | None:
            parts = [value[n] for n in names]
            if not names or any(part is None for part in parts):
                return None
            return sum(part or 0 for part in parts)

        counts[row[table.code]] = Headcount(
            value[table.population], band(table.under_16), band(table.aged_65_plus)
        )
    return counts


def read_region(directory: Path, region: str | Path) -> RegionData:
    """Read and check every file of a region; raise RegionDataError listing all problems."""
    manifest = read_manifest(region)
    directory = Path(directory)
    if not directory.is_dir():
        raise RegionDataError([f"geodata directory {directory} does not exist"])
    problems = _Problems()
    counties = _read_areas(directory, manifest.counties, problems, None)
    by_code = {c.code: c for c in counties}
    lsoas = _read_areas(directory, manifest.lsoas, problems, by_code)
    community_sets = [
        CommunitySetData(
            code=s.code,
            name_en=s.name_en,
            name_cy=s.name_cy,
            source=s.layer.source or s.code,
            communities=_read_areas(directory, s.layer, problems, by_code),
        )
        for s in manifest.community_sets
    ]

    deprivation, areas = ({}, None)
    if manifest.deprivation:
        deprivation, areas = _read_deprivation(directory, manifest.deprivation, problems)
    population = (
        _read_population(directory, manifest.population, problems)
        if (manifest.population)
        else None
    )

    figures: dict[str, LsoaFigures] = {}
    for lsoa in lsoas:
        ranks = deprivation.get(lsoa.code)
        if manifest.deprivation and ranks is None:
            problems.add(manifest.deprivation.file, f"no row for LSOA {lsoa.code}")
        if population is not None and lsoa.code not in population:
            problems.add(manifest.population.file, f"no row for LSOA {lsoa.code}")
        headcount = (population or {}).get(lsoa.code) or Headcount(None)
        rural_class = lsoa.properties.get(manifest.rurality.property) if manifest.rurality else None
        figures[lsoa.code] = LsoaFigures(
            **(ranks or {}),
            population=headcount.population,
            under_16=headcount.under_16,
            aged_65_plus=headcount.aged_65_plus,
            rural_urban_class=rural_class,
            rural=rural_class in manifest.rurality.rural_classes
            if manifest.rurality and rural_class
            else None,
        )
    if problems:
        raise RegionDataError(problems)
    return RegionData(
        code=manifest.code,
        name_en=manifest.name_en,
        name_cy=manifest.name_cy,
        attribution=manifest.attribution,
        deprivation_index=manifest.deprivation.index if manifest.deprivation else None,
        deprivation_areas=areas,
        counties=counties,
        lsoas=lsoas,
        figures=figures,
        community_sets=community_sets,
    )
