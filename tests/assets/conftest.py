"""The app for asset tests keeps photos in a directory of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from api.app import create_app
from api.db import make_sessionmaker
from api.settings import Settings


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection, media_dir: Path) -> Any:
    return create_app(
        settings.model_copy(update={"media_dir": media_dir}), make_sessionmaker(connection)
    )
