"""Grants tests: a cheap password hasher."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from api.auth import passwords


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Grants tests make many accounts; argon2 at its recommended cost would dominate their
    # time. Tests only, one test at a time; tests/auth covers the real hasher.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
