"""Retrieval benchmark: each signal alone and the learned combination on CodiEsp-D dev (fitted on train only),
recall of the candidates on a held-out synthetic set, latency per narrative and the fitted size on disk.

    uv run python benchmarks/retrieval.py --codiesp ../shared/datasets/codiesp
    uv run python benchmarks/retrieval.py --codiesp ../shared/datasets/codiesp --synthetic 0   # skip synthetic

Prints one JSON object. MAP follows CodiEsp (average precision of the ranked list of depth --depth, mean over
documents; gold = the document's unique normalized codes, the coders' originals).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from core.codes import get_codeset
from core.datasets import load_cases
from core.evaluation.metrics import average_precision
from core.prompts import SYSTEMS
from core.retrieval import Retriever, fit_retriever
from core.retrieval.fitting import case_labels
from core.retrieval.storage import size_bytes

SIGNALS = ("ridge", "neighbours", "term_best", "coverage_best_unit", "lexical_best")


def gold_of(case: dict, system: str) -> set[str]:
    return {code for found, code in case_labels(case, get_codeset()) if found == system}


def ranking_scores(rankings: list[list[str]], cases: list[dict], system: str) -> dict:
    golds = [gold_of(case, system) for case in cases]
    pairs = [(r, g) for r, g in zip(rankings, golds, strict=True) if g]
    return {"map": round(float(np.mean([average_precision(r, g) for r, g in pairs])), 4),
            **{f"recall@{k}": round(float(np.mean([len(set(r[:k]) & g) / len(g) for r, g in pairs])), 4)
               for k in (8, 50)}, "cases": len(pairs)}


def pool_rankings(retriever: Retriever, pools, scores_of, system: str, depth: int) -> list[list[str]]:
    out = []
    for pool in pools:
        ranked = [pool.keys[i][1] for i in np.argsort(-scores_of(pool), kind="stable") if pool.keys[i][0] == system]
        out.append(ranked[:depth])
    return out


def codiesp_report(path: Path, depth: int, work: Path) -> tuple[dict, Retriever, list[dict]]:
    train, dev = load_cases(f"codiesp:{path / 'train'}"), load_cases(f"codiesp:{path / 'dev'}")
    started = time.perf_counter()
    retriever = fit_retriever(train, work / "codiesp")
    report = {"train_cases": len(train), "dev_cases": len(dev), "fit_seconds": round(time.perf_counter() - started, 1),
              "size_mb": round(size_bytes(work / "codiesp") / 1e6, 2), "signals": {}}
    texts = [case["narrative"] for case in dev]
    pools = retriever.features.build(texts)
    for name in SIGNALS:
        rankings = pool_rankings(retriever, pools, lambda pool, n=name: pool.column(n), "icd10cm", depth)
        report["signals"][name] = ranking_scores(rankings, dev, "icd10cm")
    order = np.argsort(-retriever.supervised.counts, kind="stable")
    prior = [retriever.supervised.labels[j][1] for j in order if retriever.supervised.labels[j][0] == "icd10cm"][:depth]
    report["signals"]["frequency_prior"] = ranking_scores([prior] * len(dev), dev, "icd10cm")
    bm25_only = Retriever(retriever.codeset)
    report["signals"]["bm25_only_fallback"] = ranking_scores(
        [[c for c, _ in bm25_only.rank(t, depth)["icd10cm"]] for t in texts], dev, "icd10cm")
    combined = [[c for c, _ in ranked["icd10cm"]] for ranked in retriever.rank_pools(pools, depth)]
    report["combined"] = ranking_scores(combined, dev, "icd10cm")
    return report, retriever, dev


def latency_report(retriever: Retriever, cases: list[dict], depth: int) -> dict:
    timings = []
    for case in cases:
        started = time.perf_counter()
        retriever.rank(case["narrative"], depth)
        timings.append((time.perf_counter() - started) * 1000)
    return {"narratives": len(timings), "p50_ms": round(float(np.percentile(timings, 50)), 1),
            "p95_ms": round(float(np.percentile(timings, 95)), 1)}


def synthetic_report(count: int, codiesp_train: list[dict], depth: int, work: Path) -> tuple[dict, Retriever]:
    train = load_cases(f"synthetic:{count}:0")
    seen = {case["narrative"] for case in train}
    held_out = [case for case in load_cases(f"synthetic:{max(50, count // 4)}:1") if case["narrative"] not in seen]
    retriever = fit_retriever(codiesp_train + train, work / "mixed")
    report = {"train_cases": len(train), "codiesp_train_cases": len(codiesp_train), "held_out_cases": len(held_out),
              "size_mb": round(size_bytes(work / "mixed") / 1e6, 2)}
    rankings = [retriever.rank(case["narrative"], depth) for case in held_out]
    for system in SYSTEMS:
        report[system] = ranking_scores([[c for c, _ in r[system]] for r in rankings], held_out, system)
    return report, retriever


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codiesp", type=Path, required=True, help="CodiEsp folder holding train/ and dev/")
    parser.add_argument("--synthetic", type=int, default=400, help="synthetic training cases (0: skip)")
    parser.add_argument("--depth", type=int, default=50, help="ranked-list depth for MAP")
    parser.add_argument("--latency-cases", type=int, default=50)
    parser.add_argument("--work", type=Path, default=None, help="where fitted retrievers go (default: a temp dir)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    if not (args.codiesp / "train").is_dir() or not (args.codiesp / "dev").is_dir():
        print(f"error: {args.codiesp} must hold train/ and dev/", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        report, retriever, dev = codiesp_report(args.codiesp, args.depth, work)
        report["latency_codiesp_dev"] = latency_report(retriever, dev[: args.latency_cases], args.depth)
        output = {"codiesp_dev": report}
        if args.synthetic:
            train = load_cases(f"codiesp:{args.codiesp / 'train'}")
            output["synthetic_held_out"], mixed = synthetic_report(args.synthetic, train, args.depth, work)
            mixed_rankings = [[c for c, _ in mixed.rank(case["narrative"], args.depth)["icd10cm"]] for case in dev]
            output["codiesp_dev_with_mixed_fit"] = ranking_scores(mixed_rankings, dev, "icd10cm")
    print(json.dumps(output, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
