"""What a visit addressed (ICD-10-CM Official Guidelines IV.J: code the conditions that coexist at the encounter
and require or affect its care; IV.D and I.B.5: a sign or symptom is not coded beside the diagnosis that explains
it). In a visit note with an assessment section (Assessment:, A/P:, Impression:, Dx:, Plan:, MDM:):

- a diagnosis the note names only in its history sections (PMH, PSH, medications, allergies, family or social
  history, ROS) and never in the assessment or plan was not addressed at this visit: it is dropped ("PMH: DM2,
  HTN, GERD" in a sinusitis visit); so is one named only in the HPI or exam when the assessment names another
  coded diagnosis (the "erythematous" TM of the exam beside "A: acute otitis media");
- a sign or symptom code (R00-R99) the assessment does not name, when the assessment names a diagnosis the answer
  codes, is the diagnosis's or was not assessed: it is dropped (cough from the HPI beside "A: acute bronchitis").

Visit notes of one encounter only (core.rules.narrative.visit_note); a note without an assessment section, or
without section labels, is left alone."""

from __future__ import annotations

import re

from core.rules.documentation import documented_keys
from core.rules.mentions import loose_condition_keys, mentions
from core.rules.models import Context, Rule
from core.rules.narrative import note_sections, section_at, visit_note
from core.rules.notes import requested_by
from core.text import sentence_spans

GUIDELINE = ("ICD-10-CM Official Guidelines IV.J (code the conditions that require or affect care at the encounter), "
             "IV.D and I.B.5 (signs and symptoms explained by a diagnosis)")


def _anywhere(sentence: str, start: int, end: int) -> bool:
    return True


# a sentence of the plan that puts a condition off ("Chronic issues not addressed today; DM/HTN visit already
# scheduled next month"): a mention there is no care given at this visit
_NOT_TODAY_RE = re.compile(r"\bnot (?:addressed|discussed|assessed|evaluated|managed)\b|\bdeferred\b|"
                           r"\b(?:address|discuss)\w* (?:at|during) (?:the |her |his |a )?(?:next|future|separate)\b|"
                           r"\bvisit (?:is )?(?:already )?scheduled\b|\bfor another (?:day|visit)\b", re.I)


# return precautions name what might come, not what was assessed ("Return for persistent vomiting or worsening",
# "call if fever > 101", "ED precautions for chest pain", "wound check in 2 days, sooner for pus or fever")
_PRECAUTION_RE = re.compile(r"^\W*(?:[A-Za-z/ ]{1,20}:\s*)?(?:return|rtc|call|seek|come back|go to (?:the )?(?:ed|er))\b"
                            r"[^.]*?\b(?:for|if|with|should)\b|\b(?:return|ed|er|strict) precautions (?:for|if)\b"
                            r"|\b(?:sooner|earlier) (?:for|if)\b", re.I)


def _section_kind(sentence: str, sections, start: int) -> str:
    if _NOT_TODAY_RE.search(sentence):
        return "history"
    return "other" if _PRECAUTION_RE.search(sentence) else section_at(sections, start)


def mention_sections(codeset, code: str, narrative: str, sections) -> set[str]:
    """The kinds of the sections ('history', 'assessment', 'other') whose sentences mention the code; when no
    sentence names enough of its condition words (core.rules.mentions), those naming one of them, by its first
    five letters too ("seasonal allergies" for allergic rhinitis)."""
    spans = sentence_spans(narrative, keep_labels=True)
    starts = {narrative[a:b]: a for a, b in spans}
    found = {_section_kind(sentence, sections, starts.get(sentence, narrative.find(sentence)))
             for _, sentence in mentions(codeset, code, narrative, _anywhere)}
    if found:
        return found
    loose = loose_condition_keys(codeset, code)
    return {section_at(sections, a) for a, b in spans if loose & documented_keys(narrative[a:b])}


def is_history_code(codeset, code: str) -> bool:
    """A code that says the condition is past (old MI I25.2): its place is the history section."""
    return codeset.describe(code).lower().startswith(("old ", "personal history", "history of"))


# long-term drug therapy (Z79) -> the conditions it is coded with (use-additional-code notes of E08-E13, I48 ...):
# with none of them left in the answer, the visit did not address what the drug treats
# and a code of the condition whose mentions tell where the note names it
_DIABETES = ("E08", "E09", "E10", "E11", "E13")
DRUG_STATUS = {"Z79.4": (_DIABETES, "E11.9"), "Z79.84": (_DIABETES, "E11.9"), "Z79.85": (_DIABETES, "E11.9"),
               "Z79.01": (("I48", "I26", "I82", "I63", "Z86.7", "Z95.2", "D68"), "I48.91")}


def _drug_status(ctx: Context, dropped: set[str], sections) -> list:
    """A long-term drug code whose condition the answer no longer codes and the note names only in its history."""
    left = [c for c in ctx.icd() if c not in dropped]
    return [RULE.edit("drop", "icd10cm", code, f"what {code} ({ctx.codeset.describe(code).lower()}) is taken for is "
                      f"not addressed at this visit (named only in the history): {code} is not coded")
            for code, (conditions, condition) in DRUG_STATUS.items() if code in left
            and not any(c.startswith(conditions) for c in left)
            and mention_sections(ctx.codeset, condition, ctx.narrative, sections) == {"history"}]


def _pregnancy_assessed(narrative: str, sections) -> bool:
    """Whether the assessment names the pregnancy ('acute cystitis in pregnancy, 2nd trimester, 16 wk')."""
    return any(kind == "assessment" and re.search(r"\bpregnan|\btrimester\b|\bgestation|\bIUP\b|\b\d{1,2}\s*(?:w|wk|wks|weeks)\b",
                                                  narrative[start:end], re.I) for kind, start, end in sections)


def _requested(ctx: Context, symptom: str) -> bool:
    """Whether a coded diagnosis's 'use additional code' note asks for the symptom (N40.1 benign prostatic
    hyperplasia with lower urinary tract symptoms: nocturia R35.1, incomplete emptying R39.14 'when specified')."""
    return any(requested_by(ctx.codeset, code, symptom) for code in ctx.icd() if code != symptom)


def _propose(ctx: Context) -> list:
    if not visit_note(ctx.narrative):
        return []
    sections = note_sections(ctx.narrative)
    if not any(kind == "assessment" for kind, _, _ in sections):
        return []
    where = {code: mention_sections(ctx.codeset, code, ctx.narrative, sections) for code in ctx.diagnoses()}
    if _pregnancy_assessed(ctx.narrative, sections):  # a condition in pregnancy is its Chapter 15 code (I.C.15.a.1)
        where.update({code: {"assessment"} for code in where if code.startswith("O")})
    edits = []
    for code, kinds in where.items():
        if not code.startswith("R") and kinds == {"history"} and not is_history_code(ctx.codeset, code):
            label = ctx.codeset.describe(code).lower()
            edits.append(RULE.edit("drop", "icd10cm", code, f"{label} is named only in the history sections (past "
                                   f"history, medications, ROS), not in the assessment or plan: not addressed at this "
                                   f"visit, {code} is not coded"))
    dropped = {e.code for e in edits}
    assessed = [c for c, kinds in where.items() if "assessment" in kinds]
    if assessed:  # the assessment names the visit's diagnoses: one named only in the HPI or exam was not assessed
        for code, kinds in where.items():
            if (code not in dropped and not code.startswith("R") and kinds and "assessment" not in kinds
                    and not is_history_code(ctx.codeset, code)):
                label = ctx.codeset.describe(code).lower()
                edits.append(RULE.edit("drop", "icd10cm", code, f"{label} is named in the note but not in its "
                                       f"assessment or plan, which names {assessed[0]}: not assessed at this visit, "
                                       f"{code} is not coded"))
                dropped.add(code)
    edits += _drug_status(ctx, dropped, sections)
    if assessed:
        for code, kinds in where.items():
            if (code.startswith("R") and kinds and "assessment" not in kinds
                    and not _requested(ctx, code)):
                label = ctx.codeset.describe(code).lower()
                edits.append(RULE.edit("drop", "icd10cm", code, f"the assessment names {assessed[0]} and not {label}: "
                                       f"a symptom the diagnosis explains, or not assessed, is not coded ({code})"))
    return edits


RULE = Rule("not_addressed", GUIDELINE, "a condition the visit did not address, or a symptom its diagnosis explains, is "
            "not coded", _propose, one_encounter=True)
