"""Turning indicator values into explained scores, within one county.

Each criterion's values are normalised to 0..1 across the county's communities (min-max,
or by rank), flipped when lower means more priority, and weighted; the score is the sum.
Every step is kept so a board paper can show why a community came where it did.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum


class Direction(Enum):
    HIGHER = "HIGHER"  # a higher value means more priority
    LOWER = "LOWER"


class Normalisation(Enum):
    MIN_MAX = "MIN_MAX"
    RANK = "RANK"


@dataclass(frozen=True)
class Criterion:
    indicator: str
    weight: float
    direction: Direction


@dataclass(frozen=True)
class Part:
    indicator: str
    raw: float | None
    normalised: float  # 0..1 after the direction is applied; 0 when the value is missing
    contribution: float  # weight share x normalised


@dataclass(frozen=True)
class Scored:
    community_id: uuid.UUID
    score: float
    parts: list[Part]


def _min_max(values: dict[uuid.UUID, float]) -> dict[uuid.UUID, float]:
    low, high = min(values.values()), max(values.values())
    # All equal: the criterion cannot tell the communities apart, so it adds nothing.
    return {k: 0.0 if high == low else (v - low) / (high - low) for k, v in values.items()}


def _by_rank(values: dict[uuid.UUID, float]) -> dict[uuid.UUID, float]:
    """Position in ascending order, 0..1, ties sharing their average position."""
    ordered = sorted(values.values())
    if len(ordered) == 1:
        return dict.fromkeys(values, 0.0)
    positions: dict[float, float] = {}
    for value in set(ordered):
        first = ordered.index(value)
        last = len(ordered) - 1 - ordered[::-1].index(value)
        positions[value] = (first + last) / 2 / (len(ordered) - 1)
    return {k: positions[v] for k, v in values.items()}


def score(
    criteria: list[Criterion],
    values: dict[str, dict[uuid.UUID, float | None]],
    normalisation: Normalisation,
) -> list[Scored]:
    """Scores for the communities in `values`, highest first (ties by id, for stability)."""
    communities = sorted({c for by_community in values.values() for c in by_community}, key=str)
    total_weight = sum(c.weight for c in criteria)
    parts: dict[uuid.UUID, list[Part]] = {c: [] for c in communities}
    for criterion in criteria:
        raw = values[criterion.indicator]
        known = {k: v for k, v in raw.items() if v is not None}
        scaled = (
            (_min_max if normalisation is Normalisation.MIN_MAX else _by_rank)(known)
            if known
            else {}
        )
        for community in communities:
            if community in scaled:
                normalised = scaled[community]
                if criterion.direction is Direction.LOWER:
                    normalised = 1.0 - normalised
            else:
                normalised = 0.0
            parts[community].append(
                Part(
                    indicator=criterion.indicator,
                    raw=raw.get(community),
                    normalised=round(normalised, 6),
                    contribution=round(criterion.weight / total_weight * normalised, 6),
                )
            )
    scored = [
        Scored(c, round(sum(p.contribution for p in parts[c]), 6), parts[c]) for c in communities
    ]
    return sorted(scored, key=lambda s: -s.score)
