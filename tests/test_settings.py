"""Configuration: a missing JWT secret is a start-up error outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings


@pytest.mark.parametrize("env", ["production", "test"])
def test_missing_secret_outside_development_is_an_error(env: str) -> None:
    with pytest.raises(ValidationError, match="CYMUNED_JWT_SECRET must be set"):
        Settings(env=env, _env_file=None)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        Settings(env="production", jwt_secret="short", _env_file=None)


def test_development_makes_its_own_secret() -> None:
    settings = Settings(env="development", _env_file=None)
    assert settings.jwt_secret and len(settings.jwt_secret) >= 32


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CYMUNED_PAGE_SIZE_MAX", "25")
    monkeypatch.setenv("CYMUNED_ACCESS_TOKEN_TTL", "PT5M")
    settings = Settings(env="development", _env_file=None)
    assert settings.page_size_max == 25
    assert settings.access_token_ttl.total_seconds() == 300
