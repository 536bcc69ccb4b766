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
from core.rules.narrative import short_quote, visit_note
from core.text import affirmed, split_sentences

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
              r"\bper records\b|\bfrom (?:the )?(?:pcp|referring)|\bwill call\b|\bpending\b|\bto follow\b|"
              r"\b(?:in |from )?(?:19|20)\d\d\b")
# a result told from before or from elsewhere (not a test still to come): the note's other mentions of the same
# test without a 'here' cue ('Prediabetes - A1c stable 6.0') discuss that result
_BEFORE = (r"\bago\b|\blast (?:week|wk|month|mo|visit|year|yr)\b|\blast (?:\w+ )?(?:panel|labs?|check|value)|\bprevious|"
           r"\bprior\b|\boutside\b|\breference lab|\bhospital lab|\bdrawn at\b|\bper records\b|\b(?:19|20)\d\d\b")
_HERE = (r"\bpoc\b|point[- ]of[- ]care|\bin[- ](?:clinic|office|house)\b|\btoday\b|\bdipstick\b|\brapid\b|"
         r"\bperformed\b|\bdone here\b|\bbedside\b|\bfingerstick\b|\bwaived\b|\bread by (?:the )?(?:MA|RN|nurse|me)\b|"
         r"\bmanual\b|\bclinitek\b")


def _lab_pattern(code: str) -> str | None:
    return next((pattern for prefix, pattern in LAB_TESTS if code.startswith(prefix)), None)


# studies other than x-rays (the views rule reads those), by the words of their description -> the note's words
STUDIES: tuple[tuple[str, str], ...] = (
    (r"\bechocardiogra", r"\bTTE\b|\bTEE\b|\becho(?:cardiogram)?s?\b"), (r"\bHolter\b|\bmonitoring\b",
                                                                      r"\bholter\b|\b(?:patch|event|cardiac) monitor"),
    (r"\bstress test\b", r"\bstress (?:test|echo)|\btreadmill\b|\bETT\b"), (r"\bDuplex\b", r"\bduplex\b|\bdoppler\b|\bvenous (?:US|ultrasound)\b"),
    (r"\bCT scan\b", r"\bCTA?\b|\bcomputed tomograph|\bcat scan\b"), (r"\bMRI\b", r"\bMRI\b|\bMRA\b|\bmagnetic resonance\b"),
    (r"\b[Uu]ltrasound\b", r"\bultrasound\b|\bUS\b|\bsonogra"), (r"\bSpirometry\b", r"\bspirometry\b|\bPFTs?\b|pulmonary function"),
)


def _study_pattern(codeset, code: str) -> str | None:
    """The words a note names a non-x-ray study by (an echocardiogram 93306: 'TTE', 'echo'), None for other codes."""
    if not code.isdigit() or not ("70010" <= code <= "76999" or "93000" < code <= "94799"):
        return None
    description = codeset.describe(code)
    return next((note for words, note in STUDIES if re.search(words, description)), None)


_LINE_LABEL_RE = re.compile(r"^\s*([^:.\n]{2,60}):")


_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s")


def _sentences_in_context(narrative: str) -> list[tuple[str, str]]:
    """(sentence, the sentence with its line's label): a line labelled "Outside labs (PCP, reviewed):" speaks of
    each of its sentences ("CBC and LFTs normal."), and a list's header line of each of its items ("POC testing
    (done here):" then "- Urine hCG: negative")."""
    out, header = [], ""
    for line in narrative.splitlines():
        item = bool(_LIST_ITEM_RE.match(line))
        if not item and line.strip():
            header = line if line.rstrip().endswith(":") else ""
        label = _LINE_LABEL_RE.match(line)
        for sentence in split_sentences(line, keep_labels=True):
            out.append((sentence, f"{header if item else ''} {label.group(1) if label else ''} {sentence}"))
    return out


# a study still to come: "to be excluded by echo", "RTC after echo/monitor", "if abnormal, consider stress test"
# a study judged unnecessary: 'CT not indicated', 'no CT needed', 'imaging deferred'
_UNNEEDED = (r"\bnot (?:\w+ ){0,2}(?:indicated|needed|necessary|warranted|required)\b|\bdeferred\b"
             r"|\bno (?:CT|MRI|imaging|head CT)\b(?! (?:evidence|findings))")
_STUDY_LATER = r"|\bto be\b|\bafter (?:the )?(?:echo|study|test|scan|imaging|monitor)|\bif\b|\bconsider\b|" + _UNNEEDED
_READ_PENDING_RE = re.compile(r"\bpending(?: final)? (?:read|report|interpretation)|\b(?:read|report) pending\b", re.I)


# a 'here' cue the sentence denies: 'not drawn today', 'not done in clinic'
_HERE_DENIED_RE = re.compile(r"\bnot (?:\w+ ){0,3}?(?:today|here|in[- ](?:clinic|office))\b", re.I)


def _not_here(sentence: str, context: str, later: str = _ELSEWHERE) -> bool:
    """Whether the sentence (read with its line's label, `context`) says its test was not done here today."""
    if _HERE_DENIED_RE.search(sentence):
        return True
    return bool(re.search(later, context, re.IGNORECASE)) and not re.search(_HERE, sentence, re.IGNORECASE)


def not_done_here(narrative: str, pattern: str, study: bool = False) -> list[str] | None:
    """The sentences naming the test, when every one (read with the sentences before it on its line) says it was
    not done here today; None otherwise. A `study` whose read is pending was done ('CT: pending final read')."""
    naming = [(s, _READ_PENDING_RE.sub(" ", context) if study else context)
              for s, context in _sentences_in_context(narrative) if re.search(pattern, s, re.IGNORECASE)]
    later = _ELSEWHERE + (_STUDY_LATER if study else "")
    if naming and all(_not_here(s, context, later) for s, context in naming):
        return [s for s, _ in naming]
    before = [s for s, context in naming if _not_here(s, context, _BEFORE)]
    if not study and before and not any(re.search(_HERE, s, re.IGNORECASE) for s, _ in naming):
        return before
    return None


# respiratory pathogen tests by organism and method: the code is the test the note says was run (a rapid antigen
# test read by eye is no PCR); a combined test of SARS-CoV-2 and influenza is one code
_ORGANISMS = {"covid": r"\bcovid|sars-?cov-?2|coronavirus", "flu": r"\binfluenza|\bflu\b", "strep": r"\bstrep",
              "rsv": r"\brsv\b|respiratory syncytial"}
_PCR_RE = re.compile(r"\bpcr\b|\bnaat\b|\bmolecular\b|nucleic acid|amplif|\bid now\b|\bmultiplex\b", re.I)
_ANTIGEN_RE = re.compile(r"\bantigen\b|\brapid\b|\bvisual\b|\bpoc\b|point[- ]of[- ]care|\bag\b", re.I)
_METHOD_CODES = {("covid", "antigen"): "87811", ("covid", "pcr"): "87635", ("flu", "antigen"): "87804",
                 ("strep", "antigen"): "87880", ("strep", "pcr"): "87651", ("rsv", "antigen"): "87807",
                 ("covid+flu", "antigen"): "87428", ("covid+flu", "pcr"): "87636", ("covid+flu+rsv", "pcr"): "87637"}
_METHOD_FAMILY = {"87811": "covid", "87426": "covid", "87635": "covid", "87804": "flu", "87880": "strep",
                  "87651": "strep", "87807": "rsv", "87428": "covid+flu", "87636": "covid+flu", "87637": "covid+flu+rsv"}
_TEST_RE = re.compile(r"\btest(?:s|ed|ing)?\b|\bswab\b|\bantigen\b|\bpcr\b|\bnaat\b|\bpanel\b|\bcombo\b", re.I)


def documented_tests(narrative: str) -> dict[str, str]:
    """organism (or 'covid+flu' for one combined test) -> the code of the test the note says was run here today,
    for the organisms whose test method it names one way only."""
    found: dict[str, set[str]] = {}
    for sentence, context in _sentences_in_context(narrative):
        if not _TEST_RE.search(sentence) or _not_here(sentence, context):
            continue
        named = [o for o, pattern in _ORGANISMS.items() if re.search(pattern, sentence, re.I)]
        method = "pcr" if _PCR_RE.search(sentence) else "antigen" if _ANTIGEN_RE.search(sentence) else None
        if not named or method is None:
            continue
        if "covid" in named and "flu" in named and re.search(r"\bcombo|\bcombined|/|\bmultiplex|\bpanel", sentence, re.I):
            named = ["covid+flu+rsv" if "rsv" in named and method == "pcr" else "covid+flu"]
        for organism in named:
            if (organism, method) in _METHOD_CODES:
                found.setdefault(organism, set()).add(_METHOD_CODES[organism, method])
    return {organism: codes.pop() for organism, codes in found.items() if len(codes) == 1}


def _method_edits(ctx: Context, cpt: list[str]) -> list:
    """A respiratory test code that is not the test the note documents (87635 PCR for a rapid antigen test, 87811
    and 87804 for one combined SARS-CoV-2/influenza antigen test) becomes the documented one."""
    documented = documented_tests(ctx.narrative)
    if not documented:
        return []
    wanted = set(documented.values())
    combined = {code for organism, code in documented.items() if "+" in organism}
    edits, placed = [], set(cpt) & wanted
    for code in cpt:
        family = _METHOD_FAMILY.get(code)
        if family is None or code in wanted:
            continue
        target = documented.get(family) or next((c for c in combined if family in _METHOD_FAMILY[c].split("+")), None)
        if target is None:
            continue
        reason = f"the note documents the test run as {ctx.codeset.describe(target)} ({target}), not {code}"
        if target in placed:
            edits.append(RULE.edit("drop", "cpt", code, reason))
        else:
            edits.append(RULE.edit("replace", "cpt", code, reason, target))
            placed.add(target)
    return edits


# point-of-care tests an office runs and reads itself: code -> (the words naming the test, the codes that already
# say it: the same test by another method or a laboratory's version)
_URINALYSIS = ("81000", "81001", "81002", "81003")
POC_TESTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("81003", r"\bclinitek\b|(?<!non-)\bautomated (?:UA|urinalysis|urine dip\w*)\b|\b(?:UA|urinalysis|urine dip\w*)\b"
     r"[^.:]{0,25}(?<!non-)(?<!non)\bautomated\b", _URINALYSIS),
    ("81002", r"\b(?:UA|urinalysis)\b[^.:]{0,25}\bdip(?:stick)?\b|\bdipstick (?:UA|urinalysis)\b|\burine dip(?:stick)?\b",
     _URINALYSIS),
    ("87811", r"\b(?:covid(?:-19)?|sars-cov-2)\b[^.:]{0,25}\b(?:antigen|rapid|binax\w*)\b|\brapid covid\b|\bbinax ?now\b",
     ("87811", "87426", "87635", "87637", "0240U", "0241U")),
    ("87804", r"\b(?:rapid )?(?:flu|influenza)(?: a/b| a and b| a ?& ?b)?\b[^.:]{0,20}\b(?:antigen|rapid)\b|\brapid flu\b",
     ("87804", "87502", "87501", "87400", "87637")),
    ("87880", r"\brapid strep\b|\bstrep (?:antigen|screen)\b|\bRADT\b", ("87880", "87651")),
    ("81025", r"\burine (?:hcg|pregnancy)|\bupt\b|\bu-?hcg\b|\bpregnancy test\b", ("81025", "84702", "84703")),
    ("86308", r"\bmono ?spot\b|\bheterophile\b|\brapid mono\b", ("86308",)),
    ("82962", r"\bfingerstick (?:blood )?(?:glucose|sugar)\b|\bglucometer\b|\bpoc (?:blood )?glucose\b|\bfsbs\b|\bcbg\b",
     ("82962", "82947", "82948")),
    ("85018", r"\bpoc (?:hgb|hemoglobin)\b|\bhemocue\b|\bfingerstick (?:hgb|hemoglobin)\b", ("85018", "85025", "85027")),
)
_RESULT_RE = re.compile(r"\b(?:neg(?:ative)?|pos(?:itive)?|nonreactive|reactive)\b|:\s*\d{2,3}\b|\b\d{2,3}\s*mg/dl\b|"
                        r"\b(?:LE|nitrites?|leuk\w*|blood|protein|glucose)\s*(?:\d\+|\+|trace|small|moderate|large)", re.I)
_SELF_TEST_RE = re.compile(r"\bhome\b|\bat[- ]home\b|\bself[- ]test|\bserum\b|\bblood hcg\b|\bquantitative\b", re.I)


def _poc_additions(ctx: Context, cpt: list[str]) -> list:
    """A point-of-care test a sentence says was run here with its result ('Urine hCG (office): negative', 'In
    clinic: ... Monospot POSITIVE', 'Fingerstick glucose w/ office glucometer: 176'), coded by no code of its test,
    is added; a home or serum test, or one ordered or sent out, is not."""
    edits, cpt = [], list(cpt)
    for code, pattern, family in POC_TESTS:
        if set(family) & set(cpt):
            continue
        for sentence, context in _sentences_in_context(ctx.narrative):
            match = re.search(pattern, sentence, re.I)
            if (not match or not affirmed(sentence, pattern) or _SELF_TEST_RE.search(sentence)
                    or not _RESULT_RE.search(sentence[match.end():]) or not re.search(_HERE, context, re.I)
                    or _not_here(sentence, context)):
                continue
            edits.append(RULE.edit("add", "cpt", code, f"the note documents the point-of-care test run here with its "
                                   f"result ('{short_quote(sentence)}'): {code} ({ctx.codeset.describe(code)})"))
            cpt.append(code)
            break
    return edits


_UNNEEDED_RE = re.compile(_UNNEEDED, re.I)


def _unneeded_studies(ctx: Context, cpt: list[str]) -> list:
    """On the ED's note: a study (CT, MRI, ultrasound ...) every sentence naming which judges it unnecessary ('CT not
    indicated, discussed with mom') was not done (the ED's other studies are `ed_professional`'s)."""
    edits = []
    for code in cpt:
        pattern = _study_pattern(ctx.codeset, code)
        naming = [s for s in split_sentences(ctx.narrative, keep_labels=True) if pattern and re.search(pattern, s)]
        if naming and all(_UNNEEDED_RE.search(s) for s in naming):
            edits.append(RULE.edit("drop", "cpt", code, f"the note judges the study unnecessary "
                                   f"('{short_quote(naming[0])}'): {code} was not done"))
    return edits


def _propose(ctx: Context) -> list:
    cpt = list(ctx.codes.get("cpt", []))
    if not visit_note(ctx.narrative):
        return []
    if patient_family(ctx.narrative, cpt) == "ed":
        return _unneeded_studies(ctx, cpt)
    edits = _method_edits(ctx, cpt) + _poc_additions(ctx, cpt)
    changed = {edit.code for edit in edits}
    cpt = [code for code in cpt if code not in changed]
    for code in cpt:
        lab = code.isdigit() and "80047" <= code <= "89398"
        pattern = _lab_pattern(code) if lab else _study_pattern(ctx.codeset, code)
        found = not_done_here(ctx.narrative, pattern, study=not lab) if pattern else None
        if found:
            quote = short_quote(found[0])
            edits.append(RULE.edit("drop", "cpt", code, f"the note orders the test or study for later, tells an earlier "
                                   f"result or sends it to another laboratory ('{quote}'): {code} is not billed here"))
    return edits


RULE = Rule("not_performed", GUIDELINE, "a lab test ordered for later, done before or sent out is not billed; the test "
            "coded is the one the note says was run (rapid antigen or PCR, one combined test)",
            _propose, one_encounter=True)
