"""Regressions of `thce annotations`: a mistyped SQLite URL is refused by the commands that do not create a
store (no new empty database), export outputs of the wrong kind are one-line errors that leave the existing
output whole, and the stats tables read at 80 columns."""

from __future__ import annotations

import json

import pytest
from store_helpers import case_with_prediction
from typer.testing import CliRunner

from core.cli import app
from core.store import StoreError, export_preference_pairs, init_db, reset_engine, save_review

runner = CliRunner()


@pytest.fixture(autouse=True)
def _forget_cli_engine():
    yield
    reset_engine()


@pytest.mark.parametrize("args", [["stats"], ["stats", "--json"], ["export", "-o", "{tmp}/p.jsonl"],
                                  ["export", "-f", "hf", "-o", "{tmp}/hf"], ["distribute", "--min-submitted", "2"],
                                  ["refresh-queue"]])
def test_commands_that_do_not_import_refuse_a_missing_sqlite_file(tmp_path, args, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["annotations", "--database-url", f"sqlite:///{missing}", *args])
    assert result.exit_code == 1, result.output
    assert f"no database at {missing}" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nonexistent").exists()  # no folder, no database made
    assert not (tmp_path / "p.jsonl").exists()


def test_the_env_url_is_refused_the_same_way(tmp_path):
    typo = tmp_path / "typo.db"
    result = runner.invoke(app, ["annotations", "export", "-o", str(tmp_path / "p.jsonl")],
                           env={"DATABASE_URL": f"sqlite:///{typo}"})
    assert result.exit_code == 1 and f"no database at {typo}" in result.stderr
    assert "wrote" not in result.output and not typo.exists()


def test_import_still_creates_the_database_and_read_commands_then_open_it(tmp_path):
    db = tmp_path / "new" / "thce.db"
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "a", "narrative": "Diabetes visit."}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["annotations", "import", str(cases), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert db.is_file()
    reset_engine()
    result = runner.invoke(app, ["annotations", "stats", "--json"], env=env)
    assert result.exit_code == 0 and json.loads(result.stdout)["cases"]["total"] == 1


def test_init_db_create_false_refuses_only_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="no database at"):
        init_db(f"sqlite:///{tmp_path / 'absent.db'}", create=False)
    assert not (tmp_path / "absent.db").exists()
    init_db(f"sqlite:///{tmp_path / 'there.db'}")
    reset_engine()
    init_db(f"sqlite:///{tmp_path / 'there.db'}", create=False)  # an existing file opens
    reset_engine()
    init_db("sqlite://", create=False)  # in memory: nothing to mistype


def _one_pair():
    case_id, _ = case_with_prediction(external_id="a")
    save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]})


def _export_refused(store, format: str, output) -> str:
    """`thce annotations export -f FORMAT -o OUTPUT` refused: exit 1, no traceback, one line on stderr (returned)."""
    result = runner.invoke(app, ["annotations", "export", "-f", format, "-o", str(output)], env={"DATABASE_URL": store})
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_jsonl_export_to_a_folder_is_a_clear_error(store, tmp_path):
    _one_pair()
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with pytest.raises(StoreError, match="is a folder"):
        export_preference_pairs(folder, format="dpo")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert f"Error: output {folder} is a folder" in _export_refused(store, "dpo", folder)


def test_hf_export_to_a_file_or_a_foreign_folder_is_a_clear_error(store, tmp_path):
    _one_pair()
    existing = tmp_path / "pairs.jsonl"
    existing.write_text("precious\n")
    assert f"Error: output {existing} is a file" in _export_refused(store, "hf", existing)
    assert existing.read_text() == "precious\n"
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    with pytest.raises(StoreError, match="not an earlier hf export"):
        export_preference_pairs(foreign, format="hf")
    assert [p.name for p in foreign.iterdir()] == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file or folder left


def test_hf_export_replaces_an_earlier_export_whole(store, tmp_path):
    from datasets import load_from_disk

    _one_pair()
    out = tmp_path / "hf"
    assert export_preference_pairs(out, format="hf") == 1
    case_id, _ = case_with_prediction(external_id="b")
    save_review(case_id, "bob", "correct", corrected_codes={"icd10cm": ["I10"]})
    assert export_preference_pairs(out, format="hf") == 2
    assert len(load_from_disk(str(out))) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hf.")]  # no temporary folder left


def test_a_failed_hf_write_keeps_the_earlier_export(store, tmp_path, monkeypatch):
    from datasets import Dataset, load_from_disk

    _one_pair()
    out = tmp_path / "hf"
    export_preference_pairs(out, format="hf")

    def broken(self, path, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Dataset, "save_to_disk", broken)
    with pytest.raises(StoreError, match="cannot write .*No space left on device"):
        export_preference_pairs(out, format="hf")
    assert len(load_from_disk(str(out))) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hf.")]


def test_stats_tables_read_at_80_columns(store, tmp_path):
    _one_pair()
    result = runner.invoke(app, ["annotations", "stats"], env={"DATABASE_URL": store, "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout  # no header or number cut short
    header_words = {word for line in lines for word in line.replace("┃", " ").split()}
    for header in ("annotator", "draft", "submitted", "discarded", "skipped", "total", "accept", "correct",
                   "reject", "skip", "s/review", "per"):
        assert header in header_words, header
    assert any("alice" in line for line in lines)
