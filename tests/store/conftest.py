"""A fresh SQLite store per test."""

from __future__ import annotations

import pytest

from core.store import init_db, reset_engine


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Path of an initialised SQLite store file (the current store for the test)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "thce.db"
    init_db(f"sqlite:///{path}")
    yield path
    reset_engine()
