"""Calibration fits the model's bar into the model folder and leaves the process-wide cached retriever alone."""

from __future__ import annotations

import shutil

from core.paths import REPO_ROOT
from core.retrieval import Retriever, default_retriever
from training.calibrate import calibrate_model_dir

TINY = REPO_ROOT / "data" / "models" / "thce-tiny"


def test_calibration_writes_the_folder_and_never_changes_the_cached_retriever(tmp_path):
    model_dir = tmp_path / "thce-tiny"
    shutil.copytree(TINY, model_dir)
    cached = default_retriever(model_dir)
    rule_before, thresholds_before = cached.decision, cached.decision.to_dict()

    fitted = calibrate_model_dir(model_dir, "synthetic:4:4243")

    assert default_retriever(model_dir) is cached
    assert cached.decision is rule_before and cached.decision.to_dict() == thresholds_before
    stored = Retriever.load(model_dir).decision
    assert stored.info["model_calibration"]["spec"] == "synthetic:4:4243" == fitted["info"]["model_calibration"]["spec"]
    assert stored.model_threshold == fitted["model_threshold"]
