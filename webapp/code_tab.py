"""Code tab: narrative in, streamed reasoning and validated codes out."""

from __future__ import annotations

import html

import gradio as gr

from core import catalog
from core.constants import MAX_NARRATIVE_CHARS
from core.evidence import evidence_highlights
from core.inference import ModelNotAvailableError
from core.pipeline import get_pipeline
from webapp import code_views
from webapp.auth import ANNOTATOR, user_for
from webapp.common import GENERATION, UserError, export_file
from webapp.rule_edits import EDIT_HEADERS, EDIT_WIDTHS, edit_table, edits_note

CONSTRAIN_CHOICES = [("Only valid codes", "valid"), ("Only retrieved candidates", "candidates"), ("Free", "none")]


def make_coders(configured: str | None):
    """The `/code` API function and the streaming callback, bound to the app's configured model (offered
    and accepted even when it is not in the model list)."""

    def pipeline(model: str | None, constrain: str, rules: bool = True):
        return get_pipeline(catalog.check_model(model, configured), constrain=constrain or "valid",
                            rules=rules is not False)

    def code_narrative(narrative: str, model: str | None = None, constrain: str = "valid", rules: bool = True,
                       request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
        """Code one narrative; returns the CodingResult as a dict (codes, items, ranked, reasoning, raw,
        valid, latency_s, repairs, error, model_id, prompt, rules_applied, rule_edits). `model`: empty for the
        server's default; `rules` False: without the coding rules' edits."""
        user_for(request, profile, ANNOTATOR, "code narratives")
        try:
            return pipeline(model, constrain, rules).code(narrative or "").to_dict()
        except (ValueError, ModelNotAvailableError) as exc:
            raise UserError(str(exc)) from exc

    def stream_code(narrative: str, model: str | None, constrain: str, rules: bool = True,
                    request: gr.Request = None, profile: gr.OAuthProfile | None = None):
        """Generator callback: streams the reasoning as it is generated, then the validated table."""
        user_for(request, profile, ANNOTATOR, "code narratives")
        # the previous narrative's result leaves the screen first: an error or a long generation never shows
        # its codes, evidence and downloads next to this narrative
        yield "", [], None, "Generating…", {}, None, None, []
        try:
            text = ""
            for event in pipeline(model, constrain, rules).stream(narrative or ""):
                if isinstance(event, str):
                    text += event
                    yield text, gr.skip(), gr.skip(), "Generating…", *[gr.skip()] * 4
                else:
                    yield render_result(narrative, event.to_dict())
        except (ValueError, ModelNotAvailableError) as exc:
            # the summary says why nothing was coded (it read "Generating…" under the error badge, for good)
            yield gr.skip(), gr.skip(), gr.skip(), f"⚠ Not coded: {html.escape(str(exc), quote=False)}", *[gr.skip()] * 4
            raise UserError(str(exc)) from exc

    return code_narrative, stream_code


def _write_export(result: dict, suffix: str) -> str:
    text = code_views.result_to_json(result) if suffix == ".json" else code_views.result_to_csv(result)
    path = export_file("thce-codes-", suffix)
    path.write_text(text, encoding="utf-8")
    return str(path)


def render_result(narrative: str, result: dict) -> tuple:
    """Outputs for the tab from a finished result."""
    return (
        result.get("reasoning", ""),
        code_views.table_rows(result),
        evidence_highlights(narrative, result),
        code_views.summary_markdown(result) + "\n\n" + edits_note(result),
        result,
        _write_export(result, ".json"),
        _write_export(result, ".csv"),
        edit_table(result.get("rule_edits")),
    )


def make_sender(configured: str | None, send_to_review):
    """The "Send to review" callback: the chosen model must be one the page offers (by name, never a path a
    client sends), then `send_to_review(narrative, model, request, profile)` queues the case."""

    def send(narrative: str, model: str = "", request: gr.Request = None,
             profile: gr.OAuthProfile | None = None) -> str:
        user_for(request, profile, ANNOTATOR, "send cases to review")
        try:
            chosen = catalog.check_model(model, configured)
        except ValueError as exc:
            return f"⚠ {exc}"
        return send_to_review(narrative, chosen or "", request, profile)

    return send


def build_code_tab(default_model: str | None, send_to_review) -> dict:
    """Lay out the Code tab; `send_to_review(narrative, model) -> str` queues the narrative for annotators (the
    server codes it again itself: nothing the browser holds becomes training data)."""
    code_narrative, stream_code = make_coders(default_model or None)
    models = catalog.available_models()
    shown = catalog.display_name(default_model) if default_model else None  # the configured model's name, not its path
    if shown and shown not in models:
        models.insert(0, shown)
    with gr.Row():
        with gr.Column(scale=3):
            # no max_length: the browser would cut a longer paste without a word; the server refuses it instead
            narrative = gr.Textbox(label="Clinical narrative", lines=10, elem_id="narrative",
                                   info=f"At most {MAX_NARRATIVE_CHARS:,} characters.")
            examples = catalog.example_narratives()
            if examples:
                gr.Examples(examples=[[e] for e in examples], inputs=[narrative], label="Examples")
            with gr.Row():
                model = gr.Dropdown(models, value=shown or (models[0] if models else None),
                                    label="Model")
                constrain = gr.Radio(CONSTRAIN_CHOICES, value="valid", label="Decoding")
            rules = gr.Checkbox(value=True, label="Apply the coding rules (guidelines, excludes, E/M levels)",
                                elem_id="apply-rules")
            run = gr.Button("Code it", variant="primary", elem_id="code-button")
        with gr.Column(scale=4):
            summary = gr.Markdown(elem_id="code-summary")
            with gr.Accordion("Reasoning (<think>)", open=True):
                reasoning = gr.Textbox(show_label=False, lines=6, interactive=False, elem_id="reasoning")
            table = gr.Dataframe(headers=code_views.TABLE_COLUMNS, label="Codes", interactive=False,
                                 column_widths=["11%", "11%", "38%", "10%", "20%", "10%"],
                                 wrap=True, elem_id="codes-table")
            edits = gr.Dataframe(headers=EDIT_HEADERS, label="Coding rule edits", interactive=False,
                                 column_widths=EDIT_WIDTHS, wrap=True, elem_id="rule-edits")
            highlights = gr.HighlightedText(label="Evidence in the narrative", combine_adjacent=False)
            with gr.Row():
                json_file = gr.File(label="JSON", interactive=False)
                csv_file = gr.File(label="CSV", interactive=False)
            review = gr.Button("Send to review", elem_id="send-to-review")
            review_status = gr.Markdown()
    state = gr.State({})
    outputs = [reasoning, table, highlights, summary, state, json_file, csv_file, edits]
    inputs = [narrative, model, constrain, rules]
    run.click(stream_code, inputs, outputs, api_name="code_stream", **GENERATION)
    narrative.submit(stream_code, inputs, outputs, api_visibility="private", **GENERATION)
    send = make_sender(default_model or None, send_to_review)
    review.click(send, [narrative, model], review_status, api_name="send_to_review", **GENERATION)
    gr.api(code_narrative, api_name="code", **GENERATION)
    return {"narrative": narrative, "state": state}
