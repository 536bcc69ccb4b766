"""How the Review tab words the core's plain data: the per-code table, the selected code, what Submit will
store, the progress bars and the admins' team table. No store access and no decisions here."""

from __future__ import annotations

import html

from core import review_codes
from core.prompts import SYSTEMS
from webapp.rule_edits import added_by_rules, row_note

CODE_HEADERS = ["", "decision", "system", "code", "description", "evidence in the narrative", "coding rules", "from"]
CODE_WIDTHS = ["3%", "10%", "7%", "8%", "22%", "22%", "22%", "6%"]
TEAM_HEADERS = ["annotator", "submitted", "draft", "discarded", "skipped", "accept", "correct", "reject",
                "median s / review", "reviews / hour"]
EVIDENCE_CHARS = 90
SELECTED_MARK = "▶"
NO_EVIDENCE = "(no evidence found)"


def _short(text: str) -> str:
    return text[:EVIDENCE_CHARS - 1] + "…" if len(text) > EVIDENCE_CHARS else text


def decision_text(row: dict) -> str:
    """keep/drop; a code the coding rules took out reads 'confirm drop' until the annotator restores it."""
    if row["origin"] == "rule_dropped":
        return "✓ restore" if row["keep"] else "✗ confirm drop"
    return "✓ keep" if row["keep"] else "✗ drop"


def origin_text(row: dict) -> str:
    if row["origin"] == "added":
        return "you"
    return "rules" if added_by_rules(row["code"], row.get("rule_edits")) else "model"


def code_table(rows: list[dict], selected: int | None) -> list[list]:
    """One line per code: the selected one marked, keep/drop spelled out, evidence shortened, the coding rules'
    edits of the code with their reasons."""
    return [[SELECTED_MARK if i == selected else "", decision_text(row), row["system"], row["code"],
             row["description"], _short(row["evidence"] or NO_EVIDENCE),
             row_note(row["code"], row.get("rule_edits")), origin_text(row)] for i, row in enumerate(rows)]


def _state_text(row: dict) -> str:
    if row["origin"] == "rule_dropped":
        return "restored by you" if row["keep"] else "dropped by the coding rules: Alt+X restores it"
    who = "added by you" if row["origin"] == "added" else origin_text(row)
    return f"{'kept' if row['keep'] else 'dropped'}, {who}"


def selected_markdown(rows: list[dict], selected: int | None) -> str:
    if not rows or selected is None or not 0 <= selected < len(rows):
        return "No code selected." if not rows else "Select a code (click a row, or Alt+J / Alt+K)."
    row = rows[selected]
    evidence = f"“{row['evidence']}”" if row["evidence"] else "no evidence found in the narrative"
    text = (f"**{row['code']}** ({row['system']}, {_state_text(row)}) — {row['description'] or 'no description'}"
            f"\n\nEvidence: {evidence}")
    note = row_note(row["code"], row.get("rule_edits"))
    return text + (f"\n\nCoding rules: {note}" if note else "")


def codes_line(codes: dict) -> str:
    listed = [c for s in SYSTEMS for c in codes.get(s, [])]
    return ", ".join(f"`{c}`" for c in listed) or "(none)"


def summary_markdown(decision: str, codes: dict, rows: list[dict]) -> str:
    """What Submit will store, said plainly."""
    dropped = [r["code"] for r in rows if not r["keep"] and r["origin"] == "model"]
    added = [r["code"] for r in rows if r["keep"] and r["origin"] == "added"]
    restored = [r["code"] for r in rows if r["keep"] and r["origin"] == "rule_dropped"]
    if decision == "accept":
        return f"**Submit stores:** accept (the model's codes, no edit): {codes_line(codes)}"
    changes = "; ".join(f"{verb} {', '.join(found)}" for verb, found in
                        (("dropped", dropped), ("added", added), ("restored", restored)) if found)
    return f"**Submit stores:** correction: {codes_line(codes)} ({changes or 'edited'})"


def _bar(parts: list[tuple[str, int, str]], total: int) -> str:
    if total <= 0:
        return '<div class="thce-bar"><span style="width:100%;background:var(--neutral-200)"></span></div>'
    spans = "".join(f'<span title="{html.escape(name)}: {count}" style="width:{100 * count / total:.2f}%;'
                    f'background:{color}"></span>' for name, count, color in parts if count)
    return f'<div class="thce-bar">{spans}</div>'


def progress_html(progress: dict) -> str:
    """Two bars: the team's cases (complete / pending) and mine (submitted / draft / discarded / skipped)."""
    team, me = progress["team"], progress.get("me") or {}
    total = team["cases"]
    team_bar = _bar([("complete", team["complete"], "#22c55e")], total)
    mine_total = sum(me.values())
    mine_bar = _bar([("submitted", me.get("submitted", 0), "#22c55e"), ("draft", me.get("draft", 0), "#f59e0b"),
                     ("discarded", me.get("discarded", 0), "#ef4444"), ("skipped", me.get("skipped", 0), "#94a3b8")],
                    mine_total)
    return (f'<div id="review-progress-bars" class="thce-progress">'
            f'<div><b>Team</b>: {team["complete"]} / {total} cases complete · {team["pending"]} pending · '
            f'{team["submissions_done"]} / {team["submissions_needed"]} submissions{team_bar}</div>'
            f'<div><b>Me</b>: {me.get("submitted", 0)} submitted · {me.get("draft", 0)} draft · '
            f'{me.get("discarded", 0)} discarded · {me.get("skipped", 0)} skipped{mine_bar}</div></div>')


def team_rows(stats: dict) -> list[list]:
    return [[name, row["submitted"], row["draft"], row["discarded"], row["skipped"], row["accept"], row["correct"],
             row["reject"], row["median_s_per_review"], row["per_hour"]] for name, row in stats["by_annotator"].items()]


def agreement_markdown(stats: dict) -> str:
    agreement = stats["agreement"]
    if not agreement["double_reviewed_cases"]:
        return ("**Agreement**: no case has two submitted reviews yet (`thce annotations distribute "
                "--min-submitted 2` sends cases to two coders).")
    lines = [f"**Agreement** on {agreement['double_reviewed_cases']} case(s) with ≥ 2 submitted reviews "
             f"(Cohen's kappa over per-code decisions): all codes {agreement['codes']['kappa']}, "
             f"decisions {agreement['decision']['kappa']}, mean Jaccard {agreement['mean_jaccard']}"]
    for system, row in agreement["by_system"].items():
        value = "n/a (no codes of this system)" if row["kappa"] is None else f"{row['kappa']} over {row['cases']} case(s)"
        lines.append(f"- {system}: {value}")
    return "\n".join(lines)


def added_text(added: review_codes.Added) -> str:
    """What typing a code or words into the search did, in a sentence."""
    if added.outcome == "added":
        return f"added {added.code} ({added.description})"
    if added.outcome == "kept":
        return f"{added.code} is listed (kept)"
    if added.outcome == "not_billable":
        more = f"; billable: {', '.join(added.billable)}" if added.billable else ""
        return f"{added.code} is not billable{more}"
    if added.outcome == "unknown":
        near = f"; did you mean {', '.join(added.billable)}?" if added.billable else ""
        return f"{_typed(added.text)} is not a valid code: nothing added{near} (words search descriptions)"
    return f"no billable code matches {_typed(added.text)}"


def _typed(text: str) -> str:
    """What the coder typed, quoted for the markdown status and hint (a tag in it is shown, not rendered)."""
    return html.escape(repr(text), quote=False)


def hit_rows(rows: list[list]) -> list[list]:
    """Search matches for the table: billable as yes/no."""
    return [[*row[:3], "yes" if row[3] else "no"] for row in rows]
