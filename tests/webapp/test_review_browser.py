"""The review screen in a real headless Chromium, keyboard only (the app open on 127.0.0.1: every request is the
local user, an admin). Cases with a known model answer are queued; for each, the coder drops the second code
(Alt+J, Alt+X), adds one by search (Alt+F, type, Enter) and submits (Alt+Enter); on the second case the coder
also restores the code the coding rules dropped (its own row, with the rule's reason). The stored review, the DPO
pair and the KTO rows must be exactly what the screen showed. The load -> submit times are reported (median),
and screenshots of the Code and Review tabs are saved to docs/img/ for docs/ANNOTATION.md."""

from __future__ import annotations

import json
import re
import statistics
import time

import pytest

from core.paths import REPO_ROOT
from core.prompts import SYSTEMS, parse_output
from tests.webapp.helpers import FAKE_EDIT, NARRATIVE, fake_result, free_port
from tests.webapp.test_e2e import CHROMIUM, CHROMIUM_ARGS

DOCS_IMG = REPO_ROOT / "docs" / "img"
CASES = 3
QUERY = "mixed hyperlipidemia"
TIMEOUT_MS = 60_000
RULE_DROPPED = FAKE_EDIT["code"]  # the code the fake answer's coding rules dropped: a row that starts dropped


@pytest.fixture(scope="module")
def review_app(tiny_model_dir, tmp_path_factory):
    """The app on the tiny random test model (the Code tab runs it; fast) with its own SQLite store, and CASES
    cases in the queue whose model answer is known (E11.65, 99214)."""
    from core.store import add_case, init_db, reset_engine, save_prediction

    folder = tmp_path_factory.mktemp("review-app")
    patch = pytest.MonkeyPatch()
    url = f"sqlite:///{folder / 'thce.db'}"
    patch.setenv("DATABASE_URL", url)
    patch.setenv("THCE_JOBS_DIR", str(folder / "jobs"))
    for name in ("SYSTEM", "THCE_USERS", "THCE_USERS_FILE", "THCE_ADMINS", "THCE_ANNOTATORS"):
        patch.delenv(name, raising=False)
    init_db(url)
    for i in range(CASES):
        narrative = f"{NARRATIVE} Mixed hyperlipidemia on atorvastatin. Visit {i + 1}."
        save_prediction(add_case(narrative, source="browser-test", external_id=f"b{i}"), fake_result(narrative))
    from webapp.app import build_demo, launch_options

    demo = build_demo(model=str(tiny_model_dir))
    _, local_url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(),
                                  quiet=True, **launch_options())
    yield {"url": local_url}
    demo.close()
    reset_engine()
    patch.undo()


def _screen_codes(summary: str) -> list[str]:
    """The codes the summary line says Submit stores ("... correction: E11.65, E78.2 (dropped ...)")."""
    listed = summary.split(":", 2)[-1].split("(")[0]
    return [c.strip() for c in listed.split(",") if c.strip()]


def _review_one(page, expect, restore: bool = False) -> dict:
    """Drop the second code, restore the rule-dropped one (`restore`), add one by search, submit; what the screen
    showed and the load -> submit seconds."""
    started = time.perf_counter()
    page.keyboard.press("Alt+KeyJ")
    expect(page.locator("#review-selected")).to_contain_text("99214")
    page.keyboard.press("Alt+KeyX")
    expect(page.locator("#review-codes-table")).to_contain_text("✗ drop")
    if restore:
        page.keyboard.press("Alt+KeyJ")
        expect(page.locator("#review-selected")).to_contain_text(f"{RULE_DROPPED} (icd10cm, dropped by the coding")
        page.keyboard.press("Alt+KeyX")
        expect(page.locator("#review-summary")).to_contain_text(f"restored {RULE_DROPPED}")
    page.keyboard.press("Alt+KeyF")
    page.keyboard.type(QUERY)
    expect(page.locator("#review-search-hint")).to_contain_text(f"“{QUERY}”: Enter adds", timeout=TIMEOUT_MS)
    hint = re.search(rf"“{QUERY}”: Enter adds (\S+)", page.locator("#review-search-hint").inner_text()).group(1)
    page.keyboard.press("Enter")
    expect(page.locator("#review-summary")).to_contain_text(f"added {hint}", timeout=TIMEOUT_MS)
    summary = page.locator("#review-summary").inner_text()
    table = page.locator("#review-codes-table").inner_text()
    case = re.search(r"Case #(\d+)", page.locator("#review-case").inner_text()).group(1)
    page.keyboard.press("Alt+Enter")
    expect(page.locator("#review-status")).to_contain_text(f"Case #{case}: correct saved", timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - started
    return {"case_id": int(case), "codes": _screen_codes(summary), "added": hint, "table": table, "restore": restore,
            "status": page.locator("#review-status").inner_text(), "seconds": elapsed}


def _flat(codes: dict) -> list[str]:
    return [c for s in SYSTEMS for c in (codes or {}).get(s, [])]


@pytest.mark.heavy
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_keyboard_only_review_stores_what_the_screen_showed(review_app):
    from playwright.sync_api import expect, sync_playwright
    from sqlmodel import select

    from core.store import PreferencePair, Review, get_session, kto_records

    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)  # a shared, busy machine: server round trips can take seconds
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(review_app["url"])
            page.locator("#narrative textarea").fill(NARRATIVE)
            page.locator("#code-button").click()
            expect(page.locator("#code-summary")).to_contain_text("valid code(s)", timeout=180_000)
            page.screenshot(path=DOCS_IMG / "code-tab.png", full_page=True)

            page.get_by_role("tab", name="Review").click()
            page.keyboard.press("Alt+KeyN")
            expect(page.locator("#review-case")).to_contain_text("Case #", timeout=TIMEOUT_MS)
            done = []
            for i in range(CASES):
                if i == 0:
                    page.keyboard.press("Alt+KeyJ")
                    expect(page.locator("#review-selected")).to_contain_text("99214")
                    page.screenshot(path=DOCS_IMG / "review-tab.png", full_page=True)
                    page.keyboard.press("Alt+KeyK")
                    expect(page.locator("#review-selected")).to_contain_text("E11.65")
                    expect(page.locator("#review-codes-table")).to_contain_text(
                        f"dropped by {FAKE_EDIT['rule']} because {FAKE_EDIT['reason']}")
                done.append(_review_one(page, expect, restore=i == 1))
                if i < CASES - 1:
                    expect(page.locator("#review-case")).to_contain_text(f"Case #{done[-1]['case_id'] + 1}",
                                                                         timeout=TIMEOUT_MS)
            expect(page.locator("#review-case")).to_contain_text("queue is empty", timeout=TIMEOUT_MS)
            expect(page.locator("#review-progress")).to_contain_text(f"{CASES} submitted")
        finally:
            browser.close()

    kto = kto_records()
    with get_session() as session:
        for seen in done:
            review = session.exec(select(Review).where(Review.case_id == seen["case_id"])).one()
            pair = session.exec(select(PreferencePair).where(PreferencePair.review_id == review.id)).one()
            assert (review.annotator, review.status, review.decision) == ("local", "submitted", "correct")
            restored = [RULE_DROPPED] if seen["restore"] else []
            assert _flat(review.corrected_codes) == seen["codes"] == ["E11.65", *restored, seen["added"]]
            assert _flat(parse_output(pair.chosen).codes) == seen["codes"]
            assert f"preference pair {pair.id}" in seen["status"]
            rows = [r for r in kto if r["meta"]["review_id"] == review.id]
            assert [(r["meta"]["kind"], r["label"]) for r in rows] == [("model", False), ("correction", True)]
            assert rows[0]["completion"][0]["content"] == pair.rejected
            assert rows[1]["completion"][0]["content"] == pair.chosen
            assert review.time_spent_s is not None and review.time_spent_s > 0
    seconds = [seen["seconds"] for seen in done]
    report = {"cases": CASES, "median_s": round(statistics.median(seconds), 2), "seconds": [round(s, 2) for s in seconds]}
    print("keyboard path load -> submit:", json.dumps(report))
    for name in ("code-tab.png", "review-tab.png"):
        assert (DOCS_IMG / name).stat().st_size > 10_000
