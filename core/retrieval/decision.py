"""Which codes make the final answer: the decision rule fitted next to the retriever.

A fitted retriever scores each candidate with a probability. The rule keeps, per system,

    every code the retriever is confident of:          p >= threshold[system]
    every code the model chose that it also supports:  p >= model_threshold[system]

`threshold` is fitted (fit_retriever) on the cross-fitted pools of the training cases, i.e. on scores
of narratives the supervised signals never saw; `model_threshold` is fitted on the model's answers to
calibration narratives (`thce train pipeline`, step calibrate). Until that calibration, the model's vote
carries no weight (model_threshold = threshold). Both maximise micro-F1 per system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from core.counts import micro_counts, prf
from core.prompts import SYSTEMS

GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))  # candidate thresholds 0.05 .. 0.95
DEFAULT_THRESHOLD = 0.5  # for a system without gold codes in the fitting data
DECISION_DEPTH = 20  # codes per system the rule is fitted on, and the only ones it looks at when applied


@dataclass
class DecisionRule:
    threshold: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SYSTEMS, DEFAULT_THRESHOLD))
    model_threshold: dict[str, float] = field(default_factory=dict)  # missing system: same as threshold
    info: dict = field(default_factory=dict)  # how it was fitted: cases, micro-F1 reached per system
    depth: int = DECISION_DEPTH  # the top `depth` codes per system it was fitted on (a deeper list is cut)

    def model_bar(self, system: str) -> float:
        return min(self.model_threshold.get(system, 1.0), self.threshold.get(system, DEFAULT_THRESHOLD))

    def accepts(self, system: str, probability: float, chosen_by_model: bool) -> bool:
        if probability >= self.threshold.get(system, DEFAULT_THRESHOLD):
            return True
        return chosen_by_model and probability >= self.model_bar(system)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DecisionRule:
        try:
            threshold = {s: float(v) for s, v in data["threshold"].items() if s in SYSTEMS}
            model = {s: float(v) for s, v in data.get("model_threshold", {}).items() if s in SYSTEMS}
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise ValueError(f"decision rule: expected {{'threshold': {{system: number}}}} ({exc})") from exc
        depth = data.get("depth", DECISION_DEPTH)  # rules saved before `depth` was stored were fitted on 20
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ValueError(f"decision rule: depth must be a positive integer, got {depth!r}")
        return cls(threshold, model, dict(data.get("info", {})), depth)

    def top(self, ranking: Ranking) -> Ranking:
        """The part of a ranking the rule was fitted on: the best `depth` codes per system."""
        return {system: list(hits)[:self.depth] for system, hits in ranking.items()}


Ranking = dict[str, list[tuple[str, float]]]


def micro_f1(golds: list[set[str]], predictions: list[set[str]]) -> float:
    return prf(*micro_counts(golds, predictions))[2]


def gold_sets(cases: list[dict], system: str) -> list[set[str]]:
    return [set(case["codes"].get(system, [])) for case in cases]


def fit_thresholds(cases: list[dict], rankings: list[Ranking]) -> DecisionRule:
    """Per system, the probability threshold with the best micro-F1 over the cases (their gold `codes`)."""
    rule = DecisionRule(info={"cases": len(cases), "fitted_on": "cross-fitted retrieval scores", "f1": {}})
    for system in SYSTEMS:
        golds = gold_sets(cases, system)
        if not any(golds):
            continue
        scores = {t: micro_f1(golds, [{c for c, p in r.get(system, []) if p >= t} for r in rankings]) for t in GRID}
        best = max(GRID, key=lambda t: (scores[t], -abs(t - DEFAULT_THRESHOLD)))
        rule.threshold[system] = best
        rule.info["f1"][system] = round(scores[best], 4)
    return rule


def fit_model_thresholds(rule: DecisionRule, cases: list[dict], rankings: list[Ranking],
                         model_codes: list[dict[str, list[str]]]) -> DecisionRule:
    """Per system, the bar for the model's own codes (<= the retriever's threshold) with the best micro-F1
    of the combined answer on calibration cases; ties keep the higher bar (less weight on the model)."""
    fitted = DecisionRule(dict(rule.threshold), {}, {**rule.info, "model_calibration": {"cases": len(cases)}},
                          rule.depth)
    for system in SYSTEMS:
        golds = gold_sets(cases, system)
        if not any(golds):
            continue
        bars = [t for t in GRID if t < fitted.threshold[system]] + [fitted.threshold[system]]
        scores = {}
        for bar in bars:
            fitted.model_threshold[system] = bar
            scores[bar] = micro_f1(golds, [set(decide(fitted, r, m)[system]) for r, m in zip(rankings, model_codes,
                                                                                              strict=True)])
        best = max(bars, key=lambda t: (scores[t], t))
        fitted.model_threshold[system] = best
        fitted.info["model_calibration"][system] = {"f1": round(scores[best], 4),
                                                    "f1_without_model": round(scores[fitted.threshold[system]], 4)}
    return fitted


def billable_ranking(ranking: Ranking, model_codes: dict[str, list[str]],
                     to_billable: Callable[[str, str], str | None]) -> Ranking:
    """The ranking in billable codes, so the rule compares like with like. A retriever label that is not
    billable (CodiEsp's 'C56', 'C50.9') stands for the model's code under it when the model chose one
    ('C56.1'), else for its billable form (`to_billable(code, system)`), else it is dropped. A code reached
    twice keeps its best probability; the order stays best first."""
    mapped: Ranking = {}
    for system, hits in ranking.items():
        chosen = model_codes.get(system, [])
        best: dict[str, float] = {}
        for code, probability in hits:
            target = to_billable(code, system)
            if target != code:  # not billable as it stands
                under = [c for c in chosen if _descends(c, code)]
                target = under[0] if under else target
            if target is not None:
                best[target] = max(best.get(target, 0.0), float(probability))
        mapped[system] = sorted(best.items(), key=lambda item: -item[1])
    return mapped


def _descends(code: str, ancestor: str) -> bool:
    """'C56.1' descends from 'C56' (ICD-10-CM codes extend their category's characters)."""
    child, parent = code.replace(".", "").upper(), ancestor.replace(".", "").upper()
    return len(child) > len(parent) and child.startswith(parent)


def decide(rule: DecisionRule, ranking: Ranking, model_codes: dict[str, list[str]]) -> dict[str, list[str]]:
    """The final codes per system: the model's accepted codes first (in its order), then the retriever's.
    Only the top `rule.depth` codes of `ranking` count, as in fitting (a code below them has probability 0)."""
    ranking = rule.top(ranking)
    answer = {}
    for system in SYSTEMS:
        probability = dict(ranking.get(system, []))
        chosen = [c for c in dict.fromkeys(model_codes.get(system, []))
                  if rule.accepts(system, probability.get(c, 0.0), True)]
        extra = [c for c, p in ranking.get(system, []) if c not in chosen and rule.accepts(system, p, False)]
        answer[system] = chosen + extra
    return answer
