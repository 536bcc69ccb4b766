"""A throwaway PostgreSQL cluster for tests and benchmarks (Debian's `postgresql` package).

    with throwaway_cluster() as cluster:          # initdb in a temp dir, a free port, a non-root user
        url = cluster.create_database("t1")         # postgresql+psycopg://thce@127.0.0.1:PORT/t1

`postgres_binaries()` says why there is none (then the tests skip with that reason). As root, the server runs
as the `postgres` system user (PostgreSQL refuses to run as root), through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "thce"


def postgres_binaries() -> tuple[Path | None, str]:
    """(bin dir of the newest installed PostgreSQL, '') or (None, why not)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        return None, "PostgreSQL is not installed (apt-get install -y postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "the psycopg driver is not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return None, "running as root without `runuser` to start PostgreSQL as another user"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root and there is no `postgres` user to run the server"
    return Path(found[-1]).parent, ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bin_dir: Path
    data_dir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _watch(owner: int, bin_dir: Path, root: Path) -> None:
    """A detached watchdog that stops the cluster and removes its folder once `owner` is gone without doing so
    (a test run killed with SIGKILL or by a timeout otherwise leaves a PostgreSQL server running)."""
    stop = " ".join(shlex.quote(a) for a in _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(root / "data"),
                                                             "-m", "immediate", "stop"]))
    script = (f"while kill -0 {owner} 2>/dev/null; do sleep 2; done; "
              f"if [ -d {shlex.quote(str(root))} ]; then {stop}; rm -rf {shlex.quote(str(root))}; fi")
    subprocess.Popen(["sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


@contextlib.contextmanager
def throwaway_cluster(durable: bool = False) -> Iterator[Cluster]:
    """Start a private cluster (trust auth on 127.0.0.1 only) and remove it afterwards. Tests run it with
    fsync off; `durable=True` keeps PostgreSQL's default durability (for benchmarks)."""
    bin_dir, why = postgres_binaries()
    if bin_dir is None:
        raise RuntimeError(why)
    root = Path(tempfile.mkdtemp(prefix="thce-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    os.chmod(root, 0o700)
    cluster = Cluster(bin_dir, data, _free_port())
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                                    "-E", "UTF8", "--no-sync"]), **run)
    options = f"-p {cluster.port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                    str(root / "server.log"), "-w", "start"]), **run)
    _watch(os.getpid(), bin_dir, root)
    try:
        yield cluster
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
