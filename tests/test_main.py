"""The module uvicorn serves."""

from __future__ import annotations

import subprocess
import sys

from api.serving import MIDDLE_THRESHOLD
from api.settings import PROJECT_ROOT


def test_serving_freezes_what_was_loaded_and_collects_the_middle_generation_less_often() -> None:
    # In a process of its own: freezing this one would keep every test's garbage.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, api.main; print(gc.get_freeze_count(), *gc.get_threshold())",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, young, middle, _ = map(int, shown.stdout.split())
    assert frozen > 100_000
    # The middle generation is collected less often; the young one as this CPython does.
    default = subprocess.run(
        [sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (young, middle) == (int(default.stdout), MIDDLE_THRESHOLD)
