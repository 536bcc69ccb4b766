"""The running app (tiny random model, temp SQLite) end to end: through gradio_client (code a narrative,
queue it, submit a correction; the review and its preference pair are in SQLite) and in a real headless
Chromium (type a narrative, see the codes, send it to review, accept it with the keyboard shortcut)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from gradio_client import Client

from tests.webapp.helpers import NARRATIVE


@pytest.fixture(scope="module")
def client(running_app):
    return Client(running_app["url"], verbose=False, download_files=False)


def test_named_endpoints_are_listed(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    for name in ("/code", "/validate_codes", "/search_codes", "/submit_review", "/queue_for_review",
                 "/export_pairs", "/code_stream", "/my_reviews", "/annotation_stats"):
        assert name in endpoints, name


def test_validate_codes_endpoint(client):
    result = client.predict("e1165, E11, 99214", "", api_name="/validate_codes")
    rows = result["data"] if isinstance(result, dict) else result
    assert [(r[1], r[3]) for r in rows] == [("E11.65", "ok"), ("E11", "not_billable"), ("99214", "ok")]


def test_code_then_correct_writes_review_and_pair(client, running_app):
    result = client.predict(NARRATIVE, "", "valid", api_name="/code")
    assert result["raw"] and result["prompt"][1]["role"] == "user"
    queued = client.predict(NARRATIVE, api_name="/queue_for_review")  # a narrative only: the server codes it
    assert queued["prediction_id"]
    saved = client.predict(queued["case_id"], "correct", "E11.65\n99214\n83036",
                           "HbA1c drawn -> 83036", "added the lab", api_name="/submit_review")
    assert saved["version"] == 1 and saved["pair_id"]
    with sqlite3.connect(running_app["db"]) as db:
        review = db.execute("SELECT case_id, annotator, decision, notes, corrected_reasoning FROM reviews "
                            "WHERE id = ?", (saved["review_id"],)).fetchone()
        pair = db.execute("SELECT review_id, chosen, rejected FROM preference_pairs WHERE id = ?",
                          (saved["pair_id"],)).fetchone()
        narrative = db.execute("SELECT narrative FROM cases WHERE id = ?", (queued["case_id"],)).fetchone()[0]
        raw = db.execute("SELECT raw_output FROM predictions WHERE id = ?", (queued["prediction_id"],)).fetchone()[0]
    # the app is open on 127.0.0.1 (no users): every request is the local user
    assert review == (queued["case_id"], "local", "correct", "added the lab", "HbA1c drawn -> 83036")
    assert pair[0] == saved["review_id"] and pair[2] == raw
    assert '"cpt": ["99214", "83036"]' in pair[1] and "HbA1c drawn -> 83036" in pair[1]
    assert narrative == NARRATIVE


def test_bad_submission_is_a_clear_error(client):
    with pytest.raises(Exception, match="decision must be one of"):
        client.predict(1, "maybe", "", "", "", api_name="/submit_review")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_browser_codes_a_narrative_and_reviews_it(running_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            outside = []
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(running_app["url"]) and not request.url.startswith("data:") else None)
            page.goto(running_app["url"])
            page.locator("#narrative textarea").fill(NARRATIVE)
            page.locator("#code-button").click()
            expect(page.locator("#code-summary")).to_contain_text("valid code(s)", timeout=60_000)
            expect(page.locator("#reasoning textarea")).not_to_have_value("")
            page.screenshot(path=tmp_path / "code-tab.png", full_page=True)
            page.locator("#send-to-review").click()
            expect(page.get_by_text("Queued for review as case")).to_be_visible(timeout=60_000)  # the server codes the narrative again

            page.get_by_role("tab", name="Review").click()
            page.keyboard.press("Alt+KeyN")
            expect(page.locator("#review-case")).to_contain_text("Case #", timeout=30_000)
            expect(page.locator("#review-narrative")).to_contain_text(NARRATIVE.split()[0], timeout=30_000)
            page.screenshot(path=tmp_path / "review-tab.png", full_page=True)
            before = re.search(r"Me: (\d+) submitted", page.locator("#review-progress").inner_text())
            mine = int(before.group(1)) if before else 0  # the signed-in user's reviews so far (other tests too)
            page.keyboard.press("Alt+KeyA")
            expect(page.locator("#review-status")).to_contain_text("accept saved", timeout=30_000)
            expect(page.locator("#review-progress")).to_contain_text(f"Me: {mine + 1} submitted")
            page.get_by_role("tab", name="Train & Evaluate").click()
            expect(page.locator("#jobs-permission")).to_contain_text("THCE_ALLOW_JOBS=1")
            page.screenshot(path=tmp_path / "train-tab.png", full_page=True)
        finally:
            browser.close()
    with sqlite3.connect(running_app["db"]) as db:
        decisions = db.execute("SELECT decision FROM reviews WHERE annotator = 'local' AND case_id > 1").fetchall()
    assert decisions == [("accept",)]
    assert (tmp_path / "code-tab.png").stat().st_size > 10_000
    assert outside == []  # no fonts, analytics or anything else fetched from elsewhere
