"""How the Train & Evaluate tab words background jobs (core.jobs and core.launcher give them as data): the
jobs table and the followed job's status line."""

from __future__ import annotations

from core import launcher
from core.jobs import list_jobs

JOB_COLUMNS = ["job", "kind", "status", "command", "started", "finished", "exit"]


def jobs_table(limit: int = 30) -> list[list]:
    """Recent jobs, newest first, as rows of JOB_COLUMNS."""
    return [[j["id"], j["kind"], j["status"], j["command"], j["started_at"] or "", j["finished_at"] or "",
             "" if j["exit_code"] is None else j["exit_code"]] for j in list_jobs(limit)]


def status_markdown(state: dict) -> str:
    """'**Job 3** (sft): **running** · 40%' (progress while it runs, the exit code once it has one), then the
    command; `state` is core.launcher.job_state(...)."""
    job = state["job"]
    text = f"**Job {job['id']}** ({job['kind']}): **{job['status']}**"
    if state["progress"] is not None and not state["finished"]:
        text += f" · {100 * state['progress']:.0f}%"
    if job["exit_code"] is not None:
        text += f" · exit code {job['exit_code']}"
    return text + f"\n\n`{job['command']}`"


def job_view(job_id: int, lines: int = 200) -> tuple[str, str, bool]:
    """(status markdown, log tail, finished?) of one job."""
    state = launcher.job_state(job_id, lines)
    return status_markdown(state), state["log"], state["finished"]
