"""Review tab: annotators judge model outputs from the queue; corrections become DPO preference pairs.

Orchestration lives in core.review; each callback here is a few lines. Identity and role come from the
request (webapp.auth: the Gradio login, the Hugging Face login on a Space, the local user when the app is
open on 127.0.0.1), never from a parameter. Keyboard shortcuts: SHORTCUTS_JS (installed by app.py).
"""

from __future__ import annotations

import json
import time

import gradio as gr

from core import review, views
from core.store import StoreError, export_preference_pairs, stats
from webapp.auth import ADMIN, ANNOTATOR, identify, role_of, user_for
from webapp.common import GENERATION, export_file
from webapp.rule_edits import EDIT_HEADERS, EDIT_WIDTHS, edit_table, edits_note

DECISION_BUTTONS = (("accept", "Accept  (Alt+A)", "primary"), ("correct", "Save correction  (Alt+C)", "primary"),
                    ("reject", "Reject  (Alt+R)", "stop"), ("skip", "Skip  (Alt+S)", "secondary"))
CHECK_HEADERS = ["code", "system", "status", "message"]
SHORTCUT_KEYS = {"KeyA": "review-accept", "KeyC": "review-correct", "KeyR": "review-reject",
                 "KeyS": "review-skip", "KeyN": "review-next"}
_SHORTCUTS_TEMPLATE = """
() => {
  if (window.__thceShortcuts) return;
  window.__thceShortcuts = true;
  const keys = __KEYS__;
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || !(event.code in keys)) return;
    const button = document.getElementById(keys[event.code]);
    if (!button || button.offsetParent === null || button.disabled) return;  // review tab not shown
    event.preventDefault();
    button.click();
  });
}
"""
SHORTCUTS_JS = _SHORTCUTS_TEMPLATE.replace("__KEYS__", json.dumps(SHORTCUT_KEYS))
GUIDELINES = """
**What to do.** Read the narrative, then the model's reasoning and codes. Judge the *codes*:

* **Accept** (Alt+A): every code is right and nothing billable is missing.
* **Save correction** (Alt+C): fix the list on the right — delete wrong codes, add missing ones (search
  below and click a result to add it). Edit the reasoning too if it is wrong; leave it as it is otherwise.
  Each correction becomes a preference pair (your answer preferred over the model's) for DPO training.
* **Reject** (Alt+R): the output is unusable and you cannot fix it quickly (say why in the notes).
* **Skip** (Alt+S): you cannot judge this case; it goes to someone else. **Next case**: Alt+N.

**Coding rules.** Code only what the narrative documents: no negated findings ("denies chest pain"),
no "rule out"/suspected diagnoses in outpatient notes, history-of only with its Z code. Use the most
specific billable code (7th characters for injuries). The coding rules' edits (added, dropped or replaced codes,
each with its reason) are listed under the model's codes: they are part of the answer you judge. CPT for procedures and visits, HCPCS for drugs
(J codes, mind the billing unit) and supplies. Every code you enter is validated as you type.
"""
NO_TASK = "The queue is empty: nothing to review right now. Import cases (`thce annotations import`) or send " \
          "coded narratives from the Code tab."


def send_to_review(narrative: str, model: str = "", request: gr.Request = None,
                   profile: gr.OAuthProfile | None = None) -> str:
    """Queue the narrative for review; the server codes it itself (markdown answer)."""
    user = user_for(request, profile, ANNOTATOR, "send cases to review")
    try:
        case_id, prediction_id = review.queue_for_review(narrative, user, review.default_coder(model or None))
    except StoreError as exc:
        return f"⚠ {exc}"
    coded = f" (prediction {prediction_id})" if prediction_id else " (it is coded when an annotator opens it)"
    return f"✓ Queued for review as case **#{case_id}**{coded}."


def _task_outputs(task: review.ReviewTask | None, annotator: str, status: str) -> tuple:
    """(state, case, model reasoning, model codes, corrected codes, corrected reasoning, notes, status,
    progress, history, rule edits)."""
    common = (review.progress_markdown(annotator), review.my_reviews(annotator))
    if task is None:
        return ({}, NO_TASK, "", [], "", "", "", status, *common, [])
    state = task.to_dict() | {"started": time.monotonic()}
    header = f"**Case #{task.case_id}** · `{task.external_id}` ({task.source}) · model `{task.model_id}`"
    if task.second_review:
        header += " · second review (double annotation)"
    if task.rule_edits:
        header += "\n\n" + edits_note({"rules_applied": True, "rule_edits": task.rule_edits})
    return (state, f"{header}\n\n{task.narrative}", task.reasoning, review.code_rows(task.codes),
            review.codes_to_text(task.codes), task.reasoning, "", status, *common, edit_table(task.rule_edits))


def load_next(model: str, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    """Lease the next case (running the model first when it has no prediction yet)."""
    annotator = user_for(request, profile, ANNOTATOR, "review cases")
    try:
        task = review.next_task(annotator, review.default_coder(model or None))
    except (StoreError, ValueError, RuntimeError) as exc:
        raise gr.Error(f"could not load the next case: {exc}") from exc
    return _task_outputs(task, annotator, "")


def make_submit(decision: str):
    """The callback of one decision button: store the review, then load the next case."""

    def submit(state: dict, codes_text: str, reasoning: str, notes: str, model: str, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
        annotator = user_for(request, profile, ANNOTATOR, "submit reviews")
        if not state or not state.get("case_id"):
            raise gr.Error("load a case first (Next case)")
        spent = time.monotonic() - state["started"] if state.get("started") else None
        try:
            saved = review.submit_review(state["case_id"], annotator, decision, codes_text, reasoning, notes,
                                         prediction_id=state.get("prediction_id"),
                                         model_reasoning=state.get("reasoning"), time_spent_s=spent)
            task = review.next_task(annotator, review.default_coder(model or None))
        except (StoreError, ValueError, RuntimeError) as exc:
            raise gr.Error(str(exc)) from exc
        pair = f", preference pair {saved.pair_id}" if saved.pair_id else ""
        done = f"✓ Case #{state['case_id']}: {decision} saved (review {saved.review_id}{pair})."
        return _task_outputs(task, annotator, done)

    submit.__name__ = f"submit_{decision}"
    return submit


def validate_text(codes_text: str) -> list[list]:
    """Instant validation of the corrected codes (empty text: empty table)."""
    if not (codes_text or "").strip():
        return []
    try:
        return [row[1:] for row in views.validate_codes(codes_text)]  # the input column is redundant here
    except ValueError as exc:
        return [["", "", "error", str(exc)]]


def search(text: str) -> list[list]:
    try:
        return views.search_codes(text, None, 15)
    except ValueError as exc:
        raise gr.Error(str(exc)) from exc


def add_selected(codes_text: str, evt: gr.SelectData) -> str:
    """Clicking a search result appends its code to the correction."""
    row = evt.row_value or []
    return review.add_code_to_text(codes_text, str(row[1])) if len(row) > 1 else codes_text


def export_pairs(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> str:
    """All current preference pairs as a DPO JSONL file to download (administrators only)."""
    user_for(request, profile, ADMIN, "export preference pairs")
    path = export_file("thce-pairs-", ".jsonl")
    export_preference_pairs(path, format="dpo")
    return str(path)


def refresh(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple[str, list[list]]:
    """Progress and the signed-in annotator's own reviews (empty for nobody)."""
    annotator = identify(request, profile)
    if role_of(request, profile) is None:
        return "Sign in to review.", []
    return review.progress_markdown(annotator), review.my_reviews(annotator)


def my_reviews_api(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> list[list]:
    """Your own latest reviews (API `/my_reviews`), newest first: rows of HISTORY_COLUMNS."""
    return review.my_reviews(user_for(request, profile, ANNOTATOR, "see your reviews"))


def stats_api(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
    """Everyone's annotation statistics (API `/annotation_stats`, administrators only)."""
    user_for(request, profile, ADMIN, "see everyone's annotation statistics")
    return stats()


def submit_review_api(case_id: int, decision: str, corrected_codes: str = "", reasoning: str = "",
                      notes: str = "", request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
    """Store your review (API `/submit_review`; you are the signed-in user): decision accept|correct|reject|skip;
    corrected codes as text (comma/space/new-line separated) for 'correct'. Returns review_id, version, pair_id."""
    annotator = user_for(request, profile, ANNOTATOR, "submit reviews")
    try:
        saved = review.submit_review(int(case_id), annotator, decision, corrected_codes, reasoning, notes)
    except (StoreError, ValueError) as exc:
        raise gr.Error(str(exc)) from exc
    return {"review_id": saved.review_id, "version": saved.version, "pair_id": saved.pair_id}


def make_queue_api(default_model: str | None):
    def queue_for_review(narrative: str, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
        """Queue a narrative for review (API `/queue_for_review`); the server codes it with its own model.
        Returns case_id and prediction_id (None when coding failed: it is retried when the case is opened)."""
        user = user_for(request, profile, ANNOTATOR, "send cases to review")
        try:
            case_id, prediction_id = review.queue_for_review(narrative, user, review.default_coder(default_model))
        except StoreError as exc:
            raise gr.Error(str(exc)) from exc
        return {"case_id": case_id, "prediction_id": prediction_id}

    return queue_for_review


def build_review_tab(default_model: str | None) -> dict:
    """Lay out the Review tab and wire its callbacks; returns the components app.py needs."""
    model = gr.State(default_model or "")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=160):
            next_button = gr.Button("Next case  (Alt+N)", variant="primary", elem_id="review-next")
        progress = gr.Markdown(elem_id="review-progress")
    status = gr.Markdown(elem_id="review-status")
    case = gr.Markdown("Press **Next case** to start.", elem_id="review-case", elem_classes=["thce-card"])
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### Model output")
            model_reasoning = gr.Textbox(label="Reasoning", lines=8, interactive=False)
            model_codes = gr.Dataframe(headers=["system", "code", "description"], interactive=False,
                                       column_widths=["18%", "17%", "65%"],
                                       label="Codes", wrap=True)
            rule_edits = gr.Dataframe(headers=EDIT_HEADERS, interactive=False, column_widths=EDIT_WIDTHS, wrap=True,
                                      label="Coding rule edits (already in the codes above)",
                                      elem_id="review-rule-edits")
        with gr.Column():
            gr.Markdown("#### Your correction")
            codes_text = gr.Textbox(label="Codes (one per line; delete or add)", lines=5, elem_id="review-codes")
            checks = gr.Dataframe(headers=CHECK_HEADERS, interactive=False, label="Validation", wrap=True,
                                  column_widths=["17%", "17%", "16%", "50%"])
            reasoning = gr.Textbox(label="Reasoning (edit if wrong)", lines=5, elem_id="review-reasoning")
            notes = gr.Textbox(label="Notes", lines=1, max_length=2000)
    with gr.Row():
        buttons = {d: gr.Button(label, variant=v, elem_id=f"review-{d}") for d, label, v in DECISION_BUTTONS}
    with gr.Accordion("Search codes to add", open=False):
        query = gr.Textbox(label="Search descriptions", placeholder="e.g. closed fracture radius shaft")
        hits = gr.Dataframe(headers=["system", "code", "description", "score"], interactive=False,
                            column_widths=["14%", "14%", "60%", "12%"],
                            label="Click a row to add its code", wrap=True)
    with gr.Accordion("Guidelines and keyboard shortcuts", open=False):
        gr.Markdown(GUIDELINES)
    with gr.Accordion("My reviews and export", open=False):
        history = gr.Dataframe(headers=review.HISTORY_COLUMNS, interactive=False, label="My reviews", wrap=True,
                               column_widths=["9%", "21%", "11%", "9%", "20%", "15%", "15%"])
        with gr.Row():
            refresh_button = gr.Button("Refresh", size="sm")
            export_button = gr.Button("Export preference pairs (DPO JSONL)", size="sm", elem_id="export-pairs")
        export_file = gr.File(label="Preference pairs", interactive=False)

    state = gr.State({})
    outputs = [state, case, model_reasoning, model_codes, codes_text, reasoning, notes, status, progress, history,
               rule_edits]
    next_button.click(load_next, [model], outputs, api_visibility="private", **GENERATION)
    for decision, button in buttons.items():
        button.click(make_submit(decision), [state, codes_text, reasoning, notes, model], outputs,
                     api_visibility="private", **GENERATION)
    codes_text.change(validate_text, codes_text, checks, api_visibility="private", show_progress="hidden")
    query.submit(search, query, hits, api_visibility="private")
    hits.select(add_selected, codes_text, codes_text, api_visibility="private")
    refresh_button.click(refresh, None, [progress, history], api_visibility="private")
    export_button.click(export_pairs, None, export_file, api_name="export_pairs")
    gr.api(submit_review_api, api_name="submit_review")
    gr.api(make_queue_api(default_model or None), api_name="queue_for_review", **GENERATION)
    gr.api(my_reviews_api, api_name="my_reviews")
    gr.api(stats_api, api_name="annotation_stats")
    return {"progress": progress, "history": history}
