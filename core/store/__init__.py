"""The annotation store (SQLModel over SQLite or PostgreSQL): cases, predictions, append-only reviews,
preference pairs, the review queue with leases, exports and statistics; plus the Job table of core.jobs.

    from core.store import init_db, import_cases, next_case, save_prediction, save_review
    init_db()                                   # DATABASE_URL, default sqlite data/thce.db (or /data/thce.db)
    item = next_case("alice")                   # leased for 30 min; None when the queue is empty
    save_review(item.case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]})
    save_review(item.case_id, "alice", "accept", status="draft")          # saved, not submitted
    save_review(item.case_id, "alice", None, status="discarded", discard_reason="not a clinical note")
    export_preference_pairs("pairs.jsonl")      # stage_3 records for `thce train dpo`
    export_preference_pairs("kto.jsonl", "kto") # unpaired preference rows for `thce train kto`
"""

from core.store.db import (
    default_database_url,
    get_engine,
    get_session,
    init_db,
    reset_engine,
    run_write,
    runtime_data_dir,
    schema_version,
)
from core.store.errors import BusyError, CodeError, ConflictError, FieldError, NotFoundError, StoreError
from core.store.export import EXPORT_FORMATS, export_preference_pairs, export_records, preference_records
from core.store.imports import ImportReport, import_cases
from core.store.models import (
    DECISIONS,
    SCHEMA_VERSION,
    STATUSES,
    Case,
    Job,
    Meta,
    Prediction,
    PreferencePair,
    Review,
)
from core.store.queue import (
    LEASE_MINUTES,
    QueueItem,
    add_case,
    default_lease_minutes,
    default_min_submitted,
    get_case,
    next_case,
    refresh_queue,
    release_lease,
    set_min_submitted,
)
from core.store.reviews import SavedReview, save_prediction, save_review
from core.store.signals import kto_records, sft_records
from core.store.stats import progress, stats

__all__ = [
    "BusyError", "Case", "CodeError", "ConflictError", "DECISIONS", "EXPORT_FORMATS", "FieldError", "ImportReport",
    "Job", "LEASE_MINUTES", "Meta", "NotFoundError", "PreferencePair", "Prediction", "QueueItem", "Review",
    "SCHEMA_VERSION", "SavedReview", "StoreError", "add_case", "default_database_url", "export_preference_pairs",
    "get_case", "get_engine", "get_session", "import_cases", "init_db", "next_case", "preference_records",
    "release_lease", "reset_engine", "run_write", "runtime_data_dir", "save_prediction", "save_review",
    "schema_version", "stats", "STATUSES", "default_lease_minutes", "default_min_submitted", "export_records",
    "kto_records", "progress", "refresh_queue", "set_min_submitted", "sft_records",
]
