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
