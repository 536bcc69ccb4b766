"""Uncertain and ruled-out diagnoses in an outpatient encounter (ICD-10-CM Official Guidelines IV.H and IV.D):
a diagnosis documented only as probable, suspected, questionable, "rule out", "consistent with", "compatible
with", a working or differential diagnosis, or only as ruled out or absent, is not coded; the condition is coded
to the highest degree of certainty of the visit, the sign or symptom that brought the patient in.

A diagnosis code (not a sign or symptom, R00-R99, and not V-Z) is dropped when every sentence that mentions its
condition (a condition word of its description or inclusion terms, and its site word for a site-specific code,
as `denied_symptom` reads mentions) mentions it uncertainly or to deny it: an uncertainty cue (`UNCERTAIN_BEFORE`)
or a negation cue within core.text.NEGATION_WINDOW words before it in its clause ("r/o PE", "suspected
appendicitis", "no fracture"), a cue right after it in its clause ("PE ruled out", "appendicitis less likely",
"strep test negative", "pneumonia?", "Sepsis considered - normal lactate", "appendicitis and obstruction considered"), or a differential ("DDx: ..."). A mention in a sentence about a relative is
neither (another rule's business); one certain mention anywhere keeps the code ("Assessment: pneumonia").
When the answer is then left with no sign or symptom code, the best-ranked Chapter 18 candidate (top 10 of the
pipeline's list) that a certain clause of those sentences states in full is added ("Chest pain, r/o ACS" R07.9).

Outpatient rule only (Section II.H lets inpatient coders code an uncertain diagnosis as established): it reads
only a visit note (core.rules.narrative.visit_note: section labels such as "Assessment:", or a short note, of one
encounter); a case report or hospital course is left alone (CodiEsp's annotators code ruled-out conditions:
46 gold codes of its 320 one-encounter train and dev reports would be dropped if it read them)."""

from __future__ import annotations

import re

from core.rules.documentation import _stems, note_words
from core.rules.mentions import CLAUSE_RE, FAMILY_RE, mentions, words_around
from core.rules.models import Context, Rule
from core.rules.narrative import visit_note
from core.rules.redundant import CATCH_ALL
from core.rules.visit import DEPTH, SYMPTOMS_CHAPTER, stated
from core.text import SPACED_DASH, negated_within

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
    r"screen(?:ing)? for", r"risk of", r"risk for", r"at risk",
)
# cues right after a mention (within NEGATION_WINDOW words, no comma between) that leave it uncertain or deny it
UNCERTAIN_AFTER = (
    r"(?:was |is |been |be )?ruled out", r"(?:was |is )?excluded", r"(?:is |was )?(?:less |un|not )likely",
    r"(?:is |was )?suspected", r"(?:is |was )?(?:possible|probable|questionable|doubtful)", r"not (?:seen|found|confirmed)",
    r"(?:test |screen |swab |culture |antigen |pcr )*(?:was |is )?neg(?:ative)?", r"vs\.?", r"versus",
    r"screen(?:ing)?", r"prevention", r"risk", r"(?:was |were |is |are |also )?considered", r"not supported",
    # the disease named as a test's object: 'Hep C Ab ordered', 'HIV antibody to be drawn' (a positive one stays)
    r"(?:ab|antibod(?:y|ies))(?!\s*(?:\+|pos\w*|reactive|detected))",
)
_BEFORE_RE = re.compile(r"(?:\b(?:" + "|".join(UNCERTAIN_BEFORE) + r")|\?)[^,;]*$", re.IGNORECASE)
# a spaced dash ends the mention's clause ("Acute bronchitis - pneumonia excluded by CXR": the cue is the pneumonia's),
# unless the cue follows the dash at once ("PE - ruled out")
_NO_DASH = rf"(?:(?!{SPACED_DASH})[^,;])"
_AFTER_RE = re.compile(r"^\s*[-\u2013\u2014]+\s*(?:" + "|".join(UNCERTAIN_AFTER) + r")\b"
                       r"|^" + _NO_DASH + r"*?\b(?:" + "|".join(UNCERTAIN_AFTER) + r")\b|^\s*\?", re.IGNORECASE)
# a differential list, alone or after a section's label ("MDM: ddx ACS, PE, dissection, MSK, GERD")
_DIFFERENTIAL_RE = re.compile(r"^\W*(?:[A-Za-z/& ]{1,24}:\s*)?(?:differential(?: diagnos[ie]s)?|ddx|r/o|rule outs?)\b",
                              re.IGNORECASE)


def uncertain_at(sentence: str, start: int, end: int) -> bool:
    """Whether the mention at sentence[start:end] is uncertain or denied by its context (see the module)."""
    if _DIFFERENTIAL_RE.match(sentence) or negated_within(sentence, start):
        return True
    before, after = words_around(sentence, start, end)
    return _BEFORE_RE.search(before + " ") is not None or _AFTER_RE.search(" " + after) is not None


def uncertain(codeset, code: str, narrative: str) -> list[str] | None:
    """The sentences that mention the code only uncertainly or to deny it; None when one mentions it with
    certainty, or none mentions it uncertainly."""
    verdicts = mentions(codeset, code, narrative, uncertain_at)
    if any(v == "plain" for v, _ in verdicts) or not any(v == "flagged" for v, _ in verdicts):
        return None
    return [sentence for v, sentence in verdicts if v == "flagged"]


def _certain_clause_keys(sentences: list[str]) -> set[str]:
    """Keys of the clauses of `sentences` that carry no uncertainty, negation or family cue ('Chest pain' of
    'Chest pain, r/o ACS')."""
    keys: set[str] = set()
    for sentence in sentences:
        for clause in CLAUSE_RE.split(sentence):
            text = clause.strip()
            if not text or FAMILY_RE.search(text) or _DIFFERENTIAL_RE.match(text):
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
        if (ctx.codeset.is_valid(code, "icd10cm") and code not in dropped and code not in CATCH_ALL
                and _symptom(ctx.codeset, code)
                and stated(ctx.codeset, code, keys)):
            label = ctx.codeset.describe(code).lower()
            edits.append(RULE.edit("add", "icd10cm", code, f"the diagnosis is uncertain: {label}, the documented "
                                                           f"reason for the visit, is coded instead ({code})"))
            break
    return edits


RULE = Rule("uncertain_diagnosis", GUIDELINE, "a diagnosis only suspected or ruled out is not coded; its sign or symptom is",
            _propose, one_encounter=True)
