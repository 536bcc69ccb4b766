"""`python webapp/app.py` (how a Space starts) refuses bad access settings with one line and a non-zero exit,
as `thce serve` does, and never launches."""

from __future__ import annotations

import pytest


@pytest.fixture
def app(monkeypatch):
    from webapp import app

    def launch(*args, **kwargs):
        raise AssertionError("the app must not launch")

    monkeypatch.setattr(app.demo, "launch", launch)
    return app


@pytest.mark.parametrize(("env", "message"), [
    ({"THCE_USERS": "alice"}, "error: THCE_USERS entry 1: expected name:password"),
    ({"THCE_USERS_FILE": "/no/such/users.txt"}, "error: users file /no/such/users.txt does not exist"),
    ({"GRADIO_SERVER_NAME": "0.0.0.0"}, "error: "),  # exposed without logins (AccessError)
])
def test_main_reports_bad_access_settings_in_one_line(app, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        app.main()
    code = exited.value.code
    assert isinstance(code, str) and code.startswith(message) and "\n" not in code  # sys.exit(str): status 1


def test_a_port_in_use_is_refused_not_swapped_for_the_next_free_one(monkeypatch, store):
    """`thce serve --port N` announces N (a proxy points at N): when N is taken, stop with one line instead of
    serving on N+1."""
    import socket

    from webapp import app

    real_launch = app.demo.launch
    monkeypatch.setattr(app.demo, "launch", lambda **kw: real_launch(prevent_thread_lock=True, quiet=True, **kw))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("GRADIO_SERVER_PORT", str(port))
        try:
            with pytest.raises(SystemExit) as exited:
                app.main()
        finally:
            app.demo.close()
    code = exited.value.code
    assert isinstance(code, str) and code.startswith("error: ") and f"port {port}" in code and "\n" not in code


def test_a_database_that_cannot_be_opened_stops_the_start(app, monkeypatch, tmp_path):
    """A wrong DATABASE_URL (an unreachable server, a missing driver) is said in one line before the app
    launches, not as a traceback on every review request; the URL's password is not repeated."""
    from core.store import reset_engine

    for url in ("postgresql+psycopg://thce:s3cret-pw@127.0.0.1:1/thce", "nosuchdb://x"):
        monkeypatch.setenv("DATABASE_URL", url)
        try:
            with pytest.raises(SystemExit) as exited:
                app.main()
        finally:
            reset_engine()
        code = exited.value.code
        assert isinstance(code, str) and code.startswith("error: cannot open the database") and "\n" not in code
        assert "s3cret-pw" not in code
