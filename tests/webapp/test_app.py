"""The assembled app: analytics off, the generation concurrency group, login only on a Space."""

from __future__ import annotations

import gradio as gr
import pytest

from webapp.app import build_demo
from webapp.common import GENERATION_CONCURRENCY


def _fns(demo) -> dict:
    return {fn.api_name: fn for fn in demo.fns.values() if fn.api_name}


def test_analytics_off_and_generation_limited(monkeypatch):
    monkeypatch.delenv("SYSTEM", raising=False)
    demo = build_demo(model="/models/configured")
    assert demo.analytics_enabled is False
    fns = _fns(demo)
    for name in ("code", "code_stream"):
        assert fns[name].concurrency_id == "generation"
        assert fns[name].concurrency_limit == GENERATION_CONCURRENCY
    assert fns["validate_codes"].concurrency_id != "generation"
    assert not any(isinstance(block, gr.LoginButton) for block in demo.blocks.values())


def test_on_a_space_there_is_a_login_button_and_no_name_box_anywhere(monkeypatch):
    import gradio.oauth

    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/thce")
    for name in ("OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_SCOPES"):  # what a Space's hf_oauth sets
        monkeypatch.setattr(gradio.oauth, name, "test")
    monkeypatch.setattr(gradio.oauth, "OPENID_PROVIDER_URL", "https://huggingface.co")
    demo = build_demo(model="/models/configured")
    assert any(isinstance(block, gr.LoginButton) for block in demo.blocks.values())
    # identity comes from the login only: no box where a name could be typed
    assert not [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "annotator"]


def test_main_refuses_an_exposed_open_app_and_passes_the_logins_to_gradio(monkeypatch, store):
    import pytest

    from webapp import app

    launched = {}
    monkeypatch.setattr(app.demo, "launch", lambda **kwargs: launched.update(kwargs))
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    with pytest.raises(SystemExit, match="refusing to serve on 0.0.0.0 without authentication"):
        app.main()
    assert launched == {}
    monkeypatch.setenv("THCE_USERS", "alice:pw1,bob:pw2")
    app.main()
    assert launched["auth"] == [("alice", "pw1"), ("bob", "pw2")] and launched["share"] is None


@pytest.mark.parametrize("users", ["alice:pw1", ""])
def test_a_space_without_hf_oauth_builds_and_main_decides(monkeypatch, store, users):
    """A Space without `hf_oauth: true` has no OAuth variables. With THCE_USERS (the documented alternative) the
    app must build and launch with Gradio logins; without, main() refuses in one line. A LoginButton there made
    Gradio raise while the Blocks were built (its OAuth routes need OAUTH_CLIENT_ID), before THCE's own check."""
    import gradio.oauth

    from webapp import app

    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/thce")
    monkeypatch.setattr(gradio.oauth, "OAUTH_CLIENT_ID", None)
    if users:
        monkeypatch.setenv("THCE_USERS", users)
    demo = build_demo(model="/models/configured")
    assert not any(isinstance(block, gr.LoginButton) for block in demo.blocks.values())
    launched = {}
    monkeypatch.setattr(app.demo, "launch", lambda **kwargs: launched.update(kwargs))
    if users:
        app.main()
        assert launched["auth"] == [("alice", "pw1")]
    else:
        with pytest.raises(SystemExit, match="refusing to serve as a Space without authentication"):
            app.main()
        assert launched == {}
