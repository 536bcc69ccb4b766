"""Review tab: coders keep or drop the model's codes one by one, with each code's evidence highlighted in the
narrative, add codes by search, and submit, save a draft, skip or discard; every submission becomes training
data (DPO pairs, KTO rows, SFT conversations). Progress bars for the team and me; agreement and throughput
for admins.

Layout and wiring here; the callbacks are webapp.review_actions, the wording webapp.review_views, the logic
core.review / core.review_codes / core.store. Identity and role come from the request (webapp.auth), never
from a parameter. Keyboard shortcuts: SHORTCUTS (listed in the tab), installed by app.py as SHORTCUTS_JS.
"""

from __future__ import annotations

import json

import gradio as gr

from core import code_lookup as views
from core import review_workflow as review
from core.store import StoreError, export_preference_pairs, progress, stats
from webapp import review_actions as actions
from webapp import review_views as wording
from webapp.auth import ADMIN, ANNOTATOR, identify, role_of, user_for
from webapp.common import GENERATION, UserError, export_file
from webapp.rule_edits import EDIT_HEADERS, EDIT_WIDTHS

CHECK_HEADERS = ["code", "system", "status", "message"]
HIT_HEADERS = ["system", "code", "description", "billable"]
# (key, what it does, element id): Alt + key clicks that element (or focuses it, for the search box).
SHORTCUTS = (
    ("N", "next case", "review-next"),
    ("J / ↓", "next code", "review-code-next"),
    ("K / ↑", "previous code", "review-code-prev"),
    ("X", "keep / drop the selected code", "review-toggle"),
    ("F", "find a code to add (type, then Enter adds the first match)", "review-search"),
    ("Enter", "submit", "review-submit"),
    ("D", "save draft", "review-draft"),
    ("E", "discard (type the reason first)", "review-discard"),
    ("S", "skip", "review-skip"),
    ("R", "reject the model's output", "review-reject"),
    ("A", "accept the model's codes as they are", "review-accept"),
)
SHORTCUT_KEYS = {"KeyN": "review-next", "KeyJ": "review-code-next", "ArrowDown": "review-code-next",
                 "KeyK": "review-code-prev", "ArrowUp": "review-code-prev", "KeyX": "review-toggle",
                 "KeyF": "review-search", "Enter": "review-submit", "KeyD": "review-draft", "KeyE": "review-discard",
                 "KeyS": "review-skip", "KeyR": "review-reject", "KeyA": "review-accept"}
FOCUS_KEYS = {"KeyF"}
_SHORTCUTS_TEMPLATE = """
() => {
  if (window.__thceShortcuts) return;
  window.__thceShortcuts = true;
  const keys = __KEYS__;
  const focus = __FOCUS__;
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || !(event.code in keys)) return;
    const element = document.getElementById(keys[event.code]);
    if (!element || element.offsetParent === null) return;  // review tab not shown
    event.preventDefault();
    event.stopPropagation();  // Alt+Enter in the search box submits the review, not the search
    if (focus.includes(event.code)) {
      const box = element.querySelector("textarea, input");
      if (box) { box.focus(); box.select(); }
      return;
    }
    if (element.disabled) return;
    element.click();
  }, true);
}
"""
SHORTCUTS_JS = (_SHORTCUTS_TEMPLATE.replace("__KEYS__", json.dumps(SHORTCUT_KEYS))
                .replace("__FOCUS__", json.dumps(sorted(FOCUS_KEYS))))
SHORTCUTS_MARKDOWN = "**Keyboard** (hold Alt): " + " · ".join(f"**{key}** {what}" for key, what, _ in SHORTCUTS)
GUIDELINES = """
**What to do.** Read the narrative; each of the model's codes is a row with its evidence highlighted in the
narrative (the selected code's span is marked ▶). Keep the right codes, drop the wrong ones (Alt+X, or click
the decision cell), add missing ones (Alt+F: type a code or words, Enter adds the first billable match shown),
then **Submit** (Alt+Enter): unchanged codes are stored as *accept*, changed ones as a *correction* (a
preference pair for DPO, and KTO rows). **Save draft** (Alt+D) keeps your work without submitting. **Discard**
(Alt+E) a case that cannot be coded, with the reason; **Skip** (Alt+S) hands it to someone else; **Reject**
(Alt+R) says the output is unusable; **Accept** (Alt+A) keeps the model's codes as they are.

**Coding rules.** Code only what the narrative documents: no negated findings ("denies chest pain"),
no "rule out"/suspected diagnoses in outpatient notes, history-of only with its Z code. Use the most
specific billable code (7th characters for injuries). The coding rules' edits are part of the answer you judge:
each code's row says which rule added, dropped or replaced it and why, and a code the rules took out is a row
marked *confirm drop*: leave it dropped, or restore it (Alt+X) when the rule was wrong for this note. CPT for
procedures and visits, HCPCS for drugs (J codes, mind the billing unit) and supplies. Every code you add is
validated.
"""


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
        raise UserError(str(exc)) from exc


def make_export(format: str):
    """An admin-only download of the store as `format` training data (dpo pairs, kto rows, sft conversations)."""

    def export(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> str:
        user_for(request, profile, ADMIN, "export preference pairs" if format == "dpo" else f"export {format} data")
        path = export_file(f"thce-{format}-", ".jsonl")
        export_preference_pairs(path, format=format)
        return str(path)

    export.__name__ = "export_pairs" if format == "dpo" else f"export_{format}"
    export.__doc__ = f"The submitted reviews as {format.upper()} JSONL to download (administrators only)."
    return export


export_pairs = make_export("dpo")


def refresh(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple[str, list[list]]:
    """Progress and the signed-in annotator's own reviews (empty for nobody)."""
    annotator = identify(request, profile)
    if role_of(request, profile) is None:
        return "Sign in to review.", []
    return wording.progress_html(progress(annotator)), review.my_reviews(annotator)


def team_view(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple[str, list[list]]:
    """Agreement and per-annotator throughput (administrators only; others are told so)."""
    if role_of(request, profile) != ADMIN:
        return "Agreement and throughput are shown to administrators (THCE_ADMINS).", []
    numbers = stats()
    return wording.agreement_markdown(numbers), wording.team_rows(numbers)


def team_visibility(request: gr.Request = None, profile: gr.OAuthProfile | None = None):
    """The admins' panel is shown to administrators only."""
    return gr.update(visible=role_of(request, profile) == ADMIN)


def my_reviews_api(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> list[list]:
    """Your own latest reviews (API `/my_reviews`), newest first: rows of HISTORY_COLUMNS."""
    return review.my_reviews(user_for(request, profile, ANNOTATOR, "see your reviews"))


def stats_api(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
    """Everyone's annotation statistics (API `/annotation_stats`, administrators only)."""
    user_for(request, profile, ADMIN, "see everyone's annotation statistics")
    return stats()


def _whole_number(value, name: str, optional: bool = False) -> int | None:
    """An id sent by an API client: a whole number (None/"" allowed when `optional`), else a clear gr.Error."""
    if optional and (value is None or str(value).strip() in ("", "0")):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UserError(f"{name} must be a whole number, got {str(value)[:40]!r}") from None
    if number < 1:
        raise UserError(f"{name} must be a positive id, got {number}")
    return number


def submit_review_api(case_id: int, decision: str, corrected_codes: str = "", reasoning: str = "",
                      notes: str = "", supersedes_id: int | None = None, request: gr.Request = None,
                      profile: gr.OAuthProfile | None = None) -> dict:
    """Store your review (API `/submit_review`; you are the signed-in user) of a case you hold (`/next_case`)
    or whose lease is free and that still needs reviews: decision accept|correct|reject|skip; corrected codes as
    text (comma/space/new-line separated) and reasoning for 'correct' only. To change a review you finished,
    pass its id as `supersedes_id` (`/my_reviews` lists them). Returns review_id, version, pair_id."""
    annotator = user_for(request, profile, ANNOTATOR, "submit reviews")
    case = _whole_number(case_id, "case_id")
    previous = _whole_number(supersedes_id, "supersedes_id", optional=True)
    try:
        saved = review.submit_review(case, annotator, decision, corrected_codes, reasoning, notes,
                                     supersedes_id=previous)
    except (StoreError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    return {"review_id": saved.review_id, "version": saved.version, "pair_id": saved.pair_id}


def make_next_case_api(default_model: str | None):
    def next_case_api(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
        """Take the next case of the review queue (API `/next_case`): it is leased to you, coded by the server
        first when it has no prediction yet. Returns the case (case_id, narrative, the model's codes, reasoning
        and rule edits, prediction_id, your draft if any), or {} when nothing is left for you."""
        annotator = user_for(request, profile, ANNOTATOR, "review cases")
        try:
            task = review.next_task(annotator, review.default_coder(default_model))
        except (StoreError, ValueError, RuntimeError) as exc:
            raise UserError(str(exc)) from exc
        return {} if task is None else json.loads(json.dumps(task.to_dict(), default=str))  # dates as text

    return next_case_api


def make_queue_api(default_model: str | None):
    def queue_for_review(narrative: str, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> dict:
        """Queue a narrative for review (API `/queue_for_review`); the server codes it with its own model.
        Returns case_id and prediction_id (None when coding failed: it is retried when the case is opened)."""
        user = user_for(request, profile, ANNOTATOR, "send cases to review")
        try:
            case_id, prediction_id = review.queue_for_review(narrative, user, review.default_coder(default_model))
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        return {"case_id": case_id, "prediction_id": prediction_id}

    return queue_for_review



def _layout_case(ui: dict) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=160):
            ui["next"] = gr.Button("Next case  (Alt+N)", variant="primary", elem_id="review-next")
        with gr.Column(scale=5):
            ui["progress"] = gr.HTML(elem_id="review-progress")
    ui["status"] = gr.Markdown(elem_id="review-status")
    ui["case"] = gr.Markdown("Press **Next case** to start.", elem_id="review-case")
    gr.Markdown(SHORTCUTS_MARKDOWN, elem_id="review-shortcuts")


def _layout_codes(ui: dict) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            ui["narrative"] = gr.HighlightedText(label="Narrative: evidence of each kept code (▶ the selected one)",
                                                 combine_adjacent=False, elem_id="review-narrative")
            with gr.Accordion("Model reasoning", open=False):
                ui["model_reasoning"] = gr.Textbox(show_label=False, lines=6, interactive=False)
        with gr.Column(scale=5):
            ui["codes"] = gr.Dataframe(headers=wording.CODE_HEADERS, interactive=False, wrap=True,
                                       label="Codes: keep or drop each (click the decision cell, or Alt+X)",
                                       column_widths=wording.CODE_WIDTHS,
                                       elem_id="review-codes-table")
            with gr.Row():
                ui["prev"] = gr.Button("↑ Previous code (Alt+K)", size="sm", elem_id="review-code-prev")
                ui["down"] = gr.Button("↓ Next code (Alt+J)", size="sm", elem_id="review-code-next")
                ui["toggle"] = gr.Button("Keep / drop (Alt+X)", size="sm", elem_id="review-toggle")
            ui["selected"] = gr.Markdown(elem_id="review-selected")
            ui["search"] = gr.Textbox(label="Add a code (Alt+F): type a code or words; Enter adds the first match",
                                      placeholder="e.g. E78.5 or mixed hyperlipidemia", max_lines=1,
                                      elem_id="review-search")
            ui["hint"] = gr.Markdown(elem_id="review-search-hint")
            ui["hits"] = gr.Dataframe(headers=HIT_HEADERS, interactive=False, wrap=True, label="Matches (click to add)",
                                      column_widths=["14%", "14%", "58%", "14%"], elem_id="review-hits")
            ui["summary"] = gr.Markdown(elem_id="review-summary")
            ui["rule_edits"] = gr.Dataframe(headers=EDIT_HEADERS, interactive=False, column_widths=EDIT_WIDTHS,
                                            wrap=True, label="All the coding rules' edits of the answer (each code's row shows its own)",
                                            elem_id="review-rule-edits")


def _layout_actions(ui: dict) -> None:
    with gr.Row():
        ui["submit"] = gr.Button("Submit  (Alt+Enter)", variant="primary", elem_id="review-submit")
        ui["draft"] = gr.Button("Save draft  (Alt+D)", elem_id="review-draft")
        ui["accept"] = gr.Button("Accept as is  (Alt+A)", elem_id="review-accept")
        ui["reject"] = gr.Button("Reject output  (Alt+R)", variant="stop", elem_id="review-reject")
        ui["skip"] = gr.Button("Skip  (Alt+S)", variant="secondary", elem_id="review-skip")
        ui["discard"] = gr.Button("Discard  (Alt+E)", variant="stop", elem_id="review-discard")
    with gr.Row():
        # no max_length: the browser would cut a longer text without a word; the store refuses it with its limit
        ui["notes"] = gr.Textbox(label="Notes", lines=1, elem_id="review-notes")
        ui["reason"] = gr.Textbox(label="Discard reason (why this case cannot be coded)", lines=1,
                                  elem_id="review-reason")
    with gr.Accordion("Advanced: codes as text, edited reasoning", open=False):
        ui["codes_text"] = gr.Textbox(label="Codes (one per line)", lines=4, elem_id="review-codes")
        ui["apply"] = gr.Button("Use these codes", size="sm")
        ui["checks"] = gr.Dataframe(headers=CHECK_HEADERS, interactive=False, label="Validation", wrap=True,
                                    column_widths=["17%", "17%", "16%", "50%"])
        ui["reasoning"] = gr.Textbox(label="Reasoning (edit if wrong; kept with your correction)", lines=5,
                                     elem_id="review-reasoning")


def _layout_more(ui: dict) -> None:
    with gr.Accordion("Guidelines and keyboard shortcuts", open=False):
        gr.Markdown(GUIDELINES)
        gr.Markdown("\n".join(f"- **Alt+{key}**: {what}" for key, what, _ in SHORTCUTS))
    with gr.Accordion("Team: agreement and throughput (administrators)", open=False, visible=False) as team:
        ui["team_box"] = team
        ui["team_refresh"] = gr.Button("Refresh", size="sm", elem_id="review-team-refresh")
        ui["agreement"] = gr.Markdown(elem_id="review-agreement")
        ui["team"] = gr.Dataframe(headers=wording.TEAM_HEADERS, interactive=False, label="Per annotator",
                                  elem_id="review-team")
    with gr.Accordion("My reviews and export", open=False):
        ui["history"] = gr.Dataframe(headers=review.HISTORY_COLUMNS, interactive=False, label="My reviews", wrap=True,
                                     elem_id="review-history")
        with gr.Row():
            ui["refresh"] = gr.Button("Refresh", size="sm")
            ui["edit_id"] = gr.Number(None, label="Review id (click a row above)", precision=0, minimum=1,
                                      elem_id="review-edit-id")
            ui["edit"] = gr.Button("Edit this review", size="sm", elem_id="review-edit")
        with gr.Column(visible=False) as exports:  # shown to administrators only (team_visibility)
            ui["export_box"] = exports
            with gr.Row():
                ui["export_dpo"] = gr.Button("Export DPO pairs", size="sm", elem_id="export-pairs")
                ui["export_kto"] = gr.Button("Export KTO rows", size="sm", elem_id="export-kto")
                ui["export_sft"] = gr.Button("Export SFT conversations", size="sm", elem_id="export-sft")
            ui["export_file"] = gr.File(label="Export (administrators)", interactive=False)


def _wire(ui: dict, model, state) -> None:
    out = lambda names: [state if n == "state" else ui[n] for n in names]  # noqa: E731
    view, load = out(actions.VIEW), out(actions.LOAD)
    quiet = {"api_visibility": "private", "show_progress": "hidden", **actions.EDITS}
    ui["next"].click(actions.open_next_case, [state, ui["reasoning"], ui["notes"], model], load, api_visibility="private",
                     **GENERATION)
    ui["prev"].click(actions.move(-1), [state], view, **quiet)
    ui["down"].click(actions.move(1), [state], view, **quiet)
    ui["toggle"].click(actions.toggle_selected, [state], view, **quiet)
    ui["codes"].select(actions.select_row, [state], view, **quiet)
    # one search at a time, in typing order: a slow answer for a prefix never overwrites the answer for the text
    ui["search"].input(actions.search_live, ui["search"], [ui["hits"], ui["hint"]], api_visibility="private",
                       show_progress="hidden", trigger_mode="always_last", concurrency_limit=1,
                       concurrency_id="review-search")
    search_out = [*view, ui["search"], ui["hits"], ui["hint"]]
    ui["search"].submit(actions.add_from_search, [state, ui["search"]], search_out, **quiet)
    ui["hits"].select(actions.add_hit, [state], search_out, **quiet)
    ui["apply"].click(actions.apply_text, [state, ui["codes_text"]], view, **quiet)
    ui["draft"].click(actions.save_draft, [state, ui["reasoning"], ui["notes"]], [*view, ui["progress"]], **quiet)
    for action in ("submit", "accept", "reject", "skip", "discard"):
        ui[action].click(actions.clear_status, None, ui["status"], api_visibility="private", show_progress="hidden",
                         queue=False).then(
            actions.make_finish(action), [state, ui["reasoning"], ui["notes"], ui["reason"]], [*view, ui["case"]],
            **quiet).success(actions.load_next, [model, ui["status"]], load, api_visibility="private", **GENERATION)
    ui["codes_text"].change(validate_text, ui["codes_text"], ui["checks"], api_visibility="private",
                            show_progress="hidden")
    ui["refresh"].click(refresh, None, [ui["progress"], ui["history"]], api_visibility="private")
    ui["history"].select(actions.pick_review, ui["history"], ui["edit_id"], **quiet)
    ui["edit"].click(actions.edit_review, [ui["edit_id"], state, ui["reasoning"], ui["notes"]], load,
                     api_visibility="private")
    ui["team_refresh"].click(team_view, None, [ui["agreement"], ui["team"]], api_visibility="private")
    ui["export_dpo"].click(export_pairs, None, ui["export_file"], api_name="export_pairs")
    ui["export_kto"].click(make_export("kto"), None, ui["export_file"], api_name="export_kto")
    ui["export_sft"].click(make_export("sft"), None, ui["export_file"], api_name="export_sft")


def build_review_tab(default_model: str | None) -> dict:
    """Lay out the Review tab and wire its callbacks; returns the components app.py needs and what to run when
    a page loads (`load`: the progress bars, the admins' panel)."""
    model = gr.State(default_model or "")
    state = gr.State({})
    ui: dict = {}
    _layout_case(ui)
    _layout_codes(ui)
    _layout_actions(ui)
    _layout_more(ui)
    _wire(ui, model, state)
    gr.api(submit_review_api, api_name="submit_review")
    gr.api(make_next_case_api(default_model or None), api_name="next_case", **GENERATION)
    gr.api(make_queue_api(default_model or None), api_name="queue_for_review", **GENERATION)
    gr.api(my_reviews_api, api_name="my_reviews")
    gr.api(stats_api, api_name="annotation_stats")
    load = [(refresh, [ui["progress"], ui["history"]]), (team_visibility, [ui["team_box"]]),
            (team_visibility, [ui["export_box"]]),
            (team_view, [ui["agreement"], ui["team"]])]
    return {"progress": ui["progress"], "history": ui["history"], "load": load}
