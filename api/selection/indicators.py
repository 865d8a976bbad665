"""The indicators a selection can weigh, each with its source. All are computed live from
the other domains' services when asked for (never stored), so they are as fresh as the
data behind them; `as_of` says when they were computed.

An indicator reads one "source" (a batch fetch for many communities at once) and derives
its value per community. Sources are fetched once per request whatever the number of
indicators or communities that use them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.assets import service as assets
from api.assets.models import Category
from api.conversations import figures as conversations
from api.people import leaders
from api.places import service as places
from api.places.repository import CommunityFigures

Fetch = Callable[[AsyncSession, list[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]


@dataclass(frozen=True)
class Source:
    key: str
    description: str
    fetch: Fetch


@dataclass(frozen=True)
class Indicator:
    """`value` gets, for one community, what each of `sources` fetched for it (in order)."""

    key: str
    label_en: str
    label_cy: str
    sources: tuple[Source, ...]
    value: Callable[..., float | None]

    @property
    def source_description(self) -> str:
        return "; ".join(s.description for s in self.sources)


LSOA_FIGURES = Source(
    "lsoa_figures",
    "The community's LSOAs: deprivation ranks (WIMD 2019, Welsh Government), population "
    "and age (ONS mid-2020 estimates), rural/urban class (Welsh Government lookup)",
    places.community_figures,
)
LEADERS = Source(
    "leaders",
    "Cymuned's register of community leaders (endorsed leaders, live)",
    leaders.endorsed_leader_counts,
)
CONVERSATIONS = Source(
    "conversations",
    "Cymuned's conversations (recorded in the community, all campaigns, live)",
    conversations.counts_within,
)
ASSETS = Source(
    "assets",
    "Cymuned's asset register (VERIFIED assets inside the community, live)",
    assets.verified_counts_within,
)


def _domain_share(domain: str, decile: int) -> Callable[[CommunityFigures], float | None]:
    def value(f: CommunityFigures) -> float | None:
        counts = f.domain_most_deprived_10 if decile == 10 else f.domain_most_deprived_20
        return f.lsoa_share(counts[domain])

    return value


def _lsoa(key: str, en: str, cy: str, value: Callable[[CommunityFigures], Any]) -> Indicator:
    return Indicator(key, en, cy, (LSOA_FIGURES,), lambda f: None if f is None else value(f))


def _per_1000(count: float, figures: CommunityFigures | None) -> float | None:
    population = figures.population if figures else None
    return 1000 * count / population if population else None


CATEGORY_LABELS = {
    Category.INDIVIDUAL: ("Individual (skills and gifts)", "unigol (sgiliau a doniau)"),
    Category.ASSOCIATION: ("Association", "cymdeithas"),
    Category.INSTITUTION: ("Institution", "sefydliad"),
    Category.PHYSICAL: ("Physical", "ffisegol"),
    Category.ECONOMIC: ("Economic", "economaidd"),
    Category.CULTURAL: ("Cultural", "diwylliannol"),
}


def _asset_indicators() -> list[Indicator]:
    """Assets in all and per 1,000 residents, then the same for each asset family."""
    made = [
        Indicator(
            "assets",
            "Community assets",
            "Asedau cymunedol",
            (ASSETS,),
            lambda counts: float(sum((counts or {}).values())),
        ),
        Indicator(
            "assets_per_1000",
            "Community assets per 1,000 residents",
            "Asedau cymunedol fesul 1,000 o drigolion",
            (ASSETS, LSOA_FIGURES),
            lambda counts, f: _per_1000(sum((counts or {}).values()), f),
        ),
    ]
    for category in Category:
        en, cy = CATEGORY_LABELS[category]
        made.append(
            Indicator(
                f"assets_{category.value.lower()}_per_1000",
                f"{en} assets per 1,000 residents",
                f"Asedau {cy} fesul 1,000 o drigolion",
                (ASSETS, LSOA_FIGURES),
                lambda counts, f, c=category.value: _per_1000((counts or {}).get(c, 0), f),
            )
        )
    return made


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        _lsoa(
            "deprived_10_share",
            "Share of LSOAs in Wales's most deprived 10%",
            "Cyfran yr ACEHI yn y 10% mwyaf difreintiedig yng Nghymru",
            lambda f: f.lsoa_share(f.lsoas_most_deprived_10),
        ),
        _lsoa(
            "deprived_20_share",
            "Share of LSOAs in Wales's most deprived 20%",
            "Cyfran yr ACEHI yn yr 20% mwyaf difreintiedig yng Nghymru",
            lambda f: f.lsoa_share(f.lsoas_most_deprived_20),
        ),
        _lsoa(
            "deprived_10_count",
            "LSOAs in Wales's most deprived 10%",
            "ACEHI yn y 10% mwyaf difreintiedig yng Nghymru",
            lambda f: f.lsoas_most_deprived_10,
        ),
        _lsoa(
            "most_deprived_rank",
            "Rank of the most deprived LSOA (1 = most deprived)",
            "Safle'r ACEHI mwyaf difreintiedig (1 = mwyaf difreintiedig)",
            lambda f: f.most_deprived_rank,
        ),
        _lsoa(
            "population_deprived_20_share",
            "Share of people living in Wales's most deprived 20% of LSOAs",
            "Cyfran y bobl sy'n byw yn yr 20% o ACEHI mwyaf difreintiedig",
            lambda f: f.population_share_most_deprived_20,
        ),
        *(
            _lsoa(
                f"{domain}_deprived_{decile}_share",
                f"Share of LSOAs in Wales's most deprived {decile}% for {label_en}",
                f"Cyfran yr ACEHI yn y {decile}% mwyaf difreintiedig o ran {label_cy}",
                _domain_share(domain, decile),
            )
            for domain, label_en, label_cy in (
                ("health", "health", "iechyd"),
                ("income", "income", "incwm"),
                ("access", "access to services", "mynediad at wasanaethau"),
            )
            for decile in (10, 20)
        ),
        _lsoa("population", "Population", "Poblogaeth", lambda f: f.population),
        _lsoa(
            "share_under_16",
            "Share of people aged under 16",
            "Cyfran y bobl dan 16 oed",
            lambda f: f.share_under_16,
        ),
        _lsoa(
            "share_aged_65_plus",
            "Share of people aged 65 and over",
            "Cyfran y bobl 65 oed a hŷn",
            lambda f: f.share_aged_65_plus,
        ),
        _lsoa(
            "rural_share",
            "Share of LSOAs that are rural",
            "Cyfran yr ACEHI sy'n wledig",
            lambda f: f.rural_lsoa_share,
        ),
        Indicator(
            "leaders",
            "Endorsed community leaders",
            "Arweinwyr cymunedol a gymeradwywyd",
            (LEADERS,),
            lambda count: float(count or 0),
        ),
        *_asset_indicators(),
        Indicator(
            "conversations",
            "Conversations recorded",
            "Sgyrsiau a gofnodwyd",
            (CONVERSATIONS,),
            lambda count: float(count or 0),
        ),
        Indicator(
            "conversations_per_1000",
            "Conversations per 1,000 residents",
            "Sgyrsiau fesul 1,000 o drigolion",
            (CONVERSATIONS, LSOA_FIGURES),
            lambda count, f: _per_1000(count or 0, f),
        ),
    ]
}


async def evaluate(
    session: AsyncSession, keys: Sequence[str], community_ids: list[uuid.UUID]
) -> dict[str, dict[uuid.UUID, float | None]]:
    """{indicator: {community: value}}, fetching each source once for all communities."""
    sources = {s.key: s for k in keys for s in INDICATORS[k].sources}
    fetched = {key: await s.fetch(session, community_ids) for key, s in sources.items()}
    values: dict[str, dict[uuid.UUID, float | None]] = {}
    for key in keys:
        indicator = INDICATORS[key]
        values[key] = {
            cid: _number(indicator.value(*(fetched[s.key].get(cid) for s in indicator.sources)))
            for cid in community_ids
        }
    return values


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
