"""Engine, database URL, SQLite pragmas, sessions and the retrying write transaction.

`DATABASE_URL` picks the database; the default is an SQLite file `thce.db` in `runtime_data_dir()`
(`/data` when that persistent folder exists and is writable, as on a Hugging Face Space, else the repo's
`data/`). SQLite connections get WAL, foreign keys, a busy timeout, and write transactions start with
`BEGIN IMMEDIATE` (so a writer takes the lock up front instead of failing on upgrade). All of that lives
in `_install_sqlite_hooks`; everything else is portable SQL, so a PostgreSQL URL works unchanged.

`init_db(url, create=False)` opens an existing store only: an SQLite file that is not there is refused with a
`StoreError` naming the path (a mistyped URL must not silently become a new, empty database). The
`thce annotations` commands other than `import` use it; imports and the web app create a missing database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, inspect, update

try:  # POSIX: writers of one SQLite file queue on a flock (WriteGate); elsewhere on SQLite's busy handler only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

from core.paths import DATA_DIR
from core.store.errors import BusyError, StoreError
from core.store.models import QUEUE_INDEX, SCHEMA_VERSION, Case, Meta, needs_reviews

logger = logging.getLogger(__name__)

SPACE_DATA_DIR = Path("/data")
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_ATTEMPTS = 8
# Connections per process: enough for every thread of a busy web server at once. With fewer, threads queue for
# one, and a thread that gives its connection back takes it again before a waiting one wakes up (20 threads on
# PostgreSQL's default 5 + 10 timed out after 30 s).
POOL = {"pool_size": 10, "max_overflow": 30}
_WRITE_OPTION = "thce_write"
T = TypeVar("T")

_lock = threading.RLock()
_current: dict[str, Engine | str | None] = {"engine": None, "url": None}


def runtime_data_dir() -> Path:
    """Where runtime state (database, job logs) lives: /data on a Space, else the repo's data/."""
    if SPACE_DATA_DIR.is_dir() and os.access(SPACE_DATA_DIR, os.W_OK):
        return SPACE_DATA_DIR
    return DATA_DIR


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{runtime_data_dir() / 'thce.db'}"


def _is_sqlite_memory(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:"


def _install_sqlite_hooks(engine: Engine) -> None:
    """The only SQLite-specific SQL of the store: pragmas on connect, BEGIN IMMEDIATE for writers."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        # straight to the driver: a statement through SQLAlchemy costs ~50 us of CPU, and every store call begins one
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def normalized_url(url: str) -> str:
    """`url` as SQLAlchemy names its database: `postgres://...`, as Heroku, Render or Supabase hand URLs out,
    is `postgresql://...` (SQLAlchemy has no `postgres` dialect); anything else as given."""
    return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url


def create_store_engine(url: str, create: bool = True) -> Engine:
    """An engine for `url` (normalized_url); SQLite gets its pragma hooks, other databases plain settings. With
    `create=False` an SQLite file that does not exist is refused (StoreError naming it) instead of being created."""
    url = normalized_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **POOL)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if _is_sqlite_memory(url):
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        path = Path(make_url(url).database).expanduser()
        if not create and not path.is_file():
            raise StoreError(f"no database at {path}: check the database URL (--database-url or DATABASE_URL); "
                             "`thce annotations import` creates a new one", "database_url")
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args=connect_args, **POOL)
    _install_sqlite_hooks(engine)
    return engine


# Columns added after schema version 1, as (table, column, SQL type): added in place to an older database.
ADDED_COLUMNS = (("cases", "created_by", "VARCHAR(100)"), ("predictions", "requested_by", "VARCHAR(100)"),
                 ("predictions", "rule_edits", "JSON"),
                 ("reviews", "status", "VARCHAR(16)"), ("reviews", "discard_reason", "TEXT"),
                 ("cases", "needs_review", "BOOLEAN"))
# Values for the rows an added column finds (run once, right after the column is added): SQL text or a statement.
BACKFILLS = {("reviews", "status"): "UPDATE reviews SET status = CASE WHEN decision = 'skip' THEN 'skipped' "
                                    "ELSE 'submitted' END WHERE status IS NULL",
             ("cases", "needs_review"): update(Case).values(needs_review=needs_reviews())}
# Indexes that go with an added column (create_all makes them for new tables only).
ADDED_INDEXES = {("cases", "needs_review"): QUEUE_INDEX}


def _add_missing_columns(engine: Engine) -> None:
    """Upgrade an older database in place: add the nullable columns it lacks (nothing is rewritten)."""
    existing = {table: {c["name"] for c in inspect(engine).get_columns(table)} for table, _, _ in ADDED_COLUMNS}
    missing = [(t, c, kind) for t, c, kind in ADDED_COLUMNS if c not in existing[t]]
    if not missing:
        return
    with engine.begin() as connection:
        for table, column, kind in missing:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            backfill = BACKFILLS.get((table, column))
            if isinstance(backfill, str):
                connection.exec_driver_sql(backfill)
            elif backfill is not None:
                connection.execute(backfill)
            if (table, column) in ADDED_INDEXES:
                index = next(i for i in SQLModel.metadata.tables[table].indexes if i.name == ADDED_INDEXES[(table, column)])
                index.create(connection, checkfirst=True)
    logger.info("store upgraded: added %s", ", ".join(f"{t}.{c}" for t, c, _ in missing))


def _record_schema_version(session: Session) -> None:
    row = session.get(Meta, "schema_version")
    if row is None:
        session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
    elif int(row.value) > SCHEMA_VERSION:
        raise StoreError(
            f"database schema version {row.value} is newer than this code understands ({SCHEMA_VERSION})"
        )
    elif int(row.value) < SCHEMA_VERSION:
        row.value = str(SCHEMA_VERSION)
        session.add(row)


def init_db(url: str | None = None, create: bool = True) -> Engine:
    """Open (and create if needed) the store at `url` (default: DATABASE_URL) and make it the current one.
    `create=False`: open an existing store only (a missing SQLite file raises StoreError, nothing is made)."""
    url = url or default_database_url()
    with _lock:
        if _current["engine"] is not None and _current["url"] == url:
            return _current["engine"]
        engine = create_store_engine(url, create=create)
        SQLModel.metadata.create_all(engine)
        try:
            _add_missing_columns(engine)
        except OperationalError:  # another process added them first
            pass
        try:
            run_write(_record_schema_version, engine=engine)
        except IntegrityError:  # another process recorded it first
            pass
        if _current["engine"] is not None:
            _current["engine"].dispose()
        _current.update(engine=engine, url=url)
        logger.info("store ready at %s", make_url(url).render_as_string(hide_password=True))
        return engine


def get_engine() -> Engine:
    engine = _current["engine"]
    return engine if engine is not None else init_db()


def reset_engine() -> None:
    """Forget the current engine (tests, or after changing DATABASE_URL)."""
    with _lock:
        if _current["engine"] is not None:
            _current["engine"].dispose()
        _current.update(engine=None, url=None)


def get_session(engine: Engine | None = None) -> Session:
    """A read session (usable as a context manager). Objects stay readable after commit."""
    return Session(engine or get_engine(), expire_on_commit=False)


def schema_version(engine: Engine | None = None) -> int:
    with get_session(engine) as session:
        return int(session.exec(select(Meta.value).where(Meta.key == "schema_version")).one())


def is_lock_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


class WriteGate:
    """One writer at a time for an SQLite file, across threads (a lock) and processes (flock on a side file).

    SQLite's own busy handler polls: a writer that finds the database locked sleeps (up to 100 ms a time)
    and may miss the moment the lock is free, which is what made save_review's p95 grow with the number of
    writer processes. Waiting on the gate instead wakes the next writer as soon as the previous one commits.
    The gate is only an accelerator: BEGIN IMMEDIATE and the busy timeout still guard the file (other
    programs, NFS without flock). A process killed while holding it releases it (the kernel drops flocks)."""

    def __init__(self, database: str):
        self.path = f"{database}.write-lock"
        self._lock = threading.RLock()
        self._local = threading.local()
        self._handle = None
        self._pid = None

    def _file(self):
        if self._handle is None or self._pid != os.getpid():  # a forked child opens its own
            self._handle, self._pid = open(self.path, "a+b"), os.getpid()  # noqa: SIM115 - held for the process
        return self._handle

    @contextlib.contextmanager
    def hold(self):
        depth = getattr(self._local, "depth", 0)  # this thread's nesting: only this thread changes it
        if depth == 0:
            _yield_cpu()  # enter the write section at the start of a time slice: less often preempted inside it
        with self._lock:
            self._local.depth = depth + 1
            try:
                if depth == 0 and fcntl is not None:
                    fcntl.flock(self._file().fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    if depth == 0 and fcntl is not None:
                        fcntl.flock(self._file().fileno(), fcntl.LOCK_UN)
            finally:
                self._local.depth = depth
        if depth == 0:
            _yield_cpu()  # a writer the release woke may run (and take the gate) before this one writes again


def _yield_cpu() -> None:
    """Give the CPU to another runnable process or thread, if any (returns at once on an idle machine).

    With more busy writers than cores, a writer woken by the gate's release needs a CPU before it can take the
    gate, and the writers already running took it first again and again: 20 writer processes on 2 cores waited
    up to 66 ms at p95 for a gate held 1.3 ms at p95 (benchmarks/store.py, 2026-11-30). Yielding at both ends of
    the write section lets the waiting writers in: save_review p95 84-99 -> 51-63 ms, same throughput
    (docs/ANNOTATION.md, Reliability)."""
    if hasattr(os, "sched_yield"):
        os.sched_yield()


_gates: dict[str, WriteGate] = {}  # by resolved database file
_gate_of_url: dict[URL, WriteGate | None] = {}  # found once per URL: resolving the path costs a system call


def _find_gate(url: URL) -> WriteGate | None:
    if url.get_backend_name() != "sqlite" or _is_sqlite_memory(str(url)):
        return None
    database = str(Path(url.database).expanduser().resolve())
    return _gates.setdefault(database, WriteGate(database))


def _write_gate(engine: Engine):
    """The WriteGate of an SQLite file engine; a no-op context for other databases and in-memory SQLite."""
    if engine.url not in _gate_of_url:
        with _lock:
            _gate_of_url[engine.url] = _find_gate(engine.url)
    gate = _gate_of_url[engine.url]
    return contextlib.nullcontext() if gate is None else gate.hold()


def _retry_while_locked(attempt_once: Callable[[], T], attempts: int) -> T:
    """`attempt_once()` until it does not fail on a locked database; backoff between tries, BusyError at the end."""
    for attempt in range(1, attempts + 1):
        try:
            return attempt_once()
        except OperationalError as exc:
            if not is_lock_error(exc):
                raise
            if attempt == attempts:
                raise BusyError(f"database stayed locked after {attempts} attempts") from exc
            delay = min(2.0, 0.05 * 2 ** (attempt - 1)) * (0.5 + random.random())
            logger.warning("database locked (attempt %d/%d); retrying in %.2fs", attempt, attempts, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def run_write(work: Callable[[Session], T], *, engine: Engine | None = None, attempts: int = WRITE_ATTEMPTS) -> T:
    """Run `work(session)` in one write transaction and commit; retry with backoff while the DB is locked.

    Any exception rolls the whole transaction back, so a failed write leaves nothing behind. On SQLite,
    writers queue on a WriteGate first, so the transaction itself (BEGIN IMMEDIATE .. COMMIT) rarely waits.
    """
    engine = engine or get_engine()

    def attempt_once() -> T:
        writer = engine.execution_options(**{_WRITE_OPTION: True})  # BEGIN IMMEDIATE on SQLite
        with _write_gate(engine), Session(writer, expire_on_commit=False) as session:
            result = work(session)
            session.commit()
            return result

    return _retry_while_locked(attempt_once, attempts)


def run_sql_write(work: Callable[[Connection], T], *, engine: Engine | None = None,
                  attempts: int = WRITE_ATTEMPTS) -> T:
    """`run_write` for SQLAlchemy Core statements: `work(connection)` in one write transaction, same gate, retries
    and rollback, without an ORM session (its unit of work and identity map cost more CPU than the statements
    of a review or a lease: save_review and next_case use this)."""
    engine = engine or get_engine()

    def attempt_once() -> T:
        with engine.connect() as connection, _write_gate(engine):  # the gate is held from BEGIN to COMMIT only
            with connection.execution_options(**{_WRITE_OPTION: True}).begin():  # BEGIN IMMEDIATE on SQLite
                return work(connection)

    return _retry_while_locked(attempt_once, attempts)
