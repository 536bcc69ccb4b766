"""`thce train pipeline`: a step run without what it needs is refused at once with one line naming what is
missing and the step that makes it (nothing measured, trained or lost first); its help lists only real options."""

import re
import subprocess
import sys

import pytest

import training.pipeline_budget
from core.paths import REPO_ROOT
from training.pipeline import STEPS, main, make_parser


def _run(tmp_path, steps):
    return main(["--preset", "tiny", "--steps", steps, "--work-dir", str(tmp_path / "w"),
                 "--output-dir", str(tmp_path / "m")])


@pytest.fixture
def no_measuring(monkeypatch):
    """A step that starts measuring throughput before checking its inputs fails the test."""
    def measure(*args, **kwargs):
        raise AssertionError("measured throughput before checking the step's inputs")

    monkeypatch.setattr(training.pipeline_budget, "choose_threads", measure)
    monkeypatch.setattr(training.pipeline_budget, "measure_throughput", measure)


@pytest.mark.parametrize(("steps", "missing", "maker"), [
    ("card", "the data step's record", "data"),
    ("calibrate", "the exported model", "export"),
    ("eval", "the exported model", "export"),
    ("ablation", "the exported model", "export"),
    ("export", "a trained stage", "stage_1 or stage_2 or stage_3"),
    ("tokenizer", "stage_1.jsonl", "data"),
    ("stage_1", "stage_1.jsonl", "data"),
    ("stage_3", "stage_3.jsonl", "data"),
    ("data,calibrate", "the exported model", "export"),
    ("stage_1,stage_2", "stage_1.jsonl", "data"),
])
def test_a_step_without_its_inputs_is_one_line_naming_them(tmp_path, capsys, no_measuring, steps, missing, maker):
    assert _run(tmp_path, steps) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: step ")
    assert missing in err and f"which the {maker} step makes" in err
    assert "pipeline done" not in out and "Traceback" not in err


def test_the_inputs_an_earlier_step_makes_are_expected(tmp_path, capsys, no_measuring):
    from training.pipeline import PRESETS, TrainingPipeline
    from training.pipeline_needs import check_steps

    args = make_parser().parse_args(["--work-dir", str(tmp_path / "w"), "--output-dir", str(tmp_path / "m")])
    pipeline = TrainingPipeline(args, PRESETS["tiny"])
    assert check_steps(pipeline, list(STEPS)) is None
    (tmp_path / "w" / "data").mkdir(parents=True)
    for stage in ("stage_1", "stage_2", "stage_3"):
        (tmp_path / "w" / "data" / f"{stage}.jsonl").write_text("{}\n")
    assert "stage_1's trained model" in check_steps(pipeline, ["tokenizer", "stage_2"])
    assert check_steps(pipeline, ["tokenizer", "stage_1", "stage_2"]) is None


def test_a_refused_run_keeps_the_earlier_runs_state(tmp_path, capsys):
    state = tmp_path / "w" / "pipeline_state.json"
    state.parent.mkdir()
    state.write_text('{"data": {"sources": {}}}')
    assert _run(tmp_path, "data,calibrate") == 1
    assert state.read_text() == '{"data": {"sources": {}}}'


def test_an_empty_step_list_is_refused(tmp_path, capsys):
    assert _run(tmp_path, "") == 2
    out, err = capsys.readouterr()
    assert "--steps names no step" in err and "pipeline done" not in out
    assert _run(tmp_path, " , ") == 2


def _options(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", text))


def test_the_pipeline_help_lists_only_real_options():
    real = {option for action in make_parser()._actions for option in action.option_strings}
    from core.commands.train import pipeline

    assert _options(pipeline.__doc__) <= real | {"--help-pipeline"}
    shown = subprocess.run([sys.executable, "-m", "core.cli", "train", "pipeline", "--help"], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert _options(shown.stdout) == real - {"-h"}  # the parser's own help: every option, nothing else
    assert "--max-steps-scale" not in shown.stdout and "--skip-eval" not in shown.stdout


def test_pipeline_options_are_never_abbreviated(capsys):
    with pytest.raises(SystemExit):
        make_parser().parse_args(["--max-step", "2"])
    assert "unrecognized arguments: --max-step" in capsys.readouterr().err
