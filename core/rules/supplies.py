"""Durable medical equipment and prefabricated orthoses handed to the patient at the encounter (HCPCS Level II
E-codes for DME such as crutches, canes and walkers; L-codes for orthoses; A4565 slings): an item the note says
was dispensed, fitted or provided is billed by its code (CMS DMEPOS: the supplier bills each item furnished;
an off-the-shelf orthosis is one "prefabricated, off-the-shelf" code). An item only recommended, prescribed or
declined is not."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import affirmed, split_sentences

GUIDELINE = ("HCPCS Level II DMEPOS codes (E-codes DME, L-codes orthoses, A4565 slings): each item furnished "
             "at the encounter is billed by its code")


# code ranges of one kind of item: an answer with one of them has the item coded
CRUTCHES, CANES, WALKERS = ("E0110", "E0118"), ("E0100", "E0105"), ("E0130", "E0149")
SHOULDER, KNEE, ANKLE = ("L3650", "L3678"), ("L1810", "L1860"), ("L1900", "L4398")
WRIST, NECK, LUMBAR = ("L3807", "L3984"), ("L0120", "L0180"), ("L0621", "L0651")
# (what the note calls the item, code, the item in words, the range of its kind); most specific first
ITEMS: tuple[tuple[str, str, str, tuple[str, str]], ...] = (
    (r"\bforearm crutch(es)?\b|\bLofstrand\b", "E0110", "forearm crutches", CRUTCHES),
    (r"\bwood(en)? crutch(es)?\b", "E0112", "wooden underarm crutches", CRUTCHES),
    (r"\bcrutch(es)?\b", "E0114", "underarm crutches", CRUTCHES),
    (r"\bquad cane\b", "E0105", "a quad cane", CANES),
    (r"\bcane\b", "E0100", "a cane", CANES),
    (r"\b(rolling|wheeled|front[- ]wheeled|two[- ]wheeled) walker\b", "E0143", "a folding wheeled walker", WALKERS),
    (r"\bwalker\b(?! boot)", "E0135", "a folding walker", WALKERS),
    (r"\bfigure[- ]of[- ](eight|8)\b|\bclavicle (brace|strap)\b", "L3650", "a figure-of-eight clavicle orthosis",
     SHOULDER),
    (r"\b(arm|shoulder) sling\b|\bsling\b", "A4565", "a sling", ("A4565", "A4566")),
    (r"\bknee immobili[sz]er\b", "L1830", "a knee immobilizer", KNEE),
    (r"\b(ankle|air)[- ]stirrup\b|\bstirrup[- ](style|brace|splint)\b|\bAircast\b", "L4350",
     "a stirrup ankle orthosis", ANKLE),
    (r"\bankle (support|brace|stabili[sz]er)\b|\blace[- ]up ankle\b|\bASO\b", "L1906", "a prefabricated ankle support",
     ANKLE),
    (r"(?<!non-)(?<!non )\b(pneumatic|air)\b[^.;,()]{0,20}\bboot\b|\bboot\b[^.;]{0,12}\((?!non)[^)]*\bpneumatic\b", "L4361",
     "a pneumatic walking boot", ANKLE),
    (r"\b(walking|CAM|fracture) boot\b|\bCAM walker\b", "L4387", "a walking boot", ANKLE),
    (r"\bpost-?op(erative)? (shoe|boot)\b|\bsurgical shoe\b", "L3260", "a postoperative shoe", ("L3260", "L3260")),
    (r"\bcock[- ]?up\b|\bwrist (splint|brace|support)\b", "L3908", "a prefabricated wrist (cock-up) orthosis", WRIST),
    (r"\b(soft|foam) (cervical )?collar\b", "L0120", "a soft cervical collar", NECK),
    (r"\blumbar (support|corset)\b|\bback support belt\b", "L0625", "a flexible lumbar support", LUMBAR),
)
ITEMS_BY_KIND = {pattern: kind for pattern, _, _, kind in ITEMS}
_GIVEN_RE = re.compile(r"\b(dispensed|fitted|provided|supplied|given|issued|placed (in|into|on)|put (in|on)|"
                       r"sent (home )?(in|with)|applied)\b", re.I)
_NOT_GIVEN_RE = re.compile(r"\b(recommend\w*|consider\w*|prescri\w*|order\w*|refer\w*|declin\w*|refus\w*|"
                           r"already (has|uses|owns)|will|may|if needed|as needed|continue\w*|seen at|yesterday|"
                           r"at (the )?(UC|urgent care|ED|ER|outside \w+|other \w+)|by (the )?(UC|ED|EMS)|buy|purchase\w*|OTC|"
                           r"over[- ]the[- ]counter|out of stock|at (a |the )?pharmacy)\b", re.I)
# walking boots: one per encounter, the kind the note names (off-the-shelf pneumatic L4361 or not L4387; custom fitted
# L4360 / L4386)
BOOTS = frozenset({"L4360", "L4361", "L4386", "L4387"})
# a splint made of plaster or fiberglass is cast supplies with its application, not a prefabricated orthosis
_CAST_RE = re.compile(r"\b(short|long) (arm|leg)\b|\bsugar[- ]?tong\b|\bgutter\b|\bspica\b|\bplaster\b|"
                      r"\bfiberglass\b|\bvolar\b|\bposterior (slab|splint)\b", re.I)


def _owned(sentence: str, pattern: str) -> bool:
    """Whether the sentence names the item as the patient's own ('strict NWB w/ her crutches')."""
    return bool(re.search(r"\b(?:her|his|their|own|pt's|patient's)\s+(?:own\s+)?(?:" + pattern + ")", sentence, re.I))


def furnished_items(narrative: str) -> list[tuple[str, str, tuple[str, str], str]]:
    """(code, item in words, codes of the same kind, sentence) of each item the note says was handed over."""
    found: dict[str, tuple[str, str, tuple[str, str], str]] = {}
    for sentence in split_sentences(narrative, keep_labels=True):
        if not _GIVEN_RE.search(sentence) or _NOT_GIVEN_RE.search(sentence) or _CAST_RE.search(sentence):
            continue
        kinds = set()
        for pattern, code, words, kind in ITEMS:
            if kind not in kinds and affirmed(sentence, pattern) and not _owned(sentence, pattern):
                kinds.add(kind)  # the most specific item of a kind only; not the patient's own ('w/ her crutches')
                found.setdefault(code, (code, words, kind, sentence))
    return list(found.values())


# the splint applied at the encounter, by its kind (CPT 29105-29131, 29505-29515: long/short arm, finger, long/short
# leg); most specific first
SPLINTS: tuple[tuple[str, str, str], ...] = (
    (r"\b(finger|digit|mallet|stack|alumafoam|aluminum[- ]foam)\b[^.;]{0,25}\bsplint|\bsplint\b[^.;]{0,30}\b(finger|digit|DIP|PIP)\b",
     "29130", "a finger splint"),
    (r"\blong[- ]arm\b|\bdouble sugar[- ]?tong\b|\bposterior elbow splint\b", "29105", "a long arm splint"),
    (r"\bshort[- ]arm\b|\bsugar[- ]?tong\b|\b(ulnar|radial) gutter\b|\bthumb spica\b|\bvolar (wrist |forearm )?splint\b|"
     r"\bforearm splint\b", "29125", "a short arm splint"),
    (r"\blong[- ]leg splint\b", "29505", "a long leg splint"),
    (r"\bshort[- ]leg splint\b|\bposterior (ankle |leg |short leg )?(slab|splint)\b|\b(plaster|fiberglass|ortho-?glass) "
     r"(stirrup|ankle) splint\b", "29515", "a short leg splint"),
)
_SPLINT_CODES = ("29105", "29125", "29126", "29130", "29131", "29505", "29515")
_SPLINT_APPLIED_RE = re.compile(r"\b(applied|placed|fashioned|molded|put on)\b", re.I)
_SPLINT_ELSEWHERE_RE = re.compile(r"\b(yesterday|already|previous\w*|prior|outside|urgent care|at the ed|in the ed|by ems|"
                                  r"remains? in|came in|arrived in|recommend\w*|will|if)\b", re.I)


def applied_splint(narrative: str) -> tuple[str, str, str] | None:
    """(code, kind in words, sentence) of the one kind of splint a sentence says was applied at this encounter."""
    found = {}
    for sentence in split_sentences(narrative, keep_labels=True):
        if (not re.search(r"\bsplint", sentence, re.I) or not _SPLINT_APPLIED_RE.search(sentence)
                or _SPLINT_ELSEWHERE_RE.search(sentence)):
            continue
        for pattern, code, words in SPLINTS:
            if affirmed(sentence, pattern):
                found.setdefault(code, (code, words, sentence))
                break
    return next(iter(found.values())) if len(found) == 1 else None


def _splint_edits(ctx: Context) -> list:
    """A splint application coded as another kind than the one the note says was applied becomes that kind's code
    (29125 short arm for an aluminum-foam finger splint -> 29130)."""
    found = applied_splint(ctx.narrative)
    cpt = ctx.codes.get("cpt", [])
    coded = [c for c in cpt if c in _SPLINT_CODES]
    if not found or not coded or found[0] in cpt:
        return []
    code, words, sentence = found
    return [RULE.edit("replace", "cpt", coded[0], f"the note says {words} was applied ('{short_quote(sentence)}'): "
                      f"{code}, not {coded[0]}", code)]


_NOT_FURNISHED_RE = re.compile(r"\b(recommend\w*|prescri\w*|declin\w*|refus\w*|already (has|uses|owns)|own|"
                               r"at home|consider\w*|if needed|may use|order\w*|buy|purchase\w*|OTC|out of stock|"
                               r"pharmacy|from the (UC|urgent care|ED|ER|emergency department|hospital))\b", re.I)


def _width(kind: tuple[str, str]) -> int:
    """How many codes a kind's range spans (its codes share their letter)."""
    return int(kind[1][1:]) - int(kind[0][1:])


def _unfurnished(ctx: Context) -> list:
    """A DME or orthosis code of a kind ITEMS knows (crutches, cane, walker, boot, brace ...) whose item the note
    never names, or names only as recommended, prescribed, declined or already owned: not furnished, not billed."""
    edits = []
    sentences = split_sentences(ctx.narrative, keep_labels=True)
    furnished = [kind for _, _, kind, _ in furnished_items(ctx.narrative)]
    for code in ctx.codes.get("hcpcs", []):
        # the item's own entry first, else the narrowest range that holds the code (the ankle range holds L3908 too)
        kinds = sorted(((item != code, _width(kind), pattern, kind) for pattern, item, _, kind in ITEMS
                        if kind[0] <= code <= kind[1]))
        kinds = [(pattern, kind) for _, _, pattern, kind in kinds]
        if not kinds or kinds[0][1] in furnished:
            continue
        patterns = [pattern for pattern, kind in ITEMS_BY_KIND.items() if kind == kinds[0][1]] or [kinds[0][0]]
        naming = [s for s in sentences if any(re.search(p, s, re.I) for p in patterns)]
        if naming and not all(any(_owned(s, p) for p in patterns)
                              or (_NOT_FURNISHED_RE.search(s) and not (_GIVEN_RE.search(s) and not _NOT_GIVEN_RE.search(s)))
                              for s in naming):
            continue
        why = "never names the item" if not naming else f"names it only as not furnished here ('{short_quote(naming[0])}')"
        edits.append(RULE.edit("drop", "hcpcs", code, f"the note {why}: {code} ({ctx.codeset.describe(code)}) is not billed"))
    return edits


def _propose(ctx: Context) -> list:
    hcpcs = ctx.codes.get("hcpcs", [])
    edits = _splint_edits(ctx) + _unfurnished(ctx)
    gone = {e.code for e in edits}
    hcpcs = [c for c in hcpcs if c not in gone]
    for code, words, (first, last), sentence in furnished_items(ctx.narrative):
        boots = [c for c in hcpcs if c in BOOTS]
        if code in BOOTS and boots and code not in boots:
            edits.append(RULE.edit("replace", "hcpcs", boots[0], f"{words} furnished at the encounter ('{sentence}'): "
                                   f"{code}, not {boots[0]}", code))
            boots = boots[1:]
        if code in BOOTS:
            edits += [RULE.edit("drop", "hcpcs", c, f"one walking boot was furnished ('{sentence}'): {code}")
                      for c in boots if c != code]
        if any(first <= c <= last for c in hcpcs):
            continue
        edits.append(RULE.edit("add", "hcpcs", code, f"{words} furnished at the encounter ('{sentence}'): {code}"))
    return edits


RULE = Rule("dme_supplied", GUIDELINE, "DME and orthoses furnished at the encounter are billed by their codes",
            _propose, one_encounter=True)
