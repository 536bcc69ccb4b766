"""The pipeline's last step: the coding rules (core.rules) edit the final answer, and every edit shows in the
result's items. A code a rule adds becomes an item (source "rule"); a code it drops or replaces stays in the
items, out of the answer, with the rule and its reason, so nothing leaves the answer unexplained.

    codes, edits, skipped = apply_coding_rules(codeset, items, codes, narrative, support, reasoning)
"""

from __future__ import annotations

from core.pipeline.items import make_item
from core.pipeline.result import CodedItem
from core.rules import apply_rules


def apply_coding_rules(codeset, items: list[CodedItem], codes: dict[str, list[str]], narrative: str,
                       support: dict[tuple[str, str], float], reasoning: str = "") -> tuple[dict, list[dict], list[str]]:
    """(the edited answer, the edits as dicts, the rules that abstained); `items` are updated in place to match
    the edited answer."""
    ranked = sorted(support.items(), key=lambda kv: -kv[1])
    candidates = {system: [code for (s, code), _ in ranked if s == system] for system in {s for s, _ in support}}
    outcome = apply_rules(codes, narrative, codeset, candidates=candidates)
    for edit in outcome.edits:
        if edit.action in ("drop", "replace"):
            _leave_out(items, edit)
        if edit.action in ("add", "replace"):
            new = edit.code if edit.action == "add" else edit.replacement
            _bring_in(codeset, items, edit, new, narrative, support, reasoning)
    return outcome.codes, [edit.to_dict() for edit in outcome.edits], outcome.skipped


def _matching(items: list[CodedItem], system: str, code: str) -> list[CodedItem]:
    return [item for item in items if item.system == system and item.code == code]


def _leave_out(items: list[CodedItem], edit) -> None:
    reason = edit.reason if edit.action == "drop" else f"replaced by {edit.replacement}: {edit.reason}"
    for item in _matching(items, edit.system, edit.code):
        if item.selected:
            item.selected, item.rule, item.rule_reason = False, edit.rule, reason


def _bring_in(codeset, items: list[CodedItem], edit, code: str, narrative: str,
              support: dict[tuple[str, str], float], reasoning: str) -> None:
    """Select the item of `code` (one the model or retriever offered) or add a new "rule" item for it."""
    reason = edit.reason if edit.action == "add" else f"replaces {edit.code}: {edit.reason}"
    found = [item for item in _matching(items, edit.system, code) if item.valid]
    if not found:
        found = [make_item(codeset, edit.system, code, narrative, reasoning, "rule", support)]
        items.append(found[0])
    for item in found:
        item.selected, item.rule, item.rule_reason = True, edit.rule, reason
