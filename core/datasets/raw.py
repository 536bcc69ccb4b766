"""Raw coded records: JSONL lines of {"id", "note" (or "narrative"), "codes", "rationale"?}.

`codes` is {"icd10cm": [...], "cpt": [...], "hcpcs": [...]} or a flat list (each code assigned to its system
by format); each system's value must be a list, even for one code (`{"icd10cm": "I10"}` is an error naming the
line, not ten characters read as codes). Codes are normalized; a code that is not valid and billable is an
error naming the line. A note longer than MAX_NARRATIVE_CHARS (the limit `thce data check` and the review
store apply) is an error naming the line too. A given rationale becomes the reasoning verbatim; otherwise
evidence is found by lexical overlap.
"""

from __future__ import annotations

from pathlib import Path

from core.codes import get_codeset
from core.constants import MAX_NARRATIVE_CHARS
from core.datasets.cases import CodedCase
from core.datasets.evidence_match import match_evidence
from core.jsonl import read_objects
from core.prompts import SYSTEMS, empty_codes


class RawRecordError(ValueError):
    pass


def _codes(value, codeset, where: str) -> dict[str, list[str]]:
    if isinstance(value, dict):
        unknown = set(value) - set(SYSTEMS)
        if unknown:
            raise RawRecordError(f"{where}: unknown code system(s) {sorted(unknown)} in 'codes'")
        for system, listed in value.items():
            if not isinstance(listed, list):
                raise RawRecordError(f"{where}: 'codes.{system}' must be a list of codes (e.g. [\"I10\"]), "
                                     f"got {type(listed).__name__} {_shown(listed)}")
        pairs = [(code, system) for system in SYSTEMS for code in value.get(system, [])]
    elif isinstance(value, list):
        pairs = [(code, None) for code in value]
    else:
        raise RawRecordError(f"{where}: 'codes' must be an object of systems or a list of codes")
    codes = empty_codes()
    for code, system in pairs:
        validation = codeset.validate(str(code), system)
        if not validation.ok:
            raise RawRecordError(f"{where}: {validation.message}")
        if validation.normalized not in codes[validation.system]:
            codes[validation.system].append(validation.normalized)
    return codes


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_raw_record(data: dict, codeset, where: str) -> CodedCase:
    narrative = data.get("note", data.get("narrative"))
    if not isinstance(narrative, str) or not narrative.strip():
        raise RawRecordError(f"{where}: missing 'note' (or 'narrative') text")
    if len(narrative.strip()) > MAX_NARRATIVE_CHARS:
        raise RawRecordError(f"{where}: the note is {len(narrative.strip()):,} characters long; at most "
                             f"{MAX_NARRATIVE_CHARS:,} (split it or shorten it)")
    if "codes" not in data:
        raise RawRecordError(f"{where}: missing 'codes'")
    codes = _codes(data["codes"], codeset, where)
    rationale = data.get("rationale")
    if rationale is not None and (not isinstance(rationale, str) or "think>" in rationale):
        raise RawRecordError(f"{where}: 'rationale' must be plain text without <think> tags")
    evidence = match_evidence(narrative, [(c, s) for s in SYSTEMS for c in codes[s]], codeset)
    meta = {k: v for k, v in data.items() if k not in ("id", "note", "narrative", "codes", "rationale")}
    case_id = str(data.get("id") or where.replace(":", "-"))
    return CodedCase(case_id, narrative.strip(), codes, "raw", meta, evidence, None, rationale)


def read_raw_records(path: str | Path) -> list[CodedCase]:
    codeset, path = get_codeset(), Path(path)
    if not path.is_file():
        raise RawRecordError(f"raw records file not found: {path}")
    return [parse_raw_record(data, codeset, where) for where, data in read_objects(path, RawRecordError)]
