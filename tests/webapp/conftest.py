"""Fixtures of the web app tests: a temp SQLite store, a fake coder, and a running app on the tiny model."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from core.store import init_db, reset_engine  # noqa: E402
from tests.webapp.helpers import ADMINS, USERS, FakeCoder, free_port  # noqa: E402


@pytest.fixture(autouse=True)
def open_mode(monkeypatch):
    """Every test starts in the open (local, one person) mode unless it configures users or a Space."""
    for name in ("THCE_USERS", "THCE_USERS_FILE", "THCE_ADMINS", "THCE_ANNOTATORS", "THCE_LOCAL_USER", "SYSTEM",
                 "SPACE_ID", "OAUTH_CLIENT_ID", "THCE_SHARE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def users(monkeypatch):
    """Users mode: alice (annotator), bob and carol (admins), as THCE_USERS and THCE_ADMINS give them."""
    monkeypatch.setenv("THCE_USERS", USERS)
    monkeypatch.setenv("THCE_ADMINS", ADMINS)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh SQLite store (the current one for the test); its URL."""
    url = f"sqlite:///{tmp_path / 'thce.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("THCE_JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setenv("THCE_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("THCE_RUNS_DIR", str(tmp_path / "runs"))
    init_db(url)
    yield url
    reset_engine()


@pytest.fixture
def fake_coder(monkeypatch):
    """Make the review workflow code narratives with FakeCoder instead of a model."""
    from core import review_workflow as review

    coder = FakeCoder()
    monkeypatch.setattr(review, "default_coder", lambda model=None, constrain="valid": coder)
    return coder


@pytest.fixture(scope="module")
def running_app(tiny_model_dir, tmp_path_factory):
    """The whole app on the tiny random model, launched on a free port with its own SQLite store."""
    folder = tmp_path_factory.mktemp("app")
    patch = pytest.MonkeyPatch()
    url = f"sqlite:///{folder / 'thce.db'}"
    patch.setenv("DATABASE_URL", url)
    patch.setenv("THCE_JOBS_DIR", str(folder / "jobs"))
    patch.setenv("THCE_REPORTS_DIR", str(folder / "reports"))
    for name in ("SYSTEM", "THCE_USERS", "THCE_USERS_FILE", "THCE_ADMINS", "THCE_ANNOTATORS"):
        patch.delenv(name, raising=False)
    init_db(url)
    from webapp.app import build_demo, launch_options

    demo = build_demo(model=str(tiny_model_dir))
    _, local_url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(),
                                  quiet=True, **launch_options())
    yield {"url": local_url, "db": folder / "thce.db", "dir": folder}
    demo.close()
    reset_engine()
    patch.undo()
