"""Grants tests: a cheap password hasher, and attachments stored in a per-test directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncConnection

from api.app import create_app
from api.auth import passwords
from api.db import make_sessionmaker
from api.settings import Settings


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Grants tests make many accounts; argon2 at its recommended cost would dominate their
    # time. Tests only, one test at a time; tests/auth covers the real hasher.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection, media_dir: Path) -> Any:
    return create_app(
        settings.model_copy(update={"media_dir": media_dir}), make_sessionmaker(connection)
    )
