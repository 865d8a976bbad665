"""A project-local PostgreSQL + PostGIS cluster built from the machine's own binaries.

Used by `make run` (a long-lived cluster under `.data/`) and by the test fixtures (a
throwaway cluster). PostgreSQL refuses to run as root, so as root every server command
runs as the `postgres` system user, which owns the data directory.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

DB_USER = "cymuned"
DB_NAME = "cymuned"


class ClusterError(RuntimeError):
    """The local cluster could not be set up; the message says what to do."""


def _bin_dir() -> Path:
    """The newest PostgreSQL server binaries installed (Debian keeps them off PATH)."""
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1]
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    raise ClusterError("PostgreSQL server binaries not found: install the 'postgresql' package.")


def server_major() -> str:
    out = subprocess.run(
        [str(_bin_dir() / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return out.split()[-1].split(".")[0]


def postgis_available() -> bool:
    share = Path(f"/usr/share/postgresql/{server_major()}/extension")
    return (share / "postgis.control").exists()


def apt_install(package: str, why: str) -> None:
    """Install a distribution package (as root, else through sudo)."""
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"Installing {package} ({why})...")
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", package], check=True, env=env)


def ensure_postgis() -> None:
    """Install the distribution's PostGIS package for the server's major version if missing."""
    if postgis_available():
        return
    package = f"postgresql-{server_major()}-postgis-3"
    apt_install(package, "PostGIS is not available to the local PostgreSQL")
    if not postgis_available():
        raise ClusterError(f"{package} installed but postgis.control is still missing.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LocalCluster:
    """A cluster in `root`: data in `root/pg`, password in `root/pg.password`."""

    root: Path
    port: int
    throwaway: bool = False

    @property
    def data_dir(self) -> Path:
        # Resolved: `pg` may be a link to a place the postgres user can reach (see init).
        return (self.root / "pg").resolve()

    @property
    def password_file(self) -> Path:
        return self.root / "pg.password"

    def url(self, database: str = DB_NAME) -> str:
        password = self.password_file.read_text().strip()
        return f"postgresql+asyncpg://{DB_USER}:{password}@127.0.0.1:{self.port}/{database}"

    def _as_owner(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [*self._as_owner(), *args]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}")
        return done

    def _give_to_owner(self, path: Path) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def _owner_can_reach(self, path: Path) -> bool:
        return subprocess.run([*self._as_owner(), "test", "-x", str(path)]).returncode == 0

    def _make_data_dir(self) -> None:
        """The data directory, owned by the server's user. If that user cannot reach the
        project (a checkout under /root, say), the data lives under /var/tmp and `pg` links
        to it."""
        link = self.root / "pg"
        if self._owner_can_reach(self.root):
            link.mkdir(mode=0o700, exist_ok=True)
        else:
            digest = hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:12]
            outside = Path("/var/tmp") / f"cymuned-{digest}"
            outside.mkdir(mode=0o700, exist_ok=True)
            link.unlink(missing_ok=True)
            link.symlink_to(outside)
        self._give_to_owner(self.data_dir)

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        done = subprocess.run(
            [*self._as_owner(), str(_bin_dir() / "pg_ctl"), "status", "-D", str(self.data_dir)],
            capture_output=True,
        )
        return done.returncode == 0

    def init(self) -> None:
        """Create the data directory, the role and the database, once."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)
        self._make_data_dir()
        # initdb reads the password from a file its (unprivileged) user can open.
        pwfile = self.data_dir.parent / f"{self.data_dir.name}.initpw"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        self._give_to_owner(pwfile)
        try:
            self._run(
                str(_bin_dir() / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                DB_USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self) -> None:
        self.init()
        if self.is_running():
            return
        # jit=off for every client (the API sets it on its own connections too), so the
        # benchmarks' raw-SQL floor and peer pay no JIT compilation either (see api/db.py).
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.data_dir} -c jit=off"
        )
        if self.throwaway:
            # Test data need not survive a crash; skipping fsync makes the suite faster.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(_bin_dir() / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            options,
        )
        self._ensure_database()

    def _ensure_database(self) -> None:
        psql = [
            str(_bin_dir() / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            DB_USER,
            "-d",
            "postgres",
            "-tAc",
        ]
        env = {**os.environ, "PGPASSWORD": self.password_file.read_text().strip()}
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                [*psql, f"CREATE DATABASE {DB_NAME}"], env=env, check=True, capture_output=True
            )

    def stop(self) -> None:
        if self.is_running():
            self._run(str(_bin_dir() / "pg_ctl"), "stop", "-m", "fast", "-D", str(self.data_dir))

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
