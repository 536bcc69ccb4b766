"""Fracture care (CPT musculoskeletal guidelines, closed treatment codes): a physician who treats a fracture without
opening it bills its closed-treatment code, with or without manipulation (reduction), for the bone the fracture is
of; the code's global package holds the first cast, splint or strapping, so a splint or cast code (29000-29799) is
not billed beside it.

A note says so in its own words: a reduction done here ('closed reduction of the distal radius, finger-trap
traction', 'reduced with hyperpronation'), or closed treatment without manipulation ('nonoperative: closed
treatment without manipulation', 'today we assume fracture care'). A splint put on for comfort with the fracture
referred on ('ortho f/u 5-7 days') is no fracture care: the splint is coded (supplies.py), not a treatment code. The
bone comes from the answer's fracture code (S52.5- is the lower end of the radius: 25600 / 25605)."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import negated_before, split_sentences

GUIDELINE = ("CPT musculoskeletal guidelines: closed treatment of a fracture, with or without manipulation, includes the "
             "first cast or splint (global surgical package)")

# the fracture code's beginning -> (closed treatment without manipulation, with manipulation); most specific first
TREATMENTS: tuple[tuple[str, str, str], ...] = (
    ("S52.5", "25600", "25605"), ("S52.3", "25500", "25505"), ("S52.2", "25530", "25535"), ("S52.1", "24650", "24655"),
    ("S92.3", "28470", "28475"), ("S92.4", "28490", "28495"), ("S92.5", "28510", "28515"),
    ("S82.84", "27808", "27810"), ("S82.6", "27786", "27788"), ("S82.5", "27760", "27762"),
    ("S62.63", "26750", "26755"), ("S62.66", "26750", "26755"), ("S62.6", "26720", "26725"),
    ("S62.3", "26600", "26605"), ("S62.0", "25622", "25624"), ("S42.0", "23500", "23505"), ("S42.2", "23600", "23605"),
)
NURSEMAID = ("S53.03", "24640")
TREATMENT_CODES = frozenset(c for _, plain, reduced in TREATMENTS for c in (plain, reduced)) | {NURSEMAID[1]}
_REDUCED_RE = re.compile(r"\bclosed reduction\b|\breduction (?:was )?(?:performed|achieved|done)\b|\bmanipulat(?:ed|ion)\b|"
                         r"\b(?:fracture|fx|dislocation|it|was|were|successfully|then|easily)\s+reduced\b|\breduced (?:under|with|using|by)\b|"
                         r"\bpost-?reduction\b|\b(?:hyperpronation|supination[- ]flexion)\b", re.I)
_WITHOUT_RE = re.compile(r"\b(?:without|w/o|no)\s+(?:manipulation|reduction)\b", re.I)
_CLOSED_CARE_RE = re.compile(r"\bclosed (?:treatment|tx|management)\b|\bassum\w* (?:the )?fracture care\b|"
                             r"\b(?:non-?operative|conservative) (?:fracture )?(?:care|management|treatment)\b[^.]{0,30}"
                             r"\b(?:I|we) will (?:manage|follow)\b|\bfracture care,? which (?:I|we) will manage\b", re.I)
_NOT_HERE_RE = re.compile(r"\bwill (?:need|require)\b|\bmay (?:need|require)\b|\bconsider\w*\b|\bif\b|\bORIF\b|"
                          r"\bby ortho\w*\b|\bat (?:the )?(?:outside|other)\b|\bprior\b|\bprevious\w*\b|\bdeclin\w*|"
                          r"\bnot (?:reduced|indicated)\b|\bno reduction\b|\bdiscuss\w*|\boffer\w*|\boptions?\b|\bprefers?\b|"
                          r"\brecommend\w*", re.I)
_SPLINT_OR_CAST = re.compile(r"^29[0-7]\d\d$")


def _said(narrative: str, pattern: re.Pattern) -> str | None:
    for sentence in split_sentences(narrative, keep_labels=True):
        match = pattern.search(sentence)
        if match and not _NOT_HERE_RE.search(sentence) and not negated_before(sentence, match.start()):
            return sentence
    return None


def treatment(ctx: Context) -> tuple[str, str] | None:
    """(closed-treatment code, the sentence saying so) the note and the answer's fracture code support, or None."""
    icd = ctx.icd()
    if any(c.startswith(NURSEMAID[0]) for c in icd):
        sentence = _said(ctx.narrative, _REDUCED_RE)
        return (NURSEMAID[1], sentence) if sentence else None
    bone = next(((plain, reduced) for prefix, plain, reduced in TREATMENTS
                 for c in icd if c.startswith(prefix) and c.endswith("A")), None)
    if bone is None:
        return None
    reduced = _said(_WITHOUT_RE.sub(" ", ctx.narrative), _REDUCED_RE)
    if reduced:
        return bone[1], reduced
    closed = _said(ctx.narrative, _CLOSED_CARE_RE)
    return (bone[0], closed) if closed else None


def _propose(ctx: Context) -> list:
    found = treatment(ctx)
    if found is None:
        return []
    code, sentence = found
    cpt = ctx.codes.get("cpt", [])
    why = f"the note documents the fracture's closed treatment here ('{short_quote(sentence)}')"
    edits = [RULE.edit("drop", "cpt", c, f"{why}: {code} includes the first splint or cast, {c} is not billed")
             for c in cpt if _SPLINT_OR_CAST.match(c)]
    edits += [RULE.edit("drop", "cpt", c, f"{why}: one treatment code, {code}") for c in cpt
              if c in TREATMENT_CODES and c != code]
    if code not in cpt:
        edits.append(RULE.edit("add", "cpt", code, f"{why}: {code} ({ctx.codeset.describe(code)})"))
    return edits


RULE = Rule("fracture_care", GUIDELINE, "a fracture treated closed here gets its closed-treatment code, with or without "
            "manipulation, and no separate splint or cast code", _propose, one_encounter=True)
