"""Store reliability benchmark: N writer processes x M reviews each against one database.

    uv run python benchmarks/store.py                       # 20 writers x 50 reviews (every other a correction)
    uv run python benchmarks/store.py --writers 4 --reviews 25 --db /tmp/bench.db
    uv run python benchmarks/store.py --database-url postgresql+psycopg://user@host/emptydb
    uv run python benchmarks/store.py --throwaway-postgres  # starts a private cluster (tests/postgres.py)
    uv run python benchmarks/store.py --pace-ms 500         # each writer pauses ~0.5 s before a review, as people do
    uv run python benchmarks/store.py --reviewed-before 10000  # a deep queue: 10,000 cases reviewed before the run

Each writer is a separate process (multiprocessing, spawn) that loops next_case -> save_review, so the
queue's leases and the write transactions are contended for real. Every write is tied to a user with a role,
as in the app: the users and the admin are an AccessConfig (core.access, like THCE_USERS / THCE_ADMINS), the
admin imports the cases, and each writer resolves its identity and checks its `annotator` role with
core.access.require before each write, as every endpoint does after Gradio's login (the HTTP login itself is
not in the loop). Afterwards the database is read back: exactly writers x reviews reviews on distinct cases,
each by a configured annotator and tied to the prediction it judged; one preference pair per correction, by
the review's annotator; no orphan pair, no lease left held, every case created by the admin; SQLite
integrity_check ok (on SQLite). `--reviewed-before N` first has one annotator (`seed`) review N more cases
through the same API, one process, before the clock starts: the queue then hands out cases after N reviewed
ones, as a long-running project's does. Prints JSON (with `progress_ms`: the Review tab's progress bars over the
finished database): reviews/s, save_review and next_case latencies (wall clock, and
the writer's own CPU time, which does not count waiting for a CPU), and the machine's load while it ran.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CORRECTION = {"icd10cm": ["E11.9"], "cpt": ["99214"]}
ADMIN_USER = "bench-admin"
SEED_USER = "seed"


def access(writers: int):
    """The benchmark's users: writer-0..writer-N-1 (annotators) and bench-admin (admin), random passwords."""
    from core.access import AccessConfig

    names = [f"writer-{i}" for i in range(writers)] + [SEED_USER, ADMIN_USER]
    users = {name: secrets.token_urlsafe(12) for name in names}
    return AccessConfig(users=users, admins=frozenset({ADMIN_USER}))


def _write_cases(path: Path, count: int) -> None:
    from core.prompts import build_messages, format_answer

    raw = format_answer("Diabetes with hyperglycemia.", {"icd10cm": ["E11.65"], "cpt": ["99213"], "hcpcs": []})
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            narrative = f"Case {i}: type 2 diabetes with hyperglycemia, office visit."
            prediction = {"raw": raw, "model_id": "bench", "latency_s": 0.1, "prompt": build_messages(narrative)}
            handle.write(json.dumps({"id": f"case-{i}", "narrative": narrative, "prediction": prediction}) + "\n")


def _writer(url: str, config, login: str, count: int, correct_every: int, barrier, results, pace_ms: float = 0) -> None:
    try:
        results.put(_write_reviews(url, config, login, count, correct_every, barrier, pace_ms))
    except BaseException:  # noqa: BLE001 - reported to the parent instead of leaving it waiting
        results.put({"error": f"{login}: {traceback.format_exc()}"})
        barrier.abort()


def _write_reviews(url: str, config, login: str, count: int, correct_every: int, barrier, pace_ms: float = 0) -> dict:
    from core.access import ANNOTATOR, require
    from core.codes import get_codeset
    from core.store import init_db, next_case, release_lease, save_review

    init_db(url)
    codeset = get_codeset()  # loaded before the clock starts
    # Warm up as a running server is: a process compiles each SQL statement on its first use (a claim's take
    # ~10 ms of CPU, inside the write lock), so one claim, given back; and the garbage of loading the code set is
    # collected now (a full collection of its ~200,000 objects takes ~150 ms, which inside the lock stalls everyone).
    release_lease(next_case(login).case_id, login)
    gc.collect()
    claim_s, save_s, claim_cpu, save_cpu, cases = [], [], [], [], []
    reading = random.Random(login)
    barrier.wait()
    for i in range(count):
        if pace_ms:  # an annotator reads the case before submitting: a random pause, mean pace_ms
            time.sleep(reading.expovariate(1000.0 / pace_ms))
        t0, c0 = time.perf_counter(), time.process_time()
        name = require(config, config.identify(login), ANNOTATOR, "review cases")
        item = next_case(name)
        t1, c1 = time.perf_counter(), time.process_time()
        if item is None:
            break
        correct = correct_every and i % correct_every == correct_every - 1
        name = require(config, config.identify(login), ANNOTATOR, "submit reviews")
        save_review(item.case_id, name, "correct" if correct else "accept", prediction_id=item.prediction["id"],
                    corrected_codes=CORRECTION if correct else None, codeset=codeset)
        t2, c2 = time.perf_counter(), time.process_time()
        claim_s.append(t1 - t0)
        save_s.append(t2 - t1)
        claim_cpu.append(c1 - c0)
        save_cpu.append(c2 - c1)
        cases.append(item.case_id)
    return {"claim_s": claim_s, "save_s": save_s, "claim_cpu": claim_cpu, "save_cpu": save_cpu, "cases": cases}


def _progress_ms(runs: int = 5) -> float:
    """Median time of the Review tab's progress bars (core.store.stats.progress, run on every action there)
    over the finished database, one process."""
    from core.store.stats import progress

    progress("writer-0")  # compiles its statements
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        progress("writer-0")
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e3, 2)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _seed_reviews(count: int, config) -> dict:
    """`count` cases accepted by SEED_USER through next_case / save_review before the writers start."""
    from core.access import ANNOTATOR, require
    from core.store import next_case, save_review

    name = require(config, config.identify(SEED_USER), ANNOTATOR, "review cases")
    start, claims = time.perf_counter(), []
    for i in range(count):
        c0 = time.process_time()
        item = next_case(name)
        if i >= count - 100:  # the claims of the last 100: what the queue costs at this depth
            claims.append(time.process_time() - c0)
        save_review(item.case_id, name, "accept", prediction_id=item.prediction["id"])
    return {"reviews": count, "seconds": round(time.perf_counter() - start, 1),
            **({"last_100_next_case_cpu_ms": _ms(claims)} if claims else {})}


def _integrity(expected_reviews: int, expected_pairs: int, cases: list[int], config) -> dict:
    """Read everything back: counts, who wrote what, and nothing orphaned or half-written."""
    from sqlmodel import func, select

    from core.access import ANNOTATOR
    from core.store import Case, PreferencePair, Review, get_engine, get_session

    with get_session() as session:
        count = lambda query: session.exec(query).one()  # noqa: E731
        reviews = count(select(func.count()).select_from(Review))
        distinct_cases = count(select(func.count(func.distinct(Review.case_id))))
        pairs = count(select(func.count()).select_from(PreferencePair))
        orphans = count(select(func.count()).select_from(PreferencePair).join(
            Review, PreferencePair.review_id == Review.id, isouter=True).where(
            (Review.id.is_(None)) | (Review.decision != "correct") | (Review.case_id != PreferencePair.case_id)
            | (Review.annotator != PreferencePair.annotator)))
        unpaired = count(select(func.count()).select_from(Review).join(
            PreferencePair, PreferencePair.review_id == Review.id, isouter=True).where(
            Review.decision == "correct", PreferencePair.id.is_(None)))
        without_prediction = count(select(func.count()).select_from(Review).where(Review.prediction_id.is_(None)))
        leases_held = count(select(func.count()).select_from(Case).where(Case.lease_annotator.is_not(None)))
        cases_not_by_admin = count(select(func.count()).select_from(Case).where(
            (Case.created_by.is_(None)) | (Case.created_by != ADMIN_USER)))
        authors = set(session.exec(select(Review.annotator).distinct()).all())
    not_annotators = sorted(a for a in authors if config.role(a) != ANNOTATOR)
    engine = get_engine()
    sqlite_ok = None
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sqlite_ok = conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    ok = (reviews == expected_reviews == distinct_cases and len(set(cases)) == len(cases) and pairs == expected_pairs
          and orphans == unpaired == without_prediction == leases_held == cases_not_by_admin == 0
          and not not_annotators and sqlite_ok is not False)
    return {"ok": ok, "reviews": reviews, "expected_reviews": expected_reviews, "distinct_cases": distinct_cases,
            "pairs": pairs, "expected_pairs": expected_pairs, "orphan_pairs": orphans,
            "corrections_without_pair": unpaired, "reviews_without_prediction": without_prediction,
            "leases_left_held": leases_held, "cases_not_created_by_admin": cases_not_by_admin,
            "review_authors": len(authors), "authors_without_annotator_role": not_annotators,
            "sqlite_integrity": sqlite_ok}


def _ms(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values) * 1e3, 2), "p95": round(_percentile(values, 0.95) * 1e3, 2),
            "max": round(max(values) * 1e3, 2)}


def _machine() -> dict:
    """How busy the machine was (the latencies are wall clock: a writer waiting for a CPU counts)."""
    info = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "nice": os.nice(0)}
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        info["cpu_pressure_some_avg60"] = float(line.split("avg60=")[1].split()[0])
    except (OSError, IndexError, ValueError):
        pass
    return info


def run(writers: int, reviews: int, correct_every: int, url: str, work_dir: Path, pace_ms: float = 0,
        reviewed_before: int = 0) -> dict:
    from sqlalchemy.engine import make_url

    from core.access import ADMIN, require
    from core.store import import_cases, init_db

    config = access(writers)
    init_db(url)
    cases_file = work_dir / "bench.cases.jsonl"
    _write_cases(cases_file, writers * reviews + reviewed_before)
    import_cases(cases_file, imported_by=require(config, config.identify(ADMIN_USER), ADMIN, "import cases"))
    seeded = _seed_reviews(reviewed_before, config) if reviewed_before else None
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [ctx.Process(target=_writer,
                         args=(url, config, f"writer-{i}", reviews, correct_every, barrier, results, pace_ms))
             for i in range(writers)]
    for proc in procs:
        proc.start()
    machine_before = _machine()
    try:
        barrier.wait()
    except multiprocessing.BrokenBarrierError:
        pass  # a writer failed before the start: its error is in the results
    start = time.perf_counter()
    outcomes = [results.get(timeout=3600) for _ in procs]
    wall = time.perf_counter() - start
    for proc in procs:
        proc.join()
    errors = [o["error"] for o in outcomes if "error" in o]
    if errors:
        raise SystemExit("writer failed:\n" + "\n".join(errors))
    pick = lambda key: [s for o in outcomes for s in o[key]]  # noqa: E731
    save_s, claim_s, cases = pick("save_s"), pick("claim_s"), pick("cases")
    pairs = writers * (reviews // correct_every) if correct_every else 0
    return {
        "benchmark": "store_concurrent_writers", "writers": writers, "reviews_per_writer": reviews,
        "processes": True, "pace_ms": pace_ms, "database": "sqlite (WAL)" if url.startswith("sqlite") else make_url(url).get_backend_name(),
        "identities": "core.access: writer-i (annotator role) write reviews, bench-admin (admin) imports",
        "reviewed_before": seeded,
        "wall_s": round(wall, 3),
        "reviews_per_s": round(len(save_s) / wall, 1),
        "save_review_ms": _ms(save_s),
        "next_case_ms": _ms(claim_s),
        "save_review_cpu_ms": _ms(pick("save_cpu")),
        "next_case_cpu_ms": _ms(pick("claim_cpu")),
        "machine": {"before": machine_before, "after": _machine()},
        "progress_ms": _progress_ms(),
        "integrity": _integrity(writers * reviews + reviewed_before, pairs, cases, config),
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
    parser.add_argument("--pace-ms", type=float, default=0,
                        help="mean pause before each review (exponential), as annotators read cases; 0: back to back")
    parser.add_argument("--reviewed-before", type=int, default=0,
                        help="cases one annotator reviews (one process) before the writers start: a deep queue")
    args = parser.parse_args()
    if args.db is not None and args.db.exists():
        parser.error(f"--db {args.db} exists; the benchmark needs a fresh database file")
    with tempfile.TemporaryDirectory() as tmp:
        if args.throwaway_postgres:
            from tests.postgres import throwaway_cluster

            with throwaway_cluster(durable=True) as cluster:
                url = cluster.create_database("bench")
                result = run(args.writers, args.reviews, args.correct_every, url, Path(tmp), args.pace_ms,
                             args.reviewed_before)
        else:
            url = args.database_url or f"sqlite:///{args.db or Path(tmp) / 'bench.db'}"
            result = run(args.writers, args.reviews, args.correct_every, url, Path(tmp), args.pace_ms,
                         args.reviewed_before)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["integrity"]["ok"] else 1)


if __name__ == "__main__":
    main()
