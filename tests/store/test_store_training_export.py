"""`thce annotations export --format dpo|kto|sft`: each checked against TRL's documented dataset types
(conversational preference, unpaired preference, language modeling; https://huggingface.co/docs/trl/dataset_formats)
with TRL's own helpers, and readable by the training entry points as is."""

from __future__ import annotations

import json

import pytest
from store_helpers import case_with_prediction, model_result
from typer.testing import CliRunner

from core.cli import app
from core.prompts import format_answer, parse_output
from core.store import add_case, export_preference_pairs, export_records, save_prediction, save_review
from training.data import COLUMNS, read_stage_records

TINY = "data/models/thce-tiny"
TRL_TYPES = {"dpo": {"prompt", "chosen", "rejected"}, "kto": {"prompt", "completion", "label"}, "sft": {"messages"}}


NARRATIVES = {name: f"Type 2 diabetes, glucose 32{i}." for i, name in enumerate("abcdef")}


def _reviews():
    """An accept, a reject, a correction, a draft, a discard and a skip (one case each, each its own narrative:
    identical prompts would be one training example)."""
    ids = [case_with_prediction(NARRATIVES[name], external_id=name)[0] for name in "abcdef"]
    save_review(ids[0], "alice", "accept")
    save_review(ids[1], "alice", "reject", notes="nonsense")
    save_review(ids[2], "bob", "correct", corrected_codes={"icd10cm": ["E11.65", "I10"], "cpt": ["99213"]})
    save_review(ids[3], "bob", "correct", corrected_codes={"icd10cm": ["I10"]}, status="draft")
    save_review(ids[4], "bob", None, status="discarded", discard_reason="not a note")
    save_review(ids[5], "alice", "skip")
    return ids


def test_kto_rows_label_accepts_true_and_rejections_and_corrections_false(store):
    _reviews()
    rows = export_records("kto")
    raw = model_result()["raw"]
    assert [(r["meta"]["decision"], r["meta"]["kind"], r["label"]) for r in rows] == [
        ("accept", "model", True), ("reject", "model", False), ("correct", "model", False),
        ("correct", "correction", True)]
    assert [r["completion"][0]["content"] for r in rows[:3]] == [raw, raw, raw]
    pair = export_records("dpo")[0]
    assert rows[3]["completion"] == pair["chosen"] and rows[2]["completion"] == pair["rejected"]
    assert [r["prompt"] for r in rows] == [model_result(NARRATIVES[name])["prompt"] for name in "abcc"]


def test_sft_rows_are_the_accepted_and_corrected_answers(store):
    _reviews()
    rows = export_records("sft")
    assert [r["meta"]["decision"] for r in rows] == ["accept", "correct"]
    assert rows[0]["messages"][-1] == {"role": "assistant", "content": model_result()["raw"]}
    assert rows[1]["messages"][-1]["content"] == export_records("dpo")[0]["chosen"][0]["content"]
    assert rows[1]["codes"] == {"icd10cm": ["E11.65", "I10"], "cpt": ["99213"], "hcpcs": []}


def test_an_accept_of_an_answer_the_rules_edited_teaches_only_the_accepted_codes(store):
    narrative = "Acute bronchitis with a productive cough. Chest x-ray, two views."
    reasoning = '"acute bronchitis" -> J20.9; J03.90.\n"R " -> K35.80.\n"Chest x-ray, two views" -> 71046.'
    raw = format_answer(reasoning, {"icd10cm": ["J20.9", "J03.90", "K35.80"], "cpt": ["71046"]})
    final = {"icd10cm": ["J20.9"], "cpt": ["71046"], "hcpcs": []}  # what the decision rule and the rules kept
    case_id = add_case(narrative, source="test")
    save_prediction(case_id, {**model_result(narrative), "codes": final, "reasoning": reasoning, "raw": raw})
    save_review(case_id, "alice", "accept")
    (row,) = export_records("kto")
    answer = row["completion"][0]["content"]
    assert row["label"] is True and parse_output(answer).codes == final
    assert "K35.80" not in answer and "J03.90" not in answer  # no reasoning line for a code not accepted
    assert '"Acute bronchitis" -> J20.9.' in answer and '"Chest x-ray, two views" -> 71046.' in answer


@pytest.mark.parametrize("kind", ["dpo", "kto", "sft"])
def test_exports_match_trls_documented_types(store, tmp_path, kind):
    from transformers import AutoTokenizer
    from trl.data_utils import apply_chat_template, is_conversational

    _reviews()
    path = tmp_path / f"{kind}.jsonl"
    assert export_preference_pairs(path, format=kind) > 0
    records = read_stage_records(path, kind)  # what `thce train <kind>` reads: the TRL columns, unchanged
    assert set(COLUMNS[kind]) == TRL_TYPES[kind]
    raw = [json.loads(line) for line in path.read_text().splitlines()]
    assert [{k: r[k] for k in TRL_TYPES[kind]} for r in raw] == records
    tokenizer = AutoTokenizer.from_pretrained(TINY)
    for record in records:
        assert set(record) == TRL_TYPES[kind] and is_conversational(record)
        rendered = apply_chat_template(record, tokenizer)  # KeyError for a key set TRL does not document
        assert set(rendered) == ({"text"} if kind == "sft" else TRL_TYPES[kind] - {"messages"})
    if kind == "kto":
        assert all(isinstance(r["label"], bool) for r in records)


def test_trls_unpairing_of_the_dpo_pairs_gives_our_correction_rows(store):
    from datasets import Dataset
    from trl.data_utils import unpair_preference_dataset

    _reviews()
    pairs = [{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in export_records("dpo")]
    unpaired = unpair_preference_dataset(Dataset.from_list(pairs)).to_list()
    ours = [{k: r[k] for k in ("prompt", "completion", "label")} for r in export_records("kto")
            if r["meta"]["decision"] == "correct"]
    key = lambda r: r["label"]  # noqa: E731
    assert sorted(unpaired, key=key) == sorted(ours, key=key)


def test_cli_exports_every_format_and_shows_status_stats(store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store)
    _reviews()
    runner = CliRunner()
    for kind, count, what in (("dpo", 1, "preference pairs"), ("kto", 4, "KTO rows"), ("sft", 2, "SFT conversations")):
        out = tmp_path / f"{kind}.jsonl"
        result = runner.invoke(app, ["annotations", "export", "--format", kind, "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert f"wrote {count} {what}" in result.output
    result = runner.invoke(app, ["annotations", "stats", "--json"])
    data = json.loads(result.output)
    assert data["by_status"] == {"draft": 1, "submitted": 3, "discarded": 1, "skipped": 1}
    assert data["by_annotator"]["bob"]["discarded"] == 1 and "by_system" in data["agreement"]
    result = runner.invoke(app, ["annotations", "distribute", "--min-submitted", "2"])
    assert result.exit_code == 0 and "6 case(s) now need 2" in result.output


def test_double_annotated_cases_export_once_and_pass_the_training_data_checks(store, tmp_path, caplog):
    """Regression: with min_submitted 2 each annotator's review became its own row, so `thce train sft|dpo`
    refused the export (duplicate of line 1; same input with a different answer) and the KTO export held one
    answer labelled both true and false."""
    from core.datasets.stage_checks import check_dataset
    from core.store import set_min_submitted

    fix = {"icd10cm": ["E11.65", "I10"], "cpt": ["99213"]}
    agreed, split, mixed = (case_with_prediction(NARRATIVES[n], external_id=n)[0] for n in "abc")
    set_min_submitted(2, case_ids=[agreed, split, mixed])
    for annotator in ("alice", "bob"):
        save_review(agreed, annotator, "correct", corrected_codes=fix)  # the same correction twice
    save_review(split, "alice", "correct", corrected_codes=fix)  # two different corrections
    save_review(split, "bob", "correct", corrected_codes={"icd10cm": ["E11.9"]})
    save_review(mixed, "alice", "accept")  # the model's answer accepted by one, rejected by the other
    save_review(mixed, "bob", "reject")
    stages = {"dpo": "stage_3", "sft": "stage_2"}
    with caplog.at_level("WARNING"):
        for kind in ("dpo", "sft", "kto"):
            export_preference_pairs(tmp_path / f"{kind}.jsonl", format=kind)
    for kind, stage in stages.items():
        report = check_dataset(tmp_path / f"{kind}.jsonl", stage)
        assert report.ok, (kind, report.errors)
    dpo = [json.loads(line) for line in (tmp_path / "dpo.jsonl").read_text().splitlines()]
    assert len(dpo) == 3 and dpo[0]["meta"]["annotators"] == ["alice", "bob"]  # agreed once, split's two pairs
    sft = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert [r["meta"]["case_id"] for r in sft] == ["a"]  # split and mixed disagree: left out until adjudicated
    kto = [json.loads(line) for line in (tmp_path / "kto.jsonl").read_text().splitlines()]
    answers = {}
    for row in kto:
        key = json.dumps([row["prompt"], row["completion"]])
        assert answers.setdefault(key, row["label"]) == row["label"]  # never one answer with both labels
        assert key not in [json.dumps([r["prompt"], r["completion"]]) for r in kto if r is not row]
    assert "annotators disagree" in caplog.text


def test_exports_are_readable_by_their_owner_only(store, tmp_path):
    """Exports hold narratives: owner-only whatever the umask (documented in docs/ANNOTATION.md, Export)."""
    import stat

    _reviews()
    for kind in ("dpo", "kto", "sft"):
        export_preference_pairs(tmp_path / f"{kind}.jsonl", format=kind)
        assert stat.S_IMODE((tmp_path / f"{kind}.jsonl").stat().st_mode) == 0o600


@pytest.mark.parametrize("raw", ['{"', '{"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}', "<think>\nE11.9"])
def test_an_accept_of_a_malformed_raw_answer_exports_a_well_formed_one(store, raw, tmp_path):
    """Regression: an accept of an answer whose raw output had no <think> block, or was cut off (thce-tiny's '{"'),
    was exported as that raw text: a KTO row labelled desirable (and an SFT row the stage-2 check refuses) that
    teaches the broken format. The accept stands for the prediction's codes: the answer is rebuilt for them."""
    from core.datasets.stage_checks import check_dataset
    from core.evaluation.quality import think_format_ok

    narrative = "Type 2 diabetes without complications, on metformin."
    codes = {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}
    case_id = add_case(narrative, source="test")
    save_prediction(case_id, {**model_result(narrative), "codes": codes, "reasoning": "", "raw": raw})
    save_review(case_id, "alice", "accept")
    (kto,) = export_records("kto")
    (sft,) = export_records("sft")
    for answer in (kto["completion"][0]["content"], sft["messages"][-1]["content"]):
        assert think_format_ok(answer) and parse_output(answer).codes == codes
    assert kto["label"] is True
    export_preference_pairs(tmp_path / "sft.jsonl", format="sft")
    report = check_dataset(tmp_path / "sft.jsonl", "stage_2")
    assert report.ok, report.errors


@pytest.mark.parametrize("second", ["reject", "correct"])
def test_an_answer_accepted_by_one_annotator_and_judged_wrong_by_another_is_no_kto_row(store, second):
    """Regression: when the raw output differs from the answer an accept exports (cut off, as thce-tiny's '{"', or
    edited by the coding rules), one annotator's accept exported the model's answer as `label: true` (rebuilt) and
    the other's reject or correction the same answer as `label: false` (raw): a disagreement trained both ways
    instead of being left out until adjudicated, as it is when the raw output is well formed."""
    from core.store import set_min_submitted

    narrative = "Type 2 diabetes without complications, on metformin."
    codes = {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}
    case_id = add_case(narrative, source="test")
    save_prediction(case_id, {**model_result(narrative), "codes": codes, "reasoning": "", "raw": '{"'})
    set_min_submitted(2, case_ids=[case_id])
    save_review(case_id, "alice", "accept")
    fix = {"icd10cm": ["E11.9", "I10"]} if second == "correct" else None
    save_review(case_id, "bob", second, corrected_codes=fix)
    rows = export_records("kto")
    assert [(r["meta"]["kind"], r["label"]) for r in rows if r["meta"]["kind"] == "model"] == []
    assert [r["meta"]["kind"] for r in rows] == (["correction"] if second == "correct" else [])
