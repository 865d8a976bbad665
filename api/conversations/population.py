"""The population yardstick for representativeness: the region's people by age band, from
the age figures places keeps for every LSOA (rolled up into the default set's communities,
so each LSOA counts once)."""

from __future__ import annotations

from collections.abc import Iterable

from api.places.service import CommunityFigures


def age_bands(figures: Iterable[CommunityFigures]) -> dict[str, int]:
    """People under 16, 16 to 64 and 65 and over, keyed like POPULATION_AGE_BANDS; empty
    when any community's figures are incomplete (a share of part of a region misleads)."""
    under_16 = aged_65_plus = everyone = 0
    for f in figures:
        if f.population is None or f.under_16 is None or f.aged_65_plus is None:
            return {}
        under_16, aged_65_plus = under_16 + f.under_16, aged_65_plus + f.aged_65_plus
        everyone += f.population
    return {
        "age_0_15": under_16,
        "age_16_64": everyone - under_16 - aged_65_plus,
        "age_65_plus": aged_65_plus,
    }
