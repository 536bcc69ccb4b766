"""Codes for one sex only (the CMS Medicare Code Editor's sex conflict edit; the scope of the ICD-10-CM blocks
for diseases of the male genital organs N40-N53, of the female pelvic and genital organs N70-N98, pregnancy and
childbirth O00-O9A): a code for male patients in an answer whose note documents a female patient, or the
reverse, is dropped.

The patient's sex is read conservatively, from the way notes introduce the patient: "58-year-old man", "a
34-year-old female patient", "45 yo F", "62M", "Sex: female", "G2P1" (a woman's obstetric history). A note
naming both ("a 30-year-old woman and her 2-year-old boy") or none, or one that speaks of gender identity
(transgender, nonbinary: the edit misfires there, which is why CMS lets claims bypass it) is left alone.
Pronouns are not read (a note about a woman may quote her husband)."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule

GUIDELINE = ("CMS Medicare Code Editor (sex conflict edit); ICD-10-CM chapter scopes N40-N53 (male genital "
             "organs), N70-N98 (female pelvic and genital organs), O00-O9A (pregnancy)")

# ICD-10-CM code prefixes (dots kept) for one sex only: genital organs, their neoplasms and malformations,
# pregnancy, and the screenings and histories of those organs
MALE_ONLY = ("N40", "N41", "N42", "N43", "N44", "N45", "N46", "N47", "N48", "N49", "N50", "N51", "N52", "N53",
             "C60", "C61", "C62", "C63", "D07.4", "D07.5", "D07.6", "D29", "D40", "Q53", "Q54", "Q55", "E29",
             "B26.0", "R97.2", "Z12.5", "Z85.45", "Z85.46", "Z85.47", "Z85.48")
FEMALE_ONLY = ("O", "N70", "N71", "N72", "N73", "N74", "N75", "N76", "N77", "N80", "N81", "N82", "N83", "N84",
               "N85", "N86", "N87", "N88", "N89", "N90", "N91", "N92", "N93", "N94", "N95", "N96", "N97", "N98",
               "C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "D06", "D07.0", "D07.1", "D07.2", "D07.3",
               "D25", "D26", "D27", "D28", "D39", "Q50", "Q51", "Q52", "E28", "R87", "Z01.41", "Z01.42", "Z12.4",
               "Z30.43", "Z32", "Z33", "Z34", "Z36", "Z37", "Z39", "Z3A", "Z85.40", "Z85.41", "Z85.42", "Z85.43",
               "Z85.44")

_AGE = r"\b\d{1,3}[- ]?(?:years?|yrs?|y)[- ]?(?:s[- ])?(?:of[- ]age[- ]|old[- ]|/o[- ]|o[- ])?(?:(?!(?:with|and|or|her|his|a|an|the|of|whose|who|has|had)\b)[a-z]+[- ]){0,2}"
_WORDS = {"female": rf"{_AGE}(?:woman|female|girl|lady)\b|\bsex:\s*f(?:emale)?\b|\bG\d+\s*P\d+\b|\bgravida\b",
          "male": rf"{_AGE}(?:man|male|boy|gentleman)\b|\bsex:\s*m(?:ale)?\b"}
# the one-letter forms, in capitals only: after an age with "yo" ("45 yo F", "62 y/o M"), or an age and the
# letter opening a line ("62M with chest pain"); "12 m" (metres, months) is no sex
_LETTER = r"(?:\b\d{{1,3}} ?(?:yo|y/o|y\.o\.) ?{0}|^\s*\d{{1,3}} ?{0})\b"
PATTERNS = {sex: (re.compile(words, re.I), re.compile(_LETTER.format(letter), re.M))
            for (sex, words), letter in zip(_WORDS.items(), "FM", strict=True)}
_IDENTITY_RE = re.compile(r"\b(trans ?gender|trans(?:-| )(?:woman|man|female|male)|non-?binary|gender identity|"
                          r"assigned (?:male|female) at birth|intersex)\b", re.I)


def documented_sex(narrative: str) -> tuple[str, str] | None:
    """('female' | 'male', the words that say so) when the note introduces the patient as one sex only."""
    if _IDENTITY_RE.search(narrative):
        return None
    found = {}
    for sex, patterns in PATTERNS.items():
        match = next((m for pattern in patterns for m in [pattern.search(narrative)] if m), None)
        if match:
            found[sex] = match.group(0).strip()
    return next(iter(found.items())) if len(found) == 1 else None


def sex_of_code(code: str) -> str | None:
    """'male' or 'female' for a code of one sex only, else None."""
    if code.startswith(MALE_ONLY):
        return "male"
    if code.startswith(FEMALE_ONLY):
        return "female"
    return None


def _propose(ctx: Context) -> list:
    documented = documented_sex(ctx.narrative)
    if documented is None:
        return []
    sex, words = documented
    edits = []
    for code in ctx.icd():
        other = sex_of_code(code)
        if other is not None and other != sex:
            edits.append(RULE.edit("drop", "icd10cm", code, f"{code} ({ctx.codeset.describe(code)}) is a code for "
                                   f"{other} patients; the note documents a {sex} patient ('{words}')"))
    return edits


RULE = Rule("sex_conflict", GUIDELINE, "a code for one sex only, coded for a patient the note documents as the other",
            _propose)
