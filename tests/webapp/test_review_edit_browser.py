"""Editing a finished review in a real headless Chromium: My reviews → click the row → Edit this review → the
case comes back with the review's decision, and finishing it stores version 2 (the local user of an app open on
127.0.0.1)."""

from __future__ import annotations

import pytest

from tests.webapp.test_e2e import CHROMIUM, CHROMIUM_ARGS
from tests.webapp.test_review_browser import TIMEOUT_MS, review_app  # noqa: F401 - the fixture


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_a_finished_review_is_edited_from_my_reviews(review_app):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect, sync_playwright

    from core import review_workflow as review

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(review_app["url"])
            page.get_by_role("tab", name="Review").click()
            page.keyboard.press("Alt+KeyN")
            expect(page.locator("#review-case")).to_contain_text("Case #1")
            page.keyboard.press("Alt+KeyA")  # accept as is
            expect(page.locator("#review-status")).to_contain_text("Case #1: accept saved")
            expect(page.locator("#review-case")).to_contain_text("Case #2")
            page.get_by_text("My reviews and export").click()
            page.locator('#review-history [role="gridcell"]').filter(has_text="b0").first.click()
            expect(page.locator("#review-edit-id input")).to_have_value("1")
            page.locator("#review-edit").click()
            expect(page.locator("#review-case")).to_contain_text("Case #1")
            expect(page.locator("#review-case")).to_contain_text("editing your review 1")
            page.keyboard.press("Alt+KeyR")  # the accept becomes a reject
            expect(page.locator("#review-status")).to_contain_text("version 2: replaces review 1")
        finally:
            browser.close()
    mine = {row[1]: row for row in review.my_reviews("local")}
    assert mine["b0"][2:5] == ["reject", "submitted", 2]
