"""The assembled app: analytics off, the generation concurrency group, login only on a Space."""

from __future__ import annotations

import gradio as gr

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
