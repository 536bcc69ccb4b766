"""An unspecified code beside the specific code of the same condition says nothing more (ICD-10-CM Official
Guidelines I.A.17 and I.B.18: an unspecified code is for a condition the record does not specify; when the answer
codes the specific form, the unspecified one is redundant):

- a code whose description's words (less 'unspecified') are all words of another coded code of its category (same
  7th character), which says more and which the note documents in full: acute sinusitis J01.90 beside acute maxillary sinusitis J01.00, chest pain R07.9 beside other
  chest pain R07.89, pain in unspecified knee M25.569 beside pain in right knee M25.561, unspecified atrial
  fibrillation I48.91 beside paroxysmal I48.0;
- an injury of an unspecified body region (T14) beside an injury of a named region (S00-T34);
- a general code that a coded code of its condition includes (COVERED_BY): hypertension I10 beside hypertensive
  heart or kidney disease I11-I13 (I.C.9.a), anemia, unspecified D64.9 beside a specific anemia, type 2 diabetes
  without complications E11.9 beside a complication of type 2 diabetes E11.x (I.C.4.a);
- pain, unspecified (R52) beside a pain code of a site (chest, abdominal, joint, back, head, ear ...), and the
  catch-alls pain, unspecified (R52) and illness, unspecified (R69) beside any coded diagnosis: they are for pain
  of no known site or cause and an illness the record does not name, which a diagnosis the visit codes is not.

Visit notes of one encounter only (core.rules.narrative.visit_note): a case report may code one condition at two
levels of detail for two mentions."""

from __future__ import annotations

import re

from core.rules.documentation import ANATOMY, documented_in_full, documented_keys, word_keys
from core.rules.models import Context, Rule, is_diagnosis
from core.rules.narrative import visit_note

GUIDELINE = "ICD-10-CM Official Guidelines I.A.17 and I.B.18 (unspecified codes only when the record says no more)"
# a general code that a coded code of its condition includes: hypertension I10 in hypertensive heart or kidney
# disease (I11-I13, I15-I16; I.C.9.a), anemia, unspecified D64.9 beside a specific anemia, diabetes "without
# complications" beside a complication of the same type (I.C.4.a)
COVERED_BY = {
    "I10": ("I11", "I12", "I13", "I15", "I16"),
    "D64.9": ("D50", "D51", "D52", "D53", "D55", "D56", "D57", "D58", "D59", "D60", "D61", "D62", "D63", "D64"),
    **{f"{t}.9": (t,) for t in ("E08", "E09", "E10", "E11", "E13")},
    "R10.9": ("R10.1", "R10.2", "R10.3", "R10.8"),  # abdominal pain of a named region
    # heart disease, unspecified beside a named heart disease (I05-I09, I11, I13, I20-I50)
    "I51.9": ("I05", "I06", "I07", "I08", "I09", "I11", "I13", "I2", "I3", "I4", "I50"),
    # urinary tract infection, site not specified beside the infection of a named site
    "N39.0": ("N10", "N11", "N12", "N30", "N34.1", "N34.2", "N41"),
    "M54.9": ("M54.1", "M54.2", "M54.3", "M54.4", "M54.5", "M54.6", "M54.8"),  # dorsalgia of a named kind
    "J44.9": ("J44.0", "J44.1", "J44.8"),  # COPD, unspecified beside COPD with an exacerbation or an infection
    # gallbladder stones 'without cholecystitis' beside the stones with cholecystitis
    "K80.20": ("K80.0", "K80.1", "K80.4", "K80.6"), "K80.21": ("K80.0", "K80.1", "K80.4", "K80.6"),
    # osteoarthritis of an unspecified site beside the osteoarthritis of a named joint
    **{code: ("M15", "M16", "M17", "M18", "M19.0", "M19.1", "M19.2") for code in ("M19.90", "M19.91", "M19.92", "M19.93")},
    # a complication a diabetes combination code names (I.A.15, I.C.4.a): polyneuropathy beside diabetic
    # polyneuropathy, peripheral vascular disease beside diabetic peripheral angiopathy, hypoglycemia beside
    # diabetes with hypoglycemia
    "G62.9": tuple(f"{t}.42" for t in ("E08", "E09", "E10", "E11", "E13")),
    "I73.9": tuple(f"{t}.5" for t in ("E08", "E09", "E10", "E11", "E13")),
    "E16.2": tuple(f"{t}.64" for t in ("E08", "E09", "E10", "E11", "E13")),
}
CATCH_ALL = ("R52", "R69")  # pain of no known site or cause, an illness the record does not name
_SITE_PAIN = ("R07", "R10", "R51", "M25.5", "M54", "M79.6", "G89", "H92.0", "N64.4", "R30", "M79.1")


_SITE_WORDS = frozenset().union(*(word_keys(w) for w in ANATOMY))


def _seventh(code: str) -> str:
    """The encounter character of a 7-character code (A, D, S ...), '' for other codes."""
    return code[-1] if len(code.replace(".", "")) == 7 else ""


def _words(codeset, code: str) -> set[str]:
    description = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", codeset.describe(code).lower())  # "(congestive)" is no claim
    return set(re.findall(r"[a-z0-9]+", description)) - {"unspecified", "other", "initial",
                                                                             "encounter", "of", "the", "in", "and"}


def _says_more(codeset, code: str, other: str, keys: set[str]) -> bool:
    """Whether `other` says all that `code` says and more ('Other X' is more than 'X, unspecified'), and the note
    documents it: its description in full, and each of its words beyond `code`'s ('chronic' atrial fibrillation
    needs the note's 'chronic')."""
    own, theirs = _words(codeset, code), _words(codeset, other)
    more = own < theirs or (own == theirs and "other" in codeset.describe(other).lower())
    return more and documented_in_full(codeset, other, keys) and all(word_keys(w) & keys for w in theirs - own)


def _propose(ctx: Context) -> list:
    if not visit_note(ctx.narrative):
        return []
    icd, edits, keys = ctx.icd(), [], documented_keys(ctx.narrative)
    for code in icd:
        others = [c for c in icd if c != code and c not in {e.code for e in edits}]
        reason = None
        if "unspecified" in ctx.codeset.describe(code).lower():
            better = next((c for c in others if c[:3] == code[:3] and _seventh(c) == _seventh(code)
                           and _says_more(ctx.codeset, code, c, keys)), None)
            if better:
                reason = f"{better} ({ctx.codeset.describe(better).lower()}) says the same and more"
        if reason is None and code.startswith("T14"):
            better = next((c for c in others if c[:1] == "S" or (c[:1] == "T" and c[1:3] < "35")), None)
            if better:
                reason = f"the injury's region is coded ({better})"
            elif _SITE_WORDS & keys:  # the note says where: the injury is coded by its region (S00-T34), never T14
                reason = "the note names the injured region"
        if reason is None and code == "R52":
            better = next((c for c in others if c.startswith(_SITE_PAIN)), None)
            if better:
                reason = f"the pain's site is coded ({better})"
        if reason is None and code in COVERED_BY:
            better = next((c for c in others if c.startswith(COVERED_BY[code]) and c != code), None)
            if better:
                reason = f"{better} ({ctx.codeset.describe(better).lower()}) includes it"
        if reason is None and code in CATCH_ALL:
            better = next((c for c in others if is_diagnosis(c) and c not in CATCH_ALL), None)
            if better:
                reason = f"the visit codes a diagnosis ({better})"
        if reason:
            edits.append(RULE.edit("drop", "icd10cm", code, f"{reason}: the unspecified {code} "
                                   f"({ctx.codeset.describe(code).lower()}) is not coded beside it"))
    return edits


RULE = Rule("redundant_unspecified", GUIDELINE, "an unspecified code beside the specific code of its condition is not coded",
            _propose, one_encounter=True)
