"""`thce serve`: refuses to expose an app without logins; passes SIGTERM/SIGINT on to the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_users(monkeypatch):
    for name in ("THCE_USERS", "THCE_USERS_FILE", "THCE_ADMINS", "SYSTEM", "SPACE_ID", "OAUTH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--share"]])
def test_exposing_without_users_is_refused_before_anything_starts(args):
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 1
    assert "without authentication" in result.output and "--users FILE" in result.output


def test_a_malformed_users_file_is_named(tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("alice\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--users", str(users)])
    assert result.exit_code == 1 and "line 1: expected name:password" in result.output


def test_an_empty_users_file_is_refused_even_on_loopback(tmp_path, monkeypatch):
    """`--users FILE` listing nobody must not start an open app (everyone the admin) on 127.0.0.1 either."""
    import core.commands.serve as serve

    monkeypatch.setattr(serve, "run_forwarding_signals", lambda *a, **k: pytest.fail("the app must not start"))
    users = tmp_path / "users.txt"
    users.write_text("# to do: add the team\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", "--users", str(users)])
    assert result.exit_code == 1 and "lists no users" in result.output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_reach_the_web_server(tmp_path, sig):
    """A stand-in server records the signal it gets; `thce serve`'s runner must pass it on and exit with it."""
    marker = tmp_path / "got"
    server = tmp_path / "server.py"
    server.write_text(textwrap.dedent(f"""
        import signal, sys, time
        def stop(signum, frame):
            open({str(marker)!r}, "w").write(str(signum))
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        open({str(marker)!r} + ".ready", "w").close()
        time.sleep(60)
    """), encoding="utf-8")
    runner = (f"from core.commands.serve import run_forwarding_signals; import sys; "
              f"sys.exit(run_forwarding_signals([sys.executable, {str(server)!r}], {{}}))")
    parent = subprocess.Popen([sys.executable, "-c", runner], cwd=ROOT, env=dict(os.environ))
    deadline = time.monotonic() + 30
    while not Path(str(marker) + ".ready").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    parent.send_signal(sig)
    assert parent.wait(timeout=30) == 0  # the server stopped cleanly, and `thce serve` with it
    assert marker.read_text() == str(int(sig))


def test_ctrl_c_in_a_terminal_reaches_the_web_server_once(tmp_path):
    """Ctrl+C makes the terminal send SIGINT to its whole foreground process group: `thce serve` and the web
    server both get it. Passing it on as well gave the server a second KeyboardInterrupt in the middle of its
    shutdown (Gradio's close interrupted, a traceback on every Ctrl+C)."""
    import fcntl
    import pty
    import termios

    marker = tmp_path / "got"
    server = tmp_path / "server.py"
    server.write_text(textwrap.dedent(f"""
        import signal, time
        got = []
        signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
        open({str(marker)!r} + ".ready", "w").close()
        while not got:
            time.sleep(0.05)
        time.sleep(1.0)  # shutting down: a second SIGINT would arrive now
        open({str(marker)!r}, "w").write(str(len(got)))
    """), encoding="utf-8")
    runner = (f"from core.commands.serve import run_forwarding_signals; import sys; "
              f"sys.exit(run_forwarding_signals([sys.executable, {str(server)!r}], {{}}))")
    master, terminal = pty.openpty()

    def on_the_terminal() -> None:  # a session whose controlling terminal is the pty, in its foreground group
        os.setsid()
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)

    parent = subprocess.Popen([sys.executable, "-c", runner], cwd=ROOT, env=dict(os.environ), stdin=terminal,
                              stdout=terminal, stderr=terminal, preexec_fn=on_the_terminal)
    os.close(terminal)
    try:
        deadline = time.monotonic() + 30
        while not Path(str(marker) + ".ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.write(master, b"\x03")  # Ctrl+C
        assert parent.wait(timeout=30) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
        os.close(master)
    assert marker.read_text() == "1"
