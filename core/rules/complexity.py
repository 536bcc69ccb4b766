"""The visit complexity add-on G2211 (CMS Physician Fee Schedule 2024 final rule; Medicare Claims Processing Manual
ch. 12 §30.6): Medicare pays it with an office or outpatient E/M visit (99202-99215) when the practitioner is the
continuing focal point for all the patient's needed services (the primary care physician) or gives ongoing care
for a single serious or complex condition, and not when the visit is billed with modifier 25, which a procedure or
other service on the same day calls for (an annual wellness visit, a vaccine's administration or a Part B
preventive service excepted).

So on a Medicare patient's visit note that bills an office E/M and states the longitudinal relationship in the
physician's own words ("I am his PCP", "I have been her PCP for 9 years", "I manage his diabetes"), G2211 is added;
with a same-day procedure, injection or other service that takes modifier 25 (a laceration repair, a joint
injection, drug administration 96372) a coded G2211 is dropped and none is added."""

from __future__ import annotations

import re

from core.rules.em import OFFICE_EM
from core.rules.models import Context, Rule
from core.rules.narrative import visit_note
from core.text import affirmed

GUIDELINE = ("CMS PFS 2024 final rule and Medicare Claims Processing Manual ch. 12 §30.6 (G2211 visit complexity "
             "add-on: longitudinal care; not with an E/M billed with modifier 25)")

CODE = "G2211"
_LONGITUDINAL = (r"\bI am (?:his|her|their|the patient's) (?:PCP|primary care (?:physician|provider|doctor))\b|"
                 r"\bI(?: have|'ve) been (?:his|her|their) (?:PCP|primary care \w+|doctor|physician)\b|"
                 r"\bI (?:manage|follow|co-?manage) (?:his|her|their)\b|\blongitudinal care\b|"
                 r"\bcontinuing focal point\b")


def _needs_modifier_25(code: str) -> bool:
    """A CPT code billed on the same day that puts modifier 25 on the E/M: a procedure (10004-69990), drug or
    fluid administration (96360-96379), or another procedure of the medicine section besides tests, vaccines and
    their administration and screening instruments."""
    if not code.isdigit():
        return False
    value = int(code)
    return 10004 <= value <= 69990 or 96360 <= value <= 96379 or value in (94640, 97597, 97602, 11042, 20610)


def _propose(ctx: Context) -> list:
    cpt, hcpcs = ctx.codes.get("cpt", []), ctx.codes.get("hcpcs", [])
    if not visit_note(ctx.narrative):
        return []
    office = [c for c in cpt if c in OFFICE_EM and c != "99211"]
    blocking = [c for c in cpt if _needs_modifier_25(c)]
    if CODE in hcpcs and (blocking or not office):
        why = (f"the visit is billed with {blocking[0]} on the same day (modifier 25 on the E/M)" if blocking
               else "no office or outpatient E/M visit is billed")
        return [RULE.edit("drop", "hcpcs", CODE, f"{why}: the complexity add-on {CODE} is not payable")]
    if CODE in hcpcs or blocking or not office or not affirmed(ctx.narrative, r"\bmedicare\b"):
        return []
    sentence = affirmed(ctx.narrative, _LONGITUDINAL)
    if not sentence:
        return []
    quote = re.search(_LONGITUDINAL, sentence, re.I).group(0)
    return [RULE.edit("add", "hcpcs", CODE, f"a Medicare office visit ({office[0]}) by the practitioner of the "
                      f"patient's longitudinal care ('{quote}'): the complexity add-on {CODE}")]


RULE = Rule("visit_complexity", GUIDELINE, "a Medicare office visit of longitudinal care gets G2211, unless the E/M "
            "takes modifier 25", _propose, one_encounter=True)
