"""The module uvicorn serves."""

from __future__ import annotations

import subprocess
import sys

from api.settings import PROJECT_ROOT


def test_serving_freezes_what_was_loaded_so_collections_skip_it() -> None:
    # In a process of its own: freezing this one would keep every test's garbage.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, api.main; print(gc.get_freeze_count())",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(shown.stdout) > 100_000
