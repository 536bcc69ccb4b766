"""core.jobs: `thce ...` subprocesses with a log, an exit-code file, cancellation and restart survival."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import core.jobs as jobs
from core.store import NotFoundError, init_db, reset_engine, run_write
from core.store.models import Job


@pytest.fixture
def job_store(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_JOBS_DIR", str(tmp_path / "jobs"))
    init_db(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield tmp_path / "jobs"
    for proc in list(jobs._procs.values()):  # never leave a child behind
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    jobs._procs.clear()
    reset_engine()


def _wait(job_id: int, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = jobs.job_status(job_id)
        if status["status"] in jobs.FINISHED:
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {status['status']} after {timeout}s")


def _live_group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _sleeper(monkeypatch, seconds: int = 60) -> None:
    """Make jobs run a python that starts a grandchild and sleeps (stands in for a long training run)."""
    code = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep({seconds})']); " \
           f"print('started', flush=True); time.sleep({seconds})"
    monkeypatch.setattr(jobs, "thce_command", lambda args: [sys.executable, "-c", code])


def test_thce_help_job_succeeds_and_logs(job_store):
    job_id = jobs.start_job("eval", ["--help"])
    status = _wait(job_id)
    assert (status["status"], status["exit_code"]) == ("succeeded", 0)
    assert status["command"] == "thce --help" and status["log_path"] == str(job_store / f"{job_id}.log")
    assert "annotations" in jobs.tail_log(job_id)
    assert (job_store / f"{job_id}.log.rc").read_text() == "0"
    assert [j["id"] for j in jobs.list_jobs()] == [job_id]


def test_a_failing_command_is_failed_with_its_exit_code(job_store):
    status = _wait(jobs.start_job("pipeline", ["no-such-command"]))
    assert status["status"] == "failed" and status["exit_code"] == 2


def test_cancel_stops_the_whole_process_group(job_store, monkeypatch):
    _sleeper(monkeypatch)
    job_id = jobs.start_job("sft", ["train", "sft"])
    deadline = time.monotonic() + 30
    while "started" not in jobs.tail_log(job_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = jobs.job_status(job_id)["pid"]
    assert jobs.cancel_job(job_id) is True
    status = jobs.job_status(job_id)
    assert status["status"] == "cancelled" and status["finished_at"]
    assert jobs.cancel_job(job_id) is False
    assert _live_group_members(pid) == []  # the grandchild too (zombies awaiting a reaper do not count)


def test_status_survives_a_restart_through_the_rc_file(job_store):
    job_id = jobs.start_job("eval", ["--help"])
    proc = jobs._procs.pop(job_id)  # as if the web app had restarted
    assert jobs.job_status(job_id)["status"] in ("running", "succeeded")
    proc.wait(timeout=60)
    assert _wait(job_id)["status"] == "succeeded"


def test_a_vanished_process_without_exit_code_is_lost(job_store, monkeypatch):
    _sleeper(monkeypatch)
    job_id = jobs.start_job("dpo", [])
    proc = jobs._procs.pop(job_id)
    os.killpg(proc.pid, 9)  # killed from outside: the wrapper cannot write the exit code
    proc.wait()
    status = jobs.job_status(job_id)
    assert status["status"] == "lost" and status["exit_code"] is None


def test_a_stale_exit_code_file_does_not_count(job_store, monkeypatch):
    _sleeper(monkeypatch)
    job_store.mkdir(parents=True, exist_ok=True)
    (job_store / "1.log.rc").write_text("0")  # left by another database using the same folder
    job_id = jobs.start_job("eval", [])
    assert job_id == 1 and jobs.job_status(job_id)["status"] == "running"
    assert jobs.cancel_job(job_id, grace_s=5)


def test_tail_log_returns_the_last_lines_of_a_large_log(job_store):
    job_id = run_write(lambda s: _job_row(s, job_store))
    lines = [f"line {i} " + "x" * 50 for i in range(20_000)]
    (job_store / "big.log").write_text("\n".join(lines) + "\n")
    assert jobs.tail_log(job_id, n=3).splitlines() == lines[-3:]
    assert len(jobs.tail_log(job_id).splitlines()) == 200


def _job_row(session, folder) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    job = Job(kind="eval", args=[], status="succeeded", log_path=str(folder / "big.log"))
    session.add(job)
    session.flush()
    return job.id


def test_bad_requests(job_store):
    with pytest.raises(jobs.JobError, match="kind"):
        jobs.start_job("selftest", ["--help"])
    with pytest.raises(jobs.JobError, match="args"):
        jobs.start_job("eval", "--help")
    with pytest.raises(NotFoundError, match="job 999"):
        jobs.job_status(999)
