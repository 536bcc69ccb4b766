"""Score predictions after the coding rules (core.rules): each row's final codes are edited by
`apply_rules` with the case's narrative, and every edit is judged against gold (helpful when it adds or
substitutes a gold code or drops a wrong one; harmful when it drops a gold code or adds a wrong one)."""

from __future__ import annotations

from collections.abc import Sequence

from core.constants import SYSTEMS
from core.evaluation.predictions import predicted_codes


def _judge(edit, gold: dict[str, list[str]]) -> str:
    wanted = set(gold.get(edit.system, []))
    if edit.action == "drop":
        return "harmful" if edit.code in wanted else "helpful"
    new = edit.code if edit.action == "add" else edit.replacement
    if new in wanted:
        return "helpful"
    return "neutral" if edit.action == "replace" and edit.code not in wanted else "harmful"


def apply_rules_to_rows(cases: Sequence[dict], rows: Sequence[dict], codeset=None) -> tuple[list[dict], dict]:
    """(rows with rule-edited "codes" and their "rule_edits", summary per rule). Rows without a case keep
    their codes; "ranked" lists are left as they are (MAP is unchanged)."""
    from core.rules import apply_rules

    by_id = {str(case["id"]): case for case in cases}
    out, summary = [], {}
    for row in rows:
        case = by_id.get(str(row.get("id")))
        if case is None:
            out.append(row)
            continue
        codes = {system: predicted_codes(row, system) for system in SYSTEMS}
        outcome = apply_rules(codes, case.get("narrative", ""), codeset)
        for edit in outcome.edits:
            counts = summary.setdefault(edit.rule, {"edits": 0, "helpful": 0, "neutral": 0, "harmful": 0})
            counts["edits"] += 1
            counts[_judge(edit, case.get("codes") or {})] += 1
        out.append({**row, "codes": outcome.codes, "rule_edits": [edit.to_dict() for edit in outcome.edits]})
    return out, summary
