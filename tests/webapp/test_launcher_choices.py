"""Regressions from a user test of the Train & Evaluate tab (`thce serve` with logins): every listed model
evaluates (its folder, not its name, reaches `thce eval --model`), every listed config runs with its own
trainer (KTO configs with `thce train kto`), the preselected config is a first stage, and no server path
reaches the page (choices are names; job commands are relative to the repository root)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core import launcher
from core.paths import REPO_ROOT, TARGET_HUB_MODEL
from core.store import FieldError


@pytest.fixture
def reports_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_REPORTS_DIR", str(tmp_path / "reports"))
    return tmp_path / "reports"


def _model_arg(args: list[str]) -> str:
    return args[args.index("--model") + 1]


@pytest.mark.parametrize(("name", "folder"), [("thce-smol", "data/models/thce-smol"),
                                              ("thce-tiny", "data/models/thce-tiny")])
def test_a_shipped_model_is_passed_as_its_folder_that_thce_eval_resolves(reports_tmp, monkeypatch, name, folder):
    from core.inference.loading import resolve_model_ref

    assert name in launcher.eval_subjects()
    model = _model_arg(launcher.eval_args("synthetic:50:7", name, limit=5))
    assert model == folder  # relative to the repository root, where jobs run (core.jobs)
    monkeypatch.chdir(REPO_ROOT)
    assert Path(resolve_model_ref(model)) == (REPO_ROOT / folder).resolve()  # was: "model directory ... does not exist"


def test_every_listed_model_maps_to_a_folder_or_the_hub_id(tmp_path, reports_tmp, monkeypatch):
    """A fake repository with a shipped and a trained model: each listed name maps to its folder, relative to
    the repository root; the hub id stays as it is."""
    import core.catalog as catalog
    from core.inference.loading import resolve_model_ref

    models = tmp_path / "data" / "models"
    for marker in (models / "shipped" / "config.json", tmp_path / "data" / "runs" / "x" / "stage_1" /
                   "adapter_config.json"):
        marker.parent.mkdir(parents=True)
        marker.write_text("{}")
    monkeypatch.setattr(catalog, "MODELS_DIR", models)
    monkeypatch.setattr(catalog, "DEFAULT_MODEL_DIR", models / "shipped")
    monkeypatch.setattr(launcher, "REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    expected = {"shipped": "data/models/shipped", "runs/x/stage_1": "data/runs/x/stage_1",
                TARGET_HUB_MODEL: TARGET_HUB_MODEL}
    for name, arg in expected.items():
        model = _model_arg(launcher.eval_args("synthetic:50:7", name))
        assert model == arg
        assert resolve_model_ref(model) == (str(tmp_path / arg) if arg != TARGET_HUB_MODEL else arg)


def _expected_trainer(name: str) -> str:
    return "kto" if name.startswith("kto") else "dpo" if name.startswith("stage_3") else "sft"


def test_every_listed_config_launches_its_own_trainer():
    names = launcher.stage_configs()
    assert "kto_tiny.yaml" in names
    for name in names:
        kind, args = launcher.training_args(name)
        assert kind == launcher.config_trainer(name) == _expected_trainer(name), name
        assert args == ["train", kind, "--config", f"training/configs/{name}"]


@pytest.mark.parametrize("name", launcher.stage_configs())
def test_every_listed_config_parses_with_the_trainer_it_is_launched_with(name):
    """What `thce train KIND --config X` does first: TrlParser over training/config.py and the entry's TRL
    config; unknown keys are errors (kto_tiny.yaml under sft: "unknown key(s) ... ['beta', ...]")."""
    import trl

    from training.config import make_stage_parser, parse_settings

    kind, args = launcher.training_args(name)
    entry = importlib.import_module(f"training.{kind}").ENTRY
    parser = make_stage_parser(getattr(trl, entry.config))
    settings = parse_settings(parser, ["--config", str(REPO_ROOT / args[3]), "--use_cpu", "true"])
    assert settings.train.output_dir


@pytest.mark.parametrize("name", ["kto_tiny.yaml", "stage_1_tiny.yaml", "stage_3_tiny.yaml"])
def test_the_job_command_runs_the_trainers_entry_module(monkeypatch, name):
    from core.cli import app
    from core.commands import train

    ran = []
    monkeypatch.setattr(train, "run_entry", lambda module, argv: ran.append((module, argv)) or 0)
    monkeypatch.chdir(REPO_ROOT)  # where jobs run
    kind, args = launcher.training_args(name)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert ran == [(f"training.{_expected_trainer(name)}", ["--config", str(REPO_ROOT / "training/configs" / name)])]


def test_the_preselected_config_is_the_first_stage_on_cpu():
    assert launcher.default_config() == "stage_1_tiny.yaml"
    assert launcher.config_trainer(launcher.default_config()) == "sft"
    assert launcher.config_stage(launcher.default_config()) == "stage_1"


def test_review_store_exports_train_only_dpo_and_kto(store):
    with pytest.raises(FieldError, match="only a DPO stage"):
        launcher.launch_training("stage_1_tiny.yaml", use_review_pairs=True)
    with pytest.raises(FieldError, match="no review signals"):
        launcher.launch_training("kto_tiny.yaml", use_review_pairs=True)
    kind, args = launcher.training_args("kto_tiny.yaml", Path("/elsewhere/kto.jsonl"))
    assert kind == "kto" and args[-2:] == ["--train_file", "/elsewhere/kto.jsonl"]


def test_no_choice_in_the_page_is_a_server_path(tmp_path, reports_tmp, monkeypatch):
    gradio = pytest.importorskip("gradio")
    from webapp.train_tab import build_train_tab

    for split in ("dev", "train"):
        (tmp_path / "codiesp" / split).mkdir(parents=True)
    monkeypatch.setenv("THCE_CODIESP_DIR", str(tmp_path / "codiesp"))
    choices = [*launcher.stage_configs(), *launcher.eval_datasets(), *launcher.eval_subjects()]
    assert not [c for c in choices if Path(c).is_absolute() or str(REPO_ROOT) in c or str(tmp_path) in c]
    assert "data/examples/sample_stage_1.jsonl" in choices and "codiesp:dev" in choices
    with gradio.Blocks() as demo:
        build_train_tab()
    page = json.dumps(demo.get_config_file(), default=str)
    assert str(REPO_ROOT) not in page and str(tmp_path) not in page
    # the job (shown to administrators only) gets the path it needs
    assert launcher.eval_args("codiesp:dev", "baseline:bm25")[2] == f"codiesp:{tmp_path / 'codiesp' / 'dev'}"
    assert launcher.eval_args("data/examples/sample_stage_1.jsonl", "baseline:bm25")[2] == \
        "data/examples/sample_stage_1.jsonl"


def test_job_commands_and_report_lists_are_relative_to_the_repository(tmp_path, monkeypatch):
    from core.evaluation.runner import REPORT_SCHEMA
    from webapp import train_tab

    monkeypatch.setattr(launcher, "REPO_ROOT", tmp_path)
    monkeypatch.setenv("THCE_REPORTS_DIR", str(tmp_path / "data" / "reports"))
    monkeypatch.setenv("THCE_RUNS_DIR", str(tmp_path / "data" / "runs"))
    args = launcher.eval_args("synthetic:50:7", "baseline:bm25")
    assert args[args.index("--report") + 1].startswith("data/reports/")
    report = tmp_path / "data" / "reports" / "a.json"
    report.write_text(json.dumps({"schema": REPORT_SCHEMA}))
    assert train_tab.report_choices() == ["data/reports/a.json"]
    assert train_tab.listed_report("data/reports/a.json") == str(report)
    assert train_tab.listed_report("/etc/passwd") == "/etc/passwd"  # not listed: core.reports refuses it
    assert launcher.repo_relative("/elsewhere/x.json") == "/elsewhere/x.json"


def test_the_evaluation_model_preselected_is_the_apps_own():
    """Regression: the app served thce-tiny but the Evaluate panel preselected thce-smol."""
    from webapp.train_tab import _default_subject

    subjects = ["thce-smol", "thce-tiny", "baseline:bm25"]
    assert _default_subject(subjects, "data/models/thce-tiny") == "thce-tiny"
    assert _default_subject(subjects, None) == "thce-smol"
    assert _default_subject(subjects, "/elsewhere/my-model") == "thce-smol"


def test_a_second_launch_keeps_the_earlier_run_under_another_name(tmp_path):
    """`thce train` refuses to start afresh over an earlier run; a launch from the web app moves the earlier run
    aside (kept, renamed) so the same config can be trained again and the next stage still finds its input."""
    assert launcher.keep_previous_run("stage_1_tiny.yaml", root=tmp_path) is None  # nothing there yet
    run = tmp_path / "data" / "runs" / "thce-tiny" / "stage_1"
    (run / "checkpoint-2").mkdir(parents=True)
    (run / "training_summary.json").write_text("{}")
    kept = launcher.keep_previous_run("stage_1_tiny.yaml", root=tmp_path)
    assert kept.name.startswith("stage_1.previous-") and (kept / "training_summary.json").is_file()
    assert not run.exists()
