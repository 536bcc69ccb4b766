"""How the Train & Evaluate tab words a job (core.launcher.job_state gives it as data)."""

from __future__ import annotations

from webapp.job_views import status_markdown

JOB = {"id": 3, "kind": "sft", "status": "running", "exit_code": None, "command": "thce train sft --config c.yaml"}


def test_the_status_line_shows_progress_while_running_and_the_exit_code_when_done():
    running = status_markdown({"job": JOB, "progress": 0.4, "finished": False})
    assert running == "**Job 3** (sft): **running** · 40%\n\n`thce train sft --config c.yaml`"
    done = status_markdown({"job": JOB | {"status": "failed", "exit_code": 1}, "progress": 0.4, "finished": True})
    assert done == "**Job 3** (sft): **failed** · exit code 1\n\n`thce train sft --config c.yaml`"
