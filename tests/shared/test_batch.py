"""The shared batch pieces: size limit, replay fingerprint, staleness."""

from __future__ import annotations

import pytest

from api.errors import BadInput
from api.shared.batch import check_batch_size, fingerprint, is_stale


def test_batch_over_the_limit_is_refused_naming_the_field() -> None:
    check_batch_size([1] * 200, 200)
    with pytest.raises(BadInput) as refused:
        check_batch_size([1] * 201, 200)
    assert refused.value.field == "input"
    assert "at most 200" in refused.value.message


def test_fingerprint_ignores_key_order_and_sees_any_change() -> None:
    a = fingerprint({"name": "Neuadd", "tags": ["kitchen"], "lat": 52.1})
    assert a == fingerprint({"lat": 52.1, "tags": ["kitchen"], "name": "Neuadd"})
    assert a != fingerprint({"lat": 52.1, "tags": ["kitchen"], "name": "Neuadd "})
    assert a != fingerprint({"lat": 52.1000001, "tags": ["kitchen"], "name": "Neuadd"})


def test_stale_means_based_on_another_version() -> None:
    assert not is_stale(3, None)
    assert not is_stale(3, 3)
    assert is_stale(3, 2)
