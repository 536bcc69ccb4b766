"""A fresh store per test: SQLite, and PostgreSQL when it is installed (a throwaway cluster for the session).

`store` is the URL of the current store, once per backend (test ids `[sqlite]`, `[postgresql]`); without
PostgreSQL the `[postgresql]` runs skip with the reason. `sqlite_store` is the SQLite file, for the tests of
SQLite's own behaviour (pragmas, crash recovery).
"""

from __future__ import annotations

import itertools

import pytest

from core.store import init_db, reset_engine
from tests.postgres import postgres_binaries, throwaway_cluster

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster():
    bin_dir, why = postgres_binaries()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL store tests skipped: {why}")
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    """Path of an initialised SQLite store file (the current store for the test)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "thce.db"
    init_db(f"sqlite:///{path}")
    yield path
    reset_engine()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    """URL of an initialised, empty store (the current store for the test), on each backend."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'thce.db'}"
    else:
        url = request.getfixturevalue("postgres_cluster").create_database(f"thce_test_{next(_databases)}")
    init_db(url)
    yield url
    reset_engine()
