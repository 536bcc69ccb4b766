"""Uncertain and ruled-out diagnoses in an outpatient encounter (ICD-10-CM Official Guidelines IV.H and IV.D):
a diagnosis documented only as probable, suspected, questionable, "rule out", "consistent with", "compatible
with", a working or differential diagnosis, or only as ruled out or absent, is not coded; the condition is coded
to the highest degree of certainty of the visit, the sign or symptom that brought the patient in.

A diagnosis code (not a sign or symptom, R00-R99, and not V-Z) is dropped when every sentence that mentions its
condition (a condition word of its description or inclusion terms, and its site word for a site-specific code,
as `denied_symptom` reads mentions) mentions it uncertainly or to deny it: an uncertainty cue (`UNCERTAIN_BEFORE`)
or a negation cue within core.text.NEGATION_WINDOW words before it in its clause ("r/o PE", "suspected
appendicitis", "no fracture"), a cue right after it in its clause ("PE ruled out", "appendicitis less likely",
"strep test negative", "pneumonia?"), or a differential ("DDx: ..."). A mention in a sentence about a relative is
neither (another rule's business); one certain mention anywhere keeps the code ("Assessment: pneumonia").
When the answer is then left with no sign or symptom code, the best-ranked Chapter 18 candidate (top 10 of the
pipeline's list) that a certain clause of those sentences states in full is added ("Chest pain, r/o ACS" R07.9).

Outpatient rule only (Section II.H lets inpatient coders code an uncertain diagnosis as established): it reads
only a visit note (core.rules.narrative.visit_note: section labels such as "Assessment:", or a short note, of one
encounter); a case report or hospital course is left alone (CodiEsp's annotators code ruled-out conditions:
46 gold codes of its 320 one-encounter train and dev reports would be dropped if it read them)."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.denied import _WORD_RE
from core.rules.documentation import ANATOMY, QUALIFIERS, _stems, code_texts, note_words, word_keys
from core.rules.models import Context, Rule
from core.rules.narrative import visit_note
from core.rules.visit import DEPTH, SYMPTOMS_CHAPTER, stated
from core.text import FAMILY_CUES, NEGATION_WINDOW, negated_within, split_sentences, words

GUIDELINE = ("ICD-10-CM Official Guidelines IV.H (outpatient: do not code diagnoses documented as probable, "
             "suspected, questionable, rule out or similar; code the signs and symptoms) and IV.D")

# cues that make what follows them (within NEGATION_WINDOW words, no comma between) uncertain
UNCERTAIN_BEFORE = (
    r"probable", r"probably", r"possible", r"possibly", r"suspect(?:ed|s)?", r"suspicio(?:n|us) (?:of|for)",
    r"likely", r"unlikely", r"questionable", r"question of", r"rule out", r"rules out", r"ruling out", r"r/o",
    r"concern(?:ing)? for", r"worr(?:y|isome) for", r"consistent with", r"compatible with", r"suggestive of",
    r"suggesting", r"presumed", r"presumptive", r"working diagnosis", r"versus", r"vs\.?", r"evaluate for",
    r"to evaluate", r"eval for", r"assess for", r"to exclude", r"exclude", r"cannot exclude", r"can't exclude",
    r"not excluded", r"may have", r"might have", r"could be", r"doubt(?:ful)?", r"differential", r"ddx",
)
# cues right after a mention (within NEGATION_WINDOW words, no comma between) that leave it uncertain or deny it
UNCERTAIN_AFTER = (
    r"(?:was |is |been |be )?ruled out", r"(?:was |is )?excluded", r"(?:is |was )?(?:less |un|not )likely",
    r"(?:is |was )?suspected", r"(?:is |was )?(?:possible|probable|questionable|doubtful)", r"not (?:seen|found|confirmed)",
    r"(?:test |screen |swab |culture |antigen |pcr )*(?:was |is )?neg(?:ative)?", r"vs\.?", r"versus",
)
_BEFORE_RE = re.compile(r"(?:\b(?:" + "|".join(UNCERTAIN_BEFORE) + r")|\?)[^,;]*$", re.IGNORECASE)
_AFTER_RE = re.compile(r"^[^,;]*?\b(?:" + "|".join(UNCERTAIN_AFTER) + r")\b|^\s*\?", re.IGNORECASE)
_DIFFERENTIAL_RE = re.compile(r"^\W*(?:differential(?: diagnos[ie]s)?|ddx|r/o|rule outs?)\b", re.IGNORECASE)
_FAMILY_RE = re.compile(r"\b(?:" + "|".join(FAMILY_CUES) + r")\b", re.IGNORECASE)
_CLAUSE_RE = re.compile(r"[,;:]")


def _words_around(sentence: str, start: int, end: int) -> tuple[str, str]:
    """At most NEGATION_WINDOW words before `start` and after `end` in the sentence."""
    before = " ".join(sentence[:start].split()[-NEGATION_WINDOW:])
    after = " ".join(sentence[end:].split()[:NEGATION_WINDOW])
    return before, after


def uncertain_at(sentence: str, start: int, end: int) -> bool:
    """Whether the mention at sentence[start:end] is uncertain or denied by its context (see the module)."""
    if _DIFFERENTIAL_RE.match(sentence) or negated_within(sentence, start):
        return True
    before, after = _words_around(sentence, start, end)
    return _BEFORE_RE.search(before + " ") is not None or _AFTER_RE.search(" " + after) is not None


# a text's head: what comes before its first comma, "with", "without", "due to" or "in" ('Other pulmonary embolism'
# of 'Other pulmonary embolism without acute cor pulmonale')
_HEAD_RE = re.compile(r",|\(|\b(?:with|without|due to|in|of|following|complicating)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _heads(codeset, code: str) -> tuple[tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]], ...]:
    """Per text of the code (description, inclusion terms; core.rules.documentation.code_texts): the keys of each
    condition word of its head and of each site word of the text. A synonym that names a body part ('ear' for
    otitis) is a site, not a condition word ("Ear pain" is no mention of otitis media)."""
    anatomy = frozenset(_stems(sorted(ANATOMY), prefixes=False))
    found = set()
    for text in code_texts(codeset, code):
        tokens = [w for w in words(text) if len(w) >= 2 and not w.isdigit()]
        head = [w for w in words(_HEAD_RE.split(text)[0]) if len(w) >= 2 and not w.isdigit()]
        condition = tuple(k for k in (word_keys(w) - anatomy for w in dict.fromkeys(head)
                                      if w not in QUALIFIERS and w not in ANATOMY) if k)
        if condition:
            found.add((condition, tuple(word_keys(w) for w in dict.fromkeys(tokens) if w in ANATOMY)))
    return tuple(sorted(found, key=repr))


def mentions(codeset, code: str, narrative: str) -> list[tuple[str, str]]:
    """(verdict, sentence) per sentence that mentions the code's condition: verdict 'certain', 'uncertain'
    (uncertain or denied) or 'family' (the sentence speaks of a relative). A sentence mentions a text of the
    code when it names two of the condition words of the text's head (the one, when the head has one:
    'probable urinary tract infection', not the 'urination' of 'burning with urination'), and one of its site
    words when it has some; where no sentence names both condition and site ("X-ray: no fracture" in a wrist
    note), the condition words suffice."""
    heads = _heads(codeset, code)
    sentences = []
    for sentence in split_sentences(narrative, keep_labels=True):
        hits = [(m.start(), m.end(), _stems(note_words(m.group(0)))) for m in _WORD_RE.finditer(sentence)]
        per_text = []
        for condition, site in heads:
            named = sorted((s, e, i) for i, word in enumerate(condition) for s, e, keys in hits if keys & word)
            windows = [(s, e) for s, e in _windows(named, min(2, len(condition))) if not _CLAUSE_RE.search(sentence[s:e])]
            if windows:
                per_text.append((bool(site), windows, any(keys & word for word in site for _, _, keys in hits)))
        sentences.append((sentence, per_text))
    with_site = any(not has_site or sited for _, per_text in sentences for has_site, _, sited in per_text)
    found = []
    for sentence, per_text in sentences:
        windows = [w for has_site, ws, sited in per_text if not has_site or sited or not with_site for w in ws]
        if not windows:
            continue
        if _FAMILY_RE.search(sentence[:min(start for start, _ in windows)]):
            verdict = "family"
        elif all(uncertain_at(sentence, start, end) for start, end in windows):
            verdict = "uncertain"
        else:
            verdict = "certain"
        found.append((verdict, sentence))
    return found


def _windows(named: list[tuple[int, int, int]], needed: int) -> list[tuple[int, int]]:
    """The shortest spans (start, end) of a sentence that hold `needed` different condition words, from the
    sorted (start, end, word index) of their occurrences ('tension-type headache' in 'headache, possible
    migraine versus tension-type headache', not the span from the first 'headache')."""
    spans = []
    for i, (start, _, _) in enumerate(named):
        seen = set()
        for _, end, word in named[i:]:
            seen.add(word)
            if len(seen) >= needed:
                spans.append((start, end))
                break
    return [(s, e) for s, e in spans if not any(s2 >= s and e2 <= e and (s2, e2) != (s, e) for s2, e2 in spans)]


def uncertain(codeset, code: str, narrative: str) -> list[str] | None:
    """The sentences that mention the code only uncertainly or to deny it; None when one mentions it with
    certainty, or none mentions it uncertainly."""
    verdicts = mentions(codeset, code, narrative)
    if any(v == "certain" for v, _ in verdicts) or not any(v == "uncertain" for v, _ in verdicts):
        return None
    return [sentence for v, sentence in verdicts if v == "uncertain"]


def _certain_clause_keys(sentences: list[str]) -> set[str]:
    """Keys of the clauses of `sentences` that carry no uncertainty, negation or family cue ('Chest pain' of
    'Chest pain, r/o ACS')."""
    keys: set[str] = set()
    for sentence in sentences:
        for clause in _CLAUSE_RE.split(sentence):
            text = clause.strip()
            if not text or _FAMILY_RE.search(text) or _DIFFERENTIAL_RE.match(text):
                continue
            if _BEFORE_RE.search(text + " ") or negated_within(text, len(text)) or _AFTER_RE.search(" " + text):
                continue
            keys |= _stems(note_words(text))
    return keys


def _symptom(codeset, code: str) -> bool:
    """A sign or symptom code: Chapter 18, or a pain code of another chapter (pain in joint M25.5-, low back
    pain M54.5-, otalgia H92.0-)."""
    label = codeset.describe(code).lower()
    return code.startswith(SYMPTOMS_CHAPTER) or "pain" in label or "algia" in label


def _propose(ctx: Context) -> list:
    if not visit_note(ctx.narrative):
        return []
    edits, sentences = [], []
    for code in ctx.diagnoses():
        if _symptom(ctx.codeset, code):
            continue
        found = uncertain(ctx.codeset, code, ctx.narrative)
        if found is None:
            continue
        sentences += found
        label = ctx.codeset.describe(code).lower()
        edits.append(RULE.edit("drop", "icd10cm", code, f"{label} is only suspected or ruled out in the note: an "
                                                        f"uncertain diagnosis is not coded in an outpatient visit ({code})"))
    dropped = {edit.code for edit in edits}
    if not edits or any(_symptom(ctx.codeset, c) for c in ctx.icd() if c not in dropped):
        return edits
    keys = _certain_clause_keys(sentences)
    for code in ctx.candidates.get("icd10cm", ())[:DEPTH]:
        if (ctx.codeset.is_valid(code, "icd10cm") and code not in dropped and _symptom(ctx.codeset, code)
                and stated(ctx.codeset, code, keys)):
            label = ctx.codeset.describe(code).lower()
            edits.append(RULE.edit("add", "icd10cm", code, f"the diagnosis is uncertain: {label}, the documented "
                                                           f"reason for the visit, is coded instead ({code})"))
            break
    return edits


RULE = Rule("uncertain_diagnosis", GUIDELINE, "a diagnosis only suspected or ruled out is not coded; its sign or symptom is",
            _propose, one_encounter=True)
