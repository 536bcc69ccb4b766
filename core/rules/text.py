"""Narrative reading for the rules: affirmed (not negated) mentions, sides, encounter cues."""

from __future__ import annotations

import re

_SENTENCE_RE = re.compile(r"[^.;!?\n]+")
_NEGATION_RE = re.compile(
    r"\b(no|not|denies|denied|negative for|without|never|ruled out|rules out|free of|absence of)\b[^,]*$", re.I)


def sentences(narrative: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(narrative) if s.strip()]


def affirmed(narrative: str, pattern: str) -> str | None:
    """The first sentence where `pattern` (a regex, case-insensitive) occurs without a negation before it
    in the same clause; None when it is absent or only negated."""
    regex = re.compile(pattern, re.I)
    for sentence in sentences(narrative):
        for match in regex.finditer(sentence):
            if not _NEGATION_RE.search(sentence[: match.start()]):
                return sentence
    return None


def any_affirmed(narrative: str, patterns) -> bool:
    return any(affirmed(narrative, pattern) for pattern in patterns)


def documented_side(narrative: str) -> str | None:
    """'right', 'left' or 'bilateral' when the narrative names exactly one side (or both), else None."""
    if affirmed(narrative, r"\bbilateral(ly)?\b|\bboth (ears|eyes|knees|hips|feet|hands|sides)\b"):
        return "bilateral"
    right = affirmed(narrative, r"\bright\b(?! away| now)|\brt\b")
    left = affirmed(narrative, r"\bleft\b(?! the| after| against| ama| without)|\blt\b")
    if right and left:
        return None
    return "right" if right else "left" if left else None


def minutes_documented(narrative: str) -> int | None:
    """Total time on the date of the encounter, when the note states it ('total time 35 minutes')."""
    match = re.search(r"total (?:time|of)[^.\d]{0,40}?(\d{1,3})\s*(?:minutes|min)\b", narrative, re.I)
    if match is None:
        match = re.search(r"(\d{1,3})\s*(?:minutes|min)\b[^.]{0,40}?total", narrative, re.I)
    return int(match.group(1)) if match else None
