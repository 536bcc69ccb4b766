import json

from core.datasets.build import build_dataset
from core.datasets.split import narrative_key, parse_ratios, split_dataset


def test_split_is_deterministic_and_keeps_narratives_together(tmp_path, no_candidates):
    source = tmp_path / "s3.jsonl"
    build_dataset("stage_3", "synthetic", source, count=300, seed=2, retriever=no_candidates)
    lines = source.read_text().splitlines()
    doubled = tmp_path / "doubled.jsonl"
    doubled.write_text("\n".join(lines + [lines[0], lines[1]]) + "\n")  # same narrative twice
    first = split_dataset(doubled, tmp_path / "a", (0.8, 0.1, 0.1), seed=3)
    again = split_dataset(doubled, tmp_path / "b", (0.8, 0.1, 0.1), seed=3)
    assert first["splits"] == again["splits"]
    assert (tmp_path / "a" / "train.jsonl").read_text() == (tmp_path / "b" / "train.jsonl").read_text()
    keys = {}
    for name in ("train", "val", "test"):
        for line in (tmp_path / "a" / f"{name}.jsonl").read_text().splitlines():
            keys.setdefault(narrative_key(json.loads(line)), set()).add(name)
    assert all(len(names) == 1 for names in keys.values())
    counts = {name: row["records"] for name, row in first["splits"].items()}
    assert sum(counts.values()) == 302 and 220 <= counts["train"] <= 260 and counts["val"] > 0 and counts["test"] > 0


def test_ratios_are_parsed_and_checked():
    assert parse_ratios("8,1,1") == (0.8, 0.1, 0.1)
    for bad in ("0.8,0.2", "a,b,c", "-1,1,1"):
        try:
            parse_ratios(bad)
        except ValueError as exc:
            assert "--ratios" in str(exc)
        else:
            raise AssertionError(bad)
