"""Datasets: stage builders (stage_1..3), the synthetic generator, the CodiEsp importer, raw-record
preprocessing, quality gates and splits.

    from core.datasets import load_cases, build_dataset, check_dataset, split_dataset
    cases = load_cases("codiesp:/path/to/codiesp/dev")   # gold cases (contract 7)
"""

from __future__ import annotations

from pathlib import Path

from core.codes import get_codeset
from core.datasets.build import build_dataset
from core.datasets.candidates import candidates_for
from core.datasets.case_sources import DEFAULT_SYNTHETIC_COUNT, parse_case_spec
from core.datasets.cases import CodedCase
from core.datasets.split import split_dataset
from core.datasets.stage_checks import check_dataset
from core.jsonl import read_objects
from core.prompts import SYSTEMS, empty_codes, narrative_from_messages

CASE_TAGS = ("rules", "setting")  # top-level fields of an evaluation case kept in its meta (rule slices)

__all__ = ["CodedCase", "build_dataset", "candidates_for", "check_dataset", "load_cases", "split_dataset"]


def load_cases(spec: str) -> list[dict]:
    """Gold cases {"id", "narrative", "codes": {system: [...]}, "meta"} from a spec:
    "codiesp:PATH" (codes = the coders' normalized originals; meta.training_codes = valid mapped codes),
    "synthetic[:N[:SEED]]", "rules[:N[:SEED]]" (rule training cases; N defaults to DEFAULT_SYNTHETIC_COUNT),
    "raw:FILE", or a JSONL file of {"id","narrative","codes"} or stage records (core.datasets.case_sources)."""
    parsed = parse_case_spec(spec)
    if parsed.kind == "codiesp":
        from core.datasets.codiesp import read_codiesp

        return [case.to_gold() for case in read_codiesp(parsed.path, with_evidence=False)[0]]
    if parsed.kind in ("synthetic", "rules"):
        from core.datasets.rule_cases import generate_rule_cases
        from core.datasets.synthetic import generate_cases

        generate = generate_cases if parsed.kind == "synthetic" else generate_rule_cases
        count = DEFAULT_SYNTHETIC_COUNT if parsed.count is None else parsed.count
        return [case.to_gold() for case in generate(count, parsed.seed or 0)]
    if parsed.kind == "raw":
        from core.datasets.raw import read_raw_records

        return [case.to_gold() for case in read_raw_records(parsed.path)]
    path = Path(spec)
    if parsed.kind == "file" and not path.exists() and (path.suffix in (".jsonl", ".json") or len(path.parts) > 1):
        raise ValueError(f"case spec {spec!r}: file not found")
    if parsed.kind != "file" or not path.is_file():
        raise ValueError(f"case spec {spec!r}: expected codiesp:PATH, synthetic[:N[:SEED]], rules[:N[:SEED]], "
                         "raw:FILE or a JSONL file")
    return _cases_from_jsonl(path)


def _codes_of(value, where: str) -> dict[str, list[str]]:
    codes = empty_codes()
    if isinstance(value, dict):
        for system in SYSTEMS:
            codes[system] = [str(c) for c in value.get(system, [])]
        return codes
    if isinstance(value, list):
        codeset = get_codeset()
        for code in value:
            system = codeset.detect_system(str(code))
            if system is None:
                raise ValueError(f"{where}: {code!r} is not a code of any system")
            codes[system].append(codeset.normalize(str(code), system))
        return codes
    raise ValueError(f"{where}: 'codes' must be an object of systems or a list of codes")


def _case_from_record(record: dict, where: str) -> dict | None:
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    if "messages" in record or "prompt" in record:
        if meta.get("answer_format") == "text":
            return None  # a stage_1 fact question has no codes to learn or evaluate
        narrative = narrative_from_messages(record.get("messages") or record.get("prompt"))
        codes = meta.get("original_codes") or record.get("codes") or meta.get("codes")
    else:
        narrative = record.get("narrative", record.get("note"))
        codes = record.get("codes")
    if not isinstance(narrative, str) or not narrative.strip() or codes is None:
        raise ValueError(f"{where}: expected 'narrative' and 'codes' (or stage-record fields)")
    meta = {**meta, **{key: record[key] for key in CASE_TAGS if key in record and key not in meta}}
    return {"id": str(meta.get("case_id") or record.get("id", where)), "narrative": narrative, "codes": _codes_of(codes, where), "meta": meta}


def _cases_from_jsonl(path: Path) -> list[dict]:
    cases, seen = [], set()
    for where, record in read_objects(path):
        case = _case_from_record(record, where)
        if case is not None and case["narrative"] not in seen:  # stage_3 repeats a narrative per pair
            seen.add(case["narrative"])
            cases.append(case)
    return cases
