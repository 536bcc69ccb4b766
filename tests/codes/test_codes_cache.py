from __future__ import annotations

import json
import logging

import pytest

from core.codes.cache import cached_pickle, fingerprint
from core.codes.sources import load_procedure_table


def test_cached_pickle_builds_once(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"value": 42}

    assert cached_pickle("unit", build) == {"value": 42}
    assert cached_pickle("unit", build) == {"value": 42}
    assert len(calls) == 1


def test_corrupt_cache_file_is_rebuilt(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path))
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "broken.pkl").write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        assert cached_pickle("broken", lambda: [1, 2]) == [1, 2]
    assert "unreadable cache file" in caplog.text
    assert cached_pickle("broken", lambda: [3]) == [1, 2]  # the rebuilt value was stored


def test_unwritable_cache_still_works(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("THCE_CACHE_DIR", str(blocker / "cache"))  # a path under a file cannot be created
    assert cached_pickle("anything", lambda: "built") == "built"


def test_fingerprint_is_stable_and_sensitive():
    assert fingerprint(["a", "b"]) == fingerprint(["a", "b"])
    assert fingerprint(["a", "b"]) != fingerprint(["ab"])


def test_missing_curated_file_gives_empty_system(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        table = load_procedure_table("cpt", curated_file=tmp_path / "absent.json")
    assert table.records == {} and "missing" in caplog.text


def test_invalid_curated_file_names_the_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"codes": [\n{"code": "99214"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"codes\[0\]"):
        load_procedure_table("cpt", curated_file=bad)
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_procedure_table("cpt", curated_file=bad)


def test_procedure_table_is_cached_and_follows_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "hcpcs.json"
    entry = {"code": "J3420", "description": "B-12 shot", "category": "Drugs", "unit": "1000 mcg"}
    path.write_text(json.dumps({"codes": [entry]}), encoding="utf-8")
    first = load_procedure_table("hcpcs", curated_file=path)
    assert list(first.records) == ["J3420"] and first.units == {"J3420": "1000 mcg"}
    assert len(list((tmp_path / "cache" / "codes").glob("hcpcs-table-*.pkl"))) == 1
    entry["description"] = "Vitamin B-12 injection"
    path.write_text(json.dumps({"codes": [entry]}), encoding="utf-8")
    assert load_procedure_table("hcpcs", curated_file=path).records["J3420"].description == "Vitamin B-12 injection"


def test_missing_official_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_procedure_table("hcpcs", extra_file=tmp_path / "HCPC.txt", curated_file=tmp_path / "absent.json")
