"""Excludes1 conflicts (ICD-10-CM Official Guidelines, Section I.A.12.a): an Excludes1 note means the two
conditions are never coded together (they are mutually exclusive, e.g. type 1 and type 2 diabetes), except
when the two conditions are unrelated to each other: then both are coded. A symptom (R-chapter) code that the
note documents on its own (a sentence naming it and none of the other code's own words: pain all over beside
epigastric pain, ankle edema beside pulmonary edema) is taken as unrelated, and both codes stay.

An Excludes1 line that names a class rather than codes ("specified types of allergic reaction such as: ..."
under T78.4 Other and unspecified allergy; "specified type of rash - code to condition" under R21) excludes
every coded code whose description names that class (allergic urticaria L50.0, allergic rhinitis J30.9): the
examples after "such as" are not the whole class. Then the code carrying the note, the unspecified one, is
the one dropped."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.references import note_lines, parse_references
from core.text import evidence_stems, is_affirmed, split_sentences, tokenize

GUIDELINE = "ICD-10-CM Official Guidelines I.A.12.a (Excludes1)"


def excluded_by(codeset, code: str, other: str) -> str | None:
    """The Excludes1 note line of `code` (or of an ancestor) that names `other`, or None."""
    for line, _ in note_lines(codeset, code, "excludes1"):
        if any(ref.covers(other) for ref in parse_references(line)):
            return line
    return None


# "specified types of allergic reaction such as:", "specified type of rash- code to condition"
_CLASS_RE = re.compile(r"^specified types? of (?P<cls>[a-z ]+?)(?:,?\s+such as\b|\s*[-:])", re.I)


def excluded_as_specified_type(codeset, code: str, other: str) -> str | None:
    """The Excludes1 line of `code` (or of an ancestor) that excludes the specified types of a class `other`'s
    description names by the class's first word ('allergic' of 'allergic reaction' in 'Allergic urticaria'), or
    None. Codes of one category are never each other's 'specified type'."""
    if other[:3] == code[:3]:
        return None
    described = set(tokenize(codeset.describe(other)))
    for line, _ in note_lines(codeset, code, "excludes1"):
        match = _CLASS_RE.match(line)
        head = tokenize(match.group("cls"))[:1] if match else []
        if head and head[0] in described:
            return line
    return None


def find_conflicts(codes, codeset) -> list[dict]:
    """Excludes1 pairs among ICD-10-CM codes (a dict of systems or a flat list of ICD-10-CM codes):
    [{'codes': [a, b], 'note': a's line, 'carrier': ..., 'guideline': ...}]."""
    icd = codes.get("icd10cm", []) if isinstance(codes, dict) else list(codes)
    conflicts = []
    for i, first in enumerate(icd):
        for second in icd[i + 1:]:
            for a, b in ((first, second), (second, first)):
                line = excluded_by(codeset, a, b)
                specified = None if line else excluded_as_specified_type(codeset, a, b)
                if line or specified:
                    conflicts.append({"codes": [first, second], "excluding": a, "note": line or specified,
                                      "specified_type": bool(specified), "guideline": GUIDELINE})
                    break
    return conflicts


def _loser(first: str, second: str) -> str:
    """Which of two conflicting codes to drop: a symptom (R-chapter) code yields to a diagnosis; otherwise the
    later-listed (less confident) code. Measured on CodiEsp dev (tfidf_lr answers): this order made 79 helpful
    and 20 harmful drops; dropping the code that carries the note instead made 65 and 32."""
    if first.startswith("R") != second.startswith("R"):
        return first if first.startswith("R") else second
    return second


def _term_stems(codeset, code: str) -> list[set[str]]:
    """The content stems of the code's description and of each of its inclusion terms."""
    info = codeset.lookup(code, "icd10cm")
    terms = [info.description, *info.notes.get("inclusion_terms", [])] if info else []
    return [stems for stems in (evidence_stems(t) for t in terms if t) if stems]


def documented_apart(ctx: Context, symptom: str, other: str) -> str | None:
    """An affirmed sentence that names the `symptom` (two words of its description or of an inclusion term, or
    its one word) and none of the words that only `other` has: the note documents the symptom on its own, not
    as part of the other condition (I.A.12.a's exception: unrelated conditions are coded together)."""
    terms = _term_stems(ctx.codeset, symptom)
    own = set().union(*terms) if terms else set()
    others = set().union(*_term_stems(ctx.codeset, other)) - own
    if not others:
        return None  # the other code says all the symptom's words and more: no sentence tells them apart
    for sentence in split_sentences(ctx.narrative, keep_labels=True):
        words = evidence_stems(sentence)
        if (not words & others and is_affirmed(sentence)
                and any(len(words & stems) >= min(2, len(stems)) for stems in terms)):
            return sentence
    return None


def _propose(ctx: Context) -> list:
    edits, dropped = [], set()
    for conflict in find_conflicts(ctx.codes, ctx.codeset):
        first, second = conflict["codes"]
        if first in dropped or second in dropped:
            continue
        # a specified type of the class excluded: the unspecified code carrying the note yields
        loser = conflict["excluding"] if conflict.get("specified_type") else _loser(first, second)
        kept = second if loser == first else first
        if not conflict.get("specified_type") and loser.startswith("R") and documented_apart(ctx, loser, kept):
            continue
        dropped.add(loser)
        if conflict.get("specified_type"):
            reason = (f"{loser} has an Excludes1 note '{conflict['note'].rstrip(':')}': {kept} "
                      f"({ctx.codeset.describe(kept).lower()}) is one, so {loser} is not coded with it")
        else:
            reason = f"{conflict['excluding']} has an Excludes1 note '{conflict['note']}': {loser} is not coded with {kept}"
        edits.append(RULE.edit("drop", "icd10cm", loser, reason))
    return edits


RULE = Rule("excludes1_conflict", GUIDELINE, "two codes whose Excludes1 notes forbid coding them together",
            _propose, one_encounter=True)
