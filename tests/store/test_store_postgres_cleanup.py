"""A test run killed outright (SIGKILL, a CI timeout) must not leave its throwaway PostgreSQL server running:
tests/postgres.py's watchdog stops the cluster and removes its folder once the owning process is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.postgres import postgres_binaries

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import sys, time
sys.path.insert(0, {repo!r})
from tests.postgres import throwaway_cluster
with throwaway_cluster() as cluster:
    print(cluster.data_dir.parent, cluster.port, flush=True)
    time.sleep(600)
"""


def _server_running(root: Path) -> bool:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return any(str(root) in line and "postgres" in line for line in out.splitlines())


def test_a_killed_owner_leaves_no_server_and_no_folder():
    if postgres_binaries()[0] is None:
        pytest.skip(f"PostgreSQL not installed: {postgres_binaries()[1]}")
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(repo=str(REPO))], stdout=subprocess.PIPE, text=True)
    try:
        root = Path(child.stdout.readline().split()[0])
        assert root.is_dir() and _server_running(root)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (root.exists() or _server_running(root)):
        time.sleep(0.5)
    assert not _server_running(root), "the cluster outlived its killed owner"
    assert not root.exists()
