"""The shape of a reasoning line, as text: `"quote" -> CODE.`, a CPT/HCPCS code with a short `(reason)`, a quote
copied from the narrative (at most QUOTE_WORDS words, a longer one cut with the shortened mark).

Two places hold answers to it: the decoder, token by token (core.inference.style.ReasoningStyle), and the
stage-file checks, line by line over the training data (`style_conflicts`, core.datasets.stage_checks). Both read
the patterns below, so what the model is taught to write is what it is let write (docs/TRAINING.md, run 3: 44 % of
the training lines wrote a "(why)" the decoder banned, and the model trained on them wrote garbled lines)."""

from __future__ import annotations

import re

from core.constants import QUOTE_WORDS, SHORTENED_QUOTE_MARK

CODE = r"[A-Z0-9](?:[A-Z0-9.]*[A-Z0-9])?"
CODE_AT_END = re.compile(rf'"\s*->\s*(?:{CODE}\s*;\s*)*({CODE})\s*$')
OPEN_REASON = re.compile(rf'"\s*->\s*(?:{CODE}\s*;\s*)*({CODE})\s*\(([^()"]*)$')
PROCEDURE = re.compile(r"\d{4}[0-9A-Z]|[A-Z]\d{4}")  # CPT (5 digits, or 4 + F/T) or HCPCS Level II (a letter + 4 digits)
REASON_WORDS = 6  # a "(reason)" after a CPT/HCPCS code holds at most this many words
_SPACES = re.compile(r"\s+")
_AFTER_CODE = re.compile(r"\s*([(/\-,])")
_PARTIAL_MARK = re.compile(rf"\s\.{{1,{len(SHORTENED_QUOTE_MARK.strip())}}}$")


def code_at_end(line: str) -> str | None:
    """The last code of `line` when it ends right after `"quote" -> CODE` (or `; CODE`), else None."""
    match = CODE_AT_END.search(line)
    return match.group(1) if match else None


def is_procedure(code: str) -> bool:
    """A CPT or HCPCS Level II code (which may take a short reason), as opposed to an ICD-10-CM code."""
    return PROCEDURE.fullmatch(code) is not None


def normalize(text: str) -> str:
    return _SPACES.sub(" ", text).lower()


def unmarked(quote: str) -> str:
    """`quote` without the shortened-quote mark at its end, whole or still partial (" .", " ..": a tokenizer
    without a ' ..."' token writes it in pieces)."""
    return _PARTIAL_MARK.sub("", quote)


def quote_word_count(quote: str) -> int:
    return len(unmarked(quote).split())


def quote_in(source: str, quote: str) -> bool:
    """True when `quote` (a quote's text, maybe still open or cut with the mark) is a substring of the normalized
    narrative `source` (case and runs of whitespace ignored)."""
    key = normalize(unmarked(quote)).lstrip()
    return not key.strip() or key in source


def style_conflicts(reasoning: str, narrative: str | None, quote_words: int | None = QUOTE_WORDS,
                    reason_words: int | None = REASON_WORDS) -> list[str]:
    """Where a finished reasoning text departs from what the decoding style lets the model write, one phrase each
    (empty: the decoder lets a model that wants this text write it unchanged). The decoder's checks, on whole
    lines: every quote verbatim from the narrative and at most `quote_words` words; right after `"quote" -> CODE`
    (or `; CODE`) no "/", "-" or ","; a "(" only after a CPT/HCPCS code (with `reason_words`), its reason at most
    that many words; no reasoning line written twice."""
    source = normalize(narrative) if narrative else None
    problems: list[str] = []
    seen: set[str] = set()
    for line in (x.strip() for x in reasoning.split("\n")):
        if not line:
            continue
        if line in seen:
            problems.append(f"line written twice: {line[:60]}")
        seen.add(line)
        for quote in line.split('"')[1::2]:
            if source is not None and not quote_in(source, quote):
                problems.append(f"quote not in the narrative: {quote[:60]}")
            elif quote_words is not None and quote_word_count(quote) > quote_words:
                problems.append(f"quote over {quote_words} words: {quote[:60]}")
        for match in _AFTER_CODE.finditer(line):
            code = code_at_end(line[:match.start()])
            if code is None:
                continue
            mark = match.group(1)
            if mark != "(":
                problems.append(f"{mark!r} right after {code}")
            elif not reason_words or not is_procedure(code):
                problems.append(f"'(' right after {code}")
            else:
                reason = re.split(r'[()"]', line[match.end():], maxsplit=1)[0]  # as OPEN_REASON reads it
                if len(reason.split()) > reason_words:
                    problems.append(f"reason after {code} over {reason_words} words: {reason[:60]}")
    return problems
