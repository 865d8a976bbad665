"""The real server for the soak runs: uvicorn serving `api.main:app` with several worker
processes on 127.0.0.1, its log read line by line so the tests can wait for what it says
(workers started, a worker died) instead of sleeping."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping

from api.local_cluster import free_port
from api.settings import PROJECT_ROOT

STARTED = re.compile(r"Started server process \[(\d+)\]")
DIED = re.compile(r"Child process \[(\d+)\] died")
READY = "Application startup complete."
WAIT_S = 120  # generous: two cores shared with other work


class ApiServer:
    def __init__(self, env: Mapping[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"),
                *("--port", str(self.port), "--workers", str(workers)),
                *("--no-access-log", "--timeout-graceful-shutdown", "5"),
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.log.append(line.rstrip())
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[str]], bool], what: str) -> None:
        """Block until the log shows `done`; fail if the server exits or takes too long."""
        with self._changed:
            finished = self._changed.wait_for(
                lambda: done(self.log) or self.process.poll() is not None, timeout=WAIT_S
            )
            if not done(self.log):
                tail = "\n".join(self.log[-30:])
                state = "exited" if finished else "timed out"
                raise AssertionError(f"uvicorn {state} waiting for {what}:\n{tail}")

    def ready_count(self) -> int:
        with self._changed:
            return sum(READY in line for line in self.log)

    def worker_pids(self) -> list[int]:
        """The workers alive now, by what the log says was started and has died."""
        with self._changed:
            started = [int(m[1]) for line in self.log if (m := STARTED.search(line))]
            died = {int(m[1]) for line in self.log if (m := DIED.search(line))}
        return [pid for pid in started if pid not in died]

    def problems(self) -> list[str]:
        """What the server logged beyond its INFO lines (warnings, errors, tracebacks)."""
        with self._changed:
            return [line for line in self.log if not line.startswith("INFO:")]

    def start(self) -> ApiServer:
        self.wait_for(lambda log: sum(READY in line for line in log) >= self.workers, "workers")
        return self

    def kill_worker(self, pid: int) -> int:
        """SIGKILL one worker; returns the pid of the one the supervisor starts instead."""
        before = set(self.worker_pids())
        assert pid in before
        ready = self.ready_count()
        os.kill(pid, signal.SIGKILL)
        self.wait_for(lambda log: any(f"Child process [{pid}] died" in x for x in log), "death")
        self.wait_for(lambda log: sum(READY in line for line in log) > ready, "a new worker")
        (replacement,) = set(self.worker_pids()) - before
        return replacement

    def stop(self) -> None:
        workers = self.worker_pids()
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
