"""A process SIGKILLed in the middle of save_review leaves no partial review and no orphan pair."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from sqlmodel import select
from store_helpers import case_with_prediction, count_rows

from core.paths import REPO_ROOT
from core.store import Case, get_engine, get_session, init_db, next_case, reset_engine, save_review

# The child dies at a point inside the write transaction: when the pair is made (the review row is flushed)
# or when the result is made (every statement has run; the commit is next).
KILL_AT = {"after_review": "_make_pair", "before_commit": "SavedReview"}
CHILD = textwrap.dedent("""
    import os, signal, sys
    import core.store.reviews
    from core.store import init_db, save_review

    init_db(sys.argv[1])
    setattr(core.store.reviews, sys.argv[3], lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
    save_review(int(sys.argv[2]), "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]}, notes="n" * 5000)
    print("committed")  # never reached
""")


@pytest.fixture
def store(sqlite_store):
    """These tests are about SQLite itself: its file."""
    return sqlite_store


@pytest.mark.parametrize("point", ["after_review", "before_commit"])
def test_sigkill_inside_the_transaction_leaves_nothing(store, point):
    case_id, _ = case_with_prediction()
    assert next_case("alice").case_id == case_id
    reset_engine()  # let the child own the database while it runs
    url = f"sqlite:///{store}"
    child = subprocess.run([sys.executable, "-c", CHILD, url, str(case_id), KILL_AT[point]],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "committed" not in child.stdout

    init_db(url)
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert count_rows() == (0, 0)
    with get_session() as session:
        assert session.exec(select(Case.lease_annotator).where(Case.id == case_id)).one() == "alice"
    saved = save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]})
    assert saved.version == 1 and saved.pair_id is not None
    assert count_rows() == (1, 1)
