"""Exports hold whole narratives: the file Gradio serves for one is deleted after THCE_DOWNLOAD_MINUTES.

Regression: an admin's export stayed downloadable by any signed-in user holding its link until the server
stopped (Gradio keeps its copy of every file it serves). The app now sets gr.Blocks(delete_cache=...)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from tests.webapp.helpers import ADMINS, NARRATIVE, USERS, FakeCoder, free_port


def test_download_settings(monkeypatch):
    from webapp.common import SettingError, download_cache, download_max_age_s

    monkeypatch.delenv("THCE_DOWNLOAD_MINUTES", raising=False)
    assert download_cache() == (600, 3600)  # an hour, swept every 10 minutes
    monkeypatch.setenv("THCE_DOWNLOAD_MINUTES", "5")
    assert download_cache() == (50, 300)
    for bad in ("abc", "0", "-1", "nan", "inf"):
        monkeypatch.setenv("THCE_DOWNLOAD_MINUTES", bad)
        with pytest.raises(SettingError, match="THCE_DOWNLOAD_MINUTES"):
            download_max_age_s()


def _login(base: str, name: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    assert client.post("/login", data={"username": name, "password": password}).status_code == 200
    return client


def test_an_export_is_downloadable_for_the_set_time_only(tmp_path, monkeypatch):
    from core.store import init_db, reset_engine

    url = f"sqlite:///{tmp_path / 'thce.db'}"
    for name, value in {"DATABASE_URL": url, "THCE_USERS": USERS, "THCE_ADMINS": ADMINS,
                        "THCE_DOWNLOAD_MINUTES": "0.02",  # 1 s, swept every second
                        "THCE_JOBS_DIR": str(tmp_path / "jobs"), "THCE_REPORTS_DIR": str(tmp_path / "reports")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("core.review_workflow.default_coder", lambda model=None, constrain="valid": FakeCoder())
    init_db(url)
    from core.access import access_config
    from webapp.app import build_demo, launch_options

    demo = build_demo(model="/models/configured")
    try:
        _, local_url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(),
                                      quiet=True, auth=access_config().gradio_auth(), **launch_options())
        alice = Client(local_url, auth=("alice", "alice-pw"), verbose=False, download_files=False)
        queued = alice.predict(NARRATIVE, api_name="/queue_for_review")
        alice.predict(queued["case_id"], "correct", "E11.9", "", "", api_name="/submit_review")
        bob = Client(local_url, auth=("bob", "bob-pw"), verbose=False, download_files=False)
        export = bob.predict(api_name="/export_pairs")
        link = export["url"] if isinstance(export, dict) else export
        carol = _login(local_url.rstrip("/"), "carol", "carol-pw")  # another signed-in user who got the link
        first = carol.get(link)
        assert first.status_code == 200 and NARRATIVE[:30] in first.text
        deadline = time.monotonic() + 20
        while carol.get(link).status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert carol.get(link).status_code in (403, 404)  # refused: no longer a file the app serves
        assert not Path(link.split("file=", 1)[1]).exists()  # and gone from Gradio's cache
        assert bob.predict(api_name="/export_pairs")  # a new export works as before
    finally:
        demo.close()
        reset_engine()
