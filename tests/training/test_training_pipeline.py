import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.prompts import Candidate
from training.model_card import render_model_card
from training.pipeline import PipelinePreset, main
from training.pipeline_budget import stage_seconds
from training.pipeline_data import PrecomputedCandidates, merge_shuffled


def _sft(user: str, answer: str, source: str = "synthetic") -> str:
    return json.dumps({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}],
                       "source": source})


def test_merge_drops_repeated_inputs_and_shuffles_reproducibly(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(_sft(f"q{i}", "x") for i in range(6)) + "\n")
    b.write_text(_sft("q1", "other answer", "codiesp") + "\n" + _sft("q9", "y", "codiesp") + "\n")
    counts = merge_shuffled([a, b], tmp_path / "m1.jsonl", seed=3)
    merge_shuffled([a, b], tmp_path / "m2.jsonl", seed=3)
    assert counts == {"synthetic": 6, "codiesp": 1}
    assert (tmp_path / "m1.jsonl").read_text() == (tmp_path / "m2.jsonl").read_text()


def test_precomputed_candidates_answer_known_narratives_and_fall_back():
    known = [Candidate("E11.9", "icd10cm", "d", 1.0), Candidate("I10", "icd10cm", "h", 0.5),
             Candidate("99214", "cpt", "v", 0.9)]
    fallback = SimpleNamespace(retrieve=lambda narrative, k=8: [Candidate("Z00.00", "icd10cm", "f", 0.1)])
    retriever = PrecomputedCandidates({"known text": known}, fallback)
    assert [c.code for c in retriever.retrieve("known text", k=1)] == ["E11.9", "99214"]
    assert [c.code for c in retriever.retrieve("new text")] == ["Z00.00"]


@pytest.mark.parametrize("preset", ["tiny", "smol", "smol-gpu"])
def test_the_data_step_teaches_the_coding_rules(preset, tmp_path, monkeypatch):
    """Every preset's stages 2 and 3 draw rule cases (core.datasets.rule_cases), beside synthetic and CodiEsp."""
    import training.pipeline_data as data
    from training.pipeline import PRESETS, TrainingPipeline

    plans = []
    monkeypatch.setattr(data, "training_cases", lambda n, seed, codiesp: ([], {"synthetic": n}))
    monkeypatch.setattr(data, "fit_training_retriever", lambda cases, out: (None, "fitted"))
    monkeypatch.setattr(data, "build_stage_files", lambda plan, out, seed, retriever: plans.append(plan) or {})
    args = SimpleNamespace(work_dir=tmp_path, output_dir=tmp_path / "out", budget_minutes=None, threads=None,
                           restart_clock=False, codiesp=None, scale=1.0, seed=0)
    TrainingPipeline(args, PRESETS[preset]).step_data()
    plan = plans[0]
    assert ("rules", PRESETS[preset].stage_2_rules) in plan["stage_2"]
    assert ("rules", PRESETS[preset].stage_3_rules) in plan["stage_3"]
    assert not any(source == "rules" for source, _ in plan["stage_1"])


def test_stage_budget_shares_what_is_left():
    pipeline = SimpleNamespace(preset=PipelinePreset(), budget_s=1800.0, elapsed=lambda: 300.0, state={"stages": {}})
    left = 1800 - 300 - 400 - 3 * 25
    assert stage_seconds(pipeline, "stage_1") == pytest.approx(left * 0.3)
    pipeline.state["stages"] = {"stage_1": {}}
    assert stage_seconds(pipeline, "stage_2") == pytest.approx((1800 - 300 - 400 - 2 * 25) * 0.5 / 0.7)


def test_model_card_reports_data_stages_and_scores():
    info = {"name": "thce-tiny", "command": "uv run thce train pipeline --preset tiny", "seed": 0, "threads": 2,
            "shape": {"hidden_size": 256, "num_hidden_layers": 6, "num_attention_heads": 4, "num_key_value_heads": 2,
                      "intermediate_size": 768, "max_position_embeddings": 2048},
            "n_params": 6_819_072, "vocab_size": 8194, "wall_s": 1700.0, "budget_minutes": 30.0,
            "throughput": {"1024": 1500.0}, "data": {"sources": {"synthetic": 600, "codiesp_train": 500},
                                                      "stages": {"stage_2": {"synthetic": 600, "codiesp": 500}},
                                                      "retriever": "fitted on 1100 cases"},
            "stages": {"stage_2": {"stage": "sft", "config": "training/configs/stage_2_tiny.yaml", "n_records": 1100,
                                   "global_step": 120, "max_length": 2048, "learning_rate": 5e-4, "train_loss": 1.23,
                                   "wall_s": 600.0}},
            "evaluation": {"CodiEsp dev": {"dataset": {"n_cases": 50}, "metrics": {"overall": {
                "micro_precision": 0.5, "micro_recall": 0.25, "micro_f1": 1 / 3, "map": 0.4},
                "icd10cm": {"micro_f1": 0.35}},
                "model_answer": {"n_raw": 50, "micro_f1": {"icd10cm": 0.05}},
                "validity": {"rate": 0.9}, "format": {"rate": 0.8}, "latency": {"mean_s": 2.0}}},
            "decision": {"threshold": {"icd10cm": 0.3, "cpt": 0.4, "hcpcs": 0.35},
                         "model_threshold": {"icd10cm": 0.3, "cpt": 0.2, "hcpcs": 0.35},
                         "info": {"model_calibration": {"cases": 80, "spec": "synthetic:80:4241",
                                                        "cpt": {"f1": 0.96, "f1_without_model": 0.95}}}}}
    card = render_model_card(info)
    assert "6.82M parameters" in card and "codiesp_train: 500" in card
    assert "| stage_2 | SFT | `training/configs/stage_2_tiny.yaml` | 1100 | 120 |" in card
    assert ("| CodiEsp dev | 50 | 0.350 | - | - | 0.500 | 0.250 | 0.333 | 0.400 | 0.050 / - / - | 0.900 | 0.800 | "
            "2.00 |") in card
    assert "icd10cm 0.30, cpt 0.40, hcpcs 0.35" in card and "cpt: calibration micro-F1 0.960 with the model's vote" in card
    assert "1,500 tokens/s at 1024 tokens" in card and "28.3 min" in card


def test_model_card_writes_commands_relative_to_the_repository(tmp_path, monkeypatch):
    import training.model_card
    from core.paths import REPO_ROOT

    monkeypatch.setattr(training.model_card, "render_model_card", lambda info: f"Reproduce: `{info['command']}`")
    info = {"command": f"uv run python -m training.pipeline --output-dir {REPO_ROOT}/data/models/x "
                       f"--codiesp {REPO_ROOT.parent}/shared/datasets/codiesp"}
    training.model_card.write_model_card(tmp_path, info)
    expected = "--output-dir data/models/x --codiesp ../shared/datasets/codiesp"
    assert expected in (tmp_path / "README.md").read_text()
    assert expected in (tmp_path / "training" / "pipeline.json").read_text()


def test_bad_arguments_are_reported(capsys, tmp_path):
    assert main(["--steps", "data,bake"]) == 2
    assert "unknown step(s) ['bake']" in capsys.readouterr().err
    assert main(["--codiesp", str(tmp_path)]) == 2
    assert "has no train/ folder" in capsys.readouterr().err


@pytest.mark.heavy
def test_scaled_down_pipeline_end_to_end(tmp_path):
    """The whole tiny pipeline on a few synthetic records and 2 steps per stage, evaluated on 2 cases."""
    out = tmp_path / "model"
    code = main(["--no-codiesp", "--scale", "0.02", "--max-steps", "2", "--eval-limit", "2", "--budget-minutes", "6",
                 "--threads", "1", "--work-dir", str(tmp_path / "work"), "--output-dir", str(out)])
    assert code == 0
    for name in ("model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja", "README.md"):
        assert (out / name).is_file(), name
    assert sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file()) < 25e6
    card = (out / "README.md").read_text()
    assert "## Evaluation" in card and "synthetic held-out" in card and "## How the final answer is chosen" in card
    record = json.loads((out / "training" / "pipeline.json").read_text())
    steps = [record["stages"][s]["global_step"] for s in ("stage_1", "stage_2", "stage_3")]
    assert all(1 <= n <= 2 for n in steps), steps  # capped by --max-steps, or fewer to fit the budget
    assert record["stages"]["stage_2"]["sizing"]["tokens_per_s"] > 0


def test_an_adapters_card_gives_its_bases_shape(tmp_path, monkeypatch):
    """An exported LoRA adapter has no config.json: the card gives the base's architecture, not the tiny preset's."""
    import core.inference.base
    from training.pipeline import PRESETS, TrainingPipeline

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text(json.dumps({"hidden_size": 576, "num_hidden_layers": 30,
                                                  "num_attention_heads": 9, "num_key_value_heads": 3,
                                                  "intermediate_size": 1536, "max_position_embeddings": 8192,
                                                  "rope_parameters": {"rope_theta": 100000.0, "rope_type": "default"}}))
    monkeypatch.setattr(core.inference.base, "prepare_base", lambda: SimpleNamespace(path=base))
    args = SimpleNamespace(work_dir=tmp_path / "work", output_dir=tmp_path / "out", budget_minutes=None,
                           threads=None, restart_clock=False)
    pipeline = TrainingPipeline(args, PRESETS["smol-gpu"])
    pipeline.output.mkdir()
    assert pipeline.model_shape()["num_hidden_layers"] == 6  # nothing exported yet: the preset's shape
    (pipeline.output / "adapter_config.json").write_text("{}")
    shape = pipeline.model_shape()
    assert (shape["num_hidden_layers"], shape["hidden_size"], shape["intermediate_size"]) == (30, 576, 1536)
    assert shape["rope_theta"] == 100000.0  # transformers 5 keeps it under rope_parameters


def test_export_stage_ships_the_chosen_stage_and_the_card_says_why(tmp_path, monkeypatch):
    """`--export-stage stage_2` ships stage 2 although stage 3 finished (a DPO stage that scored lower)."""
    import training.model_card
    from training.model_card import export_note
    from training.pipeline import PRESETS, TrainingPipeline
    from training.runlog import SUMMARY_FILE

    exported = []
    monkeypatch.setattr(training.model_card, "export_model",
                        lambda model_dir, out, retriever: exported.append(model_dir.name) or {"size_mb": 1.0})
    work = tmp_path / "work"
    for stage in ("stage_2", "stage_3"):
        (work / stage).mkdir(parents=True)
        (work / stage / SUMMARY_FILE).write_text('{"global_step": 1}')
    args = SimpleNamespace(work_dir=work, output_dir=tmp_path / "out", budget_minutes=None, threads=None,
                           restart_clock=False, export_stage=None)
    pipeline = TrainingPipeline(args, PRESETS["smol-gpu"])
    pipeline.step_export()
    assert exported == ["stage_3"] and export_note({"export": pipeline.state["export"]}) == []
    args.export_stage = "stage_2"
    pipeline.step_export()
    assert exported[-1] == "stage_2" and pipeline.state["export"] == {"size_mb": 1.0, "stage": "stage_2", "chosen": True}
    assert "finished but scored lower" in " ".join(export_note({"export": pipeline.state["export"]}))
    args.export_stage = "stage_1"
    with pytest.raises(FileNotFoundError, match="--export-stage stage_1"):
        pipeline.step_export()


def test_model_card_of_a_synthetic_only_run_does_not_claim_codiesp():
    """Regression: `thce train pipeline --no-codiesp` wrote a card saying the model was trained on CodiEsp's train
    split and evaluated on its dev split, though neither was used."""
    info = {"name": "m", "command": "uv run thce train pipeline --preset tiny --no-codiesp", "seed": 0, "threads": 1,
            "shape": {"hidden_size": 256, "num_hidden_layers": 6, "num_attention_heads": 4, "num_key_value_heads": 2,
                      "intermediate_size": 768, "max_position_embeddings": 2048},
            "n_params": 6_819_072, "vocab_size": 8194, "wall_s": 60.0, "budget_minutes": 30.0, "throughput": {},
            "data": {"sources": {"synthetic": 50}, "stages": {"stage_2": {"synthetic": 24}},
                     "retriever": "fitted on 50 cases", "codiesp": None},
            "stages": {}}
    card = render_model_card(info)
    assert "CodiEsp" not in card and "Gold training cases: synthetic: 50." in card
