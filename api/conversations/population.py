"""The population yardstick for representativeness: a region's population by age band,
loaded from its population file into a small general table (area, attribute, band)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.conversations import repository
from api.errors import BadInput
from api.settings import Settings
from geodata.region import read_manifest

AGE = "age"


async def load_population_bands(
    session: AsyncSession, settings: Settings, principal: Principal
) -> int:
    """Load the region's population by age band from its population file (columns named
    age_*), replacing what was there; returns the rows written. ADMIN only."""
    user_id = principal.require((Role.ADMIN,))
    table = read_manifest(settings.region).population
    if table is None or not (Path(settings.geodata_dir) / table.file).exists():
        raise BadInput("This region has no population file to load.", field="region")
    rows = read_bands(Path(settings.geodata_dir) / table.file, table.code)
    await repository.replace_population_bands(session, AGE, rows)
    audit.record(
        session,
        actor_id=user_id,
        action="population_bands.load",
        entity_type="population_bands",
        entity_id=AGE,
        after={"rows": len(rows), "file": table.file},
    )
    await session.commit()
    return len(rows)


def read_bands(path: Path, code_column: str) -> list[dict[str, Any]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        bands = [c for c in reader.fieldnames or [] if c.startswith(f"{AGE}_")]
        return [
            {
                "area_code": row[code_column],
                "attribute": AGE,
                "band": band,
                "population": int(row[band]),
            }
            for row in reader
            for band in bands
            if row.get(band, "").strip()
        ]
