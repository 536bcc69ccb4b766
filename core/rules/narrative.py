"""What the coding rules read in a narrative beyond single mentions: the side of a condition, whether the note
spans several encounters, the total time stated. Sentences and negation come from core.text (`affirmed`)."""

from __future__ import annotations

import re
from functools import lru_cache

from core.text import FAMILY_CUES, GENERIC_WORDS, UNSPECIFIED_WORDS, affirmed, split_sentences

# "R wrist", "L volar forearm", "R distal radius": a capital R or L right before a body part (case-sensitive)
_PARTS = (r"(?:(?:distal|proximal|lateral|medial|volar|dorsal|upper|lower|anterior|posterior|mid|great|index|long|ring|small)"
          r"\s+)*(?:ear|eye|eyelid|hand|knee|hip|foot|toe|arm|leg|shoulder|elbow|wrist|ankle|finger|thumb|forearm|thigh|"
          r"calf|radius|ulna|humerus|femur|tibia|fibula|clavicle|patella|breast|flank|lung|kidney|tm|cheek|chest|"
          r"shin|heel|buttock|groin|knees|hips|feet|hands|palm|sole|axilla|mtpj?|[1-5](?:st|nd|rd|th)\s+(?:mtpj?|mcp|mt|mc|metatarsal|metacarpal|finger|toe|digit))s?\b")
_SIDE_LETTER = {side: re.compile(rf"(?<![\w/-]){letter}\.?\s+(?i:{_PARTS})"
                            r"(?!:?\s+(?i:normal|nl|neg\w*|unremarkable|wnl|intact|clear|benign)\b)")
                for side, letter in (("right", "R"), ("left", "L"))}
# a side letter standing alone after a condition ('Nursemaid's elbow (radial head subluxation), L.', 'Acute suppurative
# otitis media, L, without rupture')
_SIDE_ALONE = {side: re.compile(rf"(?:,|\(|\s[-\u2013])\s*{letter}\s*(?=[,.);]|$)", re.M)
               for side, letter in (("right", "R"), ("left", "L"))}


def short_quote(text: str, limit: int = 80) -> str:
    """A sentence as an edit's reason quotes it: whole, or cut to `limit` characters with '...'."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def documented_side(narrative: str) -> str | None:
    """'right', 'left' or 'bilateral' when the narrative names exactly one side (or both), else None."""
    if affirmed(narrative, r"\bbilateral(ly)?\b|\bboth (ears|eyes|knees|hips|feet|hands|sides)\b"):
        return "bilateral"
    right = (affirmed(narrative, r"\bright\b(?! away| now)|\brt\b") or _SIDE_LETTER["right"].search(narrative)
             or _SIDE_ALONE["right"].search(narrative))
    left = (affirmed(narrative, r"\bleft\b(?! the| after| against| ama| without)|\blt\b") or _SIDE_LETTER["left"].search(narrative)
            or _SIDE_ALONE["left"].search(narrative))
    if right and left:
        return None
    return "right" if right else "left" if left else None


_FAMILY_RE = re.compile(r"\b(" + "|".join(FAMILY_CUES) + r")\b|\b(wife|husband|spouse|aunt|uncle|cousin)\b",
                        re.I)


def patient_text(narrative: str) -> str:
    """The narrative without its sentences about relatives ("Mother has type 1 diabetes", "Family history:
    ...", "her father fell down the stairs"): what a rule reads as the patient's own condition or injury
    (core.text.affirmed does not treat family history as a negation)."""
    return " ".join(s for s in split_sentences(narrative, keep_labels=True) if not _FAMILY_RE.search(s))


_NUMBER = r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|a few|few)"
_LATER_ENCOUNTER_RE = re.compile(
    rf"\b{_NUMBER}\s+(days?|weeks?|months?|years?)\s+(later|afterwards)\b|\b{_NUMBER}\s+(months?|years?)\s+after\b"
    rf"|\bafter\s+{_NUMBER}\s+(months?|years?)\b(?!\s+of\b)"
    r"|\b(re-?admitted|readmission|was admitted|on admission"
    r"|during (the |his |her )?(admission|hospitali[sz]ation|hospital stay|follow-?up)|follow-?up (at|after) "
    r"|(post-?operative|hospital) (course|period|evolution)|(successive|subsequent|later) (visits|controls|check-?ups)"
    r"|we (present|report|describe) (the|a|an) (case|patient)"
    # a hospital stay told from admission on (measured on CodiEsp dev: the Excludes1 pairs coded in such notes
    # are findings of different days, e.g. R52 then epigastric pain, and both are in the gold codes)
    r"|(the|on|at|after|since|upon|until|before) admission|admission (to|in|at) (our|the|this)|hospitali[sz]ations"
    r"|was discharged (from|with|after|on)|autopsy|necropsy|in (the )?controls|the evolution was"
    rf"|{_NUMBER}\s+(days?|weeks?|months?|years?)\s+of\s+follow-?up)\b", re.I)


_STAY = r"(?:prior |previous |past )?(?:hospitali[sz]ations?|admissions?|surgeries|ED visits|er visits)\b"
# a list of them denied at once: 'no ED visits or hospitalizations'
_DENIED_STAY_RE = re.compile(rf"\b(?:no|denies|never|without|not)\b(?:\s+\w+){{0,3}}?\s+{_STAY}"
                             rf"(?:\s*(?:,|/|\bor\b|\band\b|,\s*or\b)\s*{_STAY})*", re.I)


def spans_several_encounters(narrative: str) -> bool:
    """True for a case history or hospital course: the note tells of a later visit or an admission ('two
    months later', 'after 3 years', 'six months after surgery', 'was readmitted', 'on admission', 'during
    hospitalization', 'the admission tests', 'was discharged from the hospital', 'follow-up at 6 months', 'two
    years of follow-up', 'normal in the controls', 'the postoperative course', 'in successive visits', an
    autopsy) or is a published case report ('we present the case'). A note of one office/ED visit ('cough for
    six days', 'discharged home', 'here for follow-up') is not one."""
    return bool(_LATER_ENCOUNTER_RE.search(_DENIED_STAY_RE.sub(" ", narrative)))  # "no hospitalizations" is no stay


# The sections of a visit note, by their labels at the start of a line or sentence: what the patient has had
# (history), what the clinician assessed and plans (assessment), and the rest (complaint, exam, results ...).
SECTION_KINDS: dict[str, tuple[str, ...]] = {
    "history": ("pmh", "pmhx", "past medical history", "medical hx", "medical history", "past history", "psh",
                "past surgical history", "surgical history", "meds", "medications", "current medications",
                "home medications", "allergies", "fh", "fhx", "family history", "sh", "social history", "ros",
                "review of systems"),
    "assessment": ("a/p", "a&p", "assessment", "assessment and plan", "assessment & plan", "assessment/plan",
                   "impression", "impression and plan", "impression/plan", "dx", "diagnosis", "diagnoses", "a", "plan",
                   "p", "mdm", "medical decision making", "orders", "dispo", "disposition", "final diagnosis",
                   "final diagnoses", "ed diagnosis", "ed diagnoses", "clinical impression", "discharge diagnosis",
                   "discharge diagnoses"),
}
_SECTION_RE = re.compile(r"(?im)(?:^|(?<=[.;]\s))\W*(" + "|".join(sorted(
    (re.escape(label) for labels in SECTION_KINDS.values() for label in labels), key=len, reverse=True)) + r")\s*:")
KIND_OF = {label: kind for kind, labels in SECTION_KINDS.items() for label in labels}
# labels a terse note writes without a colon, alone at the start of a line ('A/P', 'PMH GERD on omeprazole',
# 'Dx acute cholecystitis', 'S 48 yo M ...', 'O BP 130/80'); single letters A and P are left out ('A 45-year-old')
COLONLESS_LABELS = {
    **dict.fromkeys(("a/p", "a&p", "assessment and plan", "assessment", "impression", "dx", "dispo", "disposition",
                     "mdm", "plan"), "assessment"),
    **dict.fromkeys(("pmh", "pmhx", "psh", "meds", "medications", "allergies", "ros", "fhx", "fh", "shx", "sh"), "history"),
    **dict.fromkeys(("hpi", "cc", "exam", "pe", "s", "o", "labs", "ed course"), "other"),
}
_COLONLESS_RE = re.compile(r"(?im)^[ \t]*(" + "|".join(sorted(map(re.escape, COLONLESS_LABELS), key=len, reverse=True))
                           + r")(?=[ \t]+\S|[ \t]*$)"
                           # A and P alone on a line, or A before a capital or a numbered item, P before any word
                           r"|(?-i:^[ \t]*([AP])[ \t]*$|^[ \t]*(A)(?=[ \t]+(?:[A-Z]|\d[.)]))|^[ \t]*(P)(?=[ \t]+[a-z]))")


def note_sections(narrative: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each labelled section of the note, in order: 'history', 'assessment' or 'other'
    (a label not listed, or the text before the first label)."""
    other = re.compile(r"(?im)(?:^|(?<=[.;]\s))\W*([a-z][a-z /&]{0,30}?)\s*:(?!\d)")
    known = {(m.start(1), KIND_OF.get(m.group(1).lower(), "other")) for m in _SECTION_RE.finditer(narrative)}
    bare = list(_COLONLESS_RE.finditer(narrative))
    if _laid_out_by(bare):
        known |= {(m.start(m.lastindex), COLONLESS_LABELS.get(m.group(m.lastindex).lower(), "assessment")) for m in bare}
    else:  # a label of more than one letter alone on its line ('A/P', 'Assessment') is one in any note
        known |= {(m.start(1), COLONLESS_LABELS[m.group(1).lower()]) for m in bare
                  if m.group(1) and len(m.group(1)) > 1 and not narrative[m.end():].split("\n", 1)[0].strip()}
    unknown = {m.start(1) for m in other.finditer(narrative)
               if m.group(1).lower() not in KIND_OF and len(m.group(1).split()) <= 4} - {start for start, _ in known}
    marks = sorted(known | {(start, "unknown") for start in unknown})
    if not marks:
        return [("other", 0, len(narrative))]
    # a label the note's assessment holds ("Guidance:", "Orders:", "Counseling:" after "A/P:") is part of it
    kind = "other"
    for i, (start, mark) in enumerate(marks):
        kind = (kind if kind == "assessment" else "other") if mark == "unknown" else mark
        marks[i] = (start, kind)
    starts = [start for start, _ in marks] + [len(narrative)]
    return [("other", 0, marks[0][0])] * (marks[0][0] > 0) + [
        (kind, start, starts[i + 1]) for i, (start, kind) in enumerate(marks)]


def section_at(sections: list[tuple[str, int, int]], index: int) -> str:
    return next((kind for kind, start, end in sections if start <= index < end), "other")


# the section labels of a clinician's visit note (SOAP, H&P, ED chart): "Assessment:", "A/P:", "HPI:", "ROS:" ...
_VISIT_LABEL_RE = re.compile(
    r"(?:^|[.\n]\s*)(?:assessment(?: and plan)?|impression|a/p|plan|diagnos[ie]s|dx|hpi|cc|chief complaint|ros"
    r"|review of systems|history of present illness|physical exam(?:ination)?|pe|exam|vitals?|disposition|mdm"
    r"|medical decision making|subjective|objective|s|o|a|p)\s*:", re.I)
SHORT_NOTE_WORDS = 120  # CodiEsp's case reports of one encounter: median 216 (train) and 242 (dev) words


def visit_note(narrative: str) -> bool:
    """Whether the narrative reads as a clinician's note of one outpatient or ED visit: it has a visit note's
    section labels (Assessment:, A/P:, HPI:, ROS:, MDM: ...) or it is short (at most SHORT_NOTE_WORDS words),
    and it spans one encounter. A published case report (CodiEsp) has neither, whatever it tells."""
    if spans_several_encounters(narrative):
        return False
    return (bool(_VISIT_LABEL_RE.search(narrative)) or len(narrative.split()) <= SHORT_NOTE_WORDS
            or colonless_labels(narrative))


def colonless_labels(narrative: str) -> bool:
    """Whether the note is laid out by labels written without colons at the start of lines (two distinct ones of
    more than one letter besides 'plan': 'CC ...', 'PMH ...', 'A/P', 'Dx ...')."""
    return _laid_out_by(_COLONLESS_RE.finditer(narrative))


def _laid_out_by(matches) -> bool:
    """Whether _COLONLESS_RE's matches hold two distinct labels of more than one letter besides 'plan'."""
    return len({m.group(1).lower() for m in matches if m.group(1)} - {"s", "o", "plan"}) >= 2


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    return frozenset(GENERIC_WORDS.split()) | frozenset(UNSPECIFIED_WORDS)


def condition_words(description: str) -> list[str]:
    """The words of a code's description that name its condition or body part (5+ letters, cut to 5 so that
    'fracture' also finds 'fractured'), without the classification's generic words (core.text GENERIC_WORDS,
    UNSPECIFIED_WORDS)."""
    words = re.findall(r"[a-z]{5,}", description.lower())
    return sorted({w[:5] for w in words if w not in _generic_words()})


# body parts of three or four letters, matched as whole words ('Pain in left knee' is about the knee; 'ear' is
# not the 'early' of another sentence)
SHORT_BODY_PARTS = ("ear", "eye", "hip", "knee", "leg", "arm", "foot", "hand", "toe", "back", "neck", "jaw", "rib", "lip")


def condition_side(narrative: str, description: str) -> str | None:
    """The side documented for one condition: `documented_side` over the sentences that name it (a long note
    names sides of other body parts too: 'left' elsewhere says nothing about this condition): its condition
    words, or when it has none ('Pain in left knee'), its short body part."""
    stems = condition_words(description)
    if not stems:
        stems = [rf"{part}s?\b" for part in SHORT_BODY_PARTS if re.search(rf"\b{part}s?\b", description, re.I)]
    if not stems:
        return None
    sentences = split_sentences(narrative, keep_labels=True)
    # the condition's own words first ('impingement' of 'Impingement syndrome of unspecified shoulder'): a note
    # names the other shoulder too ('L shoulder full painless'), not the other impingement
    own = [stem for stem in stems if stem not in _BODY_STEMS]
    if own and own != stems:
        regex = re.compile(r"\b(" + "|".join(own) + ")", re.I)
        side = documented_side(". ".join(s for s in sentences if regex.search(s)))
        if side:
            return side
    regex = re.compile(r"\b(" + "|".join(stems) + ")", re.I)
    return documented_side(". ".join(s for s in sentences if regex.search(s)))


_BODY_STEMS = frozenset(word[:5] for word in (
    "shoulder", "elbow", "wrist", "ankle", "finger", "thumb", "forearm", "thigh", "radius", "humerus", "femur", "tibia",
    "fibula", "clavicle", "patella", "breast", "flank", "kidney", "lower", "upper", "knees", "hands", "hips", "joint",
    "extremity", "limb", "muscle"))


_TIME_RES = (re.compile(r"total (?:time|of)[^.\d]{0,40}?(\d{1,3})\s*(?:minutes|min)\b", re.I),
             re.compile(r"(\d{1,3})\s*(?:minutes|min)\b[^.]{0,40}?total", re.I),
             # "I spent 38 minutes on this visit today": the clinician's time on the date of the encounter
             re.compile(r"\bspent (?:a total of )?(\d{1,3})\s*(?:minutes|min)\b[^.]{0,40}?\b(?:visit|encounter|today|date)", re.I))


def time_statement(narrative: str) -> re.Match | None:
    """Where the note states the total time on the date of the encounter (group 1: the minutes)."""
    for regex in _TIME_RES:
        match = regex.search(narrative)
        if match:
            return match
    return None


def minutes_documented(narrative: str) -> int | None:
    """Total time on the date of the encounter, when the note states it ('total time 35 minutes')."""
    match = time_statement(narrative)
    return int(match.group(1)) if match else None


# the patient's age as a note states it ("64 yo M", "8-year-old", "7 y/o"; months, weeks or days old: under one)
_AGE_RE = re.compile(r"\b(\d{1,3})[- ]?(?:yo\b|y/o|y\.o\.|-?year-old|years? old|yr-old)", re.I)
_INFANT_RE = re.compile(r"\b(\d{1,2})[- ]?(month|mo|week|wk|day)s?[- ](?:old|well|wcc|visit|check|m|f|male|female|boy|"
                        r"girl|infant|toddler)\b|\b(newborn|infant)\b", re.I)


def patient_age(narrative: str) -> int | None:
    """The patient's age in whole years as the note first states it (an age in months, weeks or days: "15-month
    well visit", "20 mo F", "6-week-old" -> whole years of it; a newborn or infant 0); None when it states none.
    A duration ("x4 yrs", "last tetanus >10 yrs", "cough x3 mo") is no age."""
    young, match = _INFANT_RE.search(narrative), _AGE_RE.search(narrative)
    if young and (match is None or young.start() < match.start()):
        if young.group(3):
            return 0
        return int(young.group(1)) // 12 if young.group(2).lower().startswith("mo") else 0
    return int(match.group(1)) if match else None


# what names a preventive (well) visit, a Medicare wellness visit, and a physical done for a form only: one reading
# for preventive_visit, preventive_services and em_level (which estimates no problem level for any of them)
PREVENTIVE_VISIT_RE = re.compile(r"\bwell[- ](?:child|visit|woman|man|adolescent|baby|check)|\bWCC\b|\bannual (?:physical|"
                                 r"exam|check-?up|preventive)|\bpreventive (?:visit|exam|care visit|medicine)|"
                                 r"\broutine (?:physical|check-?up)\b|\b(?:yearly|complete) (?:physical|physical exam|check-?up)\b", re.I)
MEDICARE_WELLNESS_RE = re.compile(r"\bannual wellness(?: visit)?\b|\bAWV\b|\bIPPE\b|welcome to medicare", re.I)
FORM_PHYSICAL_RE = re.compile(r"\bsports physical\b|pre-?employment|\bDOT physical", re.I)
