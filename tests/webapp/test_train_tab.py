"""Train & Evaluate tab callbacks as plain functions; one real evaluation job end to end."""

from __future__ import annotations

import time

import gradio as gr
import pytest

from tests.webapp.helpers import as_user
from webapp import job_views, train_tab

LOCAL = as_user(None)  # the open app's local user (an admin)


def test_access_explains_why_jobs_are_disabled(monkeypatch):
    monkeypatch.delenv("THCE_ALLOW_JOBS", raising=False)
    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/thce")
    monkeypatch.setenv("THCE_ADMINS", "boss")
    text, train_button, eval_button = train_tab.access(as_user(None), None)
    assert text.startswith("**Jobs disabled:**") and "THCE_ADMINS" in text
    assert train_button["interactive"] is False and eval_button["interactive"] is False
    boss = gr.OAuthProfile({"preferred_username": "boss", "name": "", "profile": "", "picture": ""})
    text, train_button, _ = train_tab.access(as_user(None), boss)
    assert text.startswith("**Jobs enabled:**") and train_button["interactive"] is True


def test_annotators_see_no_jobs_or_reports_and_cannot_launch(store, monkeypatch, users):
    monkeypatch.setenv("THCE_ALLOW_JOBS", "1")
    alice = as_user("alice")
    assert train_tab.recent_jobs(alice, None) == [] and train_tab.poll(1, alice, None)[0] == train_tab.ADMIN_ONLY
    with pytest.raises(gr.Error, match="only administrators"):
        train_tab.start_eval("synthetic:50:7", "baseline:bm25", 5, alice, None)
    with pytest.raises(gr.Error, match="only administrators"):
        train_tab.show_report("report.json", alice, None)


def test_launching_is_refused_without_permission(store, monkeypatch):
    monkeypatch.delenv("THCE_ALLOW_JOBS", raising=False)
    monkeypatch.delenv("THCE_ADMINS", raising=False)
    with pytest.raises(gr.Error, match="disabled"):
        train_tab.start_training("stage_1_tiny.yaml", False, LOCAL, None)
    with pytest.raises(gr.Error, match="disabled"):
        train_tab.start_eval("synthetic:50:7", "baseline:bm25", 5, LOCAL, None)
    with pytest.raises(gr.Error, match="disabled"):
        train_tab.cancel(1, LOCAL, None)
    assert job_views.jobs_table() == []


def test_bad_choices_are_refused_even_with_permission(store, monkeypatch):
    monkeypatch.setenv("THCE_ALLOW_JOBS", "1")
    with pytest.raises(gr.Error, match="config must be one of"):
        train_tab.start_training("../../../etc/passwd", False, LOCAL, None)
    with pytest.raises(gr.Error, match="no reviewed preference pairs"):
        train_tab.start_training("stage_3_tiny.yaml", True, LOCAL, None)
    with pytest.raises(gr.Error, match="dataset must be one of"):
        train_tab.start_eval("/etc/passwd", "baseline:bm25", 5, LOCAL, None)
    assert job_views.jobs_table() == []


def test_poll_without_a_job_and_with_an_unknown_one(store):
    status, log, jobs, timer = train_tab.poll(None)
    assert (status, log, jobs) == (train_tab.NO_JOB, "", [])
    status, *_ = train_tab.poll(99)
    assert "job 99 does not exist" in status


def test_an_evaluation_job_runs_and_its_report_can_be_viewed(store, monkeypatch):
    monkeypatch.setenv("THCE_ALLOW_JOBS", "1")
    job_id, status, log, jobs, timer = train_tab.start_eval("synthetic:50:7", "baseline:majority_code", 4, LOCAL, None)
    assert jobs[0][:2] == [job_id, "eval"] and "eval --dataset synthetic:50:7" in status
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, log, jobs, timer = train_tab.poll(job_id)
        if "succeeded" in status or "failed" in status:
            break
        time.sleep(0.5)
    assert "**succeeded**" in status, log
    assert "report:" in log
    report, report_a, report_b = train_tab.list_reports()
    assert report["value"].endswith("-majority-code-synthetic-50-7.json")
    summary, rows, image = train_tab.show_report(report["value"])
    assert "majority_code" in summary and rows[0][0] == "overall" and image.size[0] > 100
    header, compared = train_tab.compare(report_a["value"], report_b["value"])
    assert compared and "different datasets" not in header
    with pytest.raises(gr.Error, match="listed reports"):
        train_tab.show_report("/etc/passwd")
