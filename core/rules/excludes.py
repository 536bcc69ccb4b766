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
from core.text import content_stems, evidence_stems, is_affirmed, split_sentences, tokenize

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


_UNSPECIFIED_RE = re.compile(r"\bunspecified\b|\bnot specified\b|\bNOS\b", re.I)


def _unspecified(codeset, code: str) -> bool:
    return bool(_UNSPECIFIED_RE.search(codeset.describe(code)))


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
    return _named_without(ctx, terms, set().union(*_term_stems(ctx.codeset, other)) - own)


def _named_without(ctx: Context, terms: list[set[str]], others: set[str]) -> str | None:
    """An affirmed sentence that names one of the terms (two of its words, or its one word) and none of the
    `others` words."""
    if not others:
        return None  # the other condition says all the words and more: no sentence tells them apart
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
        # a specified type of the class excluded, or an unspecified code (UTI, site not specified) whose note names
        # the other's condition as classified elsewhere (cystitis N30.-): the unspecified code carrying the note yields
        excluding = conflict["excluding"]
        other = second if excluding == first else first
        unspecified = _unspecified(ctx.codeset, excluding) and not _unspecified(ctx.codeset, other)
        loser = excluding if conflict.get("specified_type") or unspecified else _loser(first, second)
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


# ---------------------------------------------------------------- the excluded condition is coded elsewhere

# Words of an Excludes1 phrase that only say it is the unspecific default ('bronchitis NOS'); a phrase must
# name at least two words that tie it to a condition (core.text.evidence_stems) and one the coded code does
# not say itself (J20's 'bronchitis NOS (J40)' never moves acute bronchitis to J40).
_WINDOW_SLACK = 2  # other words allowed among the phrase's words in the sentence ("primary chronic pulmonary hypertension")


def _unique_billable(codeset, reference) -> str | None:
    """The one billable code a note's single reference points to ('(A54.01)', '(J36)', a category with one
    billable code), else None (a range, a category of several codes)."""
    if reference.end is not None:
        return None
    start = reference.start
    code = start[:3] + ("." + start[3:] if len(start) > 3 else "")
    if codeset.is_valid(code, "icd10cm"):
        return code
    if codeset.lookup(code, "icd10cm") is None:
        return None
    found = codeset.billable_descendants(code, limit=2)
    return found[0] if len(found) == 1 else None


def _phrase(line: str) -> str:
    """The condition a note line names, without its code references and nonessential modifiers."""
    return " ".join(re.sub(r"\([^()]*\)|,?\s+NOS\b", " ", line).split()).strip(" :;,.-")


def _in_order(tokens: list[str], phrase: list[str]) -> bool:
    """The phrase's words occur in the token list in their order, with at most _WINDOW_SLACK other words
    among them ('primary pulmonary hypertension'; not 'pain in the back' for 'back pain')."""
    for first, token in enumerate(tokens):
        if token != phrase[0]:
            continue
        at, ok = first, True
        for word in phrase[1:]:
            at = next((i for i in range(at + 1, len(tokens)) if tokens[i] == word), None)
            if at is None:
                return False
            if at - first > len(phrase) - 1 + _WINDOW_SLACK:
                ok = False
                break
        if ok:
            return True
    return False


def documented_excluded(ctx: Context, code: str) -> tuple[str, str, str] | None:
    """(replacement, note line, sentence) when an Excludes1 note of `code` (or an ancestor) names, with one
    billable code, a condition one affirmed sentence of the narrative documents: every content word of the
    note's phrase, close together, at least two of them tying it to a condition and one the code itself does
    not say. None when no note, or two notes pointing to different codes, qualify."""
    terms = _term_stems(ctx.codeset, code)
    own = set().union(*terms) if terms else set()
    sentences = [(s, tokenize(s)) for s in split_sentences(ctx.narrative, keep_labels=True) if is_affirmed(s)]
    found = []
    for line, _ in note_lines(ctx.codeset, code, "excludes1"):
        references = parse_references(line)
        if len(references) != 1:
            continue
        target = _unique_billable(ctx.codeset, references[0])
        if target is None or target == code or target in ctx.icd():
            continue
        phrase = _phrase(line)
        needed = content_stems(phrase)
        if len(evidence_stems(phrase)) < 2 or not needed - own:
            continue
        ordered = list(dict.fromkeys(t for t in tokenize(phrase) if t in needed))
        sentence = next((s for s, tokens in sentences if _in_order(tokens, ordered)), None)
        # the coded condition named on its own too (pain all over beside back pain): both may be documented
        if sentence and not _named_without(ctx, terms, evidence_stems(phrase) - own):
            found.append((len(needed), target, line, sentence))
    if not found:
        return None
    found.sort(key=lambda item: -item[0])
    best = [item for item in found if item[0] == found[0][0]]
    if len({item[1] for item in best}) > 1:
        return None
    return best[0][1], best[0][2], best[0][3]


def _propose_elsewhere(ctx: Context) -> list:
    edits = []
    for code in ctx.diagnoses():
        hit = documented_excluded(ctx, code)
        if hit:
            target, line, _ = hit
            edits.append(ELSEWHERE_RULE.edit(
                "replace", "icd10cm", code, f"the note documents {_phrase(line)}, which {code}'s Excludes1 note "
                f"'{line}' codes elsewhere: {target} ({ctx.codeset.describe(target).lower()}), not {code}", target))
    return edits


ELSEWHERE_RULE = Rule("excludes1_coded_elsewhere", GUIDELINE,
                      "a condition an Excludes1 note sends elsewhere, documented: the code the note names",
                      _propose_elsewhere, one_encounter=True)
