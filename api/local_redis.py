"""A throwaway Redis server from the machine's own binary, for the tests of what several
API processes share (production points CYMUNED_REDIS_URL at its own Redis). Installed
from the distribution's package when missing, as PostGIS is."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from api.local_cluster import ClusterError, apt_install

READY = "Ready to accept connections"


def ensure_redis_server() -> str:
    """The path of redis-server, installing the package first if needed."""
    found = shutil.which("redis-server")
    if found is None:
        apt_install("redis-server", "the shared rate-limit and persisted-query tests need it")
        found = shutil.which("redis-server")
    if found is None:
        raise ClusterError("redis-server installed but not found on PATH.")
    return found


class LocalRedis:
    """A Redis on 127.0.0.1:`port` with its files in `directory`, keeping nothing on disk."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            ensure_redis_server(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.process.stdout is not None
        log = []
        # It says when it listens; reading its log blocks until then (or until it exits).
        for line in self.process.stdout:
            log.append(line)
            if READY in line:
                return
        self.stop()
        raise ClusterError("redis-server did not start:\n" + "".join(log))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
