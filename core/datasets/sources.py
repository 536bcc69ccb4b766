"""Case sources named by a spec string: "synthetic", "codiesp:PATH", "raw:FILE", "llm" (synthetic cases
whose narratives an OpenAI-compatible LLM rewrites; off unless THCE_LLM_BASE_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from core.datasets.cases import CodedCase

DEFAULT_SYNTHETIC_COUNT = 1000
SOURCE_HELP = "synthetic | rules | codiesp:PATH | raw:FILE | llm"


@dataclass
class LoadedSource:
    name: str
    cases: Iterator[CodedCase]
    report: dict = field(default_factory=dict)


def parse_source(spec: str) -> tuple[str, str | None]:
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind in ("synthetic", "llm", "rules") and not arg:
        return kind, None
    if kind in ("codiesp", "raw") and arg.strip():
        return kind, arg.strip()
    raise ValueError(f"unknown source {spec!r}; expected {SOURCE_HELP}")


def load_source(spec: str, count: int | None = None, seed: int = 0) -> LoadedSource:
    """Cases of a source. Synthetic sources are lazy and unbounded by default (callers take what they
    need); CodiEsp and raw sources are read whole and truncated to `count` when given."""
    kind, arg = parse_source(spec)
    if kind == "synthetic":
        from core.datasets.synthetic import generate_cases

        return LoadedSource("synthetic", generate_cases(count if count is not None else 10**9, seed))
    if kind == "rules":
        from core.datasets.rule_cases import generate_rule_cases

        return LoadedSource("rules", generate_rule_cases(count if count is not None else DEFAULT_SYNTHETIC_COUNT, seed))
    if kind == "llm":
        from core.datasets.llm_client import llm_rewritten_cases

        return LoadedSource("llm", llm_rewritten_cases(count or DEFAULT_SYNTHETIC_COUNT, seed))
    if kind == "codiesp":
        from core.datasets.codiesp import read_codiesp

        cases, report = read_codiesp(arg)
        return LoadedSource("codiesp", iter(cases[:count] if count else cases), {"mapping": report.to_dict()})
    from core.datasets.raw import read_raw_records

    cases = read_raw_records(arg)
    return LoadedSource("raw", iter(cases[:count] if count else cases), {"raw_records": len(cases)})
