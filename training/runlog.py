"""Run bookkeeping shared by the stages: log file, metric lines, checkpoint resume, run summary.

The log file (`--log_file`) gets every log record plus one line per trainer log event
("step 20/300 | loss 2.3140 | learning_rate 0.0004 ..."), so the web app can tail it.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from transformers import TrainerCallback

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SUMMARY_FILE = "training_summary.json"


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
    """Logs each trainer log event as one line, and keeps the history for the run summary."""

    def __init__(self):
        self.history: list[dict] = []
        self.started = time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()
        logger.info("training started: %d steps", state.max_steps)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or not state.is_world_process_zero:
            return
        self.history.append({"step": state.global_step, **logs})
        logger.info(format_metrics(state.global_step, state.max_steps, logs))

    def on_train_end(self, args, state, control, **kwargs):
        logger.info("training finished: %d steps in %.1f s", state.global_step, time.perf_counter() - self.started)


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


def write_summary(output_dir: str, summary: dict) -> Path:
    """training_summary.json next to the saved model (read by the pipeline's model card)."""
    path = Path(output_dir) / SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def read_summary(model_dir: str | Path) -> dict:
    path = Path(model_dir) / SUMMARY_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
