import json

import pytest

from training.data import DataError, read_stage_records

PROMPT = [{"role": "system", "content": "s"}, {"role": "user", "content": "Narrative:\nx"}]


def _write(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def test_sft_records_keep_only_messages(sample_files):
    records = read_stage_records(sample_files["stage_2"], "sft", limit=3)
    assert len(records) == 3 and all(set(r) == {"messages"} for r in records)


def test_dpo_pairs_as_exported_train_without_reformatting(tmp_path):
    pair = {"id": "r1", "prompt": PROMPT, "chosen": [{"role": "assistant", "content": "good"}],
            "rejected": [{"role": "assistant", "content": "bad"}], "source": "review", "meta": {"annotator": "a"}}
    records = read_stage_records(_write(tmp_path / "pairs.jsonl", [pair]), "dpo")
    assert records == [{"prompt": PROMPT, "chosen": pair["chosen"], "rejected": pair["rejected"]}]


@pytest.mark.parametrize(("line", "kind", "expected"), [
    ("{not json", "sft", "line 2: invalid JSON"),
    ({"messages": PROMPT}, "sft", "last message of 'messages' must have role 'assistant'"),
    ({"prompt": PROMPT, "chosen": []}, "dpo", "missing field(s) ['rejected']"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "sft", "messages[0] needs a role"),
    ({"messages": PROMPT + [{"role": "assistant", "content": " "}]}, "sft", "messages[2].content"),
    ({"messages": []}, "sft", "field 'messages' must be a non-empty list of messages"),
    ({"prompt": PROMPT + [{"role": "assistant", "content": "a"}], "chosen": [], "rejected": []}, "dpo",
     "the last message of 'prompt' must have role 'user'"),
    (["a list"], "sft", "line 2: expected a JSON object"),
])
def test_bad_records_name_file_line_and_field(tmp_path, line, kind, expected):
    answer = [{"role": "assistant", "content": "a"}]
    good = {"messages": PROMPT + answer} if kind == "sft" else {"prompt": PROMPT, "chosen": answer, "rejected": answer}
    path = _write(tmp_path / "bad.jsonl", [good, line])
    with pytest.raises(DataError) as info:
        read_stage_records(path, kind)
    assert "bad.jsonl" in str(info.value) and expected in str(info.value)


def test_a_stage_1_file_is_not_a_dpo_file(sample_files):
    with pytest.raises(DataError, match="must be stage_3"):
        read_stage_records(sample_files["stage_1"], "dpo")
