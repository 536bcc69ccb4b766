"""Error analysis of a report's per-case rows, and the side-by-side comparison of two reports."""

from __future__ import annotations

from collections import Counter

from core.evaluation.bootstrap import intervals_overlap
from core.evaluation.metrics import code_category, prf

COMPARE_METRICS = (
    "micro_precision", "micro_recall", "micro_f1", "macro_f1", "map", "exact_match", "category_f1",
)
CI_METRICS = ("micro_f1", "micro_precision", "micro_recall", "map")
REASONING_SHOWN = 600


def _case_sets(report: dict):
    """Yield (case row, system, gold set, predicted set)."""
    for case in report.get("cases") or []:
        for system in report.get("systems") or []:
            gold = set((case.get("gold") or {}).get(system) or [])
            predicted = set((case.get("predicted") or {}).get(system) or [])
            yield case, system, gold, predicted


def code_counts(report: dict) -> dict[tuple[str, str], list[int]]:
    """(system, code) -> [tp, fp, fn] over the report's cases."""
    counts: dict[tuple[str, str], list[int]] = {}
    for _, system, gold, predicted in _case_sets(report):
        for code in gold | predicted:
            row = counts.setdefault((system, code), [0, 0, 0])
            row[0 if code in gold and code in predicted else 1 if code in predicted else 2] += 1
    return counts


def worst_codes(report: dict, top_k: int = 10) -> list[dict]:
    """Gold codes with the lowest F1 (ties: most gold occurrences first); codes coded perfectly are not listed."""
    rows = []
    for (system, code), (tp, fp, fn) in code_counts(report).items():
        if tp + fn == 0 or fp + fn == 0:
            continue
        precision, recall, f1 = prf(tp, fp, fn)
        rows.append({"system": system, "code": code, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                     "precision": precision, "recall": recall, "f1": f1})
    rows.sort(key=lambda r: (r["f1"], -r["support"], r["system"], r["code"]))
    return rows[:top_k]


def pair_errors(gold: set[str], predicted: set[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Split one case's errors into (predicted, gold) pairs of the same category, missed and spurious codes."""
    missed, spurious = sorted(gold - predicted), sorted(predicted - gold)
    pairs, unpaired = [], []
    for code in missed:
        match = next((p for p in spurious if code_category(p) == code_category(code)), None)
        if match is None:
            unpaired.append(code)
        else:
            spurious.remove(match)
            pairs.append((match, code))
    return pairs, unpaired, spurious


def confusions(report: dict, top_k: int = 10) -> dict:
    """Most frequent error kinds: same category but another code, missed gold codes, spurious codes."""
    same, missed, spurious = Counter(), Counter(), Counter()
    for _, system, gold, predicted in _case_sets(report):
        pairs, lost, extra = pair_errors(gold, predicted)
        same.update((system, p, g) for p, g in pairs)
        missed.update((system, code) for code in lost)
        spurious.update((system, code) for code in extra)
    return {
        "totals": {"same_category": sum(same.values()), "missed": sum(missed.values()),
                   "spurious": sum(spurious.values())},
        "same_category": [{"system": s, "predicted": p, "gold": g, "count": n} for (s, p, g), n in same.most_common(top_k)],
        "missed": [{"system": s, "code": c, "count": n} for (s, c), n in missed.most_common(top_k)],
        "spurious": [{"system": s, "code": c, "count": n} for (s, c), n in spurious.most_common(top_k)],
    }


def failing_cases(report: dict, n: int = 3) -> list[dict]:
    """The lowest-F1 cases (ties: most gold codes first) with what was missed and added, and the reasoning; a
    case coded perfectly (F1 1) is no failing case."""
    systems = report.get("systems") or []
    rows = sorted(
        [c for c in report.get("cases") or [] if (c.get("f1") if c.get("f1") is not None else 0.0) < 1.0],
        key=lambda c: (c.get("f1") or 0.0, -sum(len((c.get("gold") or {}).get(s) or []) for s in systems),
                       str(c.get("id", ""))),
    )
    out = []
    for case in rows[:n]:
        gold = {s: set((case.get("gold") or {}).get(s) or []) for s in systems}
        pred = {s: set((case.get("predicted") or {}).get(s) or []) for s in systems}
        out.append({
            "id": case.get("id"), "f1": case.get("f1"), "error": case.get("error"),
            "missed": {s: sorted(gold[s] - pred[s]) for s in systems},
            "spurious": {s: sorted(pred[s] - gold[s]) for s in systems},
            "correct": {s: sorted(gold[s] & pred[s]) for s in systems},
            "reasoning": (case.get("reasoning") or "")[:REASONING_SHOWN],
        })
    return out


def report_label(report: dict) -> str:
    return str(report.get("model_id") or report.get("baseline") or report.get("predictions_file") or "run")


def compare_reports(a: dict, b: dict) -> dict:
    """Metric deltas (b - a) per scope, with whether the 95% CIs overlap where both have one."""
    scopes = ["overall"] + [s for s in a.get("systems", []) if s in b.get("systems", [])]
    rows = []
    for scope in scopes:
        ma, mb = a["metrics"].get(scope, {}), b["metrics"].get(scope, {})
        for metric in COMPARE_METRICS:
            va, vb = ma.get(metric), mb.get(metric)
            ci_a = (a.get("ci", {}).get(scope) or {}).get(metric) if metric in CI_METRICS else None
            ci_b = (b.get("ci", {}).get(scope) or {}).get(metric) if metric in CI_METRICS else None
            rows.append({
                "scope": scope, "metric": metric, "a": va, "b": vb,
                "delta": vb - va if va is not None and vb is not None else None,
                "ci_a": ci_a, "ci_b": ci_b, "ci_overlap": intervals_overlap(ci_a, ci_b),
            })
    return {
        "a": report_label(a), "b": report_label(b),
        "same_dataset": a.get("dataset", {}).get("sha256") == b.get("dataset", {}).get("sha256"),
        "same_systems": a.get("systems") == b.get("systems"),
        "rows": rows,
    }


_REPORT_FIELDS = {"metrics": dict, "dataset": dict, "systems": list, "cases": list, "ci": dict}


def _json_type(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def report_problem(report: dict) -> str | None:
    """What is wrong with the fields of a report that the analysis and the comparison read, or None."""
    for key, kind in _REPORT_FIELDS.items():
        if key in report and not isinstance(report[key], kind):
            return f'"{key}" is {_json_type(report[key])}, expected {_json_type(kind())}'
    if not isinstance(report["metrics"].get("overall"), dict):
        return '"metrics.overall" is missing or not an object'
    if not all(isinstance(system, str) for system in report.get("systems", [])):
        return '"systems" must list system names'
    for number, case in enumerate(report.get("cases", [])):
        if not isinstance(case, dict):
            return f'"cases[{number}]" is {_json_type(case)}, expected an object'
        for key in ("gold", "predicted"):
            value = case.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(codes, list) for codes in value.values()):
                return f'"cases[{number}].{key}" must map each system to a list of codes'
    return None
