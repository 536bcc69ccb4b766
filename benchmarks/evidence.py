"""Evidence benchmark: how often the evidence shown for a gold code is a sentence about that code.

For each gold code of an evaluation set (default: the US outpatient set), core.evidence.find_evidence picks a
span from the narrative (no model reasoning: the word-overlap and E/M paths alone). A code counts as *supported*
when the sentence holding the span shares a content stem with the code's description (core.text.evidence_stems),
*wrong* when a span was shown but its sentence shares none, and *none* when no evidence was shown. For the
E/M visit codes, `em_level_documented` is the share whose evidence itself states the MDM level or the total
time (what sets the level; "moderate." or "Visit 1" does not).

    uv run python benchmarks/evidence.py                       # prints one JSON object
    uv run python benchmarks/evidence.py --dataset data/eval/us_outpatient.jsonl --examples 5
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


def states_level(quote: str) -> bool:
    return documented_mdm(quote) is not None or minutes_documented(quote) is not None


def run(path, examples: int = 0) -> dict:
    codeset = get_codeset()
    counts: Counter = Counter()
    by_system: dict[str, Counter] = {s: Counter() for s in SYSTEMS}
    shown: list[dict] = []
    em = Counter()
    for _, case in read_objects(Path(path)):
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
    args = parser.parse_args()
    print(json.dumps(run(args.dataset, args.examples), indent=2))


if __name__ == "__main__":
    main()
