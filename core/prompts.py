"""Chat prompts with `<think>` reasoning, and the tolerant parser of model answers.

The answer contract (DESIGN.md):

    <think>
    evidence -> code and why; what was ruled out; why this specificity
    </think>
    {"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": []}

`parse_output` accepts sloppy output (missing tags, extra prose, lower case, no dots, single quotes,
trailing commas, a bare list of codes) and reports each repair; it never raises.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from core.codes import get_codeset
from core.constants import SYSTEMS, system_of

logger = logging.getLogger(__name__)

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
# Candidates shown to the model per system, and how much of each description: the prompt is the main cost
# of a small model on CPU (training and prefill), so it stays compact (retrieval recall on the synthetic
# held-out set: ICD-10-CM 0.98 at 8, CPT 0.96 at 4, HCPCS 1.00 at 4).
PROMPT_CANDIDATES = {"icd10cm": 8, "cpt": 6, "hcpcs": 4}
MAX_CANDIDATES_PER_SYSTEM = max(PROMPT_CANDIDATES.values())
DESCRIPTION_CHARS = 64
SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS"}

SYSTEM_PROMPT = (
    "You are THCE, a certified medical coder. Assign ICD-10-CM, CPT and HCPCS codes to the narrative. "
    "Inside <think></think> write one line per code: the narrative's words in quotes -> the code; then what "
    "you did not code (negated, family or past history, unconfirmed). "
    'Then answer with JSON: {"icd10cm": [...], "cpt": [...], "hcpcs": [...]}.'
)


@dataclass(frozen=True)
class Candidate:
    """A retrieved code offered to the model in the prompt."""

    code: str
    system: str
    description: str
    score: float = 0.0


@dataclass
class ParsedOutput:
    reasoning: str = ""
    codes: dict[str, list[str]] = field(default_factory=lambda: empty_codes())
    repairs: list[str] = field(default_factory=list)
    ok: bool = False
    error: str | None = None


def empty_codes() -> dict[str, list[str]]:
    return {system: [] for system in SYSTEMS}


def _short(description: str) -> str:
    if len(description) <= DESCRIPTION_CHARS:
        return description
    return description[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;(") + " ..."


def format_candidates(candidates: list[Candidate]) -> str:
    """One line per candidate under a header per system: `CODE short description`."""
    lines = []
    for system in SYSTEMS:
        chosen = [c for c in candidates if c.system == system][:PROMPT_CANDIDATES[system]]
        if chosen:
            lines.append(f"{SYSTEM_LABELS[system]}:")
            lines += [f"{c.code} {_short(c.description)}" for c in chosen]
    return "\n".join(lines)


def build_user_prompt(narrative: str, candidates: list[Candidate] | None = None) -> str:
    text = f"Narrative:\n{narrative.strip()}"
    if candidates:
        text += f"\n\nCandidate codes:\n{format_candidates(candidates)}"
    return text


def build_messages(narrative: str, candidates: list[Candidate] | None = None) -> list[dict]:
    """The chat messages (system + user) for one narrative."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": build_user_prompt(narrative, candidates)},
    ]


def narrative_from_messages(messages: list[dict]) -> str:
    """Recover the narrative from a prompt built by `build_messages` (for evaluation of stage files)."""
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    body = user.split("Narrative:\n", 1)[-1]
    return body.split("\n\nCandidate codes:\n", 1)[0].strip()


def format_answer(reasoning: str, codes: dict[str, list[str]]) -> str:
    """The assistant message of the contract: think block then one JSON line."""
    answer = {system: list(codes.get(system, [])) for system in SYSTEMS}
    return f"{THINK_OPEN}\n{reasoning.strip()}\n{THINK_CLOSE}\n{json.dumps(answer)}"


# ---------------------------------------------------------------- parsing

_THINK_RE = re.compile(r"<\s*think\s*>(.*?)<\s*/\s*think\s*>", re.S | re.I)
_CODE_TOKEN_RE = re.compile(r"\b([A-Za-z]\d[0-9A-Za-z](?:\.?[0-9A-Za-z]{1,4})?|\d{4}[0-9FTft])\b")
_CODE_SHAPE_RE = re.compile(r"^(?=.*\d)[A-Za-z0-9.]{3,8}$")


def split_reasoning(text: str, repairs: list[str]) -> tuple[str, str]:
    """Return (reasoning, rest-of-text) and note repairs of the think tags."""
    match = _THINK_RE.search(text)
    if match:
        return match.group(1).strip(), text[match.end():]
    lower = text.lower()
    if THINK_OPEN in lower:  # opened, never closed: reasoning runs until the JSON
        start = lower.index(THINK_OPEN) + len(THINK_OPEN)
        brace = text.find("{", start)
        end = brace if brace != -1 else len(text)
        repairs.append("closed an unclosed <think> tag")
        return text[start:end].strip(), text[end:]
    if THINK_CLOSE in lower:
        end = lower.index(THINK_CLOSE)
        repairs.append("added a missing <think> opening tag")
        return text[:end].strip(), text[end + len(THINK_CLOSE):]
    brace = text.find("{")
    if brace > 0:
        repairs.append("no <think> tags: took the prose before the JSON as reasoning")
        return text[:brace].strip(), text[brace:]
    repairs.append("no <think> reasoning found")
    return "", text


def _json_candidates(text: str) -> list[str]:
    """Balanced {...} substrings, last first (the answer follows the reasoning)."""
    found, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                found.append(text[start:i + 1])
    if depth and start is not None:
        found.append(text[start:] + "}" * depth)
    return list(reversed(found))


def _loads_lenient(blob: str, repairs: list[str]) -> dict | None:
    try:
        value = json.loads(blob)
        return value if isinstance(value, dict) else None
    except json.JSONDecodeError:
        pass
    fixed = re.sub(r",\s*([}\]])", r"\1", blob.replace("'", '"'))
    fixed = re.sub(r"([{,]\s*)([A-Za-z_][\w-]*)\s*:", r'\1"\2":', fixed)
    try:
        value = json.loads(fixed)
    except json.JSONDecodeError:
        return None
    repairs.append("repaired malformed JSON (quotes, trailing commas or bare keys)")
    return value if isinstance(value, dict) else None


def _extract_answer(rest: str, repairs: list[str]) -> dict | None:
    for blob in _json_candidates(rest):
        value = _loads_lenient(blob, repairs)
        if value is not None:
            if blob.count("{") != blob.count("}") or not rest.strip().endswith("}"):
                repairs.append("ignored text around the JSON answer")
            return value
    return None


def _as_code_list(value, key, repairs: list[str]) -> list[str]:
    if value is None:
        repairs.append(f"read null under {key!r} as no codes")
        return []
    if isinstance(value, str):
        repairs.append(f"split the string under {key!r} into a list of codes")
        return [v for v in re.split(r"[,;\s]+", value) if v]
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            if isinstance(item, dict):
                repairs.append(f"took the code out of an object under {key!r}")
                item = item.get("code", "")
            elif not isinstance(item, str):
                repairs.append(f"read {item!r} under {key!r} as text")
            out.append(str(item))
        return out
    repairs.append(f"ignored a {type(value).__name__} under {key!r}")
    return []


def _collect_raw_codes(answer: dict, repairs: list[str]) -> list[tuple[str | None, str]]:
    raw: list[tuple[str | None, str]] = []
    for key, value in answer.items():
        system = system_of(str(key))
        if system is None:
            repairs.append(f"unknown answer key {key!r}: codes assigned by format")
        elif key != system:
            repairs.append(f"read answer key {key!r} as {system!r}")
        for code in _as_code_list(value, key, repairs):
            raw.append((system, code))
    missing = [s for s in SYSTEMS if s not in answer]
    if missing and len(missing) < len(SYSTEMS):
        repairs.append(f"answer had no key for {', '.join(missing)}")
    return raw


def _place_codes(raw: list[tuple[str | None, str]], repairs: list[str], codeset) -> dict[str, list[str]]:
    codes = empty_codes()
    for declared, code in raw:
        cleaned = code.strip().strip(".\"'")
        if not cleaned:
            repairs.append("dropped an empty code")
            continue
        if cleaned != code:
            repairs.append(f"trimmed {code!r} to {cleaned!r}")
        normalized = codeset.normalize(cleaned)
        system = codeset.detect_system(normalized)
        if system is None and declared and _CODE_SHAPE_RE.match(cleaned):
            system = declared  # kept so that validation can say what is wrong with it
        if system is None:
            repairs.append(f"dropped {cleaned!r}: not a code of any system")
            continue
        if normalized != cleaned:
            repairs.append(f"normalized {cleaned!r} -> {normalized!r}")
        if declared and system != declared:
            repairs.append(f"moved {normalized} from {declared} to {system}")
        if normalized not in codes[system]:
            codes[system].append(normalized)
        else:
            repairs.append(f"removed duplicate {normalized}")
    return codes


# ---------------------------------------------------------------- the answer the reasoning carries

_CITED_RE = re.compile(r'"\s*->\s*(?P<codes>[^"\n]*)$')  # '"quote" -> CODE (why); CODE.'
_WHOLE_CASE_RE = re.compile(r"^(?P<codes>[A-Za-z0-9.]+(?:\s*;\s*[A-Za-z0-9.]+)*)\s*:\s*no single sentence", re.I)
_CITED_CODE_RE = re.compile(r"^[A-Za-z0-9.]+")


def reasoning_codes(reasoning: str, codeset=None) -> dict[str, list[str]]:
    """The valid codes the reasoning cites, per system, in the order first cited: the code part of each
    `"quote" -> CODE; CODE.` line and of each `CODE: no single sentence ...` line (core/datasets/reasoning.py).
    Invalid or unknown codes are left out, and "Not coded:" lines name no codes."""
    codeset = codeset if codeset is not None else get_codeset()
    codes = empty_codes()
    for line in (line.strip() for line in reasoning.splitlines()):
        match = _CITED_RE.search(line) or _WHOLE_CASE_RE.match(line)
        if match is None:
            continue
        for part in re.split(r"[;,]", match.group("codes")):
            token = _CITED_CODE_RE.match(part.strip())
            if token is None:
                continue
            validation = codeset.validate(token.group(0).rstrip("."))
            if validation.status == "ok" and validation.normalized not in codes[validation.system]:
                codes[validation.system].append(validation.normalized)
    return codes


def answer_from_reasoning(text: str, codeset=None) -> str:
    """The JSON answer line that follows `text` (reasoning that ends with `</think>`): the codes its
    reasoning cites. Empty when `text` is not a closed reasoning block or an answer already follows it."""
    close = text.rfind(THINK_CLOSE)
    if close < 0 or text[close + len(THINK_CLOSE):].strip():
        return ""
    reasoning, _ = split_reasoning(text, [])
    return ("" if text.endswith("\n") else "\n") + json.dumps(reasoning_codes(reasoning, codeset))


def parse_output(text: str | None, codeset=None) -> ParsedOutput:
    """Parse a model answer. Never raises; `ok` is False when no answer could be recovered. Codes are spelled
    and sorted into systems by `codeset` (default: `core.codes.get_codeset()`)."""
    try:
        return _parse(text if isinstance(text, str) else "", codeset if codeset is not None else get_codeset())
    except Exception as exc:  # the parser must never crash a batch
        logger.exception("parser failure")
        return ParsedOutput(error=f"parser failure: {type(exc).__name__}")


_OPEN_RE = re.compile(r"<\s*think\s*>", re.I)
_CLOSE_RE = re.compile(r"<\s*/\s*think\s*>", re.I)


def think_tags_balanced(raw: str) -> bool:
    """Exactly one <think> followed later by exactly one </think>."""
    opens, closes = list(_OPEN_RE.finditer(raw)), list(_CLOSE_RE.finditer(raw))
    return len(opens) == 1 and len(closes) == 1 and opens[0].end() <= closes[0].start()


def think_format_ok(raw: str) -> bool:
    """The contract's shape: one <think>...</think> block, then only a JSON object that parse_output accepts.

    Code-level repairs (lower case, missing dots, a missing empty system) do not break the format;
    missing or unbalanced tags, malformed JSON or prose around the JSON do.
    """
    if not raw or not think_tags_balanced(raw):
        return False
    try:
        answer = json.loads(raw[_CLOSE_RE.search(raw).end():].strip())
    except json.JSONDecodeError:
        return False
    return isinstance(answer, dict) and parse_output(raw).ok


def _parse(text: str, codeset) -> ParsedOutput:
    repairs: list[str] = []
    if not text.strip():
        return ParsedOutput(error="empty model output", repairs=["empty output"])
    reasoning, rest = split_reasoning(text, repairs)
    answer = _extract_answer(rest, repairs)
    if answer is None:
        tokens = _CODE_TOKEN_RE.findall(rest)
        if not tokens:
            return ParsedOutput(reasoning=reasoning, repairs=repairs, error="no JSON answer and no codes found")
        repairs.append("no JSON answer: took code-like tokens after the reasoning")
        raw = [(None, t) for t in tokens]
    else:
        raw = _collect_raw_codes(answer, repairs)
    codes = _place_codes(raw, repairs, codeset)
    return ParsedOutput(reasoning=reasoning, codes=codes, repairs=repairs, ok=True)
