"""Optimistic versioning: every update bumps `version`; a write based on an older one is a
conflict, never a silent overwrite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from api.errors import Conflict


class Versioned:
    """Mixin: SQLAlchemy bumps `version` on every UPDATE and refuses stale ones itself."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


def check_version(current: int, based_on: int | None, *, field: str = "version") -> None:
    """Refuse a change made from a copy older than the stored one."""
    if based_on is not None and based_on != current:
        raise Conflict(
            f"This record changed since your copy (yours is version {based_on}, "
            f"the server has version {current}). Reload it and make the change again.",
            field=field,
            cy=f"Mae'r cofnod hwn wedi newid ers eich copi chi (fersiwn {based_on} sydd gennych "
            f"chi, fersiwn {current} sydd ar y gweinydd). Ail-lwythwch ef a gwneud y newid eto.",
        )
