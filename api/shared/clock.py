"""The time of a write: timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    # Python's clock, not SQL now(): now() stands still for a whole transaction.
    return datetime.now(UTC)
