"""Many writers against one SQLite file: nothing lost, nothing duplicated, leases exclusive."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select
from store_helpers import count_rows, review_worker, write_cases_file

from core.store import PreferencePair, Review, get_session, import_cases


def _check_integrity(expected_reviews: int, expected_pairs: int, all_case_ids: list[int]) -> None:
    assert len(all_case_ids) == expected_reviews
    assert len(set(all_case_ids)) == expected_reviews, "a case was handed to two writers"
    assert count_rows() == (expected_reviews, expected_pairs)
    with get_session() as session:
        reviews = session.exec(select(Review)).all()
        pairs = session.exec(select(PreferencePair)).all()
    assert len({r.case_id for r in reviews}) == expected_reviews
    corrections = {r.id for r in reviews if r.decision == "correct"}
    assert {p.review_id for p in pairs} == corrections  # one pair per correction, no orphans


def test_20_threads_x_50_reviews(store, tmp_path):
    write_cases_file(tmp_path / "cases.jsonl", 1000)
    assert import_cases(tmp_path / "cases.jsonl").imported == 1000
    with ThreadPoolExecutor(max_workers=20) as pool:  # speed is benchmarks/store.py's: here, nothing is lost
        results = list(pool.map(lambda i: review_worker(None, f"annotator-{i}", 50), range(20)))
    _check_integrity(1000, 20 * 25, [case_id for batch in results for case_id in batch])


def test_separate_processes_share_the_queue(store, tmp_path):
    """Runs by default (issue 14): 3 writer processes; benchmarks/store.py runs 20."""
    write_cases_file(tmp_path / "cases.jsonl", 60)
    import_cases(tmp_path / "cases.jsonl")
    url = store
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.starmap(review_worker, [(url, f"proc-{i}", 20) for i in range(3)])
    _check_integrity(60, 3 * 10, [case_id for batch in results for case_id in batch])


def test_the_store_benchmark_checks_what_it_wrote_after_a_deep_queue(store):
    """benchmarks/store.py in small, as a user runs it: 2 writer processes after 6 cases reviewed first
    (--reviewed-before); its read-back finds every review, one pair per correction, the seeded ones counted."""
    import json
    import subprocess
    import sys

    from core.paths import REPO_ROOT

    command = [sys.executable, str(REPO_ROOT / "benchmarks" / "store.py"), "--writers", "2", "--reviews", "3",
               "--reviewed-before", "6", "--database-url", str(store)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["reviewed_before"]["reviews"] == 6 and result["progress_ms"] > 0
    assert result["integrity"]["ok"], result["integrity"]
    assert (result["integrity"]["reviews"], result["integrity"]["pairs"]) == (12, 2)
