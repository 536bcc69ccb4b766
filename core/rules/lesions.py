"""Destruction of skin lesions (CPT 17000-17111, the destruction section's guidelines): a lesion destroyed at the
visit (cryotherapy with liquid nitrogen, curettage, electrosurgery, a chemical such as cantharidin) is coded by
what it is and how many were treated, not by the method:

- premalignant lesions (actinic keratoses): 17000 for the first lesion, 17003 for each of the second through
  fourteenth (one line, units = lesions - 1), or 17004 alone for fifteen or more;
- benign lesions other than skin tags (common and plantar warts, molluscum, seborrheic keratoses): 17110 for up
  to fourteen, 17111 for fifteen or more.

A destruction only considered, planned or declined is not coded ('consider LN2 next visit'), nor a lesion
described and left alone ('seborrheic keratoses - benign, no treatment')."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import negated_before, split_sentences

GUIDELINE = ("CPT destruction of lesions guidelines (17000-17004 premalignant lesions by count; 17110-17111 benign "
             "lesions other than skin tags by count)")

DESTRUCTION_CODES = ("17000", "17003", "17004", "17110", "17111")
_PREMALIGNANT = r"\bactinic keratos[ie]s\b|\baks?\b|\bsolar keratos[ie]s\b|\bpremalignant (?:skin )?lesions?\b"
_BENIGN = (r"\b(?:plantar |common |palmar |periungual )?warts?\b|\bverrucae?\b|\bverruca (?:vulgaris|plantaris)\b|"
           r"\bmolluscum\b|\bseborrheic keratos[ie]s\b|\bsks?\b")
_DESTROYED_RE = re.compile(r"\bcryo(?:therapy|destruction|surgery|spray|ablation)\b|\bliquid nitrogen\b|\bln2\b|"
                           r"\bfreeze[- ]thaw\b|\bfrozen\b|\bdestroy(?:ed)?\b|\bdestruction\b|\bcantharidin\b|"
                           r"\bcurett(?:ed|age)\b|\belectrodesiccat\w*|\bfulgurat\w*", re.I)
_NOT_DONE_RE = re.compile(r"\bconsider\w*\b|\bwill\b|\bnext (?:visit|time)\b|\bdeclin\w*|\bif\b|\bplan(?:ned|s)? to\b|"
                          r"\bprevious\w*|\bprior\b|\bago\b|\bno treatment\b|\bdeferred\b|\brefer\w*", re.I)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                 "sixteen": 16, "twenty": 20}
_NUMBER = r"(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"


def _count(sentence: str, lesion: str) -> int | None:
    """How many lesions of the kind a sentence says were treated ('7 AKs', 'aks x6', '5 actinic keratoses',
    'to 3 plantar warts', 'actinic keratosis x5', '(5 lesions)'), or None when it gives no number."""
    counts = []
    for match in re.finditer(lesion, sentence, re.I):
        before = sentence[max(0, match.start() - 30):match.start()]
        after = sentence[match.end():match.end() + 12]
        near = (re.search(_NUMBER + r"\s+(?:\w+\s+){0,2}$", before, re.I)
                or re.match(r"\s*(?:x|×)\s*" + _NUMBER + r"\b", after, re.I))
        if near:
            counts.append(_number(near.group(1)))
    lesions = re.search(r"\b" + _NUMBER + r"\s+lesions\b", sentence, re.I)
    if lesions:
        counts.append(_number(lesions.group(1)))
    return max(counts) if counts else None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[word.lower()]


def destroyed(narrative: str, lesion: str) -> tuple[str, int] | None:
    """(the sentence, the number of lesions) when the note says lesions of the kind were destroyed at the visit:
    a sentence naming a destruction (or the kind of lesion, on a destruction's line) with nothing planned or
    declined about it; the number is the largest one given for that kind anywhere a destruction is said, 1 when
    no sentence gives one."""
    sentences = split_sentences(narrative, keep_labels=True)
    done, count = None, None
    for i, sentence in enumerate(sentences):
        method = _DESTROYED_RE.search(sentence)
        if not method or _NOT_DONE_RE.search(sentence) or negated_before(sentence, method.start()):
            continue
        window = sentence if re.search(lesion, sentence, re.I) else None
        if window is None and i + 1 < len(sentences) and re.search(lesion, sentences[i + 1], re.I) \
                and not _NOT_DONE_RE.search(sentences[i + 1]):
            window = sentence + " " + sentences[i + 1]  # 'Procedure: cryodestruction.' then 'LN2 to 5 AKs ...'
        if window is None:
            continue
        done = done or sentence
        found = _count(window, lesion)
        if found:
            count = max(count or 0, found)
    return (done, count or 1) if done else None


def destruction_codes(kind: str, count: int) -> list[str]:
    """The codes of `count` lesions destroyed, by kind ('premalignant' or 'benign')."""
    if kind == "premalignant":
        return ["17004"] if count >= 15 else ["17000", "17003"] if count > 1 else ["17000"]
    return ["17111"] if count >= 15 else ["17110"]


def wanted(narrative: str) -> tuple[list[str], str] | None:
    """The destruction codes the note supports, with the words that say so; None when it documents none."""
    codes, quotes = [], []
    premalignant = destroyed(narrative, _PREMALIGNANT)
    if premalignant:
        sentence, count = premalignant
        codes += destruction_codes("premalignant", count)
        quotes.append(f"{count} premalignant lesion{'s' if count > 1 else ''} ('{short_quote(sentence)}')")
    benign = destroyed(narrative, _BENIGN)
    if benign:
        sentence, count = benign
        codes += destruction_codes("benign", count)
        quotes.append(f"{count} benign lesion{'s' if count > 1 else ''} ('{short_quote(sentence)}')")
    return (codes, "; ".join(quotes)) if codes else None


def _propose(ctx: Context) -> list:
    found = wanted(ctx.narrative)
    if found is None:
        return []
    codes, quote = found
    cpt = ctx.codes.get("cpt", [])
    edits = [RULE.edit("drop", "cpt", code, f"the note documents the destruction of {quote}: {code} does not fit "
                       f"the kind or number of lesions") for code in cpt if code in DESTRUCTION_CODES and code not in codes]
    edits += [RULE.edit("add", "cpt", code, f"the note documents the destruction of {quote}: {code} "
                        f"({ctx.codeset.describe(code)})") for code in codes if code not in cpt]
    return edits


RULE = Rule("lesion_destruction", GUIDELINE,
            "a skin lesion destroyed at the visit is coded by its kind (premalignant or benign) and count", _propose,
            one_encounter=True)
