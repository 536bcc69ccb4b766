import json

import pytest

from core.datasets.build import build_dataset
from core.datasets.stage_checks import check_dataset


@pytest.fixture(scope="module")
def stage_files(tmp_path_factory):
    from core.datasets.candidates import NoCandidates

    folder = tmp_path_factory.mktemp("stages")
    paths = {}
    for stage, count in (("stage_1", 150), ("stage_2", 150), ("stage_3", 150)):
        paths[stage] = folder / f"{stage}.jsonl"
        build_dataset(stage, "synthetic", paths[stage], count=count, seed=5, retriever=NoCandidates())
    return paths


@pytest.mark.parametrize("stage", ["stage_1", "stage_2", "stage_3"])
def test_built_files_pass(stage_files, stage):
    report = check_dataset(stage_files[stage], stage)
    assert report.ok, report.errors[:5]
    assert report.records == 150
    assert set(report.stats["systems"]) == {"icd10cm", "cpt", "hcpcs"}


def _by_line(report):
    messages = {}
    for line, message in report.errors:
        messages[line] = messages.get(line, "") + message + " | "
    return messages


def _corrupt(source, target, edits):
    lines = source.read_text().splitlines()
    for index, edit in edits.items():
        lines[index] = edit(lines[index])
    target.write_text("\n".join(lines) + "\n")


def _set_code(line):
    record = json.loads(line)
    record["codes"]["icd10cm"][0] = "E11.6"
    return json.dumps(record)


def _drop_close_tag(line):
    record = json.loads(line)
    record["messages"][2]["content"] = record["messages"][2]["content"].replace("</think>", "")
    return json.dumps(record)


def _change_answer(line):
    record = json.loads(line)
    record["messages"][2]["content"] = record["messages"][2]["content"].replace('"icd10cm": ["', '"icd10cm": ["I10", "')
    return json.dumps(record)


def test_corrupted_file_fails_with_line_numbers(stage_files, tmp_path):
    bad = tmp_path / "bad.jsonl"
    _corrupt(stage_files["stage_2"], bad, {2: lambda line: line[:40], 5: _set_code, 9: _drop_close_tag,
                                           11: _change_answer, 14: lambda line: json.dumps({"id": 3})})
    report = check_dataset(bad, "stage_2")
    messages = _by_line(report)
    assert not report.ok and {3, 6, 10, 12, 15} <= set(messages)
    assert messages[3].startswith("invalid JSON")
    assert "E11.6" in messages[6]
    assert "unbalanced think tags" in messages[10]
    assert "differ from the record's codes" in messages[12]
    assert "'id' must be a string, got int" in messages[15] and "'messages' is required" in messages[15]


def test_duplicates_and_contradictions_are_errors(stage_files, tmp_path):
    lines = stage_files["stage_2"].read_text().splitlines()[:10]
    twin = json.loads(lines[0])
    twin["id"] = "other"
    twin["messages"][2]["content"] = twin["messages"][2]["content"].replace("<think>\n", "<think>\nExtra. ")
    path = tmp_path / "dups.jsonl"
    path.write_text("\n".join(lines + [lines[3], json.dumps(twin)]) + "\n")
    messages = _by_line(check_dataset(path, "stage_2"))
    assert "duplicate of line 4" in messages[11]
    assert "same input as line 1 with a different answer" in messages[12]


def test_stage_3_rejected_must_differ_and_text_answers_carry_no_codes(stage_files, tmp_path):
    pair = json.loads(stage_files["stage_3"].read_text().splitlines()[0])
    pair["rejected"] = pair["chosen"]
    path = tmp_path / "s3.jsonl"
    path.write_text(json.dumps(pair) + "\n")
    assert "rejected answer equals the chosen answer" in _by_line(check_dataset(path, "stage_3"))[1]
    text = next(json.loads(x) for x in stage_files["stage_1"].read_text().splitlines()
                if json.loads(x)["meta"]["answer_format"] == "text")
    text["codes"]["icd10cm"] = ["I10"]
    path.write_text(json.dumps(text) + "\n")
    assert "text answer" in _by_line(check_dataset(path, "stage_1"))[1]


def test_wrong_stage_is_reported_not_raised(stage_files):
    report = check_dataset(stage_files["stage_3"], "stage_2")
    assert not report.ok and report.errors[0][1].startswith("'messages'")


def test_a_review_pairs_rejected_answer_is_the_models_raw_output_whatever_its_form(stage_files, tmp_path):
    """Regression: a DPO pair exported from the review store (`source: "review"`) has the model's raw output as its
    rejected answer; one cut off at max_new_tokens (or otherwise malformed, e.g. thce-tiny's '{"') failed the
    stage_3 gate ('rejected: unbalanced think tags', 'rejected answer not parseable'), so `thce train dpo`
    refused the export although the docs say it trains as is. A built pair's rejected answer is still checked."""
    pair = json.loads(stage_files["stage_3"].read_text().splitlines()[0])
    truncated = '<think>\n"chest pain" -> R07.9.\n"chest pain" -> R07'
    built = {**pair, "rejected": [{"role": "assistant", "content": truncated}]}
    review = {**built, "id": "review-7", "source": "review",
              "meta": {"review_id": 7, "annotator": "alice", "model_id": "thce-tiny", "case_id": "c7"}}
    path = tmp_path / "s3.jsonl"
    path.write_text(json.dumps(review) + "\n")
    report = check_dataset(path, "stage_3")
    assert report.ok, report.errors
    path.write_text(json.dumps(built) + "\n")
    assert "rejected answer not parseable" in _by_line(check_dataset(path, "stage_3"))[1]


def test_reasoning_p95_of_a_small_file_is_not_below_its_mean(stage_files, tmp_path):
    """Regression: p95 was words[int(0.95 * (n - 1))], the smallest value for two records, so `thce data check`
    printed e.g. 'reasoning words mean 5.5 p95 3 max 8'."""
    lines = stage_files["stage_2"].read_text().splitlines()
    path = tmp_path / "two.jsonl"
    for first in range(len(lines) - 1):
        path.write_text(lines[first] + "\n" + lines[first + 1] + "\n")
        words = check_dataset(path, "stage_2").stats["reasoning_words"]
        if words["max"] > words["mean"]:
            break
    assert words["max"] > words["mean"] and words["p95"] == words["max"]
