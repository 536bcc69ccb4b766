"""Review tab callbacks: a few lines each around core.review / core.review_codes; the wording is
webapp.review_views'. Identity and role come from the request (webapp.auth), never from a parameter.

The per-code state (rows, selected row) is a gr.State, which Gradio keeps on the server and reads when an
event is processed; the edit events share one concurrency group of one (EDITS), so quick keyboard sequences
(drop, add, submit) apply in the order they were pressed.
"""

from __future__ import annotations

import html
import time
from datetime import datetime

import gradio as gr

from core import review_codes
from core import review_workflow as review
from core.store import ConflictError, StoreError, progress
from webapp import review_views as views
from webapp.auth import ANNOTATOR, user_for
from webapp.common import UserError
from webapp.rule_edits import edit_table, edits_note

EDITS = {"concurrency_limit": 1, "concurrency_id": "review-edits"}
VIEW = ["state", "codes", "narrative", "selected", "summary", "status"]
LOAD = [*VIEW, "case", "model_reasoning", "reasoning", "notes", "codes_text", "reason", "progress", "history",
        "search", "hits", "hint", "rule_edits"]
NO_TASK = "The queue is empty: nothing to review right now. Import cases (`thce annotations import`) or send " \
          "coded narratives from the Code tab."


def _annotator(request, profile, action: str = "review cases") -> str:
    return user_for(request, profile, ANNOTATOR, action)


def _task_of(state: dict) -> dict:
    if not state or not state.get("case_id"):
        raise UserError("load a case first (Next case, Alt+N)")
    return state


def view(state: dict, status: str = "") -> tuple:
    """The outputs named by VIEW for `state`."""
    if not state or not state.get("case_id"):
        return (state or {}, [], [], "", "", status)
    rows, selected = state["rows"], state.get("selected")
    decision, codes = review_codes.verdict(rows, state["codes"])
    return (state, views.code_table(rows, selected), review_codes.highlight(state["narrative"], rows, selected),
            views.selected_markdown(rows, selected), views.summary_markdown(decision, codes, rows), status)


def _state_for(task: review.ReviewTask) -> dict:
    draft = task.draft or {}
    kept = draft.get("corrected_codes") if draft.get("decision") == "correct" else None
    rows = review_codes.code_rows_for(task.narrative, task.codes, task.reasoning, kept=kept,
                                      rule_edits=task.rule_edits)
    return task.to_dict() | {"rows": rows, "selected": 0 if rows else None, "started": time.monotonic(),
                             "loaded_kept": review_codes.kept_codes(rows), "loaded_notes": draft.get("notes", ""),
                             "loaded_reasoning": draft.get("corrected_reasoning") or task.reasoning}


def _as_saved(state: dict, reasoning: str, notes: str) -> dict:
    """`state` once its edits are stored (a draft): what a later Next case compares with."""
    return state | {"loaded_kept": review_codes.kept_codes(state["rows"]), "loaded_notes": notes or "",
                    "loaded_reasoning": reasoning or state.get("reasoning") or ""}


def unsaved_edits(state: dict, reasoning: str, notes: str) -> bool:
    """Whether the case on screen was changed since it was loaded: kept codes, reasoning or notes."""
    if not state or not state.get("case_id"):
        return False
    loaded_reasoning = state.get("loaded_reasoning", state.get("reasoning"))
    return (review_codes.kept_codes(state["rows"]) != state.get("loaded_kept")
            or (notes or "").strip() != (state.get("loaded_notes") or "").strip()
            or (reasoning or "").strip() != (loaded_reasoning or "").strip())


def _when(iso: str) -> str:
    """'2026-12-01T02:50:37+00:00' -> '2026-12-01 02:50 UTC' (as stored: the text itself when unreadable)."""
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return str(iso)


def _header(task: review.ReviewTask) -> str:
    text = f"**Case #{task.case_id}** · `{task.external_id}` ({task.source}) · model `{task.model_id}`"
    if task.min_submitted > 1:
        text += f" · coder {task.submitted + 1} of {task.min_submitted} (agreement)"
    if task.edits_review:
        text += (f" · editing your review {task.edits_review} ({task.draft['status']} {_when(task.draft['saved_at'])}):"
                 " finish it again to store the new version")
    elif task.draft:
        text += f" · your draft from {_when(task.draft['saved_at'])} is loaded"
    if task.rule_edits:  # the coding rules' edits are part of the answer being judged
        text += "\n\n" + edits_note({"rules_applied": True, "rule_edits": task.rule_edits})
    return text


def loaded(task: review.ReviewTask | None, annotator: str, status: str) -> tuple:
    """The outputs named by LOAD for a new task (or the empty queue)."""
    common = (views.progress_html(progress(annotator)), review.my_reviews(annotator), "", [], "")  # search cleared
    if task is None:
        return (*view({}, status), NO_TASK, "", "", "", "", "", *common, [])
    state = _state_for(task)
    notes = (task.draft or {}).get("notes", "")
    return (*view(state, status), _header(task), task.reasoning, state["loaded_reasoning"], notes,
            review.codes_to_text(review_codes.kept_codes(state["rows"])), "", *common, edit_table(task.rule_edits))


def load_next(model: str, status: str = "", request: gr.Request = None,
              profile: gr.OAuthProfile | None = None) -> tuple:
    """Lease the next case (running the model first when it has no prediction yet)."""
    annotator = _annotator(request, profile)
    try:
        task = review.next_task(annotator, review.default_coder(model or None))
    except (StoreError, ValueError, RuntimeError) as exc:
        raise UserError(f"could not load the next case: {exc}") from exc
    return loaded(task, annotator, status)


def open_next_case(state: dict, reasoning: str, notes: str, model: str, request: gr.Request = None,
              profile: gr.OAuthProfile | None = None) -> tuple:
    """The Next case button: a case on screen with edits is saved as a draft first (nothing typed is lost: the
    same case, still leased to you, comes back with them), then the next case loads."""
    annotator = _annotator(request, profile)
    status = _leave(state, reasoning, notes, annotator)
    return load_next(model, status, request, profile)


def _leave(state: dict, reasoning: str, notes: str, annotator: str) -> str:
    """Before another case replaces the one on screen: its edits saved as a draft (a status saying so), or, for
    an edit of a finished review or a case finished elsewhere, a status saying what was not stored."""
    status = ""
    if unsaved_edits(state, reasoning, notes) and state.get("edits_review"):
        return (f"⚠ Your edit of review {state['edits_review']} was not stored: the review stays as it was. "
                "Open it again from My reviews to change it.")
    if unsaved_edits(state, reasoning, notes):
        try:
            saved = review.submit_rows(state, annotator, state["rows"], status="draft", reasoning=reasoning,
                                       notes=notes, time_spent_s=_spent(state))
        except ConflictError as exc:  # finished already (in another tab): no draft can ever be stored for it
            return _not_saved(state, notes, exc)
        except (StoreError, ValueError) as exc:
            raise UserError(f"your edits of case #{state['case_id']} could not be saved, so it stays on screen: "
                            f"{exc}") from exc
        status = f"✓ Case #{state['case_id']}: your edits were saved as a draft (review {saved.review_id})."
    return status


def edit_review(review_id, state: dict, reasoning: str, notes: str, request: gr.Request = None,
                profile: gr.OAuthProfile | None = None) -> tuple:
    """My reviews → Edit: load one of your finished reviews (its codes, reasoning and notes) to change it; finishing
    it stores a new version that replaces it (a correction made from an accept gives its preference pair). The
    case on screen is left as Next case leaves it (edits kept as a draft)."""
    annotator = _annotator(request, profile, "edit reviews")
    try:
        wanted = int(review_id)
    except (TypeError, ValueError):
        raise UserError("type the id of one of your reviews (the first column of My reviews)") from None
    try:
        task = review.open_own_review(wanted, annotator)
    except (StoreError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    status = _leave(state, reasoning, notes, annotator) if state.get("case_id") != task.case_id else ""
    return loaded(task, annotator, status)


def pick_review(history, evt: gr.SelectData) -> int | None:
    """A click on a row of My reviews puts its review id in the Edit box."""
    row = evt.row_value if getattr(evt, "row_value", None) else None
    return int(row[0]) if row and str(row[0]).isdigit() else None


def _not_saved(state: dict, notes: str, exc: Exception) -> str:
    """The status when the edits on screen belong to a case that takes no draft any more: what was on screen, so
    the coder can copy it (without this, Next case refused to leave the case and the tab was stuck on it)."""
    kept = review.codes_to_text(review_codes.kept_codes(state["rows"])).replace("\n", ", ") or "none"
    text = f"⚠ Case #{state['case_id']} was already finished ({exc}): your edits on screen were not saved. " \
           f"Codes kept on screen: {kept}."
    return text + (f" Notes: {notes.strip()}" if (notes or "").strip() else "")


def clear_status() -> str:
    """Blank the status line when an action starts (an error then leaves no stale success on it)."""
    return ""


def move(delta: int):
    def move_selection(state: dict, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
        _annotator(request, profile)
        state = _task_of(state)
        if state["rows"]:
            current = state.get("selected") or 0
            state = state | {"selected": min(max(current + delta, 0), len(state["rows"]) - 1)}
        return view(state)

    move_selection.__name__ = "next_code" if delta > 0 else "previous_code"
    return move_selection


def toggle_selected(state: dict, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    """Keep <-> drop the selected code."""
    _annotator(request, profile)
    state = _task_of(state)
    return view(state | {"rows": review_codes.toggle(state["rows"], state.get("selected", -1))})


def select_row(state: dict, evt: gr.SelectData, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
    """Click a code: select it (its evidence is highlighted); a click on its decision cell flips it."""
    _annotator(request, profile)
    state = _task_of(state)
    row, column = (evt.index + [0, 0])[:2] if isinstance(evt.index, list) else (evt.index, 0)
    state = state | {"selected": row}
    if column == 1:
        state = state | {"rows": review_codes.toggle(state["rows"], row)}
    return view(state)


def search_live(text: str) -> tuple[list[list], str]:
    """Search as you type: matches, and which one Enter adds."""
    if not (text or "").strip():
        return [], ""
    found = review_codes.find_code(text)
    asked = f"“{html.escape(text.strip(), quote=False)}”: "  # names the query, so a hint is never read against
    # newer typing (escaped: the hint is markdown, and a typed tag vanished from it)
    hint = asked + (f"Enter adds **{found[1]}** ({found[0]}) {found[2]}" if found
                    else views.added_text(review_codes.why_not(text)))
    return views.hit_rows(review_codes.search_rows(text)), hint


def add_from_search(state: dict, text: str, request: gr.Request = None,
                    profile: gr.OAuthProfile | None = None) -> tuple:
    """Enter in the search box: add the code typed, or the best billable match (the one the hint named)."""
    _annotator(request, profile)
    state = _task_of(state)
    rows, added = review_codes.add_code(state["rows"], state["narrative"], text)
    selected = len(rows) - 1 if added.outcome == "added" else state.get("selected")
    ok = added.changed
    return (*view(state | {"rows": rows, "selected": selected}, ("✓ " if ok else "⚠ ") + views.added_text(added)),
            "" if ok else text, [] if ok else gr.skip(), "" if ok else gr.skip())


def add_hit(state: dict, evt: gr.SelectData, request: gr.Request = None,
            profile: gr.OAuthProfile | None = None) -> tuple:
    """Click a search result: add its code."""
    row = evt.row_value or []
    return add_from_search(state, str(row[1]) if len(row) > 1 else "", request, profile)


def apply_text(state: dict, codes_text: str, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
    """Advanced: the codes typed as text become the list (model codes not in it are dropped)."""
    _annotator(request, profile)
    state = _task_of(state)
    parsed = review.parse_codes_text(codes_text)
    if not parsed.ok:
        raise UserError("; ".join(parsed.problems))
    rows = review_codes.code_rows_for(state["narrative"], state["codes"], state["reasoning"], kept=parsed.codes,
                                      rule_edits=state.get("rule_edits"))
    return view(state | {"rows": rows, "selected": 0 if rows else None}, "✓ codes taken from the text")


def _spent(state: dict) -> float | None:
    return time.monotonic() - state["started"] if state.get("started") else None


def _saved(state: dict, what: str, saved) -> str:
    pair = f", preference pair {saved.pair_id}" if saved.pair_id else ""
    edit = f", version {saved.version}: replaces review {state['edits_review']}" if state.get("edits_review") else ""
    return f"✓ Case #{state['case_id']}: {what} saved (review {saved.review_id}{edit}{pair})."


def make_finish(action: str):
    """The callback of a button that ends the case: submit, accept (as is), reject, skip, discard.
    It stores the review and returns the outputs named by VIEW for no case (the finished case leaves the
    screen, so no button acts on it while the next one loads) and the case header; the next case loads in a
    chained event."""

    def finish(state: dict, reasoning: str, notes: str, reason: str, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
        annotator = _annotator(request, profile, "submit reviews")
        if not state or not state.get("case_id"):  # nothing on screen: a second click while the next case loads
            return (*view({}, ""), "Loading the next case…")  # (the chained event loads it; no error toast)
        try:
            if action == "submit":
                saved = review.submit_rows(state, annotator, state["rows"], reasoning=reasoning, notes=notes,
                                           time_spent_s=_spent(state))
                what = review_codes.verdict(state["rows"], state["codes"])[0]
                what = "correct" if saved.pair_id else what
            elif action in ("skip", "discard"):
                status = "skipped" if action == "skip" else "discarded"
                saved = review.set_aside(state, annotator, status, reason if action == "discard" else "", notes,
                                         _spent(state))
                what = status
            else:  # accept as is, or reject
                saved = review.submit_review(state["case_id"], annotator, action, notes=notes,
                                             prediction_id=state.get("prediction_id"), time_spent_s=_spent(state),
                                             supersedes_id=state.get("edits_review"))
                what = action
        except ConflictError as exc:
            if exc.field == "supersedes_id" and not state.get("edits_review"):  # finished already, in another tab
                raise UserError(f"case #{state['case_id']} was already finished by you (in another tab or window), "
                                "so this was not stored: take the next case, or open your review from My reviews "
                                "→ Edit to change it") from exc
            raise UserError(str(exc)) from exc
        except (StoreError, ValueError) as exc:
            raise UserError(str(exc)) from exc
        return (*view({}, _saved(state, what, saved)), "Loading the next case…")

    finish.__name__ = f"finish_{action}"
    return finish


def save_draft(state: dict, reasoning: str, notes: str, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
    """Save the decisions so far without submitting (the case stays yours while its lease lasts)."""
    annotator = _annotator(request, profile, "save drafts")
    state = _task_of(state)
    try:
        saved = review.submit_rows(state, annotator, state["rows"], status="draft", reasoning=reasoning, notes=notes,
                                   time_spent_s=_spent(state))
    except (StoreError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    return (*view(_as_saved(state, reasoning, notes),
                  f"✓ Draft saved (review {saved.review_id}, version {saved.version}); submit when done."),
            views.progress_html(progress(annotator)))
