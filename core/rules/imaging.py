"""Radiology codes whose level is the number of views (CPT radiology guidelines: a code describing a number of
views is reported for the views taken; 73560 knee one or two views, 73562 three views, 73564 four or more;
71045-71048 chest one to four or more views): a coded x-ray of such a family follows the number of views the
note documents for that body part.

The families and their ranges are read from the code set's own descriptions ("X-ray of the knee, one or two
views", "..., complete, at least three views", "Chest X-ray, four or more views"): codes whose descriptions
agree once the view count (and "complete") is taken off are one family. A count is bound to the body part its
sentence names ("two views of the left knee", "Knee x-ray, 2 views", "PA and lateral chest"); a count of
another part, or a count no body part goes with, moves nothing, and so does a note that documents no count or
two different counts for the part.

An x-ray code needs an x-ray of its body part in the note (a service is reported when it is documented): one
whose part no imaging sentence names is dropped (a chest x-ray 71046 coded for a note whose x-ray is of the
shoulder; a knee x-ray for a knee injection visit that documents no imaging). An imaging sentence that names
no body part ('X-rays negative.') may be of any part: then no x-ray code is dropped."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.em import patient_family
from core.rules.models import Context, Rule
from core.rules.narrative import visit_note
from core.text import split_sentences

GUIDELINE = ("CPT radiology guidelines: a code for a number of views is reported for the views documented "
             "(e.g. 73560-73564 knee, 71045-71048 chest); a service is reported only when documented")

_NUMBERS = {"one": 1, "single": 1, "a single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8}
_NUMBER = r"(\d|one|two|three|four|five|six|seven|eight)"
INFINITY = 99
# the count a description ends with, after the body part (and "complete"): "one view", "two or three views",
# "at least four views", "four or more views"
_RANGE_RE = re.compile(rf",\s*(?:complete,\s*)?(?:(at least|minimum of) )?{_NUMBER}(?: or {_NUMBER})?"
                       rf"( or more)? views?$", re.I)
_STOP = {"x", "ray", "of", "the", "one", "both", "and", "including", "when", "done", "s"}
# how notes name a body part besides the first word of the description's part
PART_SYNONYMS = {
    "chest": r"chest|CXR|thorax",
    "lumbosacral": r"lumbosacral|lumbar|L-?spine|LS[- ]spine|low(er)? back",
    "cervical": r"cervical spine|C-?spine",
    "thoracic": r"thoracic spine|T-?spine",
    "abdomen": r"abdomen|abdominal|KUB",
    "foot": r"foot|feet",
    "finger": r"fingers?|thumb",
    "toe": r"toes?",
    "heel": r"heel|calcaneus",
    "tibia": r"tibia|fibula|tib[- ]?fib|lower leg",
    "femur": r"femurs?|thighs?",
    "humerus": r"humerus|upper arm",
    "clavicle": r"clavicles?|collar ?bone",
    "pelvis": r"pelvis|pelvic",
}
# parts THCE codes no view family for: a count next to them belongs to them (keeps it off a coded part)
OTHER_PARTS = r"ribs?|skull|sinus(es)?|facial bones|mandible|nasal bones|sacrum|coccyx|scapula|sternum|orbits?"


def _value(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS[word]


def view_range(description: str) -> tuple[str, int, int] | None:
    """(family key, fewest, most views) a description states, or None ('X-ray of the knee, one or two views'
    -> ('x-ray of the knee', 1, 2); '..., complete, at least three views' -> (..., 3, 99))."""
    match = _RANGE_RE.search(description)
    if not match:
        return None
    low = _value(match.group(2))
    high = _value(match.group(3)) if match.group(3) else low
    if match.group(1) or match.group(4):
        high = INFINITY
    return description[:match.start()].strip().lower(), low, high


def _part_word(key: str) -> str | None:
    words = [w for w in re.findall(r"[a-z]+", key) if w not in _STOP]
    return words[0] if words else None


@lru_cache(maxsize=4)
def view_families(codeset) -> dict[str, tuple[str, tuple[tuple[str, int, int], ...]]]:
    """code -> (body part word, ((code, fewest, most), ...) of its family) for every CPT code of a family of two
    or more codes that differ by their number of views."""
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for code in sorted(codeset.tables["cpt"]):
        found = view_range(codeset.describe(code))
        if found:
            groups.setdefault(found[0], []).append((code, found[1], found[2]))
    families = {}
    for key, members in groups.items():
        part = _part_word(key)
        if part and len(members) > 1:
            for code, _, _ in members:
                families[code] = (part, tuple(members))
    return families


@lru_cache(maxsize=4)
def _part_patterns(codeset) -> tuple[tuple[str, re.Pattern], ...]:
    """Every body part of an x-ray code in the set (a family or a single code) and the other parts, each with
    the words a note names it by."""
    parts = set()
    for code in codeset.tables["cpt"]:
        description = codeset.describe(code)
        if re.search(r"\bX-ray\b", description):
            key = description.split(",")[0].lower()
            part = _part_word(key)
            if part:
                parts.add(part)
    parts -= {part for part in parts if part.endswith("s") and part[:-1] in parts}  # "both knees" is the knee
    patterns = [(part, re.compile(rf"\b({PART_SYNONYMS.get(part, part + 's?')})\b", re.I)) for part in sorted(parts)]
    patterns.append(("other", re.compile(rf"\b({OTHER_PARTS})\b", re.I)))
    return tuple(patterns)


_PROJECTION = (r"(?:(?:standing|weight[- ]bearing|upright|supine|portable|cross[- ]table|frontal)\s+)?"
               r"(?:AP|PA|lateral|obliques?|mortise|sunrise|merchant|skyline|tunnel|notch|axillary|scapular Y|Y)")
_COUNT_RES = (
    # "two views", "2-view", "3 views", "minimum of 3 views", "four or more views", "single view", "1V"
    re.compile(rf"\b(?:(?:at least|minimum of|a minimum of)\s+)?({_NUMBER}|single|a single)(?: or more)?"
               rf"[- ]?(?:views?|projections?|v)\b", re.I),
    re.compile(rf"\bviews?\s*(?:x|times)\s*{_NUMBER}\b", re.I),  # "views x 3"
)
_LIST_RE = re.compile(rf"\b(?:(?:bilateral|both)\s+obliques|{_PROJECTION})"
                      rf"(?:\s*(?:,|and|&|\+|/)\s*(?:and\s+)?(?:(?:bilateral|both)\s+obliques|{_PROJECTION})\b)+", re.I)
_ONE_RE = re.compile(r"\bportable\s+(?:AP|PA)\b|\b(?:AP|PA)\s+(?:view\s+)?only\b|\b(?:AP|PA) view\b", re.I)
_IMAGING_RE = re.compile(r"\bx-?rays?\b|\bradiographs?\b|\bfilms?\b|\bviews?\b|\bXR\b|\bCXR\b|\bimaging\b", re.I)
# the words that may stand between a count and the part it is of: "two views of the left knee", "2-view chest"
_GAP_RE = re.compile(r"^(?:[\s,:()-]|\b(?:of|the|a|an|his|her|left|right|bilateral|both|plain|x-?rays?|radiographs?|"
                     r"films?|views?|projections?|obtained|taken|were|was|standing|weight[- ]bearing|portable|"
                     r"upright)\b)*$", re.I)


def _list_count(text: str) -> int:
    items = re.findall(rf"\b(?:(?:bilateral|both)\s+obliques|{_PROJECTION})\b", text, re.I)
    return sum(2 if re.match(r"(bilateral|both)\s", item, re.I) else 1 for item in items)


def _counts(sentence: str) -> list[tuple[int, int, int]]:
    """(views, start, end) of every view count the sentence states."""
    found: list[tuple[int, int, int]] = []

    def add(views: int, match: re.Match) -> None:
        if not any(s < match.end() and match.start() < e for _, s, e in found):
            found.append((views, match.start(), match.end()))

    for regex in _COUNT_RES:
        for match in regex.finditer(sentence):
            add(_value(match.group(1).split()[-1]), match)
    imaging = bool(_IMAGING_RE.search(sentence))
    for match in _LIST_RE.finditer(sentence):
        if imaging or re.search(r"\b(AP|PA)\b", match.group(0)):
            add(_list_count(match.group(0)), match)
    for match in _ONE_RE.finditer(sentence):
        add(1, match)
    return sorted(found, key=lambda f: f[1])


def _bind(sentence: str, start: int, end: int, parts: list[tuple[str, int, int]]) -> str | None:
    """The body part a count at [start, end) is of: the part right after it ('two views of the knee', 'PA and
    lateral chest'), else the nearest part before it ('Knee x-ray, 2 views'), else the one part the sentence
    names."""
    after = [p for p in parts if p[1] >= end and _GAP_RE.match(sentence[end:p[1]])]
    if after:
        return min(after, key=lambda p: p[1])[0]
    before = [p for p in parts if p[2] <= start]
    if before:
        return max(before, key=lambda p: p[2])[0]
    named = {p[0] for p in parts}
    return named.pop() if len(named) == 1 else None


def documented_views(narrative: str, codeset, keep=None) -> dict[str, set[int]]:
    """body part word -> the view counts the note documents for it ('Knee x-ray, two views' -> {'knee': {2}}), in
    the sentences `keep` accepts (all by default)."""
    patterns = _part_patterns(codeset)
    views: dict[str, set[int]] = {}
    for sentence in split_sentences(narrative, keep_labels=True):
        if keep is not None and not keep(sentence):
            continue
        counts = _counts(sentence)
        if not counts:
            continue
        parts = [(part, m.start(), m.end()) for part, regex in patterns for m in regex.finditer(sentence)]
        for count, start, end in counts:
            part = _bind(sentence, start, end, parts)
            if part:
                views.setdefault(part, set()).add(count)
    return views


_XRAY_RE = re.compile(rf"{_IMAGING_RE.pattern}|\bseries\b|\bradiolog\w*", re.I)


@lru_cache(maxsize=4)
def xray_parts(codeset) -> dict[str, str]:
    """code -> body part word of every x-ray code whose part the notes' part patterns know ('73030': 'shoulder';
    73565 'both knees' is the knee)."""
    known = {part for part, _ in _part_patterns(codeset)}
    parts = {}
    for code in codeset.tables["cpt"]:
        description = codeset.describe(code)
        if re.search(r"\bX-ray\b", description):
            part = _part_word(description.split(",")[0].lower())
            part = part[:-1] if part and part not in known and part.endswith("s") else part
            if part in known:
                parts[code] = part
    return parts


def imaged_parts(narrative: str, codeset) -> set[str] | None:
    """The body parts the note's imaging sentences name ('Shoulder x-ray, two views.' -> {'shoulder'}), or None
    when an imaging sentence names none (an x-ray of an unknown part)."""
    patterns = [(part, regex) for part, regex in _part_patterns(codeset)]
    found: set[str] = set()
    for sentence in split_sentences(narrative, keep_labels=True):
        if _XRAY_RE.search(sentence):
            named = {part for part, regex in patterns if regex.search(sentence)}
            if not named and _PLAN_RE.search(sentence):
                continue  # "RTC 4 wks w/ repeat films": imaging to come, of the part already named
            if not named:
                return None
            found |= named
    return found


_PLAN_RE = re.compile(r"\b(?:repeat|RTC|return|follow[- ]?up|f/u|next|will|order(?:ed|s)?|schedul\w*|if|when|"
                      r"no (?:further|repeat))\b", re.I)


def _undocumented(ctx: Context) -> list:
    parts = xray_parts(ctx.codeset)
    coded = [c for c in ctx.codes.get("cpt", []) if c in parts]
    imaged = imaged_parts(ctx.narrative, ctx.codeset) if coded else None
    if imaged is None:
        return []
    where = (f"the note's x-ray is of the {' and '.join(sorted(imaged))}, not of the {{}}" if imaged
             else "the note documents no x-ray (of the {} or any part)")
    return [RULE.edit("drop", "cpt", code, f"{where.format(parts[code])}: {code} ({ctx.codeset.describe(code)}) "
                      f"is not coded") for code in coded if parts[code] not in imaged]


def _in_words(low: int, high: int) -> str:
    if high == INFINITY:
        return f"{low} or more views"
    return f"{low} view{'s' if low > 1 else ''}" if low == high else f"{low} to {high} views"


# an x-ray taken at this visit by the office itself ("XR R wrist 3 views taken & read in office", "ankle x-ray, 3 views,
# done here, my read"), not one ordered, done elsewhere or read by radiology (the radiologist's claim)
_IN_OFFICE_RE = re.compile(r"\bin[- ](?:the )?(?:office|clinic)\b|\bhere\b|\b(?:read|interpreted|reviewed) by me\b|"
                           r"\bmy (?:own )?(?:read|interpretation|review)\b|\bI (?:read|interpreted)\b|\bpersonally "
                           r"(?:read|reviewed|interpreted)\b|\bdone and read\b", re.I)
_ELSEWHERE_RE = re.compile(r"\b(?:order(?:ed|s)?|will (?:get|obtain|order)|to be (?:done|obtained)|schedul\w*|pending|"
                           r"outside|prior|previous(?:ly)?|last (?:week|month|year)|ago|radiolog\w*|at (?:the )?hospital|"
                           r"urgent care|ED|ER|sent)\b", re.I)


def _taken_in_office(sentence: str) -> bool:
    return bool(_IN_OFFICE_RE.search(sentence) and _XRAY_RE.search(sentence)) and not _ELSEWHERE_RE.search(sentence)


def _in_office_views(ctx: Context) -> dict[str, int]:
    """body part -> the one view count of the x-ray the note documents as taken and read in the office."""
    found = documented_views(ctx.narrative, ctx.codeset, keep=_taken_in_office)
    return {part: next(iter(counts)) for part, counts in found.items() if part != "other" and len(counts) == 1}


def _missing(ctx: Context, cpt: list[str]) -> list:
    """The x-ray a visit note documents as taken and read in the office (its part and number of views) when the
    answer holds no x-ray of that part: the one code of the part whose views match (an ED note's imaging is not
    the physician's to bill unless read by them: ed_professional decides there, so ED notes are left alone)."""
    if not visit_note(ctx.narrative) or patient_family(ctx.narrative, cpt) in (None, "ed"):
        return []
    parts, families = xray_parts(ctx.codeset), view_families(ctx.codeset)
    coded_parts = {parts[c] for c in cpt if c in parts}
    edits = []
    for part, count in _in_office_views(ctx).items():
        if part in coded_parts:
            continue
        fits = []
        for code, its_part in parts.items():
            if its_part != part or not ctx.codeset.is_valid(code, "cpt"):
                continue
            members = families.get(code, (part, ((code, 1, INFINITY),)))[1]
            low, high = next((lo, hi) for c, lo, hi in members if c == code)
            if low <= count <= high and not re.search(r"\b(?:both|bilateral)\b", ctx.codeset.describe(code), re.I):
                fits.append(code)
        if len(fits) == 1:
            edits.append(RULE.edit("add", "cpt", fits[0], f"the note documents an x-ray of the {part}, {count} "
                                   f"view{'s' if count > 1 else ''}, taken and read in the office: {fits[0]} "
                                   f"({ctx.codeset.describe(fits[0])})"))
    return edits


def _propose(ctx: Context) -> list:
    dropped = _undocumented(ctx)
    edits = dropped + _view_edits(ctx, {edit.code for edit in dropped})
    cpt = [c for c in ctx.codes.get("cpt", []) if c not in {e.code for e in edits}]
    cpt += [e.replacement for e in edits if e.replacement]
    return edits + _missing(ctx, cpt)


def _view_edits(ctx: Context, dropped: set[str]) -> list:
    families = view_families(ctx.codeset)
    cpt = ctx.codes.get("cpt", [])
    coded = [c for c in cpt if c in families and c not in dropped]
    if not coded:
        return []
    views = documented_views(ctx.narrative, ctx.codeset)
    edits = []
    for code in coded:
        part, members = families[code]
        counts = views.get(part, set())
        if len(counts) != 1:
            continue  # no count for this part, or two different ones: never guess
        count = next(iter(counts))
        low, high = next((lo, hi) for c, lo, hi in members if c == code)
        if low <= count <= high:
            continue
        target = next(((c, lo, hi) for c, lo, hi in members if lo <= count <= hi), None)
        if target is None or target[0] in cpt:
            continue
        edits.append(RULE.edit("replace", "cpt", code, f"the note documents {count} view{'s' if count > 1 else ''} "
                               f"of the {part}: {target[0]} ({_in_words(target[1], target[2])}), not {code} "
                               f"({_in_words(low, high)})", target[0]))
    return edits


RULE = Rule("radiology_views", GUIDELINE, "an x-ray code follows the x-ray documented for its body part (its number of "
            "views; none documented: not coded)",
            _propose, one_encounter=True)
