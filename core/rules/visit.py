"""The reason for the visit (ICD-10-CM Official Guidelines, Sections IV.D and IV.G): an outpatient encounter is
reported with the diagnosis, condition, problem or other reason for the visit, and when the provider has
established no diagnosis, the sign or symptom that brought the patient in is what is coded ("chest pain, cause
not determined" is R07.9). The rule acts only on an answer left with no ICD-10-CM code at all, and only with a
ranked candidate list (the pipeline's): it adds the best-ranked sign or symptom code (Chapter 18, R00-R99) whose
condition words an affirmed clause of the note states, unless a diagnosis ranked above it is stated in the note
(then the answer lacks that diagnosis, and no symptom stands in for it); when the note has an assessment ('Assessment:',
'Diagnosis:', 'Impression:', 'A:'), that clause must be in it (a note that names a diagnosis the answer missed
needs that diagnosis, not a symptom of it)."""

from __future__ import annotations

import re

from core.rules.denied import denied
from core.rules.documentation import QUALIFIERS, _stems, code_texts, note_words, word_keys
from core.rules.excludes import find_conflicts
from core.rules.mentions import loose_condition_keys
from core.rules.models import Context, Rule, is_diagnosis
from core.rules.narrative import condition_side, documented_side, note_sections, visit_note
from core.rules.redundant import COVERED_BY
from core.rules.specificity import sided_variant
from core.text import is_affirmed, split_sentences, words

GUIDELINE = "ICD-10-CM Official Guidelines IV.D and IV.G (a sign or symptom is the reason for the visit when no diagnosis is established)"
DEPTH = 10  # ranked ICD-10-CM candidates looked at
SYMPTOMS_CHAPTER = "R"
_CLAUSE_RE = re.compile(r"[,;:]")
_PHRASE_RE = re.compile(r",|\band\b|\bor\b", re.IGNORECASE)
# a patient's age ('38-year-old', '18 years of age') is no finding: 'Old age' (R54) is not stated by it
_AGE_RE = re.compile(r"\b\d+\s*-?\s*(?:years?|yrs?|months?|weeks?|days?|y)\s*-?\s*/?\s*o(?:ld)?\b"
                     r"|\b(?:years?|months?) of age\b", re.IGNORECASE)
_ASSESSMENT_RE = re.compile(r"^\W*(?:assessment|diagnos[ie]s|impression|dx|a)\s*(?:and plan\s*)?:", re.IGNORECASE)


def affirmed_clause_keys(narrative: str) -> set[str]:
    """The keys of the words of every clause (a sentence split at commas, semicolons and colons) that holds no
    negation or family-history cue: 'seen for syncope; cause not determined' affirms the syncope."""
    keys: set[str] = set()
    for sentence in split_sentences(narrative):
        for clause in _CLAUSE_RE.split(_AGE_RE.sub(" ", sentence)):
            if clause.strip() and is_affirmed(clause):
                keys |= _stems(note_words(clause))
    return keys


def stated(codeset, code: str, keys: set[str]) -> bool:
    """Whether the note states one phrase of the code's texts (its description or an inclusion term, split at
    commas and 'and'/'or') in full: every condition and site word of it among `keys` ('syncope' states
    'Syncope and collapse'; '18 years of age' does not state 'Old age')."""
    for text in code_texts(codeset, code):
        for phrase in _PHRASE_RE.split(re.sub(r"\([^)]*\)", " ", text)):
            tokens = [w for w in words(phrase) if len(w) >= 2 and not w.isdigit() and w not in QUALIFIERS]
            if tokens and all(word_keys(w) & keys for w in tokens):
                return True
    return False


# an assessment item: numbered, on its own line, or after a semicolon; its head is what it names before a spaced
# dash, a colon or a period ('2. Prediabetes - A1c stable 6.0; diet' names prediabetes)
_ITEM_RE = re.compile(r"(?:^|\n)\s*(?:\d{1,2}[.)]|[-*\u2022])?\s*([^\n]+)")
_HEAD_END_RE = re.compile(r"\s[-\u2013\u2014]\s|:\s|\.\s|\.$|;|\(|,")
# a head that is no problem of this visit: a past one, a plan, a differential, an attestation
_NOT_A_PROBLEM_RE = re.compile(r"\b(?:h/o|hx|history of|s/p|status post|ddx|differential|r/o|rule out|vs\.?|versus|"
                               r"possible|probable|likely|screening|vaccin\w*|immuni[sz]\w*|counsel\w*|return|rtc|"
                               r"follow[- ]?up|f/u|refer\w*|discharged?|dispo\w*|attest\w*|agree|seen|examined|"
                               r"ordered|given|dispensed|continue|start\w*|mg\b|time)\b", re.I)
_ASSESSMENT_LABEL_RE = re.compile(r"^\W*(?:assessment|a/p|a&p|impression|diagnos[ie]s|dx|final diagnos[ie]s|"
                                  r"ed diagnos[ie]s|clinical impression|a)\b", re.I)
_FILLER = frozenset({"the", "of", "in", "on", "at", "to", "for", "and", "or", "a", "an", "with"})
ASSESSED_DEPTH = 20  # ranked candidates read for an assessed problem the answer lacks


def _assessed_heads(narrative: str) -> list[str]:
    """The heads of the items of the note's assessment sections ('Assessment:', 'A/P:', 'Diagnoses:' ...)."""
    heads = []
    for kind, start, end in note_sections(narrative):
        if kind != "assessment" or not _ASSESSMENT_LABEL_RE.match(narrative[start:end]):
            continue  # the assessment itself, not the plan, the disposition, the MDM or the orders
        body = re.sub(r"^\W*[A-Za-z/& ]{1,30}(?::|\n|\s(?=\d[.)]))\s*", "", narrative[start:end])  # its own label
        for match in _ITEM_RE.finditer(body):
            head = _HEAD_END_RE.split(match.group(1).strip(), maxsplit=1)[0].strip()
            if 3 <= len(head) <= 80 and is_affirmed(head) and not _NOT_A_PROBLEM_RE.search(head):
                heads.append(head)
    return heads


def _covers(codeset, code: str, head: str) -> bool:
    """Whether the code's description or one of its inclusion terms says every condition and site word of the
    head, outside a 'without ...' part (the head names that condition and nothing more: 'BPH with LUTS' is no
    'BPH without LUTS')."""
    tokens = [w for w in note_words(head) if len(w) >= 3 and w not in QUALIFIERS and w not in _FILLER
              and not w.isdigit()]
    if not tokens:
        return False
    for text in code_texts(codeset, code):
        said = re.split(r"\bwithout\b", re.sub(r"\([^)]*\)", " ", text), maxsplit=1, flags=re.I)[0]
        keys = set().union(*(word_keys(w) for w in words(said))) if words(said) else set()
        if all(_stems([w]) & keys for w in tokens):
            return True
    return False


def _assessed_uncoded(ctx: Context) -> list:
    """A problem an assessment item names (its head) that no coded ICD-10-CM code speaks of gets the best-ranked
    candidate that states it in full, when that candidate is certain, not denied, of a category the answer does not
    code and in no Excludes1 conflict with it (IV.J: code the conditions the visit addresses)."""
    # imported here: core.rules.uncertain imports this module (stated, DEPTH)
    from core.rules.uncertain import uncertain

    ranked = [c for c in ctx.candidates.get("icd10cm", ())[:ASSESSED_DEPTH] if ctx.codeset.is_valid(c, "icd10cm")]
    coded = list(ctx.icd())
    conflicts = find_conflicts(coded, ctx.codeset)  # the answer's own, which an added code must not add to
    edits = []
    for head in _assessed_heads(ctx.narrative):
        keys = affirmed_clause_keys(head)
        if not keys or any(loose_condition_keys(ctx.codeset, c) & keys for c in coded):
            continue
        for code in ranked:
            if (code in coded or code.startswith("Z") or any(c[:3] == code[:3] for c in coded)
                    or not stated(ctx.codeset, code, keys) or not _covers(ctx.codeset, code, head)
                    or any(c.startswith(COVERED_BY.get(code, ("~",))) for c in coded)
                    or uncertain(ctx.codeset, code, ctx.narrative) is not None
                    or (code.startswith(SYMPTOMS_CHAPTER) and denied(ctx.codeset, code, ctx.narrative))
                    or find_conflicts([*coded, code], ctx.codeset) != conflicts):
                continue
            side = documented_side(head) or condition_side(ctx.narrative, ctx.codeset.describe(code))
            code = (sided_variant(ctx.codeset, code, side) if side else None) or code  # its side, as laterality reads it
            label = ctx.codeset.describe(code).lower()
            edits.append(RULE.edit("add", "icd10cm", code, f"the assessment addresses '{head}', which no coded code "
                                   f"says: {label} ({code}) is coded"))
            coded.append(code)
            conflicts = find_conflicts(coded, ctx.codeset)
            break
    return edits


def _propose(ctx: Context) -> list:
    if ctx.icd():
        return _assessed_uncoded(ctx) if ctx.candidates.get("icd10cm") and visit_note(ctx.narrative) else []
    ranked = [c for c in ctx.candidates.get("icd10cm", ())[:DEPTH] if ctx.codeset.is_valid(c, "icd10cm")]
    if not any(c.startswith(SYMPTOMS_CHAPTER) for c in ranked):
        return []
    sentences = split_sentences(ctx.narrative, keep_labels=True)
    assessment = [s for s in sentences if _ASSESSMENT_RE.match(s)]
    keys = affirmed_clause_keys(" ".join(assessment) if assessment else sentences[0] if sentences else "")
    everywhere = affirmed_clause_keys(ctx.narrative)
    for code in ranked:
        if not code.startswith(SYMPTOMS_CHAPTER):
            if is_diagnosis(code) and stated(ctx.codeset, code, everywhere):
                return []  # a diagnosis ranked above the symptoms is stated: the answer lacks that, not a symptom
            continue
        if stated(ctx.codeset, code, keys):
            label = ctx.codeset.describe(code).lower()
            return [RULE.edit("add", "icd10cm", code, f"no diagnosis is established: {label}, the reason for the "
                                                      f"visit, is coded ({code})")]
    return []


RULE = Rule("reason_for_visit", GUIDELINE, "with no diagnosis established, the documented sign or symptom is coded",
            _propose, one_encounter=True)
