"""`build_dataset`: one stage file from one source (what `thce data build` runs).

A record whose narrative is longer than MAX_NARRATIVE_CHARS (the limit of `thce data check` and of the review
store) is never written: raw records refuse such a note with its line (core.datasets.raw); a generated one
(an LLM rewrite) is skipped with a warning and counted in the statistics as `skipped_too_long`.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from core.codes import get_codeset
from core.constants import MAX_NARRATIVE_CHARS
from core.datasets.case_sources import DEFAULT_SYNTHETIC_COUNT, LoadedSource, load_source, parse_case_spec
from core.datasets.concepts import concept_table
from core.datasets.stages import STAGES, focus_codes, stage_1_records, stage_2_record, stage_3_records
from core.prompts import narrative_from_messages

logger = logging.getLogger(__name__)


def _synthetic_focus() -> tuple[list[tuple[str, str]], list]:
    table = concept_table()
    focus = [(v.code, "icd10cm") for variants in table.diagnoses.values() for v in variants]
    focus += [(p.code, "cpt") for p in table.procedures.values()]
    focus += [(d.code, "hcpcs") for d in table.drugs.values()] + [(s.code, "hcpcs") for s in table.supplies.values()]
    return list(dict.fromkeys(focus)), list(table.drugs.values())


def iter_records(stage: str, source: LoadedSource, count: int | None, seed: int, retriever) -> Iterator[dict]:
    """Records of a stage from a loaded source (at most `count`)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    if stage == "stage_2":
        return islice((stage_2_record(case, retriever) for case in source.cases), count)
    if stage == "stage_3":
        codeset, rng = get_codeset(), random.Random(f"thce-stage3:{seed}")
        pairs = (r for case in source.cases for r in stage_3_records(case, rng, codeset, retriever))
        return islice(pairs, count)
    if source.name in ("synthetic", "llm"):
        focus, drugs = _synthetic_focus()
    else:
        cases = list(source.cases)
        focus, drugs = focus_codes(cases), _synthetic_focus()[1]
        count = count or 3 * len(cases)
    return stage_1_records(focus, count or DEFAULT_SYNTHETIC_COUNT, seed, source.name, retriever, drugs)


def too_long(record: dict) -> bool:
    """Whether the record's narrative is over MAX_NARRATIVE_CHARS, measured as `thce data check` does."""
    prompt = record["prompt"] if "prompt" in record else record.get("messages", [])[:2]
    return len(narrative_from_messages(prompt)) > MAX_NARRATIVE_CHARS


def build_dataset(stage: str, source_spec: str, output: str | Path, count: int | None = None, seed: int = 0, *,
                  retriever, on_record: Callable[[], None] | None = None) -> dict:
    """Write the stage file (atomically) and return its statistics. `retriever` gives each prompt its candidate
    codes (core.retrieval.default_retriever(), or core.datasets.candidates.NoCandidates() for none)."""
    start = time.perf_counter()
    spec = parse_case_spec(source_spec)
    count = count if count is not None else spec.count
    seed = spec.seed if spec.seed is not None else seed
    synthetic_like = spec.kind in ("synthetic", "llm")
    wanted = count if count is not None else (DEFAULT_SYNTHETIC_COUNT if synthetic_like else None)
    source_count = wanted if stage == "stage_2" or not synthetic_like else None
    source = load_source(source_spec, source_count, seed)
    output = Path(output)
    if output.is_dir():
        raise ValueError(f"--output {output} is a directory; give a file path such as {output / (stage + '.jsonl')}")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    written = skipped = 0
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for record in iter_records(stage, source, wanted, seed, retriever):
                if too_long(record):
                    skipped += 1
                    logger.warning("skipped record %s: narrative longer than %d characters", record.get("id"),
                                   MAX_NARRATIVE_CHARS)
                    continue
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
                if on_record is not None:
                    on_record()
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)  # never leave half a file behind; an existing output stays as it was
        raise
    seconds = time.perf_counter() - start
    logger.info("%s from %s: %d records in %.1fs", stage, source.name, written, seconds)
    return {"stage": stage, "source": source_spec, "output": str(output), "records": written, "seed": seed,
            "seconds": round(seconds, 2), "records_per_min": round(60 * written / seconds, 1) if seconds else None,
            **({"skipped_too_long": skipped} if skipped else {}), **source.report}
