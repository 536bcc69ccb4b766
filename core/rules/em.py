"""E/M level (2021 AMA office/outpatient E/M guidelines, as adopted by CMS; 2023 ED guidelines): the office
visit level comes from medical decision making (MDM) or total time on the date of the encounter, whichever
the note documents (the higher when both), new vs established patient picks the code family; ED visit levels
come from MDM alone."""

from __future__ import annotations

import re

from core.rules.mdm import MdmEstimate, estimate_mdm
from core.rules.models import Context, Rule
from core.rules.narrative import (
    FORM_PHYSICAL_RE,
    MEDICARE_WELLNESS_RE,
    PREVENTIVE_VISIT_RE,
    minutes_documented,
    time_statement,
    visit_note,
)
from core.text import split_sentences

GUIDELINE = "AMA/CMS 2021 office E/M guidelines (MDM or total time; new vs established) and ED E/M by MDM"

OFFICE_NEW = ("99202", "99203", "99204", "99205")
OFFICE_ESTABLISHED = ("99212", "99213", "99214", "99215")
ED = ("99281", "99282", "99283", "99284", "99285")
FAMILIES = {"new": OFFICE_NEW, "established": OFFICE_ESTABLISHED, "ed": ED}
ALL_EM = frozenset(OFFICE_NEW + OFFICE_ESTABLISHED + ED + ("99211",))
# 0 straightforward, 1 low, 2 moderate, 3 high
_MDM_RE = re.compile(r"\b(straightforward|minimal|low|moderate|high)\b(?: complexity)?(?: level of)?\s*"
                     r"(?:medical decision[- ]making|MDM)|(?:medical decision[- ]making|MDM)"
                     r"(?: was| is| of|:)?\s*(?:of )?(straightforward|minimal|low|moderate|high)\b", re.I)
_MDM_LEVELS = {"straightforward": 0, "minimal": 0, "low": 1, "moderate": 2, "high": 3}
_TIME_FLOORS = {"new": (15, 30, 45, 60), "established": (10, 20, 30, 40)}
# not a drug's "ER 27 mg", nor the external rotation of a joint's exam ("ER 80", "Supraspinatus, ER, IR strength 5/5")
_ED_RE = re.compile(r"(?i:\bemergency (department|room)\b)|\bED\b|(?<!\bIR, )(?<!\bIR/)\bER\b(?!\s*\d)(?!,? ?/?IR\b)")
_NEW_RE = re.compile(r"\bnew (patient|pt)\b|\bnew to (the |this |our )?([\w/-]+ ){0,2}(clinic|practice|office)\b|"
                     r"\bnew to (me|us|UC|urgent care)\b|\bestablish(es|ing)? care\b|\bfirst (visit|time) (to|at|in|with)\b|\bnew consult(ation)?\b"
                     r"|\bnot been seen (here|in this practice)\b", re.I)
_RETURN_ADVICE = r"precautions|instructions|if|as needed|prn|to (the )?(ed|er|emergency)"  # advice, not a return visit
_ESTABLISHED_RE = re.compile(rf"\bestablished\b(?!\s+care)|\best\.? pt\b|\by/?o [MF],? est\b(?!\.)|^\W*\d{{1,3}} ?[MF],? est\b|\breturns?\b(?!\s+({_RETURN_ADVICE}))"
                             r"|\bfollow-?up\b|\bf/u\b|\bknown to (this|our)\b|\blast seen\b", re.I)


def level_statements(narrative: str) -> list[tuple[int, int]]:
    """(start, end) of what documents an E/M level, best first: the MDM statement, the total time, then the
    patient status (ED, new or established patient); empty when the note states none of them."""
    found = [_MDM_RE.search(narrative), time_statement(narrative)]
    found += [regex.search(narrative) for regex in (_ED_RE, _NEW_RE, _ESTABLISHED_RE)]
    return [match.span() for match in found if match]


OFFICE_EM = frozenset(OFFICE_NEW + OFFICE_ESTABLISHED + ("99211",))


def documented_level(narrative: str) -> int | None:
    """The MDM level, else the minutes of total time, the note documents (None when it states neither)."""
    mdm = documented_mdm(narrative)
    return mdm if mdm is not None else minutes_documented(narrative)


def documented_mdm(narrative: str) -> int | None:
    match = _MDM_RE.search(narrative)
    return _MDM_LEVELS[(match.group(1) or match.group(2)).lower()] if match else None


# the note is the ED's own record of this encounter (not an office note that mentions an earlier ED visit)
_IN_ED_RE = re.compile(r"(?<!was )(?<!were )\b(presents?|presenting|seen|evaluated|examined|treated|arrives?|brought)"
                       r" (in|to|at|into) the (emergency (department|room)|ED|ER)\b(?![^.]*\b(ago|yesterday|last "
                       r"(week|month|night)|previously|earlier this|monday|tuesday|wednesday|thursday|friday|saturday|"
                       r"sunday)\b)", re.I)


# advice about a future ED visit ("return to the ED if ...", "go to the ER for ...") says nothing of this one
# ("ED for syncope or chest pain." opening a sentence or clause is such advice too; "Return or ED for stridor at
# rest"), as is a denied one ("No ED visits this year", "No ED/UC visits")
_ED_ADVICE_RE = re.compile(r"\b(return(s|ing)?|go(es|ing)?|come|head) (back )?to (the )?(emergency (department|room)"
                           r"|ED|ER)\b[^.]*|\b(ED|ER)( or \w+)? (if|precautions|for (new|worse|worsening|any))\b[^.]*"
                           r"|(?:^|(?<=[.;:!]\s)|(?<=[.;:!]))\s*(ED|ER)( or \w+)? (if|for)\b[^.]*"
                           r"|\b(no|denies|without|any)( recent)? (ED|ER)(/\w+)? (visits?|trips?)\b"
                           r"|\b(return|call|come back)\b[^.]{0,30}?\bor (to )?(the )?(ED|ER)\b[^.]*", re.I | re.M)


# an earlier ED visit an office note tells of ("seen in the ER last week", "went to the ED 2 days ago")
_PAST_ED_RE = re.compile(r"\b(seen|evaluated|treated|went|visited|discharged|was) (in|at|to|from) (the |an )?"
                         r"((?i:emergency (department|room))|ED|ER)\b[^.;]{0,30}?\b((?i:\d+|an?|one|two|three|four|"
                         r"five|six|seven|few|several) (?i:days?|weeks?|months?) (?i:ago)|(?i:yesterday|last (week|month|"
                         r"night)|earlier this (week|month)|previously|(?:last |this past )?(?:monday|tuesday|wednesday|"
                         r"thursday|friday|saturday|sunday)))\b", re.I)


# a note headed as the ED's record ("ED Provider Note", "Emergency Department Note", "ER note")
_ED_HEADER_RE = re.compile(r"^\W*(?:ED|ER|emergency (?:department|room))(?: provider| physician| attending)? note\b", re.I)


# an office visit the note says outright: the patient's status in the practice ("est pt", "New Patient")
_OFFICE_STATUS_RE = re.compile(r"\best\.? pt\b|\by/?o [MF],? est\b(?!\.)|\bestablished\b(?!\s+(care|with|on|in)\b)|\bnew (patient|pt)\b|"
                               r"\bnew to (me|us|our|this|the|UC)\b|"
                               r"\bin (the )?office\b|^\W*office visit\b", re.I | re.M)


# What only an ED note writes, when it never says "ED": a disposition line ('Dispo: home', 'D/c home'), the time
# before arrival ('~1 hr PTA'), arrival by EMS, the ED's decision tools (GCS, NEXUS, PECARN, the Canadian rules, a
# secondary survey, triage). On the development notes none of them occurs in an office or urgent care note (0 of
# 399), one of them in 88 of 109 ED notes.
_ED_WORK_RE = re.compile(r"\bdispo(?:sition)?\b\W{0,3}(?:home|admit|transfer|d/?c\b|discharg)|^\W*d/?c(?:'?d)? home\b|"
                         r"\bPTA\b|\bEMS\b|\bby ambulance\b|\bGCS\b|\bNEXUS\b|\bPECARN\b|\bCanadian (?:CT|C-?spine|head)\b|"
                         r"\bsecondary survey\b|\btriage\b", re.I | re.M)
# Results only an ED (or a hospital) has at once, with a radiologist's read: '(rad)', 'read by radiology' next to a
# CT, a troponin or an IV drug. Office notes with an X-ray read by radiology have none of the three.
_RADIOLOGY_READ_RE = re.compile(r"\((?:rad|radiology)\b|\bradiology read\b|\bper radiology\b|\bread by radiology\b", re.I)
_ED_RESULT_RE = re.compile(r"\bCT\b|\b(?:hs-?)?trop(?:onin)?\b|\b\d+(?:\.\d+)? ?(?:mg|mcg|g|mL|units?)\b[^.\n]{0,12}\bIV\b")
_URGENT_CARE_RE = re.compile(r"\burgent care\b|\bwalk-?in\b", re.I)


def _ed_by_content(narrative: str) -> bool:
    """An ED note that never names the ED, read from the work only an ED does (_ED_WORK_RE, or a radiologist's read
    with a CT, a troponin or an IV drug); never for a note that names an office status or an urgent care."""
    if _OFFICE_STATUS_RE.search(narrative) or _URGENT_CARE_RE.search(narrative):
        return False
    return bool(_ED_WORK_RE.search(narrative)
                or (_RADIOLOGY_READ_RE.search(narrative) and _ED_RESULT_RE.search(narrative)))


def patient_family(narrative: str, coded: list[str]) -> str | None:
    """The E/M family of the visit: "ed" for the ED's own note (said so, headed so, an ED mention that is
    neither advice nor an earlier visit in a note that names no office status, or the work only an ED does:
    _ed_by_content), else "new" or "established" by the patient's status; None when nothing tells."""
    if _IN_ED_RE.search(narrative) or _ED_HEADER_RE.search(narrative) or (
            _ED_RE.search(_PAST_ED_RE.sub("", _ED_ADVICE_RE.sub("", narrative)))
            and not _OFFICE_STATUS_RE.search(narrative)
            and (any(c in ED for c in coded) or not any(c in ALL_EM for c in coded))):
        return "ed"
    if _ed_by_content(narrative):
        return "ed"
    if _NEW_RE.search(narrative):
        return "new"
    if _ESTABLISHED_RE.search(narrative) or any(c in OFFICE_ESTABLISHED for c in coded):
        return "established"
    return "new" if any(c in OFFICE_NEW for c in coded) else None


def expected_level(narrative: str, family: str) -> str | None:
    """The E/M code the documentation supports in `family`, or None when neither MDM nor time is stated."""
    mdm = documented_mdm(narrative)
    if family == "ed":  # "minimal" (no decision needing a physician) is the ED's lowest level, 99281
        minimal = (match := _MDM_RE.search(narrative)) and (match.group(1) or match.group(2)).lower() == "minimal"
        return ED[0] if minimal else ED[mdm + 1] if mdm is not None else None
    levels = [] if mdm is None else [mdm]
    minutes = minutes_documented(narrative)
    if minutes is not None and minutes >= _TIME_FLOORS[family][0]:
        levels.append(sum(minutes >= floor for floor in _TIME_FLOORS[family]) - 1)
    return FAMILIES[family][max(levels)] if levels else None


WELLNESS_HCPCS = frozenset({"G0402", "G0438", "G0439"})


# a preventive visit, or a visit for a minor procedure (0- or 10-day global: the decision to do it is part of the
# procedure; lesion, I&D, repair, destruction, arthrocentesis, cerumen removal): no separate E/M is estimated
def _well_visit(narrative: str) -> bool:
    """A preventive visit, a Medicare wellness visit or a physical for a form (their services have their codes)."""
    return bool(PREVENTIVE_VISIT_RE.search(narrative) or MEDICARE_WELLNESS_RE.search(narrative)
                or FORM_PHYSICAL_RE.search(narrative) or re.search(r"\bwellness visit\b", narrative, re.I))


_MINOR_PROCEDURE_RE = re.compile(r"\b(?:laceration|wound) (?:was )?repair|\bsutured\b|\bsimple (?:interrupted|repair)|incision and "
                                 r"drainage|\bi&d\b|cerumen (?:removal|disimpaction)|(?:joint|knee|shoulder) (?:injection|aspiration)|"
                                 r"\barthrocentesis\b|\bcryotherapy\b|shave (?:biopsy|removal)|punch biopsy", re.I)


# a procedure offered, declined, planned or done elsewhere ('Offered arthrocentesis today - pt prefers sports
# medicine', 'will consider I&D') is no procedure of this visit
_PROCEDURE_NOT_HERE_RE = re.compile(r"\boffer\w*|\bdeclin\w*|\bprefers?\b|\bwill\b|\bconsider\w*|\bif\b|\brefer\w*|"
                                    r"\bnext (?:visit|time)\b", re.I)


def _minor_procedure_said(narrative: str) -> bool:
    """Whether a sentence of the note says a minor procedure was done at this visit (_MINOR_PROCEDURE_RE)."""
    return any(_MINOR_PROCEDURE_RE.search(sentence) and not _PROCEDURE_NOT_HERE_RE.search(sentence)
               for sentence in split_sentences(narrative, keep_labels=True))


def _minor_procedure(code: str) -> bool:
    """A procedure whose visit is the procedure's (0- or 10-day global). A cast or splint (29000-29799) is not one:
    the injury it is put on is evaluated at the visit, billed with its E/M."""
    return code.isdigit() and (10040 <= int(code) <= 17999 or 20500 <= int(code) <= 20611 or 69200 <= int(code) <= 69210
                               or 30901 <= int(code) <= 30906 or 58300 <= int(code) <= 58301
                               or 65205 <= int(code) <= 65222)


_TRANSPORT_RE = re.compile(r"\bambulance (?:run|transport|trip)|\brun report\b|\btransported (?:by ambulance )?to the "
                           r"(?:emergency|ED\b|ER\b|hospital)", re.I)


# a visit no physician E/M is billed for: a follow-up inside a procedure's global period (CMS: its visits are part
# of the procedure's payment, reported as 99024 if at all) or a nurse visit for an injection or a vaccine (99211 is
# not billed with the administration, NCCI)
_GLOBAL_PERIOD_RE = re.compile(r"\b(?:in|within|during) (?:the |a |its )?(?:\d+[- ]day )?(?:post-?op(?:erative)? )?global"
                               r"(?: surgical)?(?: period)?\b(?!,? (?:is |was |has |now )?(?:complete|ended|over|expired|passed))"
                               r"|\bglobal period\b(?!,? (?:is |was |has |now )?(?:complete|ended|over|expired|passed))"
                               r"|(?:^\W*|\b(?:here|seen|presents?|today) for (?:(?:a|her|his|the|their) )?(?:\d+[- ](?:day|week|wk)s? )?)"
                               r"(?:post-?op(?:erative)? (?:visit|check|follow-?up|f/u)|POV)\b", re.I | re.M)
_NURSE_VISIT_RE = re.compile(r"\b(?:nurse|RN|MA)(?:[- ]only)? visit\b|\bnurse-only\b|\bper standing order\b", re.I)
_ADMINISTRATION = frozenset({"96372", "96374", "96373", "90460", "90471", "90472", "G0008", "G0009", "G0010"})


def _not_billed(ctx: Context, family: str) -> str | None:
    """Why the visit has no E/M of its own (see _GLOBAL_PERIOD_RE), or None."""
    if family == "ed":
        return None
    if _GLOBAL_PERIOD_RE.search(ctx.narrative):
        return "a follow-up in the procedure's global period is part of the procedure: no E/M visit code is billed"
    coded = set(ctx.codes.get("cpt", [])) | set(ctx.codes.get("hcpcs", []))
    heading = ctx.narrative.lstrip()[:120].split("\n")[0]  # the note's own kind, not a visit planned ('RTC nurse visit')
    if _NURSE_VISIT_RE.search(heading) and coded & _ADMINISTRATION:
        return "a nurse visit for an injection or a vaccine is billed by its administration: no E/M visit code"
    return None


# an office or clinic visit note that does not state the patient's status: an established patient, the usual case
# (one seen by the practice within three years); a new patient is said so ('new patient', 'new to clinic')
_OFFICE_VISIT_RE = re.compile(r"\b(?:clinic|office|practice|urgent care|walk-?in)\b|\b(?:acute|sick|same[- ]day|follow[- ]?up|f/u) "
                              r"visit\b|\bRTC\b|\brecheck\b|\bwork note\b|\b\d+[- ](?:month|mo|week|wk)s? (?:\w+ )?(?:check|visit|f/?u|"
                              r"follow-?up)\b", re.I)


_PROCEDURE_NOTE_RE = re.compile(r"^\W*(?:office |clinic )?procedure\b|\bprocedure note\b|^\s*indication:", re.I | re.M)


def _office_visit_default(narrative: str) -> str | None:
    """'established' for an office visit note that does not say the patient's status; None for a procedure's own
    note ('Office procedure ... Indication: ... Procedure: EGD')."""
    if not visit_note(narrative) or _PROCEDURE_NOTE_RE.search(narrative):
        return None
    return "established" if _OFFICE_VISIT_RE.search(narrative) else None


# an assessment item that is the procedure's own talk, not a problem ('.PROCEDURE I&D', 'consent', 'Aftercare')
_PROCEDURE_TALK_RE = re.compile(r"\bprocedure\b|\bconsent\b|\bdiscuss\w*|\bprep\w*|\bice\b|\bkeep\b|\baftercare\b|"
                                r"\bsun protection\b|\bcounsel\w*|\brisks?\b|\binstructions?\b|\binjection\b|\bMDM\b|"
                                r"\bwound care\b|\bdressing\b|\bsutures?\b", re.I)


def _separate_problems(narrative: str) -> bool:
    """Whether the assessment names two problems or more besides the procedure's own talk: the visit evaluated
    more than the procedure's condition ('Impacted cerumen - removed' and 'HTN - continue lisinopril'), an E/M
    of its own beside the procedure (modifier 25)."""
    from core.rules.visit import _assessed_heads  # imported here: visit's helpers import much of the package

    return len([h for h in _assessed_heads(narrative) if not _PROCEDURE_TALK_RE.search(h)]) >= 2


def _no_separate_visit(ctx: Context, family: str) -> bool:
    """A preventive visit, a minor procedure's office visit or an ambulance transport: no E/M level is estimated.
    An ED visit is always evaluated: its E/M stands beside the procedure the ED physician does (a repair), and so
    is a new patient's (the evaluation that leads to the procedure is a visit of its own)."""
    hcpcs = set(ctx.codes.get("hcpcs", []))
    minor = family not in ("ed", "new") and bool(_minor_procedure_said(ctx.narrative)
                                    or any(_minor_procedure(code) for code in ctx.codes.get("cpt", [])))
    minor = minor and not _separate_problems(ctx.narrative)
    return bool(WELLNESS_HCPCS & hcpcs or any(code.startswith("A04") for code in hcpcs)
                or _TRANSPORT_RE.search(ctx.narrative) or _well_visit(ctx.narrative) or minor)


def estimated_level(narrative: str, family: str) -> tuple[str, MdmEstimate]:
    """The E/M code of `family` that the MDM read from the note's content supports (core.rules.mdm)."""
    estimate = estimate_mdm(narrative, ed=family == "ed")
    return (ED[estimate.level + 1] if family == "ed" else FAMILIES[family][estimate.level]), estimate


def _propose(ctx: Context) -> list:
    coded = list(ctx.codes.get("cpt", []))
    if any(code.startswith(("9938", "9939")) for code in coded):
        return []  # a preventive visit: its level is set by age, not MDM
    family = patient_family(ctx.narrative, coded) or _office_visit_default(ctx.narrative)
    expected = expected_level(ctx.narrative, family) if family else None
    present = [c for c in coded if c in ALL_EM]
    if family and (why := _not_billed(ctx, family)):
        return [RULE.edit("drop", "cpt", code, why) for code in present]
    basis = f"the documented MDM/time supports {expected} ({'ED' if family == 'ed' else f'{family} patient'})"
    if expected is None and family and not _no_separate_visit(ctx, family):
        # no level stated: the MDM the note's content supports (problems, data, risk), with its grades in the reason
        expected, estimate = estimated_level(ctx.narrative, family)
        basis = (f"the note states no MDM level or total time; its content reads as {estimate.describe()}: "
                 f"{('low', 'low', 'moderate', 'high')[estimate.level] if estimate.level else 'straightforward'} MDM, "
                 f"{expected} ({'ED' if family == 'ed' else family + ' patient'})")
    if expected is None:
        return []
    if not present:
        return [RULE.edit("add", "cpt", expected, f"no E/M code was given; {basis}")]
    if expected in present:
        return [RULE.edit("drop", "cpt", code, f"one E/M visit code per encounter; {basis}")
                for code in present if code != expected]
    return [RULE.edit("replace", "cpt", present[0], f"{present[0]} does not match the note: {basis}", expected)] + [
        RULE.edit("drop", "cpt", code, "one E/M visit code per encounter") for code in present[1:]]

RULE = Rule("em_level", GUIDELINE, "office/ED visit level from MDM or time and new vs established patient", _propose)
