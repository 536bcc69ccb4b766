"""Throughput of the synthetic stage_2 pipeline (generator + reasoning + record + JSON write), with and
without candidate retrieval in the prompt. Prints JSON.

    uv run python benchmarks/data_gen.py [--count 6000] [--retrieval-count 2000]

Runs in one process (one core); the machine may be shared, so figures are a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def _rate(count: int, seconds: float) -> float:
    return round(60 * count / seconds, 1) if seconds else 0.0


def measure_generator(count: int, seed: int) -> dict:
    from core.datasets.synthetic import generate_cases

    start = time.perf_counter()
    n = sum(1 for _ in generate_cases(count, seed))
    seconds = time.perf_counter() - start
    return {"records": n, "seconds": round(seconds, 2), "records_per_min": _rate(n, seconds)}


def measure_build(count: int, seed: int, retriever, folder: Path, name: str) -> dict:
    from core.datasets.build import build_dataset

    build_dataset("stage_2", "synthetic", folder / f"warm_{name}.jsonl", count=20, seed=seed + 1, retriever=retriever)
    stats = build_dataset("stage_2", "synthetic", folder / f"{name}.jsonl", count=count, seed=seed, retriever=retriever)
    return {"records": stats["records"], "seconds": stats["seconds"], "records_per_min": stats["records_per_min"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--retrieval-count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from core.codes import get_codeset
    from core.datasets.candidates import NoCandidates
    from core.datasets.concepts import concept_table
    from core.retrieval import default_retriever

    start = time.perf_counter()
    get_codeset(), concept_table()
    setup = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = {
            "benchmark": "data_gen", "stage": "stage_2", "source": "synthetic", "processes": 1,
            "cpu_count": os.cpu_count(), "setup_seconds": round(setup, 2),
            "generator_only": measure_generator(args.count, args.seed),
            "without_retrieval": measure_build(args.count, args.seed, NoCandidates(), folder, "plain"),
            "with_retrieval": measure_build(args.retrieval_count, args.seed, default_retriever(), folder,
                                            "retrieval"),
            "retriever": type(default_retriever()).__name__,
            "target_records_per_min": 10000,
        }
    result["meets_target_without_retrieval"] = result["without_retrieval"]["records_per_min"] >= 10000
    result["meets_target_with_retrieval"] = result["with_retrieval"]["records_per_min"] >= 10000
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
