"""Time-based counseling services a note documents with their minutes (CPT):

- tobacco use cessation counseling (99406: more than 3 and up to 10 minutes; 99407: more than 10 minutes): the
  minutes spent counseling the patient on quitting smoking, vaping or tobacco. Advice without time ('cessation
  advised', 'brief smoking cessation advice') is part of the visit's E/M: a coded 99406/99407 is dropped;
- advance care planning (99497: the first 30 minutes, billed from 16 minutes; 99498: each further 30 minutes,
  from 46 minutes in all): a face-to-face discussion of advance directives, a health care agent, code status or
  goals of care, with its minutes. A directive only reviewed or on file, or a discussion with no time, is not
  billed by these codes.

The minutes must be said in the sentence that names the service ('cessation counseling ~8 min today', 'I spent 5
minutes counseling ... vaping cessation', 'Advance care planning (voluntary): 20 minutes face-to-face ...')."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import negated_before, split_sentences

GUIDELINE = ("CPT 99406-99407 (smoking and tobacco use cessation counseling, by time: more than 3 minutes) and "
             "99497-99498 (advance care planning, by time: 16 minutes for the first 30, 46 for the next)")

TOBACCO_CODES = ("99406", "99407")
ACP_CODES = ("99497", "99498")
_MINUTES_RE = re.compile(r"(?:~|about |approx\.? |approximately |over |>\s*)?(\d{1,3})\s*(?:-|to)?\s*(?:\d{1,3}\s*)?"
                         r"(?:min(?:ute)?s?)\b", re.I)
_TOBACCO_RE = re.compile(r"\bsmok\w*|\btobacco\b|\bcigar\w*|\bnicotine\b|\bvap(?:e|es|ing)\b|\bquit\w*|\bcessation\b",
                         re.I)
_COUNSEL_RE = re.compile(r"\bcounsel\w*|\bcessation\b|\bdiscuss\w*|\bspent\b", re.I)
_ACP_RE = re.compile(r"\badvance care planning\b|\bACP\b|\badvance directives?\b|\bhealth ?care (?:agent|proxy)\b|"
                     r"\bPOLST\b|\bMOLST\b|\bgoals of care\b|\bcode status\b|\bliving will\b", re.I)


def _minutes(sentence: str) -> int | None:
    found = [int(m.group(1)) for m in _MINUTES_RE.finditer(sentence)]
    return max(found) if found else None


def _timed(narrative: str, topic: re.Pattern, act: re.Pattern | None = None) -> tuple[int, str] | None:
    """(minutes, sentence) of the first affirmed sentence naming the topic (and the act, when given) with its
    minutes; None when no sentence does."""
    for sentence in split_sentences(narrative, keep_labels=True):
        match = topic.search(sentence)
        if not match or (act is not None and not act.search(sentence)) or negated_before(sentence, match.start()):
            continue
        minutes = _minutes(sentence)
        if minutes is not None:
            return minutes, sentence
    return None


def _tobacco(ctx: Context) -> list:
    cpt = ctx.codes.get("cpt", [])
    coded = [c for c in cpt if c in TOBACCO_CODES]
    found = _timed(ctx.narrative, _TOBACCO_RE, _COUNSEL_RE)
    if found is None or found[0] <= 3:
        return [RULE.edit("drop", "cpt", c, "the note gives no minutes of tobacco cessation counseling over 3 (advice "
                          f"alone is part of the visit): {c} is not billed") for c in coded]
    minutes, sentence = found
    code = "99407" if minutes > 10 else "99406"
    why = f"the note documents {minutes} minutes of tobacco cessation counseling ('{short_quote(sentence)}'): {code}"
    if code in coded:
        return [RULE.edit("drop", "cpt", c, why) for c in coded if c != code]
    if coded:
        return [RULE.edit("replace", "cpt", coded[0], why, code)] + [RULE.edit("drop", "cpt", c, why) for c in coded[1:]]
    return [RULE.edit("add", "cpt", code, why)]


def _advance_care_planning(ctx: Context) -> list:
    cpt = ctx.codes.get("cpt", [])
    coded = [c for c in cpt if c in ACP_CODES]
    found = _timed(ctx.narrative, _ACP_RE)
    if found is None or found[0] < 16:
        return [RULE.edit("drop", "cpt", c, "the note documents no advance care planning discussion of 16 minutes or "
                          f"more: {c} is not billed") for c in coded]
    minutes, sentence = found
    wanted = ["99497"] + (["99498"] if minutes >= 46 else [])
    why = f"the note documents {minutes} minutes of advance care planning ('{short_quote(sentence)}')"
    return ([RULE.edit("add", "cpt", c, f"{why}: {c}") for c in wanted if c not in coded]
            + [RULE.edit("drop", "cpt", c, f"{why}: {c} is not billed") for c in coded if c not in wanted])


def _propose(ctx: Context) -> list:
    return _tobacco(ctx) + _advance_care_planning(ctx)


RULE = Rule("timed_counseling", GUIDELINE, "tobacco cessation counseling and advance care planning are billed by "
            "their documented minutes", _propose, one_encounter=True)
