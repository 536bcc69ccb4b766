"""Launch and track long `thce ...` commands (training, evaluation, pipelines) as subprocesses.

    job_id = start_job("sft", ["train", "sft", "--config", "training/configs/sft_tiny.yaml"])
    job_status(job_id)["status"]      # starting | running | succeeded | failed | cancelled | lost
    tail_log(job_id, n=200)           # last lines of stdout+stderr
    cancel_job(job_id)                # SIGTERM to the job's process group, SIGKILL after a grace period

`args` are the arguments after `thce`; `kind` labels the job. Each job runs `python -m core.cli ARGS` in
its own session (process group) under a small wrapper that writes the exit code to `<log>.rc`, so the
status survives restarts of the web app: the Job row (store) keeps the pid and log path, and a job whose
process is gone without an exit-code file is reported as "lost". Logs live in `jobs_dir()`
(THCE_JOBS_DIR, else `jobs/` under the runtime data dir). Nothing here runs training in-process.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from core.paths import REPO_ROOT
from core.store.db import get_session, run_write, runtime_data_dir
from core.store.errors import FieldError, NotFoundError
from core.store.models import Job, utcnow

logger = logging.getLogger(__name__)

JOB_KINDS: tuple[str, ...] = ("sft", "dpo", "kto", "eval", "pipeline")
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled", "lost"})
CANCEL_GRACE_S = 10.0
PID_REUSE_GRACE_S = 30.0  # a pid running something else this long after the start was recycled
STARTING_TIMEOUT_S = 60.0  # a job still "starting" without a pid after this never got its process
_procs: dict[int, subprocess.Popen] = {}  # jobs started by this process (to reap them)

# Runs the command, forwards SIGTERM, then writes the exit code atomically to argv[1].
_WRAPPER = """
import os, signal, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
code = child.wait()
with open(sys.argv[1] + ".tmp", "w") as handle:
    handle.write(str(code))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
sys.exit(0 if code == 0 else 1)
"""


class JobError(FieldError):
    """A job could not be started or found."""


def jobs_dir() -> Path:
    path = Path(os.environ.get("THCE_JOBS_DIR") or runtime_data_dir() / "jobs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def thce_command(args: list[str]) -> list[str]:
    """The command line of `thce ARGS` with this interpreter."""
    return [sys.executable, "-m", "core.cli", *args]


def _rc_path(job: Job) -> Path:
    return Path(job.log_path + ".rc")


def _check_args(kind: str, args: list[str]) -> list[str]:
    if kind not in JOB_KINDS:
        raise JobError(f"kind must be one of {', '.join(JOB_KINDS)}, got {kind!r}", "kind")
    if not isinstance(args, list | tuple) or not all(isinstance(a, str) and "\x00" not in a for a in args):
        raise JobError("args must be a list of strings (the arguments after `thce`)", "args")
    return list(args)


def _update(job_id: int, **values) -> Job:
    def write(session) -> Job:
        job = session.get(Job, job_id)
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)
        return job

    return run_write(write)


def _spawn(job: Job, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-c", _WRAPPER, str(log_path) + ".rc", *thce_command(job.args)]
    Path(str(log_path) + ".rc").unlink(missing_ok=True)  # a stale file of another database must not count
    with log_path.open("wb") as log:
        log.write(f"# job {job.id} ({job.kind}): thce {shlex.join(job.args)}\n".encode())
        log.flush()
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=REPO_ROOT, env=env, start_new_session=True)


def start_job(kind: str, args: list[str]) -> int:
    """Start `thce ARGS` in the background; returns the job id at once."""
    args = _check_args(kind, args)

    def create(session) -> int:
        job = Job(kind=kind, args=args)
        session.add(job)
        session.flush()
        return job.id

    job_id = run_write(create)
    log_path = jobs_dir() / f"{job_id}.log"
    job = _update(job_id, log_path=str(log_path))
    try:
        proc = _spawn(job, log_path)
    except OSError as exc:
        _update(job_id, status="failed", finished_at=utcnow())
        raise JobError(f"could not start job {job_id}: {exc}", "args") from exc
    _procs[job_id] = proc
    _update(job_id, pid=proc.pid, status="running", started_at=utcnow())
    logger.info("job %d (%s) started: pid %d", job_id, kind, proc.pid)
    return job_id


def _read_rc(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _proc_state(pid: int) -> tuple[str, bytes] | None:
    """(state letter, command line) of a live process, None when gone; ("?", b"") without /proc."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state, Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return "?", b""


def _pid_is_job(job: Job) -> bool:
    """Is the job's wrapper process alive (not a zombie, not a recycled pid)?"""
    found = _proc_state(job.pid) if job.pid else None
    if found is None or found[0] == "Z":
        return False
    state, cmdline = found
    if state == "?" or str(_rc_path(job)).encode() in cmdline:
        return True
    # Another command line: either the instant between fork and exec of a new job, or a recycled pid.
    return (utcnow() - (job.started_at or job.created_at)).total_seconds() < PID_REUSE_GRACE_S


def _is_running(job: Job) -> bool:
    proc = _procs.get(job.id)
    if proc is not None:
        return proc.poll() is None
    return _pid_is_job(job)


def _refresh(job: Job) -> Job:
    if job.status == "starting" and job.pid is None:
        stale = (utcnow() - job.created_at).total_seconds() > STARTING_TIMEOUT_S
        return _update(job.id, status="lost", finished_at=utcnow()) if stale else job
    if job.status in FINISHED:
        return job
    code = _read_rc(_rc_path(job))
    if code is None and _is_running(job):
        return job
    code = code if code is not None else _read_rc(_rc_path(job))  # it may have just been written
    status = "lost" if code is None else "succeeded" if code == 0 else "failed"
    _procs.pop(job.id, None)
    return _update(job.id, status=status, exit_code=code, finished_at=utcnow())


def _stamp(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _view(job: Job) -> dict:
    stamp = _stamp
    return {"id": job.id, "kind": job.kind, "args": job.args, "command": "thce " + shlex.join(job.args),
            "status": job.status, "pid": job.pid, "exit_code": job.exit_code, "log_path": job.log_path,
            "created_at": stamp(job.created_at), "started_at": stamp(job.started_at),
            "finished_at": stamp(job.finished_at)}


def _get(job_id: int) -> Job:
    with get_session() as session:
        job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist", "job_id")
    return job


def job_status(job_id: int) -> dict:
    """The job as a dict (id, kind, args, command, status, pid, exit_code, log_path, timestamps)."""
    return _view(_refresh(_get(job_id)))


def list_jobs(limit: int = 50) -> list[dict]:
    """Newest first, statuses refreshed."""
    with get_session() as session:
        jobs = session.exec(select(Job).order_by(Job.id.desc()).limit(limit)).all()
    return [_view(_refresh(job)) for job in jobs]


def tail_log(job_id: int, n: int = 200) -> str:
    """The last `n` lines of the job's log (reads only the end of a large file)."""
    path = Path(_get(job_id).log_path)
    if n <= 0 or not path.is_file():
        return ""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        block, data = 64 * 1024, b""
        while end > 0 and data.count(b"\n") <= n:
            start = max(0, end - block)
            handle.seek(start)
            data = handle.read(end - start) + data
            end = start
    return b"\n".join(data.splitlines()[-n:]).decode("utf-8", errors="replace")


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _wait_gone(job: Job, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_running(job):
            return True
        time.sleep(0.1)
    return not _is_running(job)


def cancel_job(job_id: int, grace_s: float = CANCEL_GRACE_S) -> bool:
    """Stop a running job (its whole process group). False when it had already finished."""
    job = _refresh(_get(job_id))
    if job.status in FINISHED or not _is_running(job):
        return False
    _signal_group(job.pid, signal.SIGTERM)
    if not _wait_gone(job, grace_s):
        logger.warning("job %d ignored SIGTERM for %.0fs; killing it", job_id, grace_s)
    _signal_group(job.pid, signal.SIGKILL)  # also any straggler the wrapper left behind
    _wait_gone(job, 5.0)
    _procs.pop(job_id, None)
    _update(job_id, status="cancelled", exit_code=_read_rc(_rc_path(job)), finished_at=utcnow())
    logger.info("job %d cancelled", job_id)
    return True
