"""Code tab callbacks on the tiny random model; model choices from clients are restricted."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from tests.webapp.helpers import NARRATIVE
from webapp import code_tab, code_views
from webapp.rule_edits import edit_table

REASONING, TABLE, HIGHLIGHTS, SUMMARY, STATE, JSON_FILE, CSV_FILE, RULE_EDITS = range(8)


@pytest.fixture(scope="module")
def coders(tiny_model_dir):
    return code_tab.make_coders(str(tiny_model_dir))


def test_code_narrative_returns_a_full_result(coders, tiny_model_dir):
    code_narrative, _ = coders
    result = code_narrative(NARRATIVE)
    assert set(result) >= {"codes", "items", "ranked", "reasoning", "raw", "valid", "latency_s", "prompt"}
    assert result["model_id"] == Path(tiny_model_dir).name  # the model's name, never a server path
    answered = {code for codes in result["codes"].values() for code in codes}
    assert all(item["valid"] for item in result["items"] if item["code"] in answered)  # constrain="valid"


def test_stream_code_streams_text_then_renders_the_table(coders):
    _, stream_code = coders
    events = list(stream_code(NARRATIVE, "", "valid"))
    final = events[-1]
    assert len(events) >= 2 and all(e[SUMMARY] == "Generating…" for e in events[:-1])
    assert "valid code(s)" in final[SUMMARY] and final[STATE]["raw"]
    assert final[TABLE] == code_views.table_rows(final[STATE])
    assert Path(final[JSON_FILE]).read_text().startswith("{")
    assert Path(final[CSV_FILE]).read_text().startswith("system,code,description")


def test_bad_narrative_and_unlisted_model_are_clear_errors(coders):
    code_narrative, stream_code = coders
    with pytest.raises(gr.Error, match="narrative is empty"):
        code_narrative("   ")
    with pytest.raises(gr.Error, match="not offered by this server"):
        code_narrative(NARRATIVE, model="/etc")
    with pytest.raises(gr.Error, match="not offered"):
        list(stream_code(NARRATIVE, "someone/some-model", "valid"))


def test_coding_logs_no_narrative_text(coders, caplog):
    code_narrative, _ = coders
    with caplog.at_level("DEBUG"):
        code_narrative("Zebra-striped unicorn narrative 4711 with type 2 diabetes")
    assert not any("Zebra" in record.getMessage() for record in caplog.records)


def test_the_rule_edits_are_shown_and_can_be_turned_off(coders):
    code_narrative, stream_code = coders
    final = list(stream_code(NARRATIVE, "", "valid", True))[-1]
    assert final[STATE]["rules_applied"] is True
    assert final[RULE_EDITS] == edit_table(final[STATE]["rule_edits"])
    assert "Coding rules" in final[SUMMARY]
    assert '"rule_edits"' in Path(final[JSON_FILE]).read_text()
    off = code_narrative(NARRATIVE, rules=False)
    assert off["rules_applied"] is False and off["rule_edits"] == []
    assert all(item["rule"] == "" for item in off["items"])


def test_a_configured_model_folder_is_offered_by_its_name_never_its_path(tiny_model_dir):
    """`thce serve --model /some/folder`: the page offers the folder's name, and choosing it codes with it."""
    folder = str(tiny_model_dir)
    with gr.Blocks() as demo:
        code_tab.build_code_tab(folder, send_to_review=None)
    config = str(demo.get_config_file())
    assert Path(folder).name in config and folder not in config
    code_narrative, _ = code_tab.make_coders(folder)
    assert code_narrative(NARRATIVE, Path(folder).name)["model_id"] == Path(folder).name


def test_send_to_review_takes_an_offered_model_by_name_and_refuses_a_path(tiny_model_dir, tmp_path, monkeypatch):
    from tests.webapp.helpers import ADMINS, USERS, as_user

    sent = []
    send = code_tab.make_sender(str(tiny_model_dir), lambda n, m, r, p: sent.append(m) or "✓ queued")
    assert send(NARRATIVE, Path(tiny_model_dir).name, as_user(None)) == "✓ queued"
    assert sent == [str(tiny_model_dir)]
    assert send(NARRATIVE, str(tmp_path), as_user(None)).startswith("⚠") and len(sent) == 1
    monkeypatch.setenv("THCE_USERS", USERS)
    monkeypatch.setenv("THCE_ADMINS", ADMINS)
    with pytest.raises(gr.Error):
        send(NARRATIVE, str(tmp_path), as_user(None))  # no identity: refused before anything else


def test_a_new_request_clears_the_previous_result_before_an_error(coders):
    """Regression: coding a second narrative that failed (too long, empty) left the first narrative's codes,
    evidence, summary and downloads on screen under an Error badge; closing the badge showed them as this one's."""
    _, stream_code = coders
    assert list(stream_code(NARRATIVE, "", "valid"))[-1][TABLE]  # a result on screen
    failing = stream_code("   ", "", "valid")
    cleared = next(failing)
    assert cleared[REASONING] == "" and cleared[TABLE] == [] and cleared[HIGHLIGHTS] is None
    assert cleared[STATE] == {} and cleared[JSON_FILE] is None and cleared[CSV_FILE] is None
    assert cleared[RULE_EDITS] == [] and cleared[SUMMARY] == "Generating…"
    # regression: the summary then kept reading "Generating…" under the error badge; it now says why
    assert next(failing)[SUMMARY].startswith("⚠ Not coded: narrative is empty")
    with pytest.raises(gr.Error, match="narrative is empty"):
        next(failing)


def test_a_narrative_over_the_limit_is_refused_not_cut_in_the_browser(coders, tiny_model_dir):
    """Regression: the narrative box had max_length=20,000, so a pasted 50,000-character note was cut to its
    first 20,000 characters without a word and coded as if whole."""
    from core.constants import MAX_NARRATIVE_CHARS

    with gr.Blocks() as demo:
        code_tab.build_code_tab(str(tiny_model_dir), send_to_review=None)
    box = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "narrative")
    assert box.max_length is None
    _, stream_code = coders
    with pytest.raises(gr.Error, match=f"limit is {MAX_NARRATIVE_CHARS:,}"):
        list(stream_code("Type 2 diabetes. " * 3000, "", "valid"))
