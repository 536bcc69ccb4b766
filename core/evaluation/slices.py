"""Scores on slices of an evaluation set: one slice per coding rule a case exercises (`meta.rules`, e.g. the
US outpatient set), and the exact E/M level (office and ED visit codes) where gold has one."""

from __future__ import annotations

from collections.abc import Sequence

from core.evaluation.metrics import micro_counts, prf

NO_RULE = "(none)"
EM_CODES = frozenset([f"9920{i}" for i in range(2, 6)] + [f"9921{i}" for i in range(1, 6)]
                     + [f"9928{i}" for i in range(1, 6)])


def case_rules(case: dict) -> list[str] | None:
    """The rules a case exercises, None when the case has no rule tags at all."""
    rules = (case.get("meta") or {}).get("rules", case.get("rules"))
    if rules is None:
        return None
    return [str(rule) for rule in rules] or [NO_RULE]


def _scores(golds: list[set], preds: list[set]) -> dict:
    tp, fp, fn = micro_counts(golds, preds)
    precision, recall, f1 = prf(tp, fp, fn)
    exact = sum(g == p for g, p in zip(golds, preds, strict=True)) / len(golds) if golds else 0.0
    if tp + fp + fn == 0:  # no gold and no prediction in this system for these cases: nothing to score
        precision = recall = f1 = None
    return {"n_cases": len(golds), "micro_precision": precision, "micro_recall": recall, "micro_f1": f1,
            "exact_match": exact, "tp": tp, "fp": fp, "fn": fn}


def rule_slices(cases: Sequence[dict], gold: dict[str, list[set]], pred: dict[str, list[set]]) -> dict:
    """{rule: {"overall": scores, system: scores}} over the cases tagged with each rule; {} when untagged."""
    tags = [case_rules(case) for case in cases]
    if all(tag is None for tag in tags):
        return {}
    out = {}
    for rule in sorted({r for tag in tags if tag for r in tag}):
        members = [i for i, tag in enumerate(tags) if tag and rule in tag]
        pooled_gold = [{(s, c) for s in gold for c in gold[s][i]} for i in members]
        pooled_pred = [{(s, c) for s in pred for c in pred[s][i]} for i in members]
        out[rule] = {"overall": _scores(pooled_gold, pooled_pred),
                     **{s: _scores([gold[s][i] for i in members], [pred[s][i] for i in members]) for s in gold}}
    return out


def em_level(gold: dict[str, list[set]], pred: dict[str, list[set]]) -> dict | None:
    """Exact E/M level: the share of cases with a gold office/ED visit code whose predicted visit codes equal it."""
    if "cpt" not in gold:
        return None
    pairs = [(g & EM_CODES, p & EM_CODES) for g, p in zip(gold["cpt"], pred["cpt"], strict=True) if g & EM_CODES]
    if not pairs:
        return None
    exact = sum(g == p for g, p in pairs)
    return {"n_cases": len(pairs), "exact": exact / len(pairs), "missing": sum(not p for _, p in pairs)}
