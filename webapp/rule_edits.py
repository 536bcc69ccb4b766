"""How the Code and Review tabs word the coding rules' edits of an answer (core returns them as data:
`CodingResult.rule_edits`, one {action, system, code, replacement?, rule, guideline, reason} per edit)."""

from __future__ import annotations

EDIT_HEADERS = ["rule", "change", "why", "guideline"]
EDIT_WIDTHS = ["16%", "22%", "47%", "15%"]


def change_text(edit: dict) -> str:
    """'added 99213', 'dropped R05.9' or 'S93.409A → S93.402A', with the code system."""
    system = edit.get("system", "")
    if edit.get("action") == "replace":
        return f"{edit.get('code')} → {edit.get('replacement')} ({system})"
    verb = "added" if edit.get("action") == "add" else "dropped"
    return f"{verb} {edit.get('code')} ({system})"


def edit_table(edits: list[dict] | None) -> list[list]:
    """Rows of EDIT_HEADERS, one per edit."""
    return [[e.get("rule", ""), change_text(e), e.get("reason", ""), e.get("guideline", "")] for e in edits or []]


def edits_note(result: dict) -> str:
    """One markdown line on what the coding rules did to the answer."""
    edits = result.get("rule_edits") or []
    if not result.get("rules_applied", bool(edits)):
        return "Coding rules: off for this answer."
    text = "Coding rules: checked, no edit needed."
    if edits:
        changes = "; ".join(f"{change_text(e)} by `{e.get('rule')}`" for e in edits)
        text = f"**Coding rules edited the answer ({len(edits)})**: {changes} (reasons in *Coding rule edits*)."
    skipped = result.get("rules_skipped") or []
    if skipped:
        text += (f" The note reads as several encounters (a case history or hospital course), so the rules that "
                 f"judge one encounter's codes did not run: {', '.join(skipped)}.")
    return text


def row_note(code: str, edits: list[dict] | None) -> str:
    """What the coding rules did to one code, with why: 'added by em_level because …', 'dropped by excludes1
    because …', 'replaced S93.409A → S93.402A by laterality because …' ("" when no rule touched it)."""
    notes = []
    for edit in edits or []:
        rule, reason = edit.get("rule", ""), edit.get("reason", "")
        if edit.get("action") == "replace":
            what = f"replaced {edit.get('code')} → {edit.get('replacement')}"
        else:
            what = "added" if edit.get("action") == "add" else "dropped"
        notes.append(f"{what} by {rule} because {reason}" if reason else f"{what} by {rule}")
    return "; ".join(notes)


def added_by_rules(code: str, edits: list[dict] | None) -> bool:
    """Whether a rule put `code` in the answer (added it, or put it in place of another code)."""
    return any((e.get("action") == "add" and e.get("code") == code) or e.get("replacement") == code
               for e in edits or [])
