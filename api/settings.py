"""All configuration, read once from the environment (prefix CYMUNED_) or a `.env` file."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DATA_DIR = PROJECT_ROOT / ".data"
LOCAL_PG_PORT = 54329


def _default_geodata_dir() -> Path:
    return (PROJECT_ROOT.parent / "shared" / "geodata").resolve()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CYMUNED_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    # Unset: the project-local cluster that `make run` starts under .data/.
    database_url: str | None = None
    # Fail fast when the database is down, so requests answer 503 instead of piling up:
    # how long to wait for a new connection, and for a free one from the pool.
    database_connect_timeout_s: float = Field(default=3.0, gt=0)
    database_pool_timeout_s: float = Field(default=5.0, gt=0)
    jwt_secret: str | None = Field(default=None, min_length=32)
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    page_size_max: int = Field(default=100, ge=1)
    geodata_dir: Path = Field(default_factory=_default_geodata_dir)
    region: str = "hywel_dda"
    admin_email: str | None = None
    admin_password: str | None = None

    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_failure_window: timedelta = timedelta(minutes=15)

    query_max_depth: int = 10
    query_max_tokens: int = 2000
    query_max_aliases: int = 15
    # Estimated values a query may return: each field 1, a list times its `first`/`limit`
    # (else page_size_max; a list without either counts query_cost_list_items). Refused
    # before it runs when over (QUERY_TOO_COSTLY).
    query_max_cost: int = Field(default=100_000, ge=1)
    query_cost_list_items: int = Field(default=20, ge=1)

    # The wire: request bodies (JSON, and multipart uploads carrying photos) and rates.
    request_json_max_bytes: int = Field(default=1_000_000, ge=1)
    request_multipart_max_bytes: int = Field(default=12_000_000, ge=1)
    rate_limit_per_address: int = Field(default=600, ge=1)  # requests a minute
    rate_limit_per_user: int = Field(default=300, ge=1)  # requests a minute
    # Withdrawals by reference code a minute per address: anyone may try one, none may
    # try enough to find someone else's code.
    withdraw_limit_per_address: int = Field(default=10, ge=1)
    # Rate-limit counters and learnt persisted queries shared by every API process, e.g.
    # redis://127.0.0.1:6379/0; unset, each process keeps its own.
    redis_url: str | None = None
    # Production may accept only the operations in graphql/operations/ (by their hash).
    persisted_queries_only: bool = False
    # One statement may run this long before PostgreSQL stops it (an export cannot starve
    # the phones' sync).
    statement_timeout_ms: int = Field(default=30_000, ge=1)

    # Assets: a phone's fix worse than this (metres) needs the leader to confirm it.
    asset_accuracy_max_m: float = Field(default=250.0, gt=0)
    # Assets: most items one syncAssets batch may carry.
    asset_batch_max: int = Field(default=200, ge=1)
    # Assets: most features one map tile carries (the rest are left out, never half-drawn).
    asset_tile_feature_cap: int = Field(default=5000, ge=1)
    # Asset photos: where the stored images live (a directory; S3-compatible storage later).
    media_dir: Path = LOCAL_DATA_DIR / "media"

    # Conversations: most items one recordConversations batch may carry.
    conversation_batch_max: int = Field(default=500, ge=1)
    # Conversations: longest free-text answer (characters); longer ones are refused.
    conversation_text_max_chars: int = Field(default=4000, ge=1)
    # Conversations: most consented-to-quote excerpts a theme report shows per theme.
    conversation_quotes_per_theme: int = Field(default=3, ge=0)

    # Grants: the funder's 360Giving identifier prefix (registered with 360Giving); every
    # exported grant id starts with it.
    grants_identifier_prefix: str = "360G-cymuned"
    # Grants: the funding organisation named in 360Giving exports (an org-id.guide id).
    grants_funder_id: str = "360G-cymuned-funder"
    grants_funder_name: str = "Cymuned micro-grants"

    @model_validator(mode="after")
    def _secret_outside_development(self) -> Settings:
        if self.jwt_secret is None:
            if self.env != "development":
                raise ValueError(
                    "CYMUNED_JWT_SECRET must be set (at least 32 characters) outside development."
                )
            # Development only: tokens die with the process, which is acceptable there.
            self.jwt_secret = secrets.token_urlsafe(48)
        return self

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        from api.local_cluster import LocalCluster

        cluster = LocalCluster(LOCAL_DATA_DIR, LOCAL_PG_PORT)
        if not cluster.password_file.exists():
            raise RuntimeError(
                "No database: set CYMUNED_DATABASE_URL, or run `make run` to start the local one."
            )
        return cluster.url()


@lru_cache
def get_settings() -> Settings:
    return Settings()
