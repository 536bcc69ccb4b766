"""A past condition is coded as history, not as a current condition (ICD-10-CM Official Guidelines I.C.21.c.4:
personal history codes; I.C.2.d: a malignancy excised or eradicated, with no further treatment and no evidence of
it, is Z85; I.C.9.e.4: a myocardial infarction older than four weeks, needing no care, is I25.2).

A code of a condition that is over once treated (a heart attack, a stroke, a clot, a pneumonia, a kidney stone,
a cancer removed, smoking quit: `HISTORY`) is replaced by its personal-history code when every sentence that
mentions it (core.rules.mentions) puts it in the past: a history cue within NEGATION_WINDOW words before it in its
clause ("h/o MI", "history of breast cancer", "s/p colectomy for colon cancer", "former smoker", "prior DVT"), or
right after it ("MI in 2019", "PE 3 years ago", "kidney stones, resolved"). Not when that sentence tells of present
treatment ("on tamoxifen", "undergoing chemotherapy"): a malignancy under treatment is current (I.C.2.d). A
chronic condition named as "history of" (hypertension, diabetes, asthma ...) is left alone: in a visit note it is
usually present and treated. Visit notes of one encounter only (core.rules.narrative.visit_note)."""

from __future__ import annotations

import re

from core.rules.mentions import mentions as read_mentions
from core.rules.mentions import words_around
from core.rules.models import Context, Rule
from core.rules.narrative import patient_text, visit_note
from core.text import negated_within, split_sentences

GUIDELINE = ("ICD-10-CM Official Guidelines I.C.21.c.4 (history codes), I.C.2.d (current malignancy versus "
             "personal history), I.C.9.e.4 (old myocardial infarction)")

# (code prefix, personal-history code): conditions that end; malignancies by site (C18-C19 large intestine,
# C20 rectum, C50 breast, C61 prostate, C34 lung, C43 melanoma, C44 other skin, C67 bladder, C64 kidney, C53
# cervix, C54-C55 uterus, C56 ovary, C73 thyroid, C81 Hodgkin, C82-C85 non-Hodgkin lymphoma, C91-C95 leukemia)
HISTORY: tuple[tuple[str, str], ...] = (
    ("I21", "I25.2"), ("I22", "I25.2"), ("I63", "Z86.73"), ("G45", "Z86.73"), ("I82.4", "Z86.718"),
    ("I82.9", "Z86.718"), ("I26", "Z86.711"), ("J18", "Z87.01"), ("J15", "Z87.01"), ("J12", "Z87.01"),
    ("N39.0", "Z87.440"), ("N30", "Z87.440"), ("N20", "Z87.442"), ("F17", "Z87.891"), ("K25", "Z87.11"),
    ("K26", "Z87.11"), ("K27", "Z87.11"), ("D12", "Z86.0100"), ("K63.5", "Z86.0100"),
    ("C18", "Z85.038"), ("C19", "Z85.038"), ("C20", "Z85.048"), ("C50", "Z85.3"), ("C61", "Z85.46"),
    ("C34", "Z85.118"), ("C43", "Z85.820"), ("C44", "Z85.828"), ("C67", "Z85.51"), ("C64", "Z85.528"),
    ("C53", "Z85.41"), ("C54", "Z85.42"), ("C55", "Z85.42"), ("C56", "Z85.43"), ("C73", "Z85.850"),
    ("C81", "Z85.71"), ("C82", "Z85.72"), ("C83", "Z85.72"), ("C84", "Z85.72"), ("C85", "Z85.72"),
    ("C91", "Z85.6"), ("C92", "Z85.6"), ("C93", "Z85.6"), ("C94", "Z85.6"), ("C95", "Z85.6"),
)
# history code -> (a code of its condition, the words of its site): a history the answer lacks is added when the
# note gives that condition, at that site, as past only; for the history codes the guidelines say "should" be
# assigned (Z85 for an eradicated malignancy, I.C.2.d; old MI I25.2, I.C.9.e.4; history of stroke without residual
# Z86.73, I.C.9.d.3) and for a former smoker (Z87.891). The site words are checked for a malignancy replaced, too.
ADDED: dict[str, tuple[str, str]] = {
    "I25.2": ("I21.9", ""), "Z86.73": ("I63.9", ""), "Z87.891": ("F17.210", ""),
    "Z85.038": ("C18.9", r"colon|colorectal|large (?:intestine|bowel)|cecum|sigmoid"), "Z85.048": ("C20", r"rect(?:um|al)"),
    "Z85.3": ("C50.919", r"breast"), "Z85.46": ("C61", r"prostat"), "Z85.118": ("C34.90", r"lung|bronch"),
    "Z85.820": ("C43.9", r"melanoma"), "Z85.51": ("C67.9", r"bladder"), "Z85.528": ("C64.9", r"kidney|renal"),
    "Z85.41": ("C53.9", r"cervi"), "Z85.42": ("C54.9", r"uter|endometri"), "Z85.43": ("C56.9", r"ovar"),
    "Z85.850": ("C73", r"thyroid"), "Z85.71": ("C81.90", r"hodgkin"), "Z85.72": ("C85.90", r"lymphoma"),
    "Z85.6": ("C95.90", r"leuk"),
}
HISTORY_BEFORE = (
    r"history of", r"hx of", r"h/o", r"hx", r"s/p", r"status post", r"prior", r"previous", r"previously", r"past",
    r"remote", r"old", r"former", r"ex-", r"quit", r"quitting", r"stopped", r"treated for", r"recovered from",
    r"survivor of", r"personal history of",
)
HISTORY_AFTER = (
    r"(?:in|since|of) (?:19|20)\d\d", r"(?:\w+ )?(?:years?|months?|yrs?) ago", r"resolved", r"in the past",
    r"remote", r"(?:in|now in) (?:complete )?remission", r"treated", r"(?:was |were )?removed", r"excised",
    r"resected", r"no recurrence", r"no evidence of (?:disease|recurrence)", r"ned", r"quit",
    r"s/p", r"status post", r"(?:19|20)\d\d", r"undetectable", r"completed",
)
_BEFORE_RE = re.compile(r"\b(?:" + "|".join(HISTORY_BEFORE) + r")\b(?!\s+(?:of\s+)?present illness)[^,;]*$",
                        re.IGNORECASE)
_AFTER_RE = re.compile(r"^[^;]*?\b(?:" + "|".join(HISTORY_AFTER) + r")\b", re.IGNORECASE)
# present treatment of a malignancy (I.C.2.d): the condition is current
_CURRENT_RE = re.compile(r"\b(?:on|taking|receiving|undergoing|currently|active|ongoing|started|continues?)\b[^.]*"
                         r"\b(?:tamoxifen|anastrozole|letrozole|chemo\w*|radiation|radiotherapy|immunotherapy|"
                         r"hormone therapy|treatment|therapy)\b|\bmetasta\w*|\brecurren(?:t|ce)\b(?! free)",
                         re.IGNORECASE)


# status after a procedure (Guidelines I.C.21.c.3: status codes), added when the note says the patient has it and
# the answer lacks it: a coronary stent, a bypass graft, a pacemaker, a joint replacement (by side)
STATUS: tuple[tuple[str, str, str], ...] = (
    (r"\b(?:DES|drug[- ]eluting stents?|coronary stents?|(?:PCI|stents?|stenting)\b[^.;]{0,20}\b(?:RCA|LAD|LCx|circumflex|"
     r"coronary)|s/p (?:PCI|stents?))\b", "Z95.5", "a coronary stent"),
    (r"\bCABG\b|coronary (?:artery )?bypass graft", "Z95.1", "a coronary bypass graft"),
    (r"\b(?:permanent )?pacemaker\b", "Z95.0", "a cardiac pacemaker"),
    (r"\b(?:R|right)\.? (?:TKA|total knee (?:arthroplasty|replacement))|\b(?:TKA|total knee (?:arthroplasty|replacement))"
     r"[^.;]{0,15}\b(?:R|right)\b", "Z96.651", "a right knee replacement"),
    (r"\b(?:L|left)\.? (?:TKA|total knee (?:arthroplasty|replacement))|\b(?:TKA|total knee (?:arthroplasty|replacement))"
     r"[^.;]{0,15}\b(?:L|left)\b", "Z96.652", "a left knee replacement"),
)


def _status_codes(ctx: Context, coded: set[str]) -> list:
    edits = []
    for sentence in split_sentences(patient_text(ctx.narrative), keep_labels=True):
        for pattern, code, what in STATUS:
            if code in coded or not re.search(pattern, sentence) or negated_within(sentence, re.search(pattern, sentence).start()):
                continue
            if re.search(r"\b(?:consider|candidate|plan|schedul|discuss|recommend|refer|will|wants?|wishes|proceed)\w*", sentence, re.I):
                continue  # a procedure planned or discussed is no status yet
            edits.append(RULE.edit("add", "icd10cm", code, f"the note says the patient has {what}: the status code "
                                   f"{code} is coded"))
            coded.add(code)
    return edits


def history_at(sentence: str, start: int, end: int) -> bool:
    """Whether the mention at sentence[start:end] is put in the past (see the module)."""
    if _CURRENT_RE.search(sentence) and not re.search(r"no (?:evidence of )?recurren", sentence, re.IGNORECASE):
        return False
    if re.search(r"\bscreen", sentence, re.IGNORECASE):
        return False  # "lung cancer screening not indicated (quit > 15 yrs)" tells of no cancer of the patient's
    before, after = words_around(sentence, start, end)
    return _BEFORE_RE.search(before + " ") is not None or _AFTER_RE.search(" " + after) is not None


def history_code(code: str) -> str | None:
    return next((target for prefix, target in HISTORY if code.startswith(prefix)), None)


# tobacco is named by its habit, not by "nicotine dependence": a former smoker (who quit), and no current smoking
_QUIT_RE = re.compile(r"\b(?:former|ex-?|past|previous|prior|quit|quitting|stopped|remote)\b[^.;]{0,25}"
                      r"\b(?:smok|tobacco|cigar|chew)|\b(?:smok|tobacco|cigar)\w*\b[^.;]{0,25}\b(?:quit|stopped|former)\b",
                      re.IGNORECASE)
_SMOKES_RE = re.compile(r"\b(?:current(?:ly)? (?:smok|every day|some day)|smokes\b|still smok|active(?:ly)? smok|"
                        r"\d+(?:\.\d+)? ?(?:ppd|packs? (?:a|per) day|cigarettes? (?:a|per) day))", re.IGNORECASE)


def past(codeset, code: str, narrative: str, site: str = "") -> bool:
    """Whether the note mentions the code's condition, and only in the past (with `site`, a regex: where it names
    that site too)."""
    if code.startswith("F17"):
        sentences = split_sentences(narrative, keep_labels=True)
        return (any(_QUIT_RE.search(s) for s in sentences)
                and not any(_SMOKES_RE.search(s) and not _QUIT_RE.search(s) for s in sentences))
    verdicts = read_mentions(codeset, code, narrative, history_at)
    if site:
        verdicts = [(v, sentence) for v, sentence in verdicts if re.search(rf"\b(?:{site})", sentence, re.IGNORECASE)]
    return any(v == "flagged" for v, _ in verdicts) and not any(v == "plain" for v, _ in verdicts)


def _propose(ctx: Context) -> list:
    if not visit_note(ctx.narrative):
        return []
    edits, coded = [], set(ctx.icd())
    for code in ctx.diagnoses():
        target = history_code(code)
        site = ADDED.get(target, ("", ""))[1] if code.startswith("C") else ""
        if target is None or not ctx.codeset.is_valid(target, "icd10cm") or not past(ctx.codeset, code, ctx.narrative, site):
            continue
        label, history = ctx.codeset.describe(code).lower(), ctx.codeset.describe(target).lower()
        if target in coded:
            edits.append(RULE.edit("drop", "icd10cm", code, f"{label} is in the patient's past: {target} ({history}) "
                                                            f"is coded, {code} is not"))
        else:
            edits.append(RULE.edit("replace", "icd10cm", code, f"{label} is in the patient's past: {history} "
                                                               f"({target}), not the current condition", target))
            coded.add(target)
    for target, (condition, site) in ADDED.items():
        if (target not in coded and ctx.codeset.is_valid(target, "icd10cm")
                and not any(history_code(code) == target for code in ctx.icd())
                and past(ctx.codeset, condition, ctx.narrative, site)):
            history = ctx.codeset.describe(target).lower()
            edits.append(RULE.edit("add", "icd10cm", target, f"the note gives the patient's {history[len('personal history of '):] if history.startswith('personal history of ') else history} as past: {history} ({target}) is coded"))
            coded.add(target)
    gone = {edit.code for edit in edits if edit.action in ("drop", "replace")}  # put in the past above
    return edits + _status_codes(ctx, coded) + _history_beside_current(ctx, coded, gone)


# a personal-history code and the current conditions it is the history of: a urinary infection (or its symptoms), a
# stone, a pneumonia treated at this visit is no history of it ('Last UTI ~2 yrs ago' in a cystitis visit: N30.00 alone)
HISTORY_OF_CURRENT = {"Z87.440": ("N10", "N11", "N12", "N30", "N34", "N39.0", "O23", "R30", "R35", "R39.1"),
                      "Z87.442": ("N20", "N21", "N22", "N23", "N13.2", "N13.6"),
                      "Z87.01": ("J12", "J13", "J14", "J15", "J16", "J17", "J18")}


def _history_beside_current(ctx: Context, coded: set[str], gone: set[str]) -> list:
    edits = []
    for history, current in HISTORY_OF_CURRENT.items():
        now = next((c for c in ctx.icd() if c.startswith(current) and c not in gone), None)
        if history in coded and now:
            edits.append(RULE.edit("drop", "icd10cm", history, f"the condition is treated now ({now}, "
                                   f"{ctx.codeset.describe(now).lower()}): its personal history {history} is not coded "
                                   "beside it"))
    return edits


RULE = Rule("history_of", GUIDELINE, "a past condition is coded by its personal-history code", _propose,
            one_encounter=True)
