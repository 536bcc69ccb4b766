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

from core.rules.documentation import QUALIFIERS, _stems, code_texts, note_words, word_keys
from core.rules.models import Context, Rule, is_diagnosis
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


def _propose(ctx: Context) -> list:
    if ctx.icd():
        return []
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
