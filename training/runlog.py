"""Run bookkeeping shared by the stages: log file, metric lines, checkpoint resume, output_dir, run summary.

The log file (`--log_file`) gets every log record plus one line per trainer log event
("step 20/300 | loss 2.3140 | learning_rate 0.0004 ..."), so the web app can tail it.

A run starts afresh only in an output_dir that holds no earlier run (checkpoint-N folders, a trained model,
training_summary.json), unless `overwrite_output_dir` (then the earlier run's checkpoints and model files are
removed first); otherwise it resumes (`resume_from_checkpoint last`). Each checkpoint also records the run's
wall time so far (thce_run.json), so the summary of a resumed run covers the whole run.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from pathlib import Path

from transformers import TrainerCallback

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SUMMARY_FILE = "training_summary.json"
RUN_RECORD = "thce_run.json"  # in each checkpoint-N: {"step", "wall_s"} of the run up to that checkpoint
TRAINED_FILES = (SUMMARY_FILE, "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                 "adapter_model.safetensors", "adapter_model.bin")


def setup_logging(log_file: str | None, level: int = logging.INFO) -> None:
    """Log to stderr, and to `log_file` when given (appending, so resumed runs keep their history)."""
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter(LOG_FORMAT)
    if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        root.addHandler(stream)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(formatter)
        root.addHandler(handler)
    import transformers

    transformers.logging.set_verbosity_info() if level <= logging.DEBUG else transformers.logging.set_verbosity_warning()
    transformers.logging.disable_default_handler()
    transformers.logging.enable_propagation()


def append_to_log(log_file: str | None, text: str) -> None:
    """Add a block of text (the dry-run report, the plan) to the log file, for the web app's tail."""
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n")


def format_metrics(step: int, max_steps: int, logs: dict) -> str:
    parts = [f"step {step}/{max_steps}"]
    for key, value in logs.items():
        parts.append(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}")
    return " | ".join(parts)


class MetricsLogCallback(TrainerCallback):
    """Logs each trainer log event as one line, keeps the history, and records the run's wall time in each
    checkpoint (`wall_before_s`: what the run took before the checkpoint it resumed from)."""

    def __init__(self, wall_before_s: float = 0.0):
        self.history: list[dict] = []
        self.started = time.perf_counter()
        self.wall_before_s = wall_before_s

    def wall_s(self) -> float:
        """Wall time of the whole run so far (earlier segments included)."""
        return self.wall_before_s + time.perf_counter() - self.started

    def on_train_begin(self, args, state, control, **kwargs):
        logger.info("training started: %d steps", state.max_steps)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or not state.is_world_process_zero:
            return
        self.history.append({"step": state.global_step, **logs})
        logger.info(format_metrics(state.global_step, state.max_steps, logs))

    def on_save(self, args, state, control, **kwargs):
        from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

        folder = Path(args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        if args.should_save and folder.is_dir():
            record = {"step": state.global_step, "wall_s": round(self.wall_s(), 1)}
            (folder / RUN_RECORD).write_text(json.dumps(record) + "\n", encoding="utf-8")

    def on_train_end(self, args, state, control, **kwargs):
        logger.info("training finished: %d steps in %.1f s", state.global_step, self.wall_s() - self.wall_before_s)


def resolve_checkpoint(value: str | None, output_dir: str) -> str | None:
    """`true`/`last` -> the newest checkpoint-N in output_dir (None when there is none); a path is checked."""
    from transformers.trainer_utils import get_last_checkpoint

    if not value:
        return None
    if value.lower() in ("true", "last"):
        last = get_last_checkpoint(output_dir) if Path(output_dir).is_dir() else None
        if last is None:
            logger.warning("no checkpoint in %s: starting from scratch", output_dir)
        return last
    if not Path(value).is_dir():
        raise FileNotFoundError(f"resume_from_checkpoint: checkpoint directory not found: {value}")
    return value


def checkpoint_dirs(output_dir: str | Path) -> list[Path]:
    """The checkpoint-N folders of output_dir, by step."""
    from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

    pattern = re.compile(rf"^{PREFIX_CHECKPOINT_DIR}-(\d+)$")
    folder = Path(output_dir)
    found = [p for p in folder.iterdir() if p.is_dir() and pattern.match(p.name)] if folder.is_dir() else []
    return sorted(found, key=lambda p: int(pattern.match(p.name).group(1)))


def earlier_run(output_dir: str | Path) -> list[str]:
    """What an earlier run left in output_dir: its checkpoint-N folders and trained-model files (empty: none)."""
    files = [name for name in TRAINED_FILES if (Path(output_dir) / name).is_file()]
    return [p.name for p in checkpoint_dirs(output_dir)] + files


def check_fresh_start(output_dir: str, overwrite: bool, resume_asked: bool = False) -> str:
    """The report line of a run that starts afresh in output_dir; FileExistsError (one line, what to do) when
    an earlier run is there and `overwrite` is off: training would replace its model and, through checkpoint
    rotation, delete its checkpoints, and a later `resume_from_checkpoint last` could pick the wrong run.
    `resume_asked`: resuming was asked for but output_dir has no checkpoint."""
    left = earlier_run(output_dir)
    if not left:
        return f"starts afresh in {output_dir}"
    shown = ", ".join(left[:4]) + (", ..." if len(left) > 4 else "")
    if not overwrite:
        resume = "" if resume_asked else "resume it with --resume_from_checkpoint last, "
        raise FileExistsError(
            f"output_dir {output_dir} already holds an earlier run ({shown}"
            f"{'; no checkpoint to resume from' if resume_asked else ''}): {resume}choose another --output_dir, "
            "or pass --overwrite_output_dir true to replace it")
    return f"starts afresh in {output_dir}, replacing the earlier run there ({shown}; overwrite_output_dir)"


def clear_earlier_run(output_dir: str) -> None:
    """Remove an earlier run's checkpoint-N folders and model files (`overwrite_output_dir`); other files stay."""
    for folder in checkpoint_dirs(output_dir):
        shutil.rmtree(folder)
    for name in TRAINED_FILES:
        (Path(output_dir) / name).unlink(missing_ok=True)
    logger.info("overwrite_output_dir: removed the earlier run's checkpoints and model from %s", output_dir)


def resume_point(checkpoint: str) -> dict:
    """Where a resumed run starts: {"checkpoint", "step", "wall_s_before"} (None: the checkpoint has no record
    of the wall time, e.g. it was made before THCE kept one)."""
    folder = Path(checkpoint)
    state_file, record_file = folder / "trainer_state.json", folder / RUN_RECORD
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.is_file() else {}
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    step = state.get("global_step", int(re.sub(r"\D", "", folder.name) or 0))
    return {"checkpoint": str(folder), "step": step, "wall_s_before": record.get("wall_s")}


def run_totals(result, log_history: list[dict], wall_s: float, resumed: dict | None) -> dict:
    """train_loss and wall_s of the whole run. A resumed run's trainer reports only its own segment: the
    loss logged before the resume point (the checkpoint's log history, weighted by the steps each log covers)
    is averaged with the segment's, and `resumed_from` says where it resumed and what the segment did."""
    totals = {"train_loss": result.training_loss, "wall_s": round(wall_s, 1)}
    if not resumed:
        return totals
    start, steps = resumed["step"], result.global_step - resumed["step"]
    weighted, covered, previous = 0.0, 0, 0
    for entry in log_history:
        if "loss" in entry and entry["step"] <= start:
            weighted += entry["loss"] * (entry["step"] - previous)
            covered, previous = covered + entry["step"] - previous, entry["step"]
    if covered + steps:
        totals["train_loss"] = (weighted + result.training_loss * steps) / (covered + steps)
    segment = {"steps": steps, "train_loss": result.training_loss,
               "wall_s": round(wall_s - (resumed["wall_s_before"] or 0.0), 1)}
    totals["resumed_from"] = {**resumed, "segment": segment}
    return totals


def write_summary(output_dir: str, summary: dict) -> Path:
    """training_summary.json next to the saved model (read by the pipeline's model card)."""
    path = Path(output_dir) / SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def read_summary(model_dir: str | Path) -> dict:
    path = Path(model_dir) / SUMMARY_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
