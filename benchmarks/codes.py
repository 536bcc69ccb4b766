"""Code-set benchmark: lookup/validate speed, search latency and quality, cold start of the CLI.

    uv run python benchmarks/codes.py            # prints one JSON object
    uv run python benchmarks/codes.py --rounds 3

Targets (issue 2): validate < 50 us/op, search p95 < 25 ms over full ICD-10-CM, a cold
`thce codes search` process < 3 s (with the on-disk cache warm).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

# (query, expected ICD-10-CM code) written from coding knowledge, not tuned per query
SEARCH_CASES = [
    ("type 2 diabetes with hyperglycemia", "E11.65"), ("type 2 diabetes without complications", "E11.9"),
    ("essential hypertension", "I10"), ("hypertension", "I10"), ("urinary tract infection", "N39.0"),
    ("pneumonia", "J18.9"), ("acute myocardial infarction", "I21.9"), ("copd with acute exacerbation", "J44.1"),
    ("atrial fibrillation", "I48.91"), ("asthma", "J45.909"), ("low back pain", "M54.50"),
    ("headache", "R51.9"), ("chest pain", "R07.9"), ("major depressive disorder single episode", "F32.9"),
    ("chronic kidney disease stage 3a", "N18.31"), ("sepsis due to e coli", "A41.51"),
    ("hyperlipidemia", "E78.5"), ("obesity", "E66.9"),
    ("gastroesophageal reflux disease without esophagitis", "K21.9"), ("acute kidney failure", "N17.9"),
    ("congestive heart failure", "I50.9"), ("anemia", "D64.9"), ("hypothyroidism", "E03.9"),
    ("covid 19", "U07.1"), ("migraine", "G43.909"), ("dehydration", "E86.0"),
    ("osteoarthritis of knee", "M17.9"), ("cellulitis of left lower limb", "L03.116"),
    ("nicotine dependence cigarettes", "F17.210"),
]


def per_op_us(fn, items, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - start) / len(items))
    return round(best * 1e6, 2)


def search_figures(codeset, rng: random.Random, n_queries: int) -> dict:
    billable = codeset.codes("icd10cm")
    sampled = rng.sample(billable, n_queries)
    queries = [codeset.describe(code) for code in sampled] + [query for query, _ in SEARCH_CASES]
    latencies = []
    for query in queries:
        start = time.perf_counter()
        codeset.search(query, k=10)
        latencies.append((time.perf_counter() - start) * 1e3)
    latencies.sort()
    ranks = [[hit.code for hit in codeset.search(query, k=10)] for query, _ in SEARCH_CASES]
    expected = [code for _, code in SEARCH_CASES]
    self_hits = [code in [hit.code for hit in codeset.search(codeset.describe(code), k=10)] for code in sampled]
    return {
        "search_queries": len(queries),
        "search_p50_ms": round(statistics.median(latencies), 3),
        "search_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "search_cases": len(SEARCH_CASES),
        "search_hit_at_1": round(sum(r[:1] == [e] for r, e in zip(ranks, expected, strict=True)) / len(expected), 3),
        "search_hit_at_5": round(sum(e in r[:5] for r, e in zip(ranks, expected, strict=True)) / len(expected), 3),
        "search_self_hit_at_10": round(sum(self_hits) / len(self_hits), 3),
    }


def cold_start_s(runs: int) -> list[float]:
    """Wall time of fresh `thce codes search` processes (cache already on disk)."""
    command = [sys.executable, "-m", "core.cli", "codes", "search", "type 2 diabetes with hyperglycemia",
               "-k", "3", "--json"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False)
        times.append(round(time.perf_counter() - start, 3))
        if done.returncode != 0 or "E11.65" not in done.stdout:
            raise SystemExit(f"cold-start command failed: {done.stderr[-500:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300, help="random ICD descriptions used as queries")
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(0)

    start = time.perf_counter()
    from core.codes import get_codeset

    codeset = get_codeset()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    codeset.search("warm up")
    index_s = time.perf_counter() - start

    icd = rng.sample(codeset.codes("icd10cm"), 20_000)
    mixed = [code.replace(".", "").lower() if i % 3 == 0 else code for i, code in enumerate(icd)]
    mixed += ["E11", "XYZ", "", "E11.99", "99214", "J3420", "W00.0A"] * 100
    codeset._find.cache_clear()
    first_pass = per_op_us(codeset.validate, mixed, 1)
    figures = {
        "icd10cm_billable": len(codeset.codes("icd10cm")),
        "codeset_load_s": round(load_s, 3),
        "search_index_load_s": round(index_s, 3),
        "validate_first_seen_us_per_op": first_pass,
        "validate_us_per_op": per_op_us(codeset.validate, mixed, args.rounds),
        "lookup_us_per_op": per_op_us(codeset.lookup, mixed, args.rounds),
        "normalize_us_per_op": per_op_us(codeset.normalize, mixed, args.rounds),
        **search_figures(codeset, rng, args.queries),
    }
    cold = cold_start_s(args.cold_runs)
    figures.update({"cold_start_runs_s": cold, "cold_start_median_s": statistics.median(cold)})
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
