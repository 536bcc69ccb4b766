"""The learned candidate scorer: gradient-boosted trees over the per-candidate features (fitted with
scikit-learn's HistGradientBoostingClassifier) exported to plain arrays, so a fitted scorer is stored
without pickle and predicts with a few numpy operations."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class CombinerConfig:
    iterations: int = 200
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 40
    seed: int = 0


class TreeEnsemble:
    """Sum of regression trees plus a baseline, read as a logit."""

    def __init__(self, baseline: float, nodes: dict[str, np.ndarray], roots: np.ndarray, feature_names: list[str]):
        self.baseline, self.nodes, self.roots, self.feature_names = baseline, nodes, roots, feature_names
        self.max_depth = int(nodes["depth"].max()) if len(nodes["depth"]) else 0

    @classmethod
    def fit(cls, features: np.ndarray, targets: np.ndarray, feature_names: list[str],
            config: CombinerConfig | None = None) -> TreeEnsemble:
        from sklearn.ensemble import HistGradientBoostingClassifier

        config = config or CombinerConfig()
        if len(set(targets.tolist())) < 2:
            raise ValueError("the candidate scorer needs both gold and non-gold candidates to learn from")
        model = HistGradientBoostingClassifier(
            max_iter=config.iterations, learning_rate=config.learning_rate, max_leaf_nodes=config.max_leaf_nodes,
            min_samples_leaf=min(config.min_samples_leaf, max(1, len(targets) // 20)), early_stopping=False,
            random_state=config.seed)
        model.fit(features, targets.astype(int))
        return cls.from_model(model, feature_names)

    @classmethod
    def from_model(cls, model, feature_names: list[str]) -> TreeEnsemble:
        columns: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value", "leaf",
                                                     "missing_left", "depth")}
        roots = []
        for (predictor,) in model._predictors:
            offset, nodes = len(columns["feature"]), predictor.nodes
            roots.append(offset)
            columns["feature"] += nodes["feature_idx"].tolist()
            columns["threshold"] += nodes["num_threshold"].tolist()
            columns["left"] += (nodes["left"].astype(np.int64) + offset).tolist()
            columns["right"] += (nodes["right"].astype(np.int64) + offset).tolist()
            columns["value"] += nodes["value"].tolist()
            columns["leaf"] += nodes["is_leaf"].tolist()
            columns["missing_left"] += nodes["missing_go_to_left"].tolist()
            columns["depth"] += nodes["depth"].tolist()
        dtypes = {"feature": np.int32, "threshold": np.float64, "left": np.int32, "right": np.int32,
                  "value": np.float32, "leaf": bool, "missing_left": bool, "depth": np.int32}
        arrays = {k: np.asarray(v, dtype=dtypes[k]) for k, v in columns.items()}
        baseline = float(np.ravel(model._baseline_prediction)[0])
        return cls(baseline, arrays, np.asarray(roots, dtype=np.int32), feature_names)

    def predict_logit(self, features: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds of 'gold code') for rows of `features`."""
        features = np.asarray(features, dtype=np.float64)
        n = len(features)
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.baseline)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        nodes = self.nodes
        for _ in range(self.max_depth):
            inner = ~nodes["leaf"][node]
            if not inner.any():
                break
            value = features[rows, nodes["feature"][node]]
            go_left = np.where(np.isnan(value), nodes["missing_left"][node], value <= nodes["threshold"][node])
            step = np.where(go_left, nodes["left"][node], nodes["right"][node])
            node = np.where(inner, step, node)
        return self.baseline + nodes["value"][node].sum(axis=1)

    def to_arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        header = {"baseline": self.baseline, "feature_names": self.feature_names}
        return header, {**{f"node_{k}": v for k, v in self.nodes.items()}, "roots": self.roots}

    @classmethod
    def from_arrays(cls, header: dict, arrays: dict[str, np.ndarray]) -> TreeEnsemble:
        nodes = {k[len("node_"):]: v for k, v in arrays.items() if k.startswith("node_")}
        return cls(float(header["baseline"]), nodes, arrays["roots"], list(header["feature_names"]))

