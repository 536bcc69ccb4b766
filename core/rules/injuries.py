"""Injury rules: the external cause that goes with an injury (ICD-10-CM Official Guidelines I.C.20) and one
encounter type, told by the 7th character, across the injury and external-cause codes (I.C.19.a, I.C.20.a.2)."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import patient_text, spans_several_encounters, visit_note
from core.text import affirmed

CAUSE_GUIDELINE = "ICD-10-CM Official Guidelines I.C.20 (external cause codes with injuries)"
SEVENTH_GUIDELINE = "ICD-10-CM Official Guidelines I.C.19.a and I.C.20.a.2 (7th character: encounter type)"

# how it happened (regex over the narrative) -> external cause code, initial encounter; most specific first
_BALLS = (("01", "foot"), ("02", "soccer "), ("03", "base"), ("04", "golf "), ("05", "basket"), ("06", "volley"),
          ("07", "soft"))
MECHANISMS: tuple[tuple[str, str, str], ...] = (
    (r"\b(thrown|bucked|fell|fall\w*)\b[^.]{0,30}\bhorse\b|\bhorse\b[^.]{0,30}\b(threw|bucked)\b", "V80.010A",
     "a fall from, or being thrown from, a horse"),
    (r"\bkicked\b[^.]{0,25}\b(cow|calf|heifer|steer|bull)\b", "W55.22XA", "being struck by a cow"),
    (r"\bkicked\b[^.]{0,25}\b(horse|mare|pony|mule)\b", "W55.12XA", "being struck by a horse"),
    (r"\b(slammed|caught|shut|closed|pinched|crushed)\b[^.]{0,40}\b(car |truck |van )?door\b", "W23.0XXA",
     "a finger or limb caught in a closing door"),
    (r"\bcontaminated needle\b", "W46.1XXA", "a stick with a contaminated needle"),
    (r"\bneedle ?stick\b|\bstuck (himself|herself|themself) with (a |the )?(used )?needle\b", "W46.0XXA",
     "a needlestick"),
    (r"\bhot (exhaust|muffler|engine|manifold|radiator)\b|\b(exhaust pipe|muffler)\b[^.]{0,40}\bburn|\bburn\w*\b[^.]{0,60}"
     r"\b(exhaust pipe|muffler)\b", "X17.XXXA", "contact with a hot engine part"),
    (r"\bgrind\w*\b[^.]{0,40}\b(steel|metal|iron)\b[^.]{0,80}\beye\b", "W44.D9XA", "a metal fleck in the eye while grinding"),
    (r"\bsheet metal\b|\bsharp (metal )?edge of (a |the )?(metal|sheet|tin)\b|\b(tin|metal) (roofing|siding|flashing)\b",
     "W26.8XXA", "a cut on a sharp metal edge"),
    (r"\b(fell|fall\w*|tripp\w*|stepp\w*|stumbl\w*|rolled|slipp\w*)\b[^.]{0,40}\b(sidewalk )?curb\b", "W10.1XXA",
     "a fall from a sidewalk curb"),
    (r"\bjungle gym\b|\bmonkey bars\b|\bclimbing (frame|structure)\b", "W09.2XXA", "a fall from a jungle gym"),
    (r"\b(fell|fall\w*)\b[^.]{0,25}\b(playground )?swing\b", "W09.1XXA", "a fall from a playground swing"),
    (r"\b(fell|fall\w*)\b[^.]{0,25}\b(playground )?slide\b", "W09.0XXA", "a fall from a playground slide"),
    (r"\b(fell|fall\w*|crash\w*|thrown)\b[^.]{0,25}\b(electric|e-|motorized |stand-up electric )scooter\b", "V00.841A",
     "a fall from an electric scooter"),
    (r"\b(fell|fall\w*|crash\w*|thrown)\b[^.]{0,25}\b(kick |push )?scooter\b", "V00.141A", "a fall from a scooter"),
    *((rf"\b(struck|hit|jammed|smacked)\b[^.]{{0,40}}\b{kind.strip()}( )?ball\b|\b{kind}ball\b[^.]{{0,25}}\b(struck|hit|jammed)\b"
       .replace("( )?", " ?" if kind.endswith(" ") else ""), f"W21.{digits}XA", f"a hit by a {kind.strip()}ball")
      for digits, kind in _BALLS),
    (r"\b(struck|hit)\b[^.]{0,30}\b(by|with) (a|the) ball\b", "W21.00XA", "a hit by a ball"),
    (r"\b(hockey )?puck\b", "W21.220A", "a hit by an ice hockey puck"),
    (r"\bstepp\w* (into|in) (a |an )?(pothole|hole|ditch|opening|gopher hole)\b(?![^.]{0,30}\b(fell|fall)\b)", "W18.42XA",
     "a stumble stepping into a hole, without a fall"),
    (r"\bscratch\w*\b[^.]{0,30}\b(by|with) (his |her |their |a |the )?(\w+ )?(son|daughter|child|toddler|baby|brother|sister|"
     r"fingernail)\b|\b(son|daughter|child|toddler|baby|brother|sister)\b[^.]{0,30}\b(poked|scratched)\b", "W50.4XXA",
     "a scratch by another person"),
    (r"\btackled\b|\b(knocked|pushed) (down|over)\b", "W03.XXXA", "a fall from a collision with another person"),
    (r"\b(collided with|collision with|struck by|hit by|bumped (into )?by|ran into)\b[^.]{0,20}\b(another|an opposing|"
     r"the opposing|opposing|other|a) (player|person|child|teammate|defender|runner)\b|\bopposing player\b[^.]{0,40}\b(struck|hit)",
     "W51.XXXA", "a collision with another person"),
    (r"\b(hit|struck|assaulted)\b[^.]{0,40}\bwith (a |an )?(\w+ ){0,2}(bottle|bat|pipe|club|stick|board|object)\b",
     "Y00.XXXA", "an assault with a blunt object"),
    (r"\b(hot|frying|cooking|boiling) (oil|grease|fat)\b|\bgrease\b[^.]{0,20}\b(splash\w*|burn\w*)|\bdeep[- ]fr\w*", "X10.2XXA",
     "a burn from hot cooking oil"),
    (r"\b(skillet|saucepan|frying pan|sauce pan|cast[- ]iron pan)\b", "X15.3XXA", "a burn from a hot saucepan or skillet"),
    (r"\b(slipp\w*|fell|fall\w*)\b[^.]{0,25}\bice\b|\bicy (sidewalk|driveway|steps|parking lot|road)", "W00.0XXA",
     "a fall on ice"),
    (r"\b(fell|fall|tumbled)\b[^.]{0,30}\b(stairs|steps|staircase)\b|down (a flight of |the )?stairs|\bmiss(ed|ing) (a |the )?"
     r"(last |bottom |top )?(\d+ |two |few )?steps?\b", "W10.9XXA",
     "a fall on stairs"),
    (r"\b(fell|fall)\b[^.]{0,25}\b(step[- ]?)?ladder\b", "W11.XXXA", "a fall from a ladder"),
    (r"\b(fell|fall|rolled)\b[^.]{0,12}\b(out of|from|off) (the |a |his |her )?bed\b", "W06.XXXA", "a fall from bed"),
    (r"\b(fell|fall)\b[^.]{0,12}\b(off|from) (a |the |his |her )?chair\b", "W07.XXXA", "a fall from a chair"),
    (r"\b(fell|fall\w*|rolled|tumbled)\b[^.]{0,12}\b(off|from) (of )?(a |the |his |her )?(couch|sofa|table|bench)\b", "W08.XXXA",
     "a fall from furniture"),
    (r"\b(fell|fall\w*)\b[^.]{0,15}\b(off|from|out of) (of )?(a |the |his |her )?(round |hay |square )?(bale|hayloft|loft|"
     r"truck bed|tailgate|trailer|wagon)\b", "W17.89XA", "a fall from one level to another"),
    (r"\b(fell|fall\w*)\b[^.]{0,15}\b(off|from|out of) (of )?(a |the )?tree\b", "W14.XXXA", "a fall from a tree"),
    (r"\b(slid|fell|fall\w*|slipped)\b[^.]{0,15}\b(off|from) (of )?(the |a )?toilet\b[^.]{0,80}\b(hit|struck|striking|hitting)\b",
     "W18.12XA", "a fall from a toilet, striking an object"),
    (r"\b(slid|fell|fall\w*|slipped)\b[^.]{0,15}\b(off|from) (of )?(the |a )?toilet\b", "W18.11XA", "a fall from a toilet"),
    (r"\b(fell|fall)\b[^.]{0,12}\b(off|from) (a |the )?roof\b", "W13.9XXA", "a fall from a building"),
    (r"\bbitten by\b[^.]{0,25}\bdog\b|\bdog\b[^.]{0,20}\bbit\b|\bdog bite\b", "W54.0XXA", "a dog bite"),
    (r"\bbitten by\b[^.]{0,25}\bcat\b|\bcat\b[^.]{0,20}\bbit\b|\bcat bite\b", "W55.01XA", "a cat bite"),
    (r"\bknife\b|\bbox ?cutter\b|\bx-?acto\b", "W26.0XXA", "a cut with a knife"),
    (r"broken glass|\bglass\b", "W25.XXXA", "a cut on glass"),
    (r"\bpassenger\b[^.]{0,60}\b(rear-ended|collision with|struck|hit|t-boned)\b[^.]{0,40}\b(car|vehicle|sedan|suv|van)\b",
     "V43.62XA", "a car passenger in a collision with another car"),
    (r"\bdriver\b[^.]{0,60}\b(rear-ended|collision with|struck|hit|t-boned)\b[^.]{0,40}\b(car|vehicle|sedan|suv|van)\b",
     "V43.52XA", "a car driver in a collision with another car"),
    (r"\b(fell|fall|crash\w*|thrown|went over)\b[^.]{0,25}\b(bicycle|bike)\b[^.]{0,60}\b(path|trail|park|driveway|yard)\b"
     r"|\b(mountain bik\w*|biking)\b[^.]{0,40}\b(trail|path)\b[^.]{0,40}\b(handlebars|fell|crash\w*|thrown|wiped out)\b",
     "V18.0XXA", "a fall from a bicycle off the road"),
    (r"\b(fell|fall|crash\w*|thrown|went over)\b[^.]{0,25}\b(bicycle|bike)\b", "V18.9XXA", "a fall from a bicycle"),
    (r"(motor vehicle|car|auto) (collision|accident|crash)|\bMVC\b|rear-ended", "V89.2XXA", "a motor-vehicle accident"),
    (r"\b(punched|assaulted|in a fight)\b", "Y04.0XXA", "an assault in a fight"),
    (r"\blift(ing|ed)\b[^.]*\b(box|boxes|cases?|crates?|bags?|heavy|weights?|furniture|couch|\d+\s*(?:lbs?|pounds?|kg))\b"
     r"|\blifting injury\b|\b(stack|load|carry|carri|haul)\w*\b[^.]{0,30}\b(bales?|boxes|sacks?|feed bags?|lumber|furniture)\b",
     "X50.0XXA", "overexertion lifting or carrying a load"),
    (r"\b(tripp\w*|slipp\w*|stumbl\w*)\b[^.]{0,80}\b(struck|striking|hit|hitting|strik\w*)\b[^.]{0,60}\b(table|chair|"
     r"bed|dresser|desk|couch|sofa|cabinet|furniture)\b", "W01.190A", "a slip or trip, then striking furniture"),
    (r"\b(tripp\w*|slipp\w*|stumbl\w*)\b[^.]{0,80}\b(struck|striking|hit|hitting|strik\w*)\b[^.]{0,40}\b(tub|bathtub|"
     r"counter|sink|toilet|curb|step|door|wall|edge)\b", "W01.198A", "a slip or trip, then striking an object"),
    (r"\b(tripped|slipped|stumbled|tripping|slipping|stumbling)\b", "W01.0XXA", "a trip or slip on the same level"),
    (r"\b(faint\w*|passed out|syncop\w*|blacked out)\b[^.]{0,80}\b(fell|fall|on the floor|to the floor|went down|collapsed)\b",
     "W18.30XA", "a fall on the same level when fainting"),
    (r"\b(fell|fall)\b", "W19.XXXA", "a fall"),
    (r"\b(stood up|standing up|straightened up)\b[^.]{0,20}\b(into|under)\b|\b(hit|struck|bumped|banged)\b (his |her |their )?"
     r"head (on|against|into)\b", "W22.8XXA", "striking the head against an object"),
)
_SUBSEQUENT = (r"\b(here|presents|seen|returns|comes in|is in|back) (today )?for (a |her |his |their )?"
               r"(follow-?up|recheck|cast check)|routine healing|healing (well|as expected|appropriately)"
               r"|cast (check|change|removal)|follow-?up visit for")
_SEQUELA = r"\bsequela\b|\blate effect\b"
_TO_INITIAL = {**dict.fromkeys("DGKPS", "A"), **dict.fromkeys("EHMQ", "B"), **dict.fromkeys("FJNR", "C")}
_TO_SUBSEQUENT = {"A": "D", "B": "E", "C": "F"}


def is_injury(code: str) -> bool:
    return (code[:1] == "S" or (code[:1] == "T" and code[1:3] < "35")) and len(code.replace(".", "")) == 7


def is_external_cause(code: str) -> bool:
    return code[:1] in "VWX" or (code[:1] == "Y" and code[1:3] < "39")


def encounter_kind(seventh: str) -> str:
    return "sequela" if seventh == "S" else "initial" if seventh in "ABC" else "subsequent"


def _with_seventh(code: str, seventh: str) -> str:
    return code[:-1] + seventh


# pain of a joint, limb or the back (M25.5-, M79.6-, M54.-): in a visit note that says how it came about (the
# fracture suspected after a fall is not coded, its pain is: uncertain_diagnosis), the external cause goes with it
_PAIN_RE = re.compile(r"^M(25\.5|79\.6|54\.)")


def _propose_cause(ctx: Context) -> list:
    icd = ctx.icd()
    injuries = [c for c in icd if is_injury(c)]
    # (the code the cause goes with, its encounter's 7th character): a pain code is under active treatment
    anchor = (injuries[0], injuries[0][-1]) if injuries else next(
        ((c, "A") for c in icd if _PAIN_RE.match(c) and visit_note(ctx.narrative)), None)
    if anchor is None and visit_note(ctx.narrative) and (head := _assessed_injury(ctx.narrative)):
        # the answer lacks the injury's code, not the injury: its cause is coded all the same
        anchor = (f"the injury the assessment names ('{head}')",
                  "D" if documented_encounter(ctx.narrative) == "subsequent" else "A")
    narrative = patient_text(ctx.narrative)  # a relative's fall is not how the patient's injury happened
    if anchor is None and visit_note(ctx.narrative) and not spans_several_encounters(ctx.narrative):
        # an external cause says how an injury (or the pain it left) happened: with none coded, it is not coded,
        # unless the note tells that very mechanism (the injury's code is missing from the answer, not the injury)
        told = _told_mechanism(narrative)
        return [CAUSE_RULE.edit("drop", "icd10cm", c, f"no injury is coded: the external cause {c} "
                                f"({ctx.codeset.describe(c).lower()}) has nothing to go with") for c in icd
                if is_external_cause(c) and (told is None or c[:-1] != told[0][:-1])]
    if anchor is None or any(is_external_cause(c) for c in icd) or (told := _told_mechanism(narrative)) is None:
        return []
    code, what = told
    cause = _with_seventh(code, {"initial": "A", "subsequent": "D", "sequela": "S"}[encounter_kind(anchor[1])])
    return [CAUSE_RULE.edit("add", "icd10cm", cause, f"the note says how the {'injury' if injuries else 'pain'}"
                            f" happened ({what}): the external cause {cause} goes with {anchor[0]}")]


_INJURY_RE = re.compile(r"\b(?:lacerations?|lac|fractures?|fx|sprain|strain|contusion|abrasion|burns?|bite|puncture|"
                        r"wound|foreign body|FB|dislocation|concussion|injury|avulsion|subluxation|crush\w*)\b", re.I)


def _assessed_injury(narrative: str) -> str | None:
    """The first item of the note's assessment that names an injury ('R index finger laceration 2 cm'), else None."""
    from core.rules.visit import _assessed_heads  # imported here: visit's helpers import much of the package

    return next((head for head in _assessed_heads(narrative) if _INJURY_RE.search(head)), None)


def _told_mechanism(narrative: str) -> tuple[str, str] | None:
    """(external cause code of the initial encounter, what it says) of the first MECHANISMS pattern the note
    affirms, else None."""
    return next(((code, what) for pattern, code, what in MECHANISMS if affirmed(narrative, pattern)), None)


def documented_encounter(narrative: str) -> str | None:
    if affirmed(narrative, _SEQUELA):
        return "sequela"
    return "subsequent" if re.search(_SUBSEQUENT, narrative, re.I) else None


def _target_seventh(code: str, kind: str) -> str | None:
    seventh = code[-1]
    if kind == "sequela":
        return "S"
    if kind == "subsequent":
        return _TO_SUBSEQUENT.get(seventh)
    return _TO_INITIAL.get(seventh)


def _propose_seventh(ctx: Context) -> list:
    coded = [c for c in ctx.icd() if (is_injury(c) or is_external_cause(c)) and len(c.replace(".", "")) == 7]
    injuries = [c for c in coded if is_injury(c)]
    if not injuries:
        return []
    kind = documented_encounter(ctx.narrative) or encounter_kind(injuries[0][-1])
    edits = []
    for code in coded:
        seventh = _target_seventh(code, kind) if encounter_kind(code[-1]) != kind else None
        if seventh and seventh != code[-1]:
            edits.append(SEVENTH_RULE.edit("replace", "icd10cm", code, f"this is {'an' if kind == 'initial' else 'a'} {kind} encounter for the "
                                           f"injury: the 7th character is {seventh}", _with_seventh(code, seventh)))
    return edits


CAUSE_RULE = Rule("external_cause", CAUSE_GUIDELINE, "an injury whose cause the note tells gets an external-cause code",
                  _propose_cause)
SEVENTH_RULE = Rule("seventh_character", SEVENTH_GUIDELINE,
                    "injury and external-cause codes share the encounter's 7th character", _propose_seventh)
