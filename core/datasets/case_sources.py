"""Case sources named by a spec string, one grammar for every caller (`load_cases`, `thce data build`,
`thce eval`): "synthetic[:N[:SEED]]", "rules[:N[:SEED]]", "llm[:N[:SEED]]" (synthetic cases whose narratives
an OpenAI-compatible LLM rewrites; off unless THCE_LLM_BASE_URL is set), "codiesp:PATH", "raw:FILE", or a
JSONL file (gold cases or stage records; `load_cases` only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from core.datasets.cases import CodedCase
from core.datasets.codiesp import read_codiesp
from core.datasets.llm_client import llm_rewritten_cases
from core.datasets.raw import read_raw_records
from core.datasets.rule_cases import generate_rule_cases
from core.datasets.synthetic import generate_cases

DEFAULT_SYNTHETIC_COUNT = 1000
GENERATED_KINDS = ("synthetic", "rules", "llm")  # take an optional N and SEED
PATH_KINDS = ("codiesp", "raw")  # take a PATH
SOURCE_HELP = "synthetic[:N[:SEED]] | rules[:N[:SEED]] | llm[:N[:SEED]] | codiesp:PATH | raw:FILE"


@dataclass(frozen=True)
class CaseSpec:
    """A parsed spec: `kind` is one of GENERATED_KINDS or PATH_KINDS, or "file" (a JSONL path)."""

    kind: str
    path: str | None = None
    count: int | None = None
    seed: int | None = None


@dataclass
class LoadedSource:
    name: str
    cases: Iterator[CodedCase]
    report: dict = field(default_factory=dict)


def _spec_int(text: str, spec: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"case spec {spec!r}: {what} must be an integer") from None
    if value < 0:
        raise ValueError(f"case spec {spec!r}: {what} must not be negative")
    return value


def parse_case_spec(spec: str) -> CaseSpec:
    """The CaseSpec of a spec string; ValueError naming the spec when it is malformed. A string whose
    prefix is not a known kind is a file path."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind in GENERATED_KINDS:
        count, _, seed = arg.partition(":")
        if ":" in seed:
            raise ValueError(f"case spec {spec!r}: expected {kind}[:N[:SEED]]")
        return CaseSpec(kind, count=_spec_int(count, spec, "N"), seed=_spec_int(seed, spec, "SEED"))
    if kind in PATH_KINDS:
        if not arg.strip():
            raise ValueError(f"case spec {spec!r}: expected {kind}:PATH")
        return CaseSpec(kind, path=arg.strip())
    return CaseSpec("file", path=spec)


def load_source(spec: str, count: int | None = None, seed: int = 0) -> LoadedSource:
    """Cases of a source. Synthetic sources are lazy and unbounded by default (callers take what they
    need); CodiEsp and raw sources are read whole and truncated to `count` when given. The spec's own N and
    SEED, when it has them, stand for `count` and `seed`."""
    parsed = parse_case_spec(spec)
    if parsed.kind == "file":
        raise ValueError(f"unknown source {spec!r}; expected {SOURCE_HELP}")
    kind, arg = parsed.kind, parsed.path
    count = count if count is not None else parsed.count
    seed = parsed.seed if parsed.seed is not None else seed
    if kind == "synthetic":
        return LoadedSource("synthetic", generate_cases(count if count is not None else 10**9, seed))
    if kind == "rules":
        return LoadedSource("rules", generate_rule_cases(count if count is not None else DEFAULT_SYNTHETIC_COUNT, seed))
    if kind == "llm":
        return LoadedSource("llm", llm_rewritten_cases(count or DEFAULT_SYNTHETIC_COUNT, seed))
    if kind == "codiesp":
        cases, report = read_codiesp(arg)
        return LoadedSource("codiesp", iter(cases[:count] if count else cases), {"mapping": report.to_dict()})
    cases = read_raw_records(arg)
    return LoadedSource("raw", iter(cases[:count] if count else cases), {"raw_records": len(cases)})
