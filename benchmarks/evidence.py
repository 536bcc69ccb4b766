"""Evidence benchmark: how often the evidence shown for a gold code is a sentence about that code.

For each gold code of an evaluation set (default: the US outpatient set), core.evidence.find_evidence picks a
span from the narrative (no model reasoning: the word-overlap and E/M paths alone). A code counts as *supported*
when the sentence holding the span shares a content stem with the code's description (core.text.evidence_stems),
*wrong* when a span was shown but its sentence shares none, and *none* when no evidence was shown. For the
E/M visit codes, `em_level_documented` is the share whose evidence itself states the MDM level or the total
time (what sets the level; "moderate." or "Visit 1" does not).

    uv run python benchmarks/evidence.py                       # prints one JSON object
    uv run python benchmarks/evidence.py --dataset data/eval/us_outpatient.jsonl --examples 5

With `--predictions P` (a `thce eval`/`thce predict` predictions file of that dataset, e.g. codiesp:DIR specs
too) it judges the *predicted* codes' evidence as the app shows it, from the model's reasoning first, twice:
taking every quote of the model's line for the code, and setting aside a quote that shares no word with its
code but enough with another code the reasoning names (core.evidence, `codeset` given: the app's way).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from core.codes import get_codeset
from core.evidence import code_terms, find_evidence
from core.jsonl import read_objects
from core.paths import REPO_ROOT
from core.prompts import SYSTEMS
from core.rules.em import ALL_EM, documented_mdm
from core.rules.narrative import minutes_documented
from core.text import evidence_stems, sentence_spans

DATASET = REPO_ROOT / "data" / "eval" / "us_outpatient.jsonl"


def sentence_of(narrative: str, span: tuple[int, int]) -> str:
    """The sentence holding the span's start (the span itself when no sentence holds it)."""
    for start, end in sentence_spans(narrative):
        if start <= span[0] < end:
            return narrative[start:max(end, span[1])]
    return narrative[span[0]:span[1]]


def judge(narrative: str, system: str, code: str, codeset) -> tuple[str, str, str]:
    """('supported' | 'wrong' | 'none', the evidence sentence, the evidence) for one gold code."""
    info = codeset.lookup(code, system)
    description = info.description if info else ""
    evidence = find_evidence(narrative, code_terms(codeset, code, system), "", code)
    if evidence.span is None:
        return "none", "", ""
    sentence = sentence_of(narrative, evidence.span)
    return ("supported" if evidence_stems(sentence) & evidence_stems(description) else "wrong"), sentence, evidence.quote


def _verdict(narrative: str, description: str, evidence) -> str:
    if evidence.span is None:
        return "none"
    return "supported" if evidence_stems(sentence_of(narrative, evidence.span)) & evidence_stems(description) else "wrong"


def run_predictions(dataset: str, predictions: str) -> dict:
    """The predicted codes' evidence with the model's reasoning: every quote taken vs misplaced quotes set aside."""
    from core.evaluation.runner import load_gold_cases

    codeset = get_codeset()
    narratives = {case["id"]: case["narrative"] for case in load_gold_cases(dataset)}
    counts = {"every_quote": Counter(), "misplaced_set_aside": Counter()}
    changed = 0
    for _, row in read_objects(Path(predictions)):
        narrative = narratives.get(row.get("id"))
        if narrative is None:
            continue
        for system in SYSTEMS:
            for code in (row.get("codes") or {}).get(system, []):
                info = codeset.lookup(code, system)
                terms = code_terms(codeset, code, system)
                before = find_evidence(narrative, terms, row.get("reasoning") or "", code)
                after = find_evidence(narrative, terms, row.get("reasoning") or "", code, codeset)
                changed += before.span != after.span
                counts["every_quote"][_verdict(narrative, info.description if info else "", before)] += 1
                counts["misplaced_set_aside"][_verdict(narrative, info.description if info else "", after)] += 1
    total = sum(counts["every_quote"].values()) or 1
    return {"dataset": dataset, "predictions": predictions, "predicted_codes": total, "evidence_changed": changed,
            **{name: {k: round(c[k] / total, 4) for k in ("supported", "wrong", "none")} for name, c in counts.items()}}


def states_level(quote: str) -> bool:
    return documented_mdm(quote) is not None or minutes_documented(quote) is not None


def run(path, examples: int = 0) -> dict:
    codeset = get_codeset()
    counts: Counter = Counter()
    by_system: dict[str, Counter] = {s: Counter() for s in SYSTEMS}
    shown: list[dict] = []
    em = Counter()
    from core.evaluation.runner import load_gold_cases

    for case in load_gold_cases(str(path)):
        for system in SYSTEMS:
            for code in case.get("codes", {}).get(system, []):
                verdict, sentence, quote = judge(case["narrative"], system, code, codeset)
                if code in ALL_EM:
                    em["codes"] += 1
                    em["level"] += states_level(quote)
                counts[verdict] += 1
                by_system[system][verdict] += 1
                if verdict != "supported" and len(shown) < examples:
                    shown.append({"id": case["id"], "code": code, "verdict": verdict, "sentence": sentence})
    total = sum(counts.values()) or 1
    share = {k: round(counts[k] / total, 4) for k in ("supported", "wrong", "none")}
    return {"dataset": str(path), "gold_codes": sum(counts.values()), **share, "em_codes": em["codes"],
            "em_level_documented": round(em["level"] / (em["codes"] or 1), 4),
            "by_system": {s: {k: round(c[k] / (sum(c.values()) or 1), 4) for k in ("supported", "wrong", "none")}
                          for s, c in by_system.items()}, "examples": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=str(DATASET))
    parser.add_argument("--examples", type=int, default=0, help="show this many unsupported codes")
    parser.add_argument("--predictions", help="judge these predicted codes' evidence, with the model's reasoning")
    args = parser.parse_args()
    result = run_predictions(args.dataset, args.predictions) if args.predictions else run(args.dataset, args.examples)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
