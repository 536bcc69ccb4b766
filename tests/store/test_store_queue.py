"""Importing cases and handing them out under leases (single and double annotation)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import func, select
from store_helpers import MODEL_CODES, case_with_prediction, model_result

import core.store.imports as imports
from core.prompts import build_messages
from core.store import (
    Case,
    ConflictError,
    FieldError,
    Prediction,
    StoreError,
    add_case,
    get_case,
    get_session,
    import_cases,
    next_case,
    release_lease,
    run_write,
    save_prediction,
    save_review,
)
from core.store.imports import needs_double_review
from core.store.models import utcnow


def _write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def _case_count() -> int:
    with get_session() as session:
        return session.exec(select(func.count()).select_from(Case)).one()


def _prompt(narrative):
    return build_messages(narrative)


def test_import_reports_bad_lines_and_imports_the_good_ones(store, tmp_path):
    path = _write_jsonl(tmp_path / "cases.jsonl", [
        {"id": "c1", "narrative": "Type 2 diabetes.", "codes": {"icd10cm": ["E11.9"]}},
        {"id": "c2", "narrative": "   "},
        "{not json",
        {"id": "c1", "narrative": "again"},
        {"narrative": "no id"},
        {"id": "c3", "narrative": "x", "codes": {"icd9": ["250.00"]}},
        {"id": 4, "narrative": "Chest pain.", "split": "dev"},
    ])
    report = import_cases(path, source="unit")
    assert (report.imported, report.duplicates) == (2, 0)
    lines = {e["line"]: e["message"] for e in report.errors}
    assert set(lines) == {2, 3, 4, 5, 6}
    assert "narrative" in lines[2] and "invalid JSON" in lines[3] and "first on line 1" in lines[4]
    assert "id is required" in lines[5] and "icd9" in lines[6]
    with get_session() as session:
        cases = session.exec(select(Case).order_by(Case.id)).all()
    assert [(c.external_id, c.source, c.split) for c in cases] == [("c1", "unit", None), ("4", "unit", "dev")]
    assert cases[0].gold_codes == {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}


def test_import_refuses_gold_codes_that_are_no_codes_and_normalizes_the_rest(store, tmp_path):
    """Regression: gold codes were stored unchecked (ZZZ.99, the header E11, E11.9 under cpt, NOTACODE in CSV)."""
    path = _write_jsonl(tmp_path / "gold.jsonl", [
        {"id": "g1", "narrative": "n", "codes": {"icd10cm": ["ZZZ.99"]}},
        {"id": "g2", "narrative": "n", "codes": {"icd10cm": ["E11"]}},
        {"id": "g3", "narrative": "n", "codes": {"cpt": ["E11.9"]}},
        {"id": "g4", "narrative": "n", "codes": {"icd10cm": ["e119", "E11.9"], "cpt": ["99213"]}},
    ])
    report = import_cases(path, source="gold")
    lines = {e["line"]: e["message"] for e in report.errors}
    assert report.imported == 1 and set(lines) == {1, 2, 3}
    assert "codes.icd10cm[0]: 'ZZZ.99' is not a valid icd10cm code" in lines[1] and "not billable" in lines[2]
    assert "codes.cpt[0]: 'E11.9'" in lines[3]
    with get_session() as session:
        case = session.exec(select(Case).where(Case.external_id == "g4")).one()
    assert case.gold_codes == {"icd10cm": ["E11.9"], "cpt": ["99213"], "hcpcs": []}
    csv = tmp_path / "gold.csv"
    csv.write_text("id,narrative,icd10cm\nc1,n,NOTACODE\nc2,n,I10\n", encoding="utf-8")
    report = import_cases(csv, source="csv")
    assert report.imported == 1 and "'NOTACODE'" in report.errors[0]["message"]


def test_csv_records_spanning_lines_are_named_by_their_first_line(store, tmp_path):
    """Regression: a duplicate id was reported on the last line of a record whose quoted cell spans lines."""
    csv = tmp_path / "multi.csv"
    csv.write_text('id,narrative\nk1,"line one\nline two\nline three"\nk1,again\n', encoding="utf-8")
    report = import_cases(csv, source="multi")
    assert report.imported == 1 and report.errors == [
        {"line": 5, "message": "duplicate id 'k1' (first on line 2)"}]


def test_reimport_counts_duplicates_and_changes_nothing(store, tmp_path):
    path = _write_jsonl(tmp_path / "cases.jsonl", [{"id": "a", "narrative": "n1"}, {"id": "b", "narrative": "n2"}])
    assert import_cases(path).imported == 2
    again = import_cases(path)
    assert (again.imported, again.duplicates, again.errors) == (0, 2, [])
    assert _case_count() == 2


def test_a_failure_while_writing_leaves_nothing_half_written(store, tmp_path, monkeypatch):
    path = _write_jsonl(tmp_path / "cases.jsonl", [{"id": str(i), "narrative": f"n{i}"} for i in range(5)])
    calls = []

    def failing(source, external_id, share):
        calls.append(external_id)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return False

    monkeypatch.setattr(imports, "needs_double_review", failing)
    with pytest.raises(RuntimeError):
        import_cases(path)
    assert _case_count() == 0


def test_import_stores_predictions_and_rebuilds_a_missing_prompt(store, tmp_path):
    given = model_result("Narrative one.")
    path = _write_jsonl(tmp_path / "cases.jsonl", [
        {"id": "p1", "narrative": "Narrative one.", "prediction": given},
        {"id": "p2", "narrative": "Narrative two.", "prediction": given["raw"]},
        {"id": "p3", "narrative": "Narrative three.", "prediction": {"model_id": "m"}},
    ])
    report = import_cases(path, prompt_builder=_prompt)
    assert (report.imported, report.predictions) == (2, 2)
    assert report.errors[0]["line"] == 3 and "prediction" in report.errors[0]["message"]
    with get_session() as session:
        preds = session.exec(select(Prediction).order_by(Prediction.id)).all()
    assert preds[0].prompt == given["prompt"] and not preds[0].prompt_rebuilt
    assert preds[1].prompt == build_messages("Narrative two.") and preds[1].prompt_rebuilt
    assert preds[1].codes["icd10cm"] == MODEL_CODES["icd10cm"]
    assert preds[1].reasoning == given["reasoning"]


def test_a_missing_prompt_without_a_builder_stops_the_import(store, tmp_path):
    path = _write_jsonl(tmp_path / "cases.jsonl", [{"id": "p1", "narrative": "n", "prediction": "<think>x</think>{}"}])
    with pytest.raises(StoreError, match="line 1: prediction.prompt is missing; include the prompt messages"):
        import_cases(path)
    assert _case_count() == 0


def test_a_prompt_that_cannot_be_rebuilt_stops_the_import(store, tmp_path):
    path = _write_jsonl(tmp_path / "cases.jsonl", [{"id": "p1", "narrative": "n", "prediction": "<think>x</think>{}"}])

    def broken(narrative):
        raise RuntimeError("no retriever")

    with pytest.raises(StoreError, match="line 1: prediction.prompt"):
        import_cases(path, prompt_builder=broken)
    assert _case_count() == 0


def test_csv_import_with_code_columns(store, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text('id,narrative,icd10cm,cpt\nr1,"Office visit, diabetes",E11.9;I10,99214\nr2,,,\n', encoding="utf-8")
    report = import_cases(path, split="train")
    assert report.imported == 1 and report.errors == [{"line": 3, "message": "narrative is required and must not be empty"}]
    with get_session() as session:
        case = session.exec(select(Case)).one()
    assert case.gold_codes == {"icd10cm": ["E11.9", "I10"], "cpt": ["99214"], "hcpcs": []}
    assert case.split == "train"


def test_a_jsonl_file_with_a_byte_order_mark_imports_its_first_line(store, tmp_path):
    """Windows tools (PowerShell 5's `Out-File -Encoding utf8`, Notepad) start UTF-8 files with a BOM: accepted for
    CSV and by core.jsonl, it made the first JSONL record "invalid JSON" and left it out."""
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps({"id": "j1", "narrative": "Type 2 diabetes."}), json.dumps({"id": "j2", "narrative": "HTN."})]
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig") + b"\r\n")
    report = import_cases(path)
    assert report.imported == 2 and report.errors == []
    with get_session() as session:
        assert sorted(session.exec(select(Case.external_id)).all()) == ["j1", "j2"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("cases.txt", "x", "unsupported file type"),
    ("cases.csv", "id,text\n1,a\n", r"lacks column\(s\) narrative"),
])
def test_unusable_files_are_refused(store, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(StoreError, match=message):
        import_cases(path)


def test_missing_file_and_bad_share(store, tmp_path):
    with pytest.raises(StoreError, match="no such file"):
        import_cases(tmp_path / "nope.jsonl")
    path = _write_jsonl(tmp_path / "c.jsonl", [{"id": "1", "narrative": "n"}])
    with pytest.raises(FieldError, match="double_share"):
        import_cases(path, double_share=1.5)


def test_two_annotators_never_hold_the_same_case(store):
    ids = [add_case(f"narrative {i}", source="t") for i in range(2)]
    alice, bob = next_case("alice"), next_case("bob")
    assert {alice.case_id, bob.case_id} == set(ids)
    assert next_case("carol") is None
    assert next_case("alice").case_id == alice.case_id  # her current lease comes back first


def test_expired_and_released_leases_return_to_the_queue(store):
    case_id = add_case("narrative", source="t")
    assert next_case("alice").case_id == case_id
    assert next_case("bob") is None
    past = utcnow() - timedelta(minutes=1)
    run_write(lambda s: s.execute(update(Case).values(lease_expires_at=past)))
    assert next_case("bob").case_id == case_id
    assert release_lease(case_id, "alice") is False
    assert release_lease(case_id, "bob") is True
    assert next_case("carol").case_id == case_id


def test_reviewed_and_skipped_cases_leave_the_annotators_queue(store):
    first, _ = case_with_prediction(external_id="one")
    second, _ = case_with_prediction(external_id="two")
    item = next_case("alice")
    assert item.case_id == first and item.prediction["raw"] == model_result()["raw"]
    save_review(first, "alice", "accept")
    assert next_case("alice").case_id == second
    save_review(second, "alice", "skip")
    assert next_case("alice") is None
    assert next_case("bob").case_id == second  # a skip leaves the case open for others


def test_double_annotation_share_goes_to_a_second_different_annotator(store, tmp_path):
    path = _write_jsonl(tmp_path / "c.jsonl", [{"id": "d1", "narrative": "n"}])
    assert import_cases(path, double_share=1.0).double_annotation == 1
    item = next_case("alice")
    assert not item.second_review
    save_prediction(item.case_id, model_result("n"))
    save_review(item.case_id, "alice", "reject")
    assert next_case("alice") is None
    second = next_case("bob")
    assert second.case_id == item.case_id and second.second_review
    save_review(item.case_id, "bob", "reject")
    assert next_case("carol") is None


def test_double_annotation_draw_is_stable_and_near_the_share():
    drawn = [needs_double_review("src", str(i), 0.1) for i in range(4000)]
    assert drawn == [needs_double_review("src", str(i), 0.1) for i in range(4000)]
    assert 0.08 < sum(drawn) / len(drawn) < 0.12
    assert not any(needs_double_review("src", str(i), 0.0) for i in range(100))


def test_concurrent_claims_hand_out_each_case_once(store):
    for i in range(5):
        add_case(f"n{i}", source="t")
    results, errors = [], []

    def claim(name):
        try:
            item = next_case(name)
            results.append(item.case_id if item else None)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(f"annotator{i}",)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    claimed = [r for r in results if r is not None]
    assert len(claimed) == 5 and len(set(claimed)) == 5


def test_add_case_rejects_duplicates_and_empty_narratives(store):
    add_case("n", source="web", external_id="x")
    with pytest.raises(ConflictError, match="already exists"):
        add_case("n", source="web", external_id="x")
    with pytest.raises(FieldError, match="narrative"):
        add_case("   ")
    with pytest.raises(StoreError, match="case_id 999"):
        get_case(999)


def test_annotator_is_required(store):
    with pytest.raises(FieldError, match="annotator"):
        next_case("  ")
