"""Progress towards a campaign's targets (counties' and communities' shares of it by
population) and how representative respondents are. Aggregates only: LEADERs see them for
the counties of their grants, staff for theirs, region-wide grants for the whole region."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, Role, Scope, in_scope
from api.conversations import campaigns, repository
from api.conversations.access import CAPTURE
from api.conversations.inputs import POPULATION_AGE_BANDS
from api.conversations.models import Campaign
from api.conversations.population import age_bands
from api.places import service as places
from api.shared.language import Language

READERS = (*CAPTURE, Role.LEADER)


def split(total: int, weights: Mapping[Any, int]) -> dict[Any, int]:
    """`total` shared in proportion to `weights`, in whole numbers that add up to it
    (largest remainders get the spare units; ties by key, so the split is stable)."""
    weight = sum(weights.values())
    if weight == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / weight for k, w in weights.items()}
    shares = {k: int(v) for k, v in exact.items()}
    spare = total - sum(shares.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), str(k)))[:spare]:
        shares[k] += 1
    return shares


@dataclass(frozen=True)
class AreaProgress:
    id: Any
    code: str
    name_en: str
    name_cy: str | None
    county_code: str
    conversations: int
    target: int


@dataclass(frozen=True)
class BandShare:
    band: str
    respondents: int
    respondent_share: float | None
    population_share: float | None


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    conversations: int
    withdrawn: int | None
    counties: list[AreaProgress]
    communities: list[AreaProgress]
    channels: dict[str, int]
    languages: dict[str, int]
    weeks: dict[str, int]
    age_unknown: int
    representativeness: list[BandShare]


async def scope_of(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID
) -> tuple[Campaign, Scope]:
    principal.require(READERS)
    found = await campaigns.campaign(session, principal, campaign_id)
    return found, principal.counties(READERS)


async def campaign_progress(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, language: Language
) -> Progress:
    """Counties and communities listed by name in `language`."""
    campaign, scope = await scope_of(session, principal, campaign_id)
    counts = await repository.progress_counts(session, campaign_id, scope)
    explicit = (await repository.county_targets(session, [campaign_id]))[campaign_id]
    all_counties = await places.counties(session, language)
    counties = [c for c in all_counties if in_scope(scope, c.code)]
    communities = await places.default_set_communities(session, language)
    figures = await places.community_figures(session, [c.id for c in communities])
    population = {
        c.id: (figures[c.id].population or 0) if c.id in figures else 0 for c in communities
    }
    county_population: dict[uuid.UUID, int] = {c.id: 0 for c in all_counties}
    for c in communities:
        county_population[c.county_id] += population[c.id]

    # Counties without a target of their own share what is left by population.
    code_of = {c.id: c.code for c in all_counties}
    left = max(campaign.target - sum(explicit.values()), 0)
    shared = split(
        left, {code_of[i]: p for i, p in county_population.items() if code_of[i] not in explicit}
    )
    county_targets = {**shared, **explicit}
    community_targets: dict[uuid.UUID, int] = {}
    for county in all_counties:
        mine = {c.id: population[c.id] for c in communities if c.county_id == county.id}
        community_targets |= split(county_targets.get(county.code, 0), mine)

    visible = {c.code for c in counties}
    place_of = {c.id: n for n, c in enumerate(all_counties)}
    return Progress(
        campaign=campaign,
        conversations=sum(counts["county"].values()),
        # Withdrawals keep no county, so only region-wide readers see their number.
        withdrawn=await repository.withdrawn_count(session, campaign_id) if scope is None else None,
        counties=[
            AreaProgress(
                c.id,
                c.code,
                c.name_en,
                c.name_cy,
                c.code,
                counts["county"].get(c.code, 0),
                county_targets.get(c.code, 0),
            )
            for c in counties
        ],
        communities=[
            AreaProgress(
                c.id,
                c.code,
                c.name_en,
                c.name_cy,
                code_of[c.county_id],
                counts["community"].get(c.id, 0),
                community_targets[c.id],
            )
            # County by county, as the counties are listed; by name within each (a stable
            # sort keeps the order communities came in, by name in `language`).
            for c in sorted(communities, key=lambda c: place_of[c.county_id])
            if code_of[c.county_id] in visible
        ],
        channels=_known(counts["channel"]),
        languages=_known(counts["language"]),
        weeks=dict(sorted(_known(counts["week"]).items())),
        age_unknown=counts["age_band"].get(None, 0),
        representativeness=representativeness(counts["age_band"], age_bands(figures.values())),
    )


def _known(counts: dict[str | None, int]) -> dict[str, int]:
    """The counts of known values that hold any conversation: a tally that withdrawals
    took back to nothing is listed no more than one that never counted any."""
    return {k: v for k, v in counts.items() if k is not None and v}


def representativeness(
    respondents: Mapping[str | None, int], population: Mapping[str, int]
) -> list[BandShare]:
    """Each population age band's share of respondents (of those who gave an age) beside
    its share of the region's population (None where the population is not loaded)."""
    per_band = {
        band: sum(respondents.get(b.value, 0) for b in members)
        for band, members in POPULATION_AGE_BANDS.items()
    }
    answered = sum(per_band.values())
    people = sum(population.get(band, 0) for band in POPULATION_AGE_BANDS)
    return [
        BandShare(
            band=band,
            respondents=n,
            respondent_share=n / answered if answered else None,
            population_share=population[band] / people if people and band in population else None,
        )
        for band, n in per_band.items()
    ]
