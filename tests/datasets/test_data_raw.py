from pathlib import Path

import pytest

from core.datasets.raw import RawRecordError, read_raw_records

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "raw_records.jsonl"


def test_fixture_records_load_with_valid_codes(codeset):
    cases = read_raw_records(FIXTURE)
    assert len(cases) == 10
    assert all(codeset.is_valid(code) for case in cases for code in case.all_codes())
    flat = next(c for c in cases if c.id == "raw-003")
    assert flat.codes == {"icd10cm": ["I10"], "cpt": ["99204", "93000"], "hcpcs": []}
    assert sum(bool(c.rationale) for c in cases) >= 4
    assert all(c.evidence for c in cases)


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "note": "HTN", "codes": ["E11"]}', "line 2: E11"),
    ('{"id": "a", "codes": ["I10"]}', "line 2: missing 'note'"),
    ('{"id": "a", "note": "x", "codes": {"icd9": ["250.00"]}}', "unknown code system"),
    ('{"id": "a", "note": "x", "codes": ["I10"], "rationale": "<think>x</think>"}', "without <think> tags"),
    ('{"id": "a", "note": ', "line 2: invalid JSON"),
])
def test_bad_records_are_errors_naming_the_line(tmp_path, line, message):
    path = tmp_path / "raw.jsonl"
    path.write_text('{"id": "ok", "note": "HTN", "codes": ["I10"]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(RawRecordError, match=message):
        read_raw_records(path)
