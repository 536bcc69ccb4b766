"""Export the review store as training data: DPO pairs (stage_3 records, DESIGN.md) for `thce train dpo`,
KTO rows for `thce train kto` and SFT conversations for `thce train sft` (core.store.signals), or the pairs
as an HF `save_to_disk` folder ("hf"). DPO records:

    {"id", "prompt": [messages], "chosen": [assistant message], "rejected": [assistant message],
     "source": "review", "meta": {"review_id", "annotator", "model_id", "created_at", "case_id", "case_source"}}

Only the latest version of each review counts: a pair whose review was later edited is left out (the
edit carries its own pair if it is still a correction).

Outputs are replaced whole or not at all: a JSONL file is written beside its target and renamed over it; an
"hf" folder is saved beside its target and swapped in (only over an empty folder or an earlier "hf" export).
An output of the wrong kind (a folder for JSONL, a file or a foreign folder for "hf") or one that cannot be
written is a StoreError with one line naming the path, and nothing already there is touched.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from core.store.db import get_session
from core.store.errors import FieldError, StoreError
from core.store.models import Case, PreferencePair, Review, latest_review_clause
from core.store.signals import kto_records, merge_reviews, sft_records

logger = logging.getLogger(__name__)

HF_MARKER = "state.json"  # written by datasets' save_to_disk: the folder is an earlier "hf" export


def _record(pair: PreferencePair, review: Review, case: Case) -> dict:
    return {
        "id": f"review-{review.id}",
        "prompt": pair.prompt,
        "chosen": [{"role": "assistant", "content": pair.chosen}],
        "rejected": [{"role": "assistant", "content": pair.rejected}],
        "source": "review",
        "meta": {
            "review_id": review.id,
            "annotator": pair.annotator,
            "model_id": pair.model_id,
            "created_at": review.created_at.isoformat(timespec="seconds"),
            "case_id": case.external_id,
            "case_source": case.source,
        },
    }


def preference_records() -> list[dict]:
    """All current preference pairs as stage_3 records, oldest first."""
    query = (
        select(PreferencePair, Review, Case)
        .join(Review, PreferencePair.review_id == Review.id)
        .join(Case, PreferencePair.case_id == Case.id)
        .where(latest_review_clause(), Review.decision == "correct")
        .order_by(PreferencePair.id)
    )
    with get_session() as session:
        records = [_record(pair, review, case) for pair, review, case in session.exec(query)]
    # two annotators' identical corrections are one pair (several different pairs per prompt are fine for DPO)
    return merge_reviews(records, lambda r: json.dumps([r["prompt"], r["chosen"], r["rejected"]], sort_keys=True))


def _check_jsonl_output(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"output {path} is a folder; this format writes a JSONL file (give a file path, or use "
                         "the hf format for a folder)", "output")


def _write_jsonl(records: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_hf_output(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"output {path} is a file; the hf format writes a folder (give a new or empty folder, "
                         "or an earlier hf export to replace)", "output")
    if path.is_dir() and any(path.iterdir()) and not (path / HF_MARKER).is_file():
        raise StoreError(f"output {path} is a folder that is not an earlier hf export; give a new or empty "
                         "folder (nothing in it was changed)", "output")


def _write_hf(records: list[dict], path: Path) -> None:
    """save_to_disk into a new folder beside `path`, then swap it in (the old export is removed only after)."""
    if not records:
        raise StoreError("no preference pairs to export (an HF dataset needs at least one row)", "format")
    from datasets import Dataset

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    old = path.parent / f"{tmp.name}.old"
    try:
        Dataset.from_list(records).save_to_disk(str(tmp))
        if path.exists():
            path.rename(old)
        tmp.rename(path)
    except BaseException:
        if old.exists() and not path.exists():
            old.rename(path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class ExportFormat:
    records: Callable[[], list[dict]]  # the rows, from the store
    write: Callable[[list[dict], Path], None]  # to the output path
    what: str  # what the rows are, for messages
    check: Callable[[Path], None]  # refuses an output path of the wrong kind (StoreError), before any work


EXPORTS = {
    "dpo": ExportFormat(preference_records, _write_jsonl, "preference pairs", _check_jsonl_output),
    "kto": ExportFormat(kto_records, _write_jsonl, "KTO rows", _check_jsonl_output),
    "sft": ExportFormat(sft_records, _write_jsonl, "SFT conversations", _check_jsonl_output),
    "hf": ExportFormat(preference_records, _write_hf, "preference pairs", _check_hf_output),
}
EXPORT_FORMATS = tuple(EXPORTS)


def export_format(format: str) -> ExportFormat:
    if format not in EXPORTS:
        raise FieldError(f"format must be one of {', '.join(EXPORT_FORMATS)}, got {format!r}", "format")
    return EXPORTS[format]


def export_records(format: str) -> list[dict]:
    """The records of one export format: dpo (and hf) pairs, kto rows or sft conversations."""
    return export_format(format).records()


def export_preference_pairs(path: str | Path, format: str = "dpo") -> int:
    """Write the `format` records to `path` (a JSONL file; a `save_to_disk` folder for "hf"); returns the count."""
    exporter, path = export_format(format), Path(path)
    exporter.check(path)
    records = exporter.records()
    try:
        exporter.write(records, path)
    except OSError as exc:  # a parent that is a file, no permission, a full disk: nothing was replaced
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}", "output") from exc
    logger.info("exported %d %s (%s) to %s", len(records), exporter.what, format, path)
    return len(records)
