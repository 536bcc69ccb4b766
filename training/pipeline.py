"""The whole tiny pipeline: data -> tokenizer -> stage 1 SFT -> stage 2 SFT -> stage 3 DPO -> export -> eval -> card.

Usage (from the repository root; <= 30 min on 2 CPU cores):

    uv run thce train pipeline --preset tiny
    uv run python -m training.pipeline --preset tiny --codiesp ../shared/datasets/codiesp --output-dir data/models/thce-tiny
    uv run python -m training.pipeline --preset tiny --budget-minutes 6 --max-steps 10 --scale 0.1   # smoke run

Each stage runs `python -m training.sft|dpo --config training/configs/stage_N_tiny.yaml` with overrides
(paths in --work-dir, the step budget). Steps are sized to the time budget from the training throughput
measured on this machine before each stage; a time limit stops a stage that overruns. State is kept in
<work-dir>/pipeline_state.json, so `--steps stage_3,export,eval,card` reruns the tail only; each step's inputs
are checked before anything runs (training/pipeline_needs.py: what is missing, and the step that makes it).
Every option: `uv run thce train pipeline --help`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.paths import MODELS_DIR, REPO_ROOT, TARGET_HUB_MODEL
from training.pipeline_needs import check_steps

logger = logging.getLogger(__name__)

STEPS = ("data", "tokenizer", "stage_1", "stage_2", "stage_3", "export", "calibrate", "eval", "ablation", "card")
DEFAULT_CODIESP = REPO_ROOT.parent / "shared" / "datasets" / "codiesp"


@dataclass(frozen=True)
class PipelinePreset:
    configs: dict = field(default_factory=lambda: {s: f"training/configs/{s}_tiny.yaml" for s in
                                                   ("stage_1", "stage_2", "stage_3")})
    retriever_synthetic: int = 2500     # synthetic gold cases the retriever is fitted on (with CodiEsp train)
    synthetic_cases: int = 1200         # stage 2 synthetic cases (the first of the retriever's cases)
    stage_1_synthetic: int = 700        # code-knowledge records over the synthetic concepts
    stage_1_codiesp: int = 300          # code-knowledge records over CodiEsp's codes
    stage_3_synthetic: int = 240        # preference pairs
    stage_3_codiesp: int = 80
    stage_2_rules: int = 120            # rule cases (core.datasets.rule_cases: every coding rule, its 'Rule:' line)
    stage_3_rules: int = 40             # rule pairs: the careless answer the rules correct is the rejected one
    vocab_size: int = 8192
    budget_minutes: float = 30.0
    shares: dict = field(default_factory=lambda: {"stage_1": 0.3, "stage_2": 0.5, "stage_3": 0.2})
    reserve_eval_s: float = 400.0       # export + calibration + evaluation + model card
    reserve_stage_s: float = 25.0       # per stage: process start, tokenizing and packing the data
    max_epochs: float = 3.0
    eval_codiesp_limit: int = 50        # CodiEsp dev cases scored
    eval_synthetic: int = 50            # synthetic held-out cases (a seed never used for training)
    heldout_seed: int = 7919
    calibration_synthetic: int = 80     # calibration cases for the decision rule (a seed never used elsewhere)
    calibration_seed: int = 4241
    stage_2_codiesp: int | None = None  # CodiEsp train cases in stage 2 (None: all 500)
    base_model: str | None = None       # a pretrained base (LoRA stages, no tokenizer step); None: from scratch
    tokens_per_s: float | None = None   # end-to-end training rate used to size the steps (None: measure)


SMOL_CONFIGS = {s: f"training/configs/{s}_smol.yaml" for s in ("stage_1", "stage_2", "stage_3")}
SMOL_GPU_CONFIGS = {s: f"training/configs/{s}_smol_gpu.yaml" for s in ("stage_1", "stage_2", "stage_3")}
PRESETS = {
    "tiny": PipelinePreset(),
    # SmolLM2-135M-Instruct + LoRA on 2 CPU cores in 60 minutes: most of the time goes to stage 2 (coding
    # cases); CodiEsp's long narratives are capped so that short synthetic cases get most of the tokens.
    "smol": PipelinePreset(
        configs=SMOL_CONFIGS, stage_1_synthetic=150, stage_1_codiesp=50, synthetic_cases=1500,
        stage_2_codiesp=250, stage_3_synthetic=200, stage_3_codiesp=40, stage_2_rules=200, stage_3_rules=40,
        budget_minutes=60.0,
        shares={"stage_1": 0.05, "stage_2": 0.77, "stage_3": 0.18}, reserve_eval_s=700.0, reserve_stage_s=40.0,
        max_epochs=2.0, base_model=TARGET_HUB_MODEL, tokens_per_s=150.0),
    # The same base and adapter shape on one GPU: ~10x the data, more epochs, a short budget measured on the
    # device alone (build the data on any machine with `--steps data`, train there with
    # `--steps stage_1,stage_2,stage_3 --restart-clock`, export/calibrate/eval/card anywhere; docs/TRAINING.md).
    # The retriever is the smol preset's (2,500 synthetic + 500 CodiEsp train): one fitted on 4,000 + 500 scored
    # lower on CodiEsp dev; stage 2's synthetic cases past the 2,500th get that retriever's honest candidates.
    "smol-gpu": PipelinePreset(
        configs=SMOL_GPU_CONFIGS, retriever_synthetic=2500, stage_1_synthetic=300, stage_1_codiesp=100,
        synthetic_cases=4000, stage_2_codiesp=None, stage_3_synthetic=1200, stage_3_codiesp=300,
        stage_2_rules=800, stage_3_rules=300,
        budget_minutes=7.0, shares={"stage_1": 0.12, "stage_2": 0.68, "stage_3": 0.2}, reserve_eval_s=0.0,
        reserve_stage_s=20.0, max_epochs=3.0, base_model=TARGET_HUB_MODEL, tokens_per_s=40000.0),
}


def training_device() -> str:
    """Where the stages train, in words: the GPU's name, else the CPU."""
    import torch

    if torch.cuda.is_available():
        return f"one {torch.cuda.get_device_name(0)} GPU"
    return f"CPU ({torch.get_num_threads()} threads)"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thce train pipeline", description=__doc__.splitlines()[0],
                                     allow_abbrev=False)  # a typo'd option is an error, never a prefix match
    parser.add_argument("--preset", choices=sorted(PRESETS), default="tiny",
                        help="tiny: from scratch on CPU; smol: SmolLM2-135M-Instruct + LoRA on CPU; smol-gpu: the "
                             "same on one GPU (default: tiny).")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="Final model directory (default: data/models/thce-<preset>).")
    parser.add_argument("--work-dir", type=Path, default=None, help="Default: data/runs/thce-<preset>.")
    parser.add_argument("--codiesp", type=Path, default=DEFAULT_CODIESP if DEFAULT_CODIESP.is_dir() else None,
                        help="CodiEsp folder with train/ and dev/ (train for training, dev for evaluation).")
    parser.add_argument("--no-codiesp", action="store_true", help="Synthetic data only (no CodiEsp train/dev).")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"Comma-separated subset of {','.join(STEPS)}.")
    parser.add_argument("--budget-minutes", type=float, default=None, help="Wall-time budget (preset: 30).")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every data count (0.1 for a smoke run).")
    parser.add_argument("--max-steps", type=int, default=None, help="Cap every stage's optimizer steps.")
    parser.add_argument("--eval-limit", type=int, default=None, help="Cases per evaluation set (preset: 50).")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads per training process (default: measure 1 vs all cores, keep the faster).")
    parser.add_argument("--tokens-per-s", type=float, default=None,
                        help="Training tokens/s used to size the steps (default: the preset's, or measured).")
    parser.add_argument("--skip-data-check", action="store_true",
                        help="Skip the stages' data quality gate (it needs the code sets; the data step's machine ran it).")
    parser.add_argument("--restart-clock", action="store_true",
                        help="Count the budget from now (the data step ran elsewhere, e.g. before moving to a GPU).")
    parser.add_argument("--export-stage", choices=["stage_1", "stage_2", "stage_3"], default=None,
                        help="Stage whose model the export step ships (default: the last that finished), e.g. "
                             "stage_2 when the DPO stage scored lower on the evaluation sets.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the data, the initialisation and training.")
    return parser


class TrainingPipeline:
    """The pipeline's steps (`step_<name>`) over one work folder and its saved state."""

    def __init__(self, args, preset: PipelinePreset, fresh: bool = False):
        """fresh: a run from the data step on, which forgets an earlier run's state (replaced at the first save)."""
        self.args, self.preset = args, preset
        self.work, self.output = args.work_dir.resolve(), args.output_dir.resolve()
        self.budget_s = 60 * (args.budget_minutes or preset.budget_minutes)
        self.state_path = self.work / "pipeline_state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.is_file() and not fresh else {}
        before = 0.0 if getattr(args, "restart_clock", False) else self.state.get("elapsed_before_s", 0.0)
        self.started = time.perf_counter() - before
        self.env = dict(os.environ, TOKENIZERS_PARALLELISM="false")
        if args.threads:
            self.use_threads(args.threads)

    def use_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.env["OMP_NUM_THREADS"] = str(threads)
        self.state["threads"] = threads

    # ------------------------------------------------------------------ bookkeeping
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def save_state(self) -> None:
        self.state["elapsed_before_s"] = self.elapsed()
        self.work.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps(self.state, indent=2, default=str) + "\n")

    def count(self, n: int) -> int:
        return max(4, round(n * self.args.scale))

    # ------------------------------------------------------------------ steps
    def step_data(self) -> None:
        from training.pipeline_data import build_stage_files, fit_training_retriever, training_cases

        codiesp = self.args.codiesp.resolve() if self.args.codiesp else None
        for stale in ("retriever", "data"):
            shutil.rmtree(self.work / stale, ignore_errors=True)
        cases, sources = training_cases(self.count(self.preset.retriever_synthetic), self.args.seed, codiesp)
        retriever, described = fit_training_retriever(cases, self.work)
        plan = {
            "stage_1": [("synthetic", self.count(self.preset.stage_1_synthetic))],
            "stage_2": [("synthetic", self.count(self.preset.synthetic_cases))],
            "stage_3": [("synthetic", self.count(self.preset.stage_3_synthetic))],
        }
        for stage, count in (("stage_2", self.preset.stage_2_rules), ("stage_3", self.preset.stage_3_rules)):
            if count:  # the coding rules, taught (cases written from THCE's own templates, never the US set's)
                plan[stage].append(("rules", self.count(count)))
        if codiesp is not None:
            train = f"codiesp:{codiesp / 'train'}"
            plan["stage_1"].append((train, self.count(self.preset.stage_1_codiesp)))
            stage_2_codiesp = self.preset.stage_2_codiesp
            plan["stage_2"].append((train, self.count(stage_2_codiesp or 500) if stage_2_codiesp or self.args.scale < 1
                                    else None))
            plan["stage_3"].append((train, self.count(self.preset.stage_3_codiesp)))
        stages = build_stage_files(plan, self.work / "data", self.args.seed, retriever)
        self.state["data"] = {"sources": sources, "stages": stages, "retriever": described,
                              "codiesp": str(codiesp) if codiesp else None}

    def stage_file(self, stage: str) -> Path:
        return self.work / "data" / f"{stage}.jsonl"

    def step_tokenizer(self) -> None:
        from training.tokenizer import corpus_texts, train_tokenizer

        files = [self.stage_file(s) for s in ("stage_1", "stage_2", "stage_3")]
        tokenizer = train_tokenizer(corpus_texts(files), vocab_size=self.preset.vocab_size, model_max_length=2048)
        tokenizer.save_pretrained(self.work / "tokenizer")
        self.state["vocab_size"] = len(tokenizer)

    def step_stage(self, stage: str) -> None:
        from training.pipeline_budget import choose_threads, stage_overrides

        if "threads" not in self.state:  # a pretrained base: all cores (the probe measures the tiny shape)
            self.use_threads(os.cpu_count() or 1 if self.preset.base_model else
                             choose_threads(self.state.get("vocab_size", self.preset.vocab_size)))
        else:
            self.use_threads(self.state["threads"])

        self.state["device"] = training_device()
        shutil.rmtree(self.work / stage, ignore_errors=True)  # no stale checkpoints of an earlier run
        overrides, sizing = stage_overrides(self, stage)
        module = "training.dpo" if stage == "stage_3" else "training.sft"
        config = str(REPO_ROOT / self.preset.configs[stage])
        command = [sys.executable, "-m", module, "--config", config, *overrides]
        logger.info("%s: %s", stage, " ".join(command[1:]))
        if subprocess.call(command, env=self.env) != 0:
            raise RuntimeError(f"{stage} failed (log: {self.work / 'logs' / (stage + '.log')})")
        from training.runlog import read_summary

        summary = read_summary(self.work / stage)
        summary["config"] = self.preset.configs[stage]
        summary["sizing"] = sizing
        summary["loss_curve"] = [[h["step"], h["loss"]] for h in summary.pop("log_history", []) if "loss" in h]
        self.state.setdefault("stages", {})[stage] = summary

    def final_stage(self) -> str:
        """The last stage that finished (stage 3 normally; stage 2 when the DPO run was cut short)."""
        from training.runlog import read_summary

        for stage in ("stage_3", "stage_2", "stage_1"):
            if read_summary(self.work / stage):
                return stage
        raise FileNotFoundError(f"no trained stage in {self.work} (run the stage steps first)")

    def step_export(self) -> None:
        from training.model_card import export_model
        from training.runlog import read_summary

        chosen = getattr(self.args, "export_stage", None)
        if chosen and not read_summary(self.work / chosen):
            raise FileNotFoundError(f"--export-stage {chosen}: {self.work / chosen} holds no finished stage")
        final = self.final_stage()
        stage = chosen or final
        if stage != "stage_3" and not chosen:
            logger.warning("exporting %s: the later stages did not finish", stage)
        self.state["export"] = export_model(self.work / stage, self.output, self.work / "retriever")
        self.state["export"]["stage"] = stage
        if chosen and chosen != final:
            self.state["export"]["chosen"] = True  # the card says the later stage(s) finished but were not shipped

    def step_calibrate(self) -> None:
        from training.calibrate import calibrate_model_dir

        spec = f"synthetic:{self.count(self.preset.calibration_synthetic)}:{self.preset.calibration_seed}"
        self.state["decision"] = calibrate_model_dir(self.output, spec)

    def eval_specs(self) -> dict[str, str]:
        specs = {"synthetic held-out": f"synthetic:{self.args.eval_limit or self.preset.eval_synthetic}:"
                                       f"{self.preset.heldout_seed}"}
        if self.state.get("data", {}).get("codiesp"):
            specs["CodiEsp dev"] = f"codiesp:{Path(self.state['data']['codiesp']) / 'dev'}"
        return specs

    def step_eval(self) -> None:
        from core.evaluation import run_eval

        limit = self.args.eval_limit or self.preset.eval_codiesp_limit
        reports = {}
        for name, spec in self.eval_specs().items():
            path = self.work / "eval" / (name.replace(" ", "_") + ".json")
            report = run_eval(spec, model=str(self.output), report_path=path, limit=limit, plots=False)
            reports[name] = {k: report.get(k) for k in ("dataset", "metrics", "validity", "format", "latency",
                                                        "model_answer")}
        self.state["evaluation"] = reports

    def step_ablation(self) -> None:
        """The same evaluation sets without the language model: the retriever and decision rule alone."""
        from core.evaluation import run_eval

        limit = self.args.eval_limit or self.preset.eval_codiesp_limit
        ablation = {}
        for name, spec in self.eval_specs().items():
            report = run_eval(spec, model=str(self.output), limit=limit, plots=False, use_model=False, n_resamples=100)
            with_model = (self.state.get("evaluation", {}).get(name) or {}).get("metrics", {}).get("overall", {})
            alone = report["metrics"]["overall"]
            ablation[name] = {"with_model": {k: with_model.get(k) for k in ("micro_f1", "map")},
                              "retriever_only": {k: alone.get(k) for k in ("micro_f1", "map")}}
        self.state["ablation"] = ablation

    def step_card(self) -> None:
        from training.model_card import write_model_card

        shape = self.model_shape()
        stages = self.state.get("stages", {})
        info = {
            "name": self.output.name, "command": self.state.get("command", "uv run thce train pipeline --preset tiny"),
            "seed": self.args.seed, "threads": self.state.get("threads", os.cpu_count()), "shape": shape,
            "n_params": (stages.get("stage_3") or stages.get("stage_1") or {}).get("n_params") or 0,
            "vocab_size": self.state.get("vocab_size"), "data": self.state.get("data", {}),
            "stages": stages, "evaluation": self.state.get("evaluation", {}), "wall_s": self.elapsed(),
            "budget_minutes": self.budget_s / 60, "throughput": self.state.get("throughput", {}),
            "export": self.state.get("export", {}), "decision": self.state.get("decision", {}),
            "ablation": self.state.get("ablation", {}), "base_model": self.preset.base_model,
            "device": self.state.get("device"), "commands": self.state.get("commands", []),
            "step_seconds": self.state.get("step_seconds", {}),
            "lora": self.lora_info(),
        }
        write_model_card(self.output, info)

    def model_shape(self) -> dict:
        """The exported model's architecture: its config.json, or for an adapter its base's (not the tiny preset's)."""
        from training.model_init import ModelShape

        shape = asdict(ModelShape())
        config_path = self.output / "config.json"
        if not config_path.is_file() and (self.output / "adapter_config.json").is_file():
            from core.inference.base import prepare_base

            config_path = prepare_base().path / "config.json"
        if config_path.is_file():
            exported = json.loads(config_path.read_text())
            rope = (exported.get("rope_parameters") or {}).get("rope_theta")  # where transformers 5 keeps it
            if rope is not None:
                exported["rope_theta"] = rope
            shape = {key: exported.get(key, value) for key, value in shape.items()}
        return shape

    def lora_info(self) -> dict:
        """Rank, alpha and trainable parameters of the exported adapter (empty for a full model)."""
        config_path = self.output / "adapter_config.json"
        if not config_path.is_file():
            return {}
        from safetensors import safe_open

        config = json.loads(config_path.read_text(encoding="utf-8"))
        with safe_open(self.output / "adapter_model.safetensors", "pt") as weights:
            params = sum(weights.get_slice(k).get_shape()[0] * weights.get_slice(k).get_shape()[1]
                         for k in weights.keys())
        return {"r": config.get("r"), "alpha": config.get("lora_alpha"), "params": params}

    def run(self, steps: list[str]) -> None:
        for step in steps:
            began = time.perf_counter()
            logger.info("pipeline step %s (%.0f s elapsed of %.0f s)", step, self.elapsed(), self.budget_s)
            if step == "tokenizer" and self.preset.base_model:
                logger.info("tokenizer: the base model's (%s)", self.preset.base_model)
                continue
            if step.startswith("stage_"):
                self.step_stage(step)
            else:
                getattr(self, f"step_{step}")()
            self.state.setdefault("step_seconds", {})[step] = round(time.perf_counter() - began, 1)
            self.save_state()


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        what = f"unknown step(s) {unknown}" if unknown else "--steps names no step"
        print(f"error: {what}; choose from {', '.join(STEPS)}", file=sys.stderr)
        return 2
    if args.no_codiesp:
        args.codiesp = None
    args.output_dir = args.output_dir or MODELS_DIR / f"thce-{args.preset}"
    args.work_dir = args.work_dir or REPO_ROOT / "data" / "runs" / f"thce-{args.preset}"
    if args.codiesp is not None and not (args.codiesp / "train").is_dir():
        print(f"error: --codiesp {args.codiesp} has no train/ folder", file=sys.stderr)
        return 2
    pipeline = TrainingPipeline(args, PRESETS[args.preset], fresh="data" in steps)
    problem = check_steps(pipeline, [s for s in STEPS if s in steps])  # before any measuring or training
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    invocation = "uv run python -m training.pipeline " + " ".join(argv or sys.argv[1:])
    if "data" in steps:
        pipeline.state["command"] = invocation
        pipeline.state["commands"] = []
    pipeline.state.setdefault("commands", []).append(invocation)
    try:
        pipeline.run([s for s in STEPS if s in steps])
    except (RuntimeError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"pipeline done in {pipeline.elapsed() / 60:.1f} min: {pipeline.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
