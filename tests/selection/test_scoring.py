"""Scores: normalised within the county, direction applied, weighted, and explained."""

from __future__ import annotations

import uuid

import pytest

from api.selection.scoring import Criterion, Direction, Normalisation, score

A, B, C = (uuid.UUID(int=n) for n in (1, 2, 3))


def test_min_max_weighted_and_explained() -> None:
    values = {
        "deprived": {A: 0.0, B: 0.5, C: 1.0},
        "older": {A: 0.30, B: 0.20, C: 0.10},
    }
    criteria = [Criterion("deprived", 3, Direction.HIGHER), Criterion("older", 1, Direction.LOWER)]
    ranked = score(criteria, values, Normalisation.MIN_MAX)
    assert [s.community_id for s in ranked] == [C, B, A]
    top = ranked[0]
    # C: deprived normalised 1.0 (x 3/4), older 0.10 is the lowest, so 1.0 after flipping (x 1/4)
    assert [(p.normalised, p.contribution) for p in top.parts] == [(1.0, 0.75), (1.0, 0.25)]
    assert top.score == 1.0
    middle = ranked[1]
    assert middle.score == pytest.approx(0.75 * 0.5 + 0.25 * 0.5)
    for scored in ranked:
        assert scored.score == pytest.approx(sum(p.contribution for p in scored.parts))


def test_rank_normalisation_shares_ties() -> None:
    values = {"x": {A: 10.0, B: 10.0, C: 99.0}}
    ranked = score([Criterion("x", 1, Direction.HIGHER)], values, Normalisation.RANK)
    by_id = {s.community_id: s.score for s in ranked}
    assert by_id == {A: 0.25, B: 0.25, C: 1.0}


def test_missing_values_score_nothing_and_equal_values_add_nothing() -> None:
    values = {"x": {A: None, B: 2.0, C: 4.0}, "same": {A: 7.0, B: 7.0, C: 7.0}}
    criteria = [Criterion("x", 1, Direction.LOWER), Criterion("same", 1, Direction.HIGHER)]
    by_id = {s.community_id: s for s in score(criteria, values, Normalisation.MIN_MAX)}
    assert by_id[A].parts[0].raw is None
    assert by_id[A].parts[0].normalised == 0.0  # missing is never treated as the best value
    assert by_id[B].parts[0].normalised == 1.0  # lower is better, and 2 is the lowest known
    assert {s.parts[1].contribution for s in by_id.values()} == {0.0}
