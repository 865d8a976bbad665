"""The module uvicorn serves."""

from __future__ import annotations

import subprocess
import sys

from api.settings import PROJECT_ROOT


def test_serving_freezes_what_was_loaded_so_collections_skip_it_and_come_less_often() -> None:
    # In a process of its own: freezing this one would keep every test's garbage.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, api.main; print(gc.get_freeze_count(), gc.get_threshold()[0])",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, young = map(int, shown.stdout.split())
    assert frozen > 100_000
    assert young >= 10_000
