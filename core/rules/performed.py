"""A laboratory test is billed by whoever performs it (CPT: a service is reported when it is performed; the
physician's office reports the tests it runs itself, point-of-care, and a laboratory that runs a drawn specimen
reports that test). A lab code (80047-89398) is dropped when every sentence naming its test says it was not done
here today: ordered or planned for later ("BMP ordered for next week", "A1c in 6 mo", "will recheck TSH"), done
before ("A1c drawn last wk", "labs 2 wks ago", "LDL 88 on last panel"), or sent to another laboratory ("urine
culture sent to the reference lab", "to be drawn at the hospital lab"); a sentence that says it was done here
(point-of-care, in clinic, today, a dipstick or rapid test) keeps it. A test the note does not name is left alone.
Office and urgent-care notes of one encounter only: the ED's own labs are the hospital's (its convention is the
data's, left to the other rules)."""

from __future__ import annotations

import re

from core.rules.em import patient_family
from core.rules.models import Context, Rule
from core.rules.narrative import visit_note
from core.text import split_sentences

GUIDELINE = "CPT: a laboratory test is reported by whoever performs it, on the date it is performed"

# lab CPT code (or its first digits) -> the words that name its test
LAB_TESTS: tuple[tuple[str, str], ...] = (
    ("80048", r"\bbmp\b|basic metabolic"), ("80053", r"\bcmp\b|comprehensive metabolic"),
    ("80061", r"lipid|\bflp\b|cholesterol panel"), ("8502", r"\bcbc\b|blood count"), ("83036", r"a1c"),
    ("84443", r"\btsh\b"), ("8100", r"\bua\b|urinalysis|urine dip|dipstick"), ("87086", r"urine culture|\bucx\b|\bculture\b"),
    ("87088", r"urine culture|\bculture\b"), ("8707", r"\bculture\b"), ("87040", r"\bculture\b"), ("87880", r"strep"), ("87804", r"influenza|\bflu\b"),
    ("87811", r"covid|sars-cov-2"), ("87635", r"covid|sars-cov-2"), ("87426", r"covid|sars-cov-2"),
    ("84484", r"troponin"), ("83880", r"\bbnp\b"), ("85379", r"d-?dimer"), ("85610", r"\binr\b|\bpt\b"),
    ("80076", r"\blfts?\b|hepatic (?:function )?panel|liver (?:function|panel)"), ("83690", r"lipase"),
    ("84153", r"\bpsa\b"), ("82306", r"vitamin d|25-oh"), ("84703", r"\bhcg\b|pregnancy"), ("81025", r"\bhcg\b|pregnancy"),
    ("8295", r"glucose"), ("8296", r"glucose|fingerstick"), ("83540", r"\biron\b"), ("83550", r"\biron\b|tibc"),
    ("82728", r"ferritin"), ("85651", r"\besr\b|sed rate"), ("86140", r"\bcrp\b|c-reactive"),
    ("82043", r"microalbumin|\buacr\b|albumin.creatinine"), ("82570", r"microalbumin|\buacr\b|creatinine"),
    ("82565", r"creatinine|\bcr\b"), ("84132", r"potassium|\bk\b"), ("82607", r"\bb12\b"), ("83735", r"magnesium"),
    ("86308", r"\bmono\b|monospot|heterophile"), ("87491", r"chlamydia"), ("87591", r"gonorrh|\bgc\b"),
)
_ELSEWHERE = (r"\border(?:ed|s)?\b|will (?:check|obtain|draw|order|repeat|recheck)|to be (?:drawn|done|obtained)|"
              r"next (?:week|wk|visit|month|time)|in \d+ ?(?:-\d+ )?(?:days?|wks?|weeks?|mos?|months?|yrs?|years?)\b|"
              r"(?:prior to|before) (?:the )?next|(?:sent|send|sending) (?:out|to)|outside lab|reference lab|"
              r"hospital lab|commercial lab|(?:at|by) the lab\b|drawn\b[^.;]{0,20}\b(?:ago|last|on \d)|\bago\b|"
              r"\blast (?:week|wk|month|mo|visit|year|yr)\b|\blast (?:\w+ )?(?:panel|labs?|check|value)|previous|"
              r"\bprior\b|\brecent\b|\bfrom (?:\d+/\d+|the hospital|her|his)|\bin (?:jan|feb|mar|apr|may|jun|jul|aug|"
              r"sep|oct|nov|dec)\w*|\brepeat\b|\brecheck\b|\bplan\b|\bdue\b|\bannual\b|\bwith (?:next|the next)\b|"
              r"\bwith (?:the )?labs\b|\b\d+ ?(?:wks?|weeks?|mos?|months?)\b(?! ago)|\boutside\b|"
              r"\bper records\b|\bfrom (?:the )?(?:pcp|referring)|\bwill call\b|\bpending\b|\bto follow\b")
_HERE = (r"\bpoc\b|point[- ]of[- ]care|\bin[- ](?:clinic|office|house)\b|\btoday\b|\bdipstick\b|\brapid\b|"
         r"\bperformed\b|\bdone here\b|\bbedside\b|\bfingerstick\b|\bwaived\b")


def _lab_pattern(code: str) -> str | None:
    return next((pattern for prefix, pattern in LAB_TESTS if code.startswith(prefix)), None)


_LINE_LABEL_RE = re.compile(r"^\s*([^:.\n]{2,60}):")


def _sentences_in_context(narrative: str) -> list[tuple[str, str]]:
    """(sentence, the sentence with its line's label): a line labelled "Outside labs (PCP, reviewed):" speaks of
    each of its sentences ("CBC and LFTs normal.")."""
    out = []
    for line in narrative.splitlines():
        label = _LINE_LABEL_RE.match(line)
        for sentence in split_sentences(line, keep_labels=True):
            out.append((sentence, f"{label.group(1) if label else ''} {sentence}"))
    return out


def not_done_here(narrative: str, pattern: str) -> list[str] | None:
    """The sentences naming the test, when every one (read with the sentences before it on its line) says it was
    not done here today; None otherwise."""
    naming = [(s, context) for s, context in _sentences_in_context(narrative) if re.search(pattern, s, re.IGNORECASE)]
    if naming and all(re.search(_ELSEWHERE, context, re.IGNORECASE) and not re.search(_HERE, s, re.IGNORECASE)
                      for s, context in naming):
        return [s for s, _ in naming]
    return None


def _propose(ctx: Context) -> list:
    cpt = list(ctx.codes.get("cpt", []))
    if not visit_note(ctx.narrative) or patient_family(ctx.narrative, cpt) == "ed":
        return []
    edits = []
    for code in cpt:
        pattern = _lab_pattern(code) if code.isdigit() and "80047" <= code <= "89398" else None
        found = not_done_here(ctx.narrative, pattern) if pattern else None
        if found:
            quote = found[0] if len(found[0]) <= 80 else found[0][:77] + "..."
            edits.append(RULE.edit("drop", "cpt", code, f"the note orders the test for later, tells an earlier "
                                   f"result or sends it to another laboratory ('{quote}'): {code} is not billed here"))
    return edits


RULE = Rule("not_performed", GUIDELINE, "a lab test ordered for later, done before or sent out is not billed",
            _propose, one_encounter=True)
