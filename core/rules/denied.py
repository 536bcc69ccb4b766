"""A sign or symptom the note only denies is not coded (ICD-10-CM Official Guidelines I.C.18: signs and symptoms
are coded when they are present; outpatient guidelines IV.D: code the documented conditions): a Chapter 18 code
(R00-R99) whose every mention in the note is negated ("Denies chest pain", "no fever", "negative for cough") is
dropped.

A mention is a sentence holding a condition word of the code's description or inclusion terms (and its site word,
for a site-specific code), in the note's own words, synonyms and shorthand (core.rules.documentation); it is
negated when a negation cue stands within core.text.NEGATION_WINDOW words before its first such word, in the same clause.
A code the note never mentions is `unsupported_diagnosis`'s to judge; one mentioned once without a negation
stays. Only signs and symptoms: a denied diagnosis may still be coded where a note's conventions say so."""

from __future__ import annotations

from core.rules.documentation import _alternatives, _stems, note_words
from core.rules.mentions import WORD_RE
from core.rules.models import Context, Rule
from core.text import negated_within, split_sentences

GUIDELINE = ("ICD-10-CM Official Guidelines I.C.18 (signs and symptoms are coded when present) and IV.D "
             "(outpatient: code what is documented)")


def _mentions(narrative: str, condition: frozenset[str], site: frozenset[str], body: frozenset[str]) -> list[bool]:
    """Per sentence that mentions the condition (and its site): whether that mention is negated. The negation is
    read before the condition's first word that is no body part (`body`: the sites of all the code's texts), since a
    site may stand before the cue ('Heart RRR, no murmur' denies the 'heart murmur')."""
    found = []
    for sentence in split_sentences(narrative, keep_labels=True):
        hits = [(m.start(), _stems(note_words(m.group(0)))) for m in WORD_RE.finditer(sentence)]
        conditions = [start for start, keys in hits if keys & condition]
        sites = [start for start, keys in hits if keys & site]
        if not conditions or (site and not sites):
            continue
        own = [start for start, keys in hits if keys & condition and not keys & body] or conditions
        found.append(negated_within(sentence, min(own)))
    return found


def denied(codeset, code: str, narrative: str) -> bool:
    """Whether the note mentions the code's condition only to deny it (by any of its texts)."""
    verdicts, texts = [], _alternatives(codeset, code)
    body = frozenset().union(*(site for _, site, _ in texts)) if texts else frozenset()
    for condition, site, _ in texts:
        if condition:
            verdicts += _mentions(narrative, condition, site, body)
    return bool(verdicts) and all(verdicts)


def _propose(ctx: Context) -> list:
    return [RULE.edit("drop", "icd10cm", code, f"the note only denies {ctx.codeset.describe(code).lower()}: "
                      f"{code} is not coded")
            for code in ctx.icd() if code.startswith("R") and denied(ctx.codeset, code, ctx.narrative)]


RULE = Rule("denied_symptom", GUIDELINE, "a sign or symptom the note only denies is not coded", _propose,
            one_encounter=True)
