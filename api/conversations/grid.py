"""1 km British National Grid squares, named the way OS maps do (e.g. SN4120)."""

from __future__ import annotations

# The grid's letters: 25 of them, no I.
LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"


def grid_ref(easting_km: int, northing_km: int) -> str:
    """The 1 km square whose south-west corner is at these kilometre coordinates."""
    e100, n100 = easting_km // 100, northing_km // 100
    row = 19 - n100
    first = row - row % 5 + (e100 + 10) // 5
    second = row * 5 % 25 + e100 % 5
    return f"{LETTERS[first]}{LETTERS[second]}{easting_km % 100:02d}{northing_km % 100:02d}"
