"""The coding rules (core.rules) in evaluation: judge every edit against gold (helpful when it adds or
substitutes a gold code or drops a wrong one; harmful when it drops a gold code or adds a wrong one).

The pipeline applies the rules itself (its rows carry "rules_applied" and "rule_edits"); rows made without
them (a baseline, an older predictions file, a `--no-rules` run) can be edited afterwards by
`apply_rules_to_rows`, which moves the edited answer to the top of the ranked lists as the pipeline does.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.constants import SYSTEMS
from core.evaluation.predictions import predicted_codes
from core.rules import apply_rules


def _judge(edit: dict, gold: dict[str, list[str]]) -> str:
    wanted = set(gold.get(edit["system"], []))
    if edit["action"] == "drop":
        return "harmful" if edit["code"] in wanted else "helpful"
    new = edit["code"] if edit["action"] == "add" else edit.get("replacement")
    if new in wanted:
        return "helpful"
    return "neutral" if edit["action"] == "replace" and edit["code"] not in wanted else "harmful"


def judge_rule_edits(cases: Sequence[dict], rows: Sequence[dict]) -> dict:
    """Per rule: {"edits", "helpful", "neutral", "harmful"} over the rows' "rule_edits" (the first row of each id,
    the one that is scored)."""
    by_id = {str(case["id"]): case for case in cases}
    summary: dict[str, dict] = {}
    for row in rows:
        case = by_id.pop(str(row.get("id")), None)
        for edit in (row.get("rule_edits") or []) if case is not None else []:
            counts = summary.setdefault(edit["rule"], {"edits": 0, "helpful": 0, "neutral": 0, "harmful": 0})
            counts["edits"] += 1
            counts[_judge(edit, case.get("codes") or {})] += 1
    return summary


def rerank(ranked: list, old: list[str], new: list[str]) -> list[list]:
    """A ranked list of one system with `new` as the answer instead of `old`: answer codes first (score 1 +
    support, best support first), then the others by support, as core.pipeline.items.ranked_lists does."""
    support = {}
    for entry in ranked:
        code, score = (entry[0], entry[1]) if isinstance(entry, list | tuple) and len(entry) > 1 else (entry, 0.0)
        support.setdefault(str(code), float(score or 0.0) - (1.0 if str(code) in old else 0.0))
    top = [[code, round(1.0 + max(support.get(code, 0.0), 0.0), 4)]
           for code in sorted(new, key=lambda c: -support.get(c, 0.0))]
    rest = sorted((code for code in support if code not in new), key=lambda c: -support[c])
    return top + [[code, round(max(support[code], 0.0), 4)] for code in rest]


def _edited_row(row: dict, narrative: str, codeset) -> dict:
    codes = {system: predicted_codes(row, system) for system in SYSTEMS}
    before = {system: (row.get("ranked") or {}).get(system) or [] for system in SYSTEMS}
    candidates = {system: [str(e[0] if isinstance(e, list | tuple) else e) for e in entries]
                  for system, entries in before.items()}
    outcome = apply_rules(codes, narrative, codeset, candidates=candidates)
    ranked = {system: rerank(before[system], codes[system], outcome.codes[system]) for system in SYSTEMS}
    return {**row, "codes": outcome.codes, "ranked": ranked, "rules_applied": True,
            "rule_edits": [edit.to_dict() for edit in outcome.edits]}


def apply_rules_to_rows(cases: Sequence[dict], rows: Sequence[dict], codeset=None) -> tuple[list[dict], dict]:
    """(rows with rule-edited "codes", "ranked" and their "rule_edits", summary per rule). Rows without a case
    keep their codes; rows the pipeline already edited ("rules_applied") are kept as they are."""
    by_id = {str(case["id"]): case for case in cases}
    out = []
    for row in rows:
        case = by_id.get(str(row.get("id")))
        if case is None or row.get("rules_applied"):
            out.append(row)
        else:
            out.append(_edited_row(row, case.get("narrative", ""), codeset))
    return out, judge_rule_edits(cases, out)
