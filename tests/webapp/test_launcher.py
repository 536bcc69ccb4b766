"""core.launcher (what the UI may launch, and who), core.reports (finding and reading reports) and
webapp.report_views (showing them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import launcher
from core import reports as core_reports
from core.evaluation import run_eval
from core.paths import REPO_ROOT, TRAINING_CONFIG_DIR
from core.store import FieldError
from webapp import report_views


@pytest.mark.parametrize(("allow", "admins", "user", "is_admin", "allowed", "reason"), [
    ("1", "", "local", True, True, "THCE_ALLOW_JOBS=1"),
    ("1", "bob", "alice", False, False, "only administrators"),  # jobs enabled, but alice is an annotator
    ("", "alice, Bob", "bob", True, True, "administrator"),
    ("", "alice", "mallory", False, False, "only administrators"),
    ("", "alice", None, False, False, "only administrators"),
    ("", "", "local", True, False, "THCE_ALLOW_JOBS=1"),  # the open app's local admin needs --allow-jobs
    ("yes", "", "local", True, False, "THCE_ALLOW_JOBS=1"),
])
def test_jobs_allowed(monkeypatch, allow, admins, user, is_admin, allowed, reason):
    monkeypatch.setenv("THCE_ALLOW_JOBS", allow)
    monkeypatch.setenv("THCE_ADMINS", admins)
    ok, why = launcher.jobs_allowed(user, is_admin)
    assert ok is allowed and reason in why


def test_stage_configs_are_the_yaml_files_of_the_config_dir():
    names = launcher.stage_configs()
    assert "stage_1_tiny.yaml" in names and "stage_3.yaml" in names
    assert all((TRAINING_CONFIG_DIR / n).is_file() for n in names)
    assert not any("/" in n for n in names)  # sub-folders (accelerate/) are not stage configs


def test_training_args_pick_sft_or_dpo_from_the_config_stage():
    kind, args = launcher.training_args("stage_1_tiny.yaml")
    assert (kind, args[:3]) == ("sft", ["train", "sft", "--config"])
    assert args[3] == "training/configs/stage_1_tiny.yaml"  # jobs run in the repository root
    assert REPO_ROOT / args[3] == TRAINING_CONFIG_DIR / "stage_1_tiny.yaml"
    kind, args = launcher.training_args("stage_3_tiny.yaml", Path("/tmp/pairs.jsonl"))
    assert kind == "dpo" and args[-2:] == ["--train_file", "/tmp/pairs.jsonl"]
    with pytest.raises(FieldError, match="only a DPO stage"):
        launcher.training_args("stage_2_tiny.yaml", Path("/tmp/pairs.jsonl"))


@pytest.mark.parametrize("name", ["../../pyproject.toml", "/etc/passwd", "accelerate/ddp.yaml", "nope.yaml"])
def test_training_args_refuse_anything_but_a_listed_config(name):
    with pytest.raises(FieldError, match="config must be one of") as err:
        launcher.training_args(name)
    assert err.value.field == "config"


def test_export_review_pairs_refuses_an_empty_store(store):
    with pytest.raises(FieldError, match="no reviewed preference pairs"):
        launcher.export_review_pairs()


def test_eval_datasets_offer_codiesp_train_and_dev_but_never_test(monkeypatch, tmp_path):
    for split in ("train", "dev", "test"):
        (tmp_path / split).mkdir()
    monkeypatch.setenv("THCE_CODIESP_DIR", str(tmp_path))
    monkeypatch.setenv("THCE_REPORTS_DIR", str(tmp_path / "reports"))
    datasets = launcher.eval_datasets()
    assert "codiesp:dev" in datasets and "codiesp:train" in datasets  # by name: no server path in the page
    assert launcher.eval_args("codiesp:dev", "baseline:bm25")[2] == f"codiesp:{tmp_path / 'dev'}"
    assert not any(d.endswith("test") for d in datasets)
    assert "synthetic:50:7" in datasets
    assert "data/examples/sample_stage_2.jsonl" in datasets
    monkeypatch.delenv("THCE_CODIESP_DIR")
    assert not any(d.startswith("codiesp:") for d in launcher.eval_datasets())


def test_eval_args_build_a_report_path_and_refuse_unlisted_values(monkeypatch, tmp_path):
    monkeypatch.setenv("THCE_REPORTS_DIR", str(tmp_path))
    args = launcher.eval_args("synthetic:50:7", "baseline:bm25", limit=10)
    assert args[:5] == ["eval", "--dataset", "synthetic:50:7", "--baseline", "bm25"]
    report = Path(args[args.index("--report") + 1])
    assert report.parent == tmp_path and report.name.endswith("-bm25-synthetic-50-7.json")
    assert args[-2:] == ["--limit", "10"]
    with pytest.raises(FieldError, match="dataset must be one of"):
        launcher.eval_args("/etc/passwd", "baseline:bm25")
    with pytest.raises(FieldError, match="model must be one of"):
        launcher.eval_args("synthetic:50:7", "evil/model")
    with pytest.raises(FieldError, match="limit"):
        launcher.eval_args("synthetic:50:7", "baseline:bm25", limit=0)


def test_log_progress_reads_the_last_tqdm_bar_or_step_counter():
    assert launcher.log_progress("") is None
    assert launcher.log_progress("loading\npredicting:  40%|████ | 2/5\npredicting:  80%|████ | 4/5") == 0.8
    assert launcher.log_progress("10%|█ | 1/10\n{'loss': 1.2} step 30/40") == 0.75


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Two real reports (different datasets) and decoy JSON files that are not reports."""
    folder = tmp_path_factory.mktemp("reports")
    run_eval("synthetic:12:1", baseline="majority_code", report_path=folder / "a.json", n_resamples=20)
    run_eval("synthetic:12:2", baseline="frequency_topk", report_path=folder / "runs" / "b.json", n_resamples=20)
    (folder / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"]}))
    (folder / "broken.json").write_text("{not json")
    return folder


def test_list_reports_finds_only_reports(reports):
    found = core_reports.list_reports([reports, reports / "missing"])
    assert sorted(Path(p).name for p in found) == ["a.json", "b.json"]


def test_open_report_reads_only_listed_reports(reports):
    report, png = core_reports.open_report(str(reports / "a.json"), [reports])
    assert report["baseline"] == "majority_code" and png == reports / "a.png"
    with pytest.raises(ValueError, match="listed reports"):
        core_reports.compare_listed_reports(str(reports / "a.json"), str(reports / "broken.json"), [reports])


def test_load_report_view_gives_summary_rows_and_png(reports):
    summary, rows, png = report_views.load_report_view(str(reports / "a.json"), [reports])
    assert "majority_code" in summary and "synthetic:12:1" in summary
    assert rows[0][0] == "overall" and len(rows[0]) == len(report_views.METRICS_HEADERS)
    assert png == reports / "a.png"
    with pytest.raises(ValueError, match="listed reports"):
        report_views.load_report_view(str(reports / "config.json"), [reports])


def test_comparison_view_warns_about_different_datasets(reports):
    text, rows = report_views.comparison_view(str(reports / "a.json"), str(reports / "runs" / "b.json"), [reports])
    assert "majority_code" in text and "frequency_topk" in text and "different datasets" in text
    assert rows[0][:2] == ["overall", "micro_precision"]
    assert all(len(r) == len(report_views.COMPARE_HEADERS) for r in rows)
    same_text, same_rows = report_views.comparison_view(str(reports / "a.json"), str(reports / "a.json"), [reports])
    assert "different datasets" not in same_text and all(r[4] in (0.0, "") for r in same_rows)


def test_export_review_pairs_writes_the_corrections(store):
    from core import review_workflow as review
    from tests.webapp.helpers import NARRATIVE, FakeCoder

    case_id, _ = review.queue_for_review(NARRATIVE, "alice", FakeCoder())
    review.submit_review(case_id, "alice", "correct", "E11.9")
    path = launcher.export_review_pairs()
    assert path.parent.name == "inputs" and len(path.read_text().splitlines()) == 1
    kind, args = launcher.training_args("stage_3_tiny.yaml", path)
    assert kind == "dpo" and args[-1] == str(path)
