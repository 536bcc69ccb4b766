"""Quality gates for stage files (`thce data check`): schema, valid codes, well-formed answers that match
the record's codes, reasoning the decoding style lets the model write, duplicates, near-duplicates, length
limits, and the per-system code distribution."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.codes import get_codeset
from core.constants import MAX_NARRATIVE_CHARS
from core.datasets.near_duplicates import near_duplicate_pairs, normalize_text
from core.datasets.record_schema import schema_problems
from core.prompts import SYSTEMS, narrative_from_messages, parse_output, split_reasoning
from core.reasoning_lines import style_conflicts

MAX_REASONING_WORDS = 400
MAX_ANSWER_CHARS = 6000
NEAR_DUPLICATE_THRESHOLD = 0.9
MAX_NEAR_DUPLICATE_FRACTION = 0.05
NEAR_DUPLICATE_SAMPLE = 20000
MAX_LISTED = 200


@dataclass
class CheckReport:
    path: str
    stage: str
    records: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {"path": self.path, "stage": self.stage, "ok": self.ok, "records": self.records,
                "n_errors": len(self.errors), "n_warnings": len(self.warnings),
                "errors": [{"line": n, "message": m} for n, m in self.errors[:MAX_LISTED]],
                "warnings": [{"line": n, "message": m} for n, m in self.warnings[:MAX_LISTED]], "stats": self.stats}


def _think_problems(text: str) -> list[str]:
    opens, closes = text.count("<think>"), text.count("</think>")
    if opens != 1 or closes != 1:
        return [f"unbalanced think tags ({opens} <think>, {closes} </think>)"]
    if text.index("<think>") > text.index("</think>") or not text.lstrip().startswith("<think>"):
        return ["the answer must start with <think> and close it before the JSON"]
    return []


def style_problems(answer: str, narrative: str) -> list[str]:
    """The answer's reasoning checked against the decoding style (core.reasoning_lines.style_conflicts): a line
    the decoder would not let the model write teaches a format the model is then pushed off (garbled lines)."""
    conflicts = style_conflicts(split_reasoning(answer, [])[0], narrative)
    if not conflicts:
        return []
    return [f"reasoning the decoding style would not let the model write ({len(conflicts)}): {conflicts[0]}"]


def answer_problems(text: str, expected: dict | None, codeset, require_valid: bool = True) -> tuple[list[str], int]:
    """Problems of one `<think>` + JSON answer, and its reasoning length in words."""
    problems = _think_problems(text)
    if len(text) > MAX_ANSWER_CHARS:
        problems.append(f"answer longer than {MAX_ANSWER_CHARS} characters")
    parsed = parse_output(text, codeset)
    words = len(parsed.reasoning.split())
    if not parsed.ok:
        return problems + [f"answer not parseable: {parsed.error}"], words
    if not parsed.reasoning.strip():
        problems.append("empty reasoning")
    if words > MAX_REASONING_WORDS:
        problems.append(f"reasoning has {words} words (limit {MAX_REASONING_WORDS})")
    if parsed.repairs and not problems:
        problems.append("answer needed repairs: " + "; ".join(parsed.repairs[:3]))
    if expected is not None and any(parsed.codes[s] != list(expected.get(s, [])) for s in SYSTEMS):
        problems.append(f"answer codes {parsed.codes} differ from the record's codes")
    if require_valid:
        problems += invalid_code_problems(parsed.codes, codeset, "answer")
    return problems, words


def invalid_code_problems(codes: dict, codeset, where: str) -> list[str]:
    problems = []
    for system in SYSTEMS:
        for code in codes.get(system, []):
            if not codeset.is_valid(code, system):
                problems.append(f"{where} code {code!r} ({system}): {codeset.validate(code, system).message}")
    return problems


class _Checker:
    def __init__(self, stage: str, codeset):
        self.stage, self.codeset = stage, codeset
        self.seen: dict[str, int] = {}
        self.seen_inputs: dict[str, tuple[int, str]] = {}
        self.texts: list[tuple[int, str]] = []
        self.code_counts = {s: Counter() for s in SYSTEMS}
        self.records_with = Counter()
        self.labels, self.words, self.sources = Counter(), [], Counter()

    def _duplicates(self, line: int, prompt_text: str, answer_key: str) -> list[str]:
        whole = hashlib.sha1(f"{normalize_text(prompt_text)}\x00{answer_key}".encode()).hexdigest()
        if whole in self.seen:
            return [f"duplicate of line {self.seen[whole]}"]
        self.seen[whole] = line
        if self.stage == "stage_3":
            return []
        key = hashlib.sha1(normalize_text(prompt_text).encode()).hexdigest()
        first = self.seen_inputs.setdefault(key, (line, answer_key))
        return [f"same input as line {first[0]} with a different answer"] if first[0] != line else []

    def _count(self, codes: dict, record: dict) -> None:
        for system in SYSTEMS:
            self.code_counts[system].update(codes.get(system, []))
            self.records_with[system] += bool(codes.get(system))
        meta = record.get("meta", {})
        self.labels[meta.get("task") or meta.get("error") or meta.get("setting") or "-"] += 1
        self.sources[record.get("source")] += 1

    def check(self, line: int, record: dict) -> list[str]:
        if self.stage == "stage_3":
            prompt, expected = record["prompt"], record["meta"].get("codes")
            problems, words = answer_problems(record["chosen"][0]["content"], expected, self.codeset)
            rejected = record["rejected"][0]["content"]
            if record.get("source") != "review":  # a review pair's rejected answer is the model's raw output as is
                problems += [f"rejected: {p}" for p in _think_problems(rejected)]
                if not parse_output(rejected, self.codeset).ok:
                    problems.append("rejected answer not parseable")
            if rejected == record["chosen"][0]["content"]:
                problems.append("rejected answer equals the chosen answer")
            answer_key, codes = record["chosen"][0]["content"] + "\x00" + rejected, expected or {}
            taught = record["chosen"][0]["content"]
        else:
            prompt, codes = record["messages"][:2], record["codes"]
            answer = record["messages"][2]["content"]
            problems = invalid_code_problems(codes, self.codeset, "record")
            taught = None if self.stage == "stage_1" else answer
            if record["meta"].get("answer_format") == "text":
                words = len(answer.split())
                if "think>" in answer or any(codes[s] for s in SYSTEMS):
                    problems.append("a text answer must have no think tags and no codes")
            else:
                found, words = answer_problems(answer, codes, self.codeset, require_valid=False)
                problems += found
            answer_key = answer
        user = prompt[-1]["content"]
        if not user.startswith("Narrative:\n"):
            problems.append("user message must be built by build_user_prompt ('Narrative:' first)")
        narrative = narrative_from_messages(prompt)
        if len(narrative) > MAX_NARRATIVE_CHARS:
            problems.append(f"narrative longer than {MAX_NARRATIVE_CHARS} characters")
        if taught is not None:
            problems += style_problems(taught, narrative)
        duplicates = self._duplicates(line, user, answer_key)
        if not duplicates:  # exact copies are reported once, not again as near-duplicates
            self.texts.append((line, narrative))
        problems += duplicates
        self.words.append(words)
        self._count(codes, record)
        return problems

    def stats(self) -> dict:
        words = sorted(self.words) or [0]
        return {"reasoning_words": {"mean": round(sum(words) / len(words), 1), "p95": words[math.ceil(0.95 * len(words)) - 1],
                                    "max": words[-1]},
                "labels": dict(self.labels.most_common()), "sources": dict(self.sources),
                "systems": {s: {"records_with_codes": self.records_with[s], "codes": sum(self.code_counts[s].values()),
                                "distinct": len(self.code_counts[s]), "top": self.code_counts[s].most_common(10)}
                            for s in SYSTEMS}}


def _near_duplicates(report: CheckReport, texts: list[tuple[int, str]], stage: str) -> None:
    if stage == "stage_3":  # several pairs per narrative are expected
        unique = {}
        for line, text in texts:
            unique.setdefault(text, line)
        texts = [(line, text) for text, line in unique.items()]
    sample = texts[:: max(1, len(texts) // NEAR_DUPLICATE_SAMPLE)][:NEAR_DUPLICATE_SAMPLE]
    pairs = near_duplicate_pairs([t for _, t in sample], NEAR_DUPLICATE_THRESHOLD)
    involved = {i for i, _, _ in pairs} | {j for _, j, _ in pairs}
    fraction = len(involved) / len(sample) if sample else 0.0
    report.stats["near_duplicates"] = {"checked": len(sample), "pairs": len(pairs), "fraction": round(fraction, 4),
                                       "threshold": NEAR_DUPLICATE_THRESHOLD}
    for i, j, similarity in pairs[:MAX_LISTED]:
        report.warnings.append((sample[j][0], f"near-duplicate of line {sample[i][0]} (Jaccard {similarity})"))
    if fraction > MAX_NEAR_DUPLICATE_FRACTION:
        report.errors.append((0, f"{fraction:.1%} of records are near-duplicates (limit {MAX_NEAR_DUPLICATE_FRACTION:.0%})"))


def check_dataset(path: str | Path, stage: str, codeset=None) -> CheckReport:
    """Check a stage file; never raises on bad content (every problem is reported with its line)."""
    if codeset is None:
        codeset = get_codeset()
    path = Path(path)
    report, checker = CheckReport(str(path), stage), _Checker(stage, codeset)
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                report.warnings.append((line_no, "empty line"))
                continue
            report.records += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                report.errors.append((line_no, f"invalid JSON: {exc.msg} (column {exc.colno})"))
                continue
            problems = schema_problems(record, stage) or checker.check(line_no, record)
            report.errors += [(line_no, problem) for problem in problems]
    if report.records == 0:
        report.errors.append((0, "no records"))
    report.stats = checker.stats()
    _near_duplicates(report, checker.texts, stage)
    return report
