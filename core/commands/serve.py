"""`thce serve`: start the Gradio web app (webapp/app.py) in its own process.

`core` never imports `webapp`; the app runs as `python -m webapp.app`, configured through environment
variables, so the CLI stays light and the layering holds. SIGTERM and SIGINT sent to `thce serve` are passed
on to the app, and `thce serve` waits for it, so stopping one stops both (no orphaned web server).

    thce serve                                   # open on 127.0.0.1 for you alone
    thce serve --host 0.0.0.0 --users users.txt  # a team: `name:password` a line; THCE_ADMINS=bob for admins
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _check_access(env: dict, host: str, share: bool) -> None:
    """Refuse, before starting anything, an exposed app without logins (core.access.check_exposure)."""
    from core.access import AccessError, access_config, check_exposure

    try:
        check_exposure(access_config(env), host, share)
    except (AccessError, ValueError) as exc:  # ValueError: a malformed THCE_USERS or users file
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _terminal_sent_it_too(signum: int, child: subprocess.Popen) -> bool:
    """Whether a SIGINT is a terminal's Ctrl+C that reached `child` as well: the terminal signals its whole
    foreground process group, and `child` runs in ours. Passing it on too would interrupt the web server's shutdown
    with a second KeyboardInterrupt. (A SIGINT sent to this process alone, e.g. by `kill`, is passed on.)"""
    if signum != signal.SIGINT:
        return False
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                return os.tcgetpgrp(fd) == os.getpgrp() == os.getpgid(child.pid)
        except OSError:
            return False
    return False


def run_forwarding_signals(command: list[str], env: dict) -> int:
    """Run `command`, passing SIGTERM/SIGINT on to it; its exit code (128 + signal when killed by one)."""
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame) -> None:
        if child.poll() is None and not _terminal_sent_it_too(signum, child):
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # a handler replaced by the runtime: keep waiting for the child
                forward(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def command(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (another than 127.0.0.1 needs users)."),
    port: int = typer.Option(7860, min=1, max=65535, help="Port of the web app (1-65535)."),
    model: str | None = typer.Option(None, help="Model directory or hub id (default: the shipped thce-smol; thce-tiny is faster)."),
    database_url: str | None = typer.Option(None, help="Annotation store URL (default: SQLite in data/)."),
    allow_jobs: bool = typer.Option(False, "--allow-jobs", help="Let administrators launch training/eval jobs."),
    users: Path | None = typer.Option(None, "--users", help="File of `name:password` lines: every page and API "
                                      "call needs a login (also THCE_USERS=name:pw,...; admins: THCE_ADMINS)."),
    share: bool = typer.Option(False, "--share", help="Also serve on a public gradio.live link (needs users)."),
) -> None:
    """Start the web app (Code, Review, Train & Evaluate, Codes tabs) on the shipped offline model."""
    if model and not Path(model).exists() and "/" not in model:
        typer.echo(f"error: model {model!r} is neither a directory nor a hub id", err=True)
        raise typer.Exit(1)
    env = dict(os.environ, GRADIO_SERVER_NAME=host, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    if users is not None:
        env["THCE_USERS_FILE"] = str(users.resolve())
    if share:
        env["THCE_SHARE"] = "1"
    _check_access(env, host, share)
    if model:
        env["THCE_MODEL"] = model
    if database_url:
        env["DATABASE_URL"] = database_url
    if allow_jobs:
        env["THCE_ALLOW_JOBS"] = "1"
    typer.echo(f"THCE web app on http://{host}:{port} (Ctrl+C to stop)", err=True)
    raise typer.Exit(run_forwarding_signals([sys.executable, "-m", "webapp.app"], env))
