"""Engine, URL choice, SQLite pragmas, schema version and the retrying write transaction."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

import core.store.db as db
from core.paths import DATA_DIR
from core.store import (
    SCHEMA_VERSION,
    BusyError,
    Meta,
    Review,
    StoreError,
    get_engine,
    get_session,
    init_db,
    reset_engine,
    run_write,
    schema_version,
)


@pytest.fixture
def store(sqlite_store):
    """These tests are about SQLite itself: its file."""
    return sqlite_store


def test_default_url_uses_repo_data_dir_without_a_writable_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(db, "SPACE_DATA_DIR", tmp_path / "absent")
    assert db.default_database_url() == f"sqlite:///{DATA_DIR / 'thce.db'}"


def test_default_url_prefers_a_writable_persistent_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(db, "SPACE_DATA_DIR", tmp_path)
    assert db.default_database_url() == f"sqlite:///{tmp_path / 'thce.db'}"
    assert db.runtime_data_dir() == tmp_path


def test_database_url_env_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/thce")
    assert db.default_database_url() == "postgresql://u:p@db.example/thce"


def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(store):
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_schema_version_is_recorded_and_init_is_idempotent(store):
    assert schema_version() == SCHEMA_VERSION
    reset_engine()
    init_db(f"sqlite:///{store}")
    with get_session() as session:
        assert len(session.query(Meta).all()) == 1


def test_a_newer_schema_is_refused(store):
    run_write(lambda s: s.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION + 1))))
    reset_engine()
    with pytest.raises(StoreError, match="newer"):
        init_db(f"sqlite:///{store}")


def test_foreign_keys_are_enforced(store):
    with pytest.raises(IntegrityError):
        run_write(lambda s: s.add(Review(case_id=12345, annotator="a", decision="accept")) or s.flush())


def test_in_memory_database_works():
    try:
        init_db("sqlite://")
        assert schema_version() == SCHEMA_VERSION
    finally:
        reset_engine()


def _locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_run_write_retries_while_locked_then_succeeds(store, monkeypatch):
    monkeypatch.setattr(db.time, "sleep", lambda s: None)
    calls = []

    def work(session):
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        session.add(Meta(key="k", value="v"))
        return "done"

    assert run_write(work) == "done"
    assert len(calls) == 3
    with get_session() as session:
        assert session.get(Meta, "k").value == "v"


def test_run_write_gives_up_with_busy_error(store, monkeypatch):
    monkeypatch.setattr(db.time, "sleep", lambda s: None)

    def work(session):
        raise _locked()

    with pytest.raises(BusyError, match="locked"):
        run_write(work, attempts=3)


def test_run_write_does_not_retry_other_errors(store):
    calls = []

    def work(session):
        calls.append(1)
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    with pytest.raises(OperationalError):
        run_write(work)
    assert len(calls) == 1


def test_sqlite_writers_queue_on_a_gate_file(store):
    """Writers of one SQLite file wait on a flock'ed side file (WriteGate), not in SQLite's polling busy loop."""
    assert run_write(lambda session: 42) == 42
    assert (store.parent / (store.name + ".write-lock")).exists()
    memory = init_db("sqlite://")
    assert isinstance(db._write_gate(memory), type(contextlib.nullcontext()))


def test_a_version_1_database_is_upgraded_in_place(tmp_path):
    """Schema 2 added cases.created_by and predictions.requested_by, schema 3 predictions.rule_edits, schema 4
    reviews.status and reviews.discard_reason: an older file gains them, rows kept."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(256) NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE cases (id INTEGER PRIMARY KEY, external_id VARCHAR(200) NOT NULL, narrative TEXT NOT NULL,
                source VARCHAR(100) NOT NULL, split VARCHAR(100), import_batch VARCHAR(64), gold_codes JSON,
                meta JSON, target_reviews INTEGER NOT NULL, lease_annotator VARCHAR(100), lease_expires_at DATETIME,
                created_at DATETIME NOT NULL, CONSTRAINT uq_cases_source_external_id UNIQUE (source, external_id));
            INSERT INTO cases VALUES (1, 'a', 'Old narrative.', 'import', NULL, NULL, NULL, NULL, 1, NULL, NULL,
                '2026-01-01 00:00:00');
            CREATE TABLE predictions (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),
                model_id VARCHAR(300) NOT NULL, prompt JSON NOT NULL, raw_output TEXT NOT NULL, codes JSON NOT NULL,
                reasoning TEXT NOT NULL, latency_s FLOAT, prompt_rebuilt BOOLEAN NOT NULL, created_at DATETIME NOT NULL);
        """)
    try:
        init_db(f"sqlite:///{path}")
        assert schema_version() == SCHEMA_VERSION == 5
        with get_engine().connect() as conn:
            assert conn.exec_driver_sql("SELECT narrative, created_by FROM cases").all() == [("Old narrative.", None)]
            assert {"requested_by", "rule_edits"} <= {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(predictions)")}
            assert {"status", "discard_reason"} <= {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(reviews)")}
    finally:
        reset_engine()


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_version_2_or_3_database_gets_review_statuses_from_its_decisions(tmp_path, monkeypatch, version):
    """Reviews stored before statuses existed (schema 4): a skip becomes `skipped`, every other decision
    `submitted`; a version 2 file also gains predictions.rule_edits (schema 3)."""
    from store_helpers import case_with_prediction

    from core.store import save_review

    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "v2.db"
    init_db(f"sqlite:///{path}")
    first, _ = case_with_prediction(external_id="a")
    second, _ = case_with_prediction(external_id="b")
    save_review(first, "alice", "accept")
    save_review(second, "alice", "skip")
    reset_engine()
    with sqlite3.connect(path) as conn:
        conn.executescript("ALTER TABLE reviews DROP COLUMN status; ALTER TABLE reviews DROP COLUMN discard_reason;"
                           f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version';")
        if version == "2":
            conn.execute("ALTER TABLE predictions DROP COLUMN rule_edits")
    try:
        init_db(f"sqlite:///{path}")
        assert schema_version() == SCHEMA_VERSION == 5
        with get_engine().connect() as conn:
            rows = conn.exec_driver_sql("SELECT decision, status, discard_reason FROM reviews ORDER BY id").all()
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(predictions)")}
        assert rows == [("accept", "submitted", None), ("skip", "skipped", None)]
        assert "rule_edits" in columns
    finally:
        reset_engine()



def test_a_postgres_scheme_url_opens_postgresql(postgres_cluster, monkeypatch):
    """Regression: `postgres://user@host/db`, as Heroku, Render and Supabase give it, failed with "Can't load
    plugin: sqlalchemy.dialects:postgres"; it is PostgreSQL (`postgresql://`, psycopg)."""
    from core.store import add_case, get_engine, init_db, reset_engine

    url = postgres_cluster.create_database("thce_scheme_test").replace("postgresql+psycopg://", "postgres://")
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        init_db()
        assert get_engine().dialect.name == "postgresql"
        assert add_case("Type 2 diabetes.", external_id="scheme-1") >= 1
    finally:
        reset_engine()
