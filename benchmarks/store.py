"""Store reliability benchmark: N writer processes x M reviews each against one database.

    uv run python benchmarks/store.py                       # 20 writers x 50 reviews (every other a correction)
    uv run python benchmarks/store.py --writers 4 --reviews 25 --db /tmp/bench.db
    uv run python benchmarks/store.py --database-url postgresql+psycopg://user@host/emptydb
    uv run python benchmarks/store.py --throwaway-postgres  # starts a private cluster (tests/postgres.py)

Each writer is a separate process (multiprocessing, spawn) that loops next_case -> save_review, so the
queue's leases and the write transactions are contended for real. Afterwards the database is checked:
exactly writers x reviews reviews on distinct cases, one preference pair per correction, no orphan pair,
SQLite integrity_check ok (on SQLite). Prints JSON: reviews/s and write latencies (save_review; next_case separately).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CORRECTION = {"icd10cm": ["E11.9"], "cpt": ["99214"]}


def _write_cases(path: Path, count: int) -> None:
    from core.prompts import build_messages, format_answer

    raw = format_answer("Diabetes with hyperglycemia.", {"icd10cm": ["E11.65"], "cpt": ["99213"], "hcpcs": []})
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            narrative = f"Case {i}: type 2 diabetes with hyperglycemia, office visit."
            prediction = {"raw": raw, "model_id": "bench", "latency_s": 0.1, "prompt": build_messages(narrative)}
            handle.write(json.dumps({"id": f"case-{i}", "narrative": narrative, "prediction": prediction}) + "\n")


def _writer(url: str, name: str, count: int, correct_every: int, barrier, results) -> None:
    from core.codes import get_codeset
    from core.store import init_db, next_case, save_review

    init_db(url)
    codeset = get_codeset()  # loaded before the clock starts
    claim_s, save_s, cases = [], [], []
    barrier.wait()
    for i in range(count):
        t0 = time.perf_counter()
        item = next_case(name)
        t1 = time.perf_counter()
        if item is None:
            break
        correct = correct_every and i % correct_every == correct_every - 1
        save_review(item.case_id, name, "correct" if correct else "accept",
                    corrected_codes=CORRECTION if correct else None, codeset=codeset)
        t2 = time.perf_counter()
        claim_s.append(t1 - t0)
        save_s.append(t2 - t1)
        cases.append(item.case_id)
    results.put({"claim_s": claim_s, "save_s": save_s, "cases": cases})


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _integrity(expected_reviews: int, expected_pairs: int, cases: list[int]) -> dict:
    from sqlmodel import func, select

    from core.store import PreferencePair, Review, get_engine, get_session

    with get_session() as session:
        reviews = session.exec(select(func.count()).select_from(Review)).one()
        distinct_cases = session.exec(select(func.count(func.distinct(Review.case_id)))).one()
        pairs = session.exec(select(func.count()).select_from(PreferencePair)).one()
        orphans = session.exec(select(func.count()).select_from(PreferencePair).join(
            Review, PreferencePair.review_id == Review.id).where(Review.decision != "correct")).one()
        unpaired = session.exec(select(func.count()).select_from(Review).join(
            PreferencePair, PreferencePair.review_id == Review.id, isouter=True).where(
            Review.decision == "correct", PreferencePair.id.is_(None))).one()
    engine = get_engine()
    sqlite_ok = None
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sqlite_ok = conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    ok = (reviews == expected_reviews == distinct_cases == len(set(cases)) and pairs == expected_pairs
          and orphans == 0 and unpaired == 0 and sqlite_ok is not False)
    return {"ok": ok, "reviews": reviews, "distinct_cases": distinct_cases, "pairs": pairs,
            "expected_pairs": expected_pairs, "orphan_pairs": orphans, "corrections_without_pair": unpaired,
            "sqlite_integrity": sqlite_ok}


def run(writers: int, reviews: int, correct_every: int, url: str, work_dir: Path) -> dict:
    from sqlalchemy.engine import make_url

    from core.store import import_cases, init_db

    init_db(url)
    cases_file = work_dir / "bench.cases.jsonl"
    _write_cases(cases_file, writers * reviews)
    import_cases(cases_file)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, f"writer-{i}", reviews, correct_every, barrier, results))
             for i in range(writers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - start
    for proc in procs:
        proc.join()
    save_s = [s for o in outcomes for s in o["save_s"]]
    claim_s = [s for o in outcomes for s in o["claim_s"]]
    cases = [c for o in outcomes for c in o["cases"]]
    pairs = writers * (reviews // correct_every) if correct_every else 0
    return {
        "benchmark": "store_concurrent_writers", "writers": writers, "reviews_per_writer": reviews,
        "processes": True, "database": "sqlite (WAL)" if url.startswith("sqlite") else make_url(url).get_backend_name(),
        "wall_s": round(wall, 3),
        "reviews_per_s": round(len(save_s) / wall, 1),
        "save_review_ms": {"p50": round(statistics.median(save_s) * 1e3, 2),
                           "p95": round(_percentile(save_s, 0.95) * 1e3, 2), "max": round(max(save_s) * 1e3, 2)},
        "next_case_ms": {"p50": round(statistics.median(claim_s) * 1e3, 2),
                         "p95": round(_percentile(claim_s, 0.95) * 1e3, 2)},
        "integrity": _integrity(writers * reviews, pairs, cases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--reviews", type=int, default=50, help="reviews per writer")
    parser.add_argument("--correct-every", type=int, default=2, help="every k-th review is a correction (0: none)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a fresh temp file)")
    parser.add_argument("--database-url", default=None, help="an empty database to use instead (e.g. PostgreSQL)")
    parser.add_argument("--throwaway-postgres", action="store_true",
                        help="start a private PostgreSQL cluster (Debian's postgresql package) and use it")
    args = parser.parse_args()
    if args.db is not None and args.db.exists():
        parser.error(f"--db {args.db} exists; the benchmark needs a fresh database file")
    with tempfile.TemporaryDirectory() as tmp:
        if args.throwaway_postgres:
            from tests.postgres import throwaway_cluster

            with throwaway_cluster(durable=True) as cluster:
                url = cluster.create_database("bench")
                result = run(args.writers, args.reviews, args.correct_every, url, Path(tmp))
        else:
            url = args.database_url or f"sqlite:///{args.db or Path(tmp) / 'bench.db'}"
            result = run(args.writers, args.reviews, args.correct_every, url, Path(tmp))
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["integrity"]["ok"] else 1)


if __name__ == "__main__":
    main()
