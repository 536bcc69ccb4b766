"""Where a note mentions a code's condition, and how: the sentences naming the condition words of the head of one
of the code's texts (description, inclusion terms), each judged by a rule's cue reader (uncertain or denied:
uncertain_diagnosis; in the past: history_of). A sentence about a relative is neither the patient's present nor
past condition: its verdict is 'family'."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from core.rules.documentation import (
    ANATOMY,
    QUALIFIERS,
    _stems,
    code_texts,
    note_words,
    prefix_key,
    word_keys,
)
from core.text import FAMILY_CUES, NEGATION_WINDOW, split_sentences, words

FAMILY_RE = re.compile(r"\b(?:" + "|".join(FAMILY_CUES) + r")\b", re.IGNORECASE)
CLAUSE_RE = re.compile(r"[,;:]")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")


def words_around(sentence: str, start: int, end: int) -> tuple[str, str]:
    """At most NEGATION_WINDOW words before `start` and after `end` in the sentence."""
    before = " ".join(sentence[:start].split()[-NEGATION_WINDOW:])
    after = " ".join(sentence[end:].split()[:NEGATION_WINDOW])
    return before, after


# a text's head: its words out of parentheses before its first comma, "with", "without", "due to" or "in" ('Other pulmonary embolism'
# of 'Other pulmonary embolism without acute cor pulmonale')
_HEAD_RE = re.compile(r",|\b(?:with|without|due to|in|of|following|complicating)\b", re.IGNORECASE)


# synonyms too loose to mark a mention by themselves ('high' or 'blood' for hypertension: "MDM high", "blood in
# the urine"; 'heart' of heartburn for reflux: "structural heart disease")
_LOOSE_KEYS = frozenset({"^high", "high", "eleva", "^elev", "blood", "^bloo", "bp", "low", "^low", "heart", "^hear"})


def _mention_keys(word: str) -> frozenset[str]:
    """The keys a note's word mentions a condition word by: its stem and its synonyms, not its first five letters
    ('hyper' would make hyperlipidemia a mention of hypertension), nor the loose synonyms."""
    return word_keys(word) - {prefix_key(word)} - _LOOSE_KEYS


# a head that names only a kind of condition: the words of its 'of' part name the condition ('Injury of conjunctiva
# and corneal abrasion without foreign body': an abrasion, not any injury the note denies)
_GENERIC_HEAD_WORDS = frozenset({"injury", "injuries", "disorder", "disorders", "disease", "diseases", "other",
                                 "unspecified"})
_NARROW_HEAD_RE = re.compile(r",|\b(?:with|without|due to|following|complicating)\b", re.IGNORECASE)


def _head_words(text: str) -> list[str]:
    """The words of a code text's head (out of parentheses, before its first comma, 'with', 'of' ...; past 'of'
    when the head is a kind of condition only: _GENERIC_HEAD_WORDS)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    head = [w for w in words(_HEAD_RE.split(text)[0]) if len(w) >= 2 and not w.isdigit()]
    if head and all(w in _GENERIC_HEAD_WORDS for w in head):
        head = [w for w in words(_NARROW_HEAD_RE.split(text)[0]) if len(w) >= 2 and not w.isdigit()]
    return head


@lru_cache(maxsize=4096)
def _heads(codeset, code: str) -> tuple[tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]], ...]:
    """Per text of the code (description, inclusion terms; core.rules.documentation.code_texts): the keys of each
    condition word of its head and of each site word of the text. A synonym that names a body part ('ear' for
    otitis) is a site, not a condition word ("Ear pain" is no mention of otitis media)."""
    anatomy = frozenset(_stems(sorted(ANATOMY), prefixes=False))
    found = set()
    for text in code_texts(codeset, code):
        tokens = [w for w in words(text) if len(w) >= 2 and not w.isdigit()]
        head = _head_words(text)
        condition = tuple(k for k in (_mention_keys(w) - anatomy for w in dict.fromkeys(head)
                                      if w not in QUALIFIERS and w not in ANATOMY) if k)
        if condition:
            found.add((condition, tuple(word_keys(w, site_synonyms=True) for w in dict.fromkeys(tokens) if w in ANATOMY)))
    return tuple(sorted(found, key=repr))


def mentions(codeset, code: str, narrative: str, judge: Callable[[str, int, int], bool]) -> list[tuple[str, str]]:
    """(verdict, sentence) per sentence that mentions the code's condition: verdict 'flagged' when `judge`
    (sentence, start, end) flags every mention of the sentence, 'plain' when it flags none or some, 'family'
    when the sentence speaks of a relative. A sentence mentions a text of the
    code when it names two of the condition words of the text's head (the one, when the head has one:
    'probable urinary tract infection', not the 'urination' of 'burning with urination'), and one of its site
    words when it has some; where no sentence names both condition and site ("X-ray: no fracture" in a wrist
    note), the condition words suffice."""
    heads = _heads(codeset, code)
    sentences = []
    for sentence in split_sentences(narrative, keep_labels=True):
        hits = [(m.start(), m.end(), _stems(note_words(m.group(0)))) for m in WORD_RE.finditer(sentence)]
        per_text = []
        for condition, site in heads:
            named = sorted((s, e, i) for i, word in enumerate(condition) for s, e, keys in hits if keys & word)
            windows = [(s, e) for s, e in _windows(named, min(2, len(condition))) if not CLAUSE_RE.search(sentence[s:e])]
            if windows:
                per_text.append((bool(site), windows, any(keys & word for word in site for _, _, keys in hits)))
        sentences.append((sentence, per_text))
    with_site = any(not has_site or sited for _, per_text in sentences for has_site, _, sited in per_text)
    found = []
    for sentence, per_text in sentences:
        windows = [w for has_site, ws, sited in per_text if not has_site or sited or not with_site for w in ws]
        if not windows:
            continue
        if FAMILY_RE.search(sentence[:min(start for start, _ in windows)]):
            verdict = "family"
        elif all(judge(sentence, start, end) for start, end in windows):
            verdict = "flagged"
        else:
            verdict = "plain"
        found.append((verdict, sentence))
    return found


def _windows(named: list[tuple[int, int, int]], needed: int) -> list[tuple[int, int]]:
    """The shortest spans (start, end) of a sentence that hold `needed` different condition words, from the
    sorted (start, end, word index) of their occurrences ('tension-type headache' in 'headache, possible
    migraine versus tension-type headache', not the span from the first 'headache')."""
    spans = []
    for i, (start, _, _) in enumerate(named):
        seen = set()
        for _, end, word in named[i:]:
            seen.add(word)
            if len(seen) >= needed:
                spans.append((start, end))
                break
    return [(s, e) for s, e in spans if not any(s2 >= s and e2 <= e and (s2, e2) != (s, e) for s2, e2 in spans)]


@lru_cache(maxsize=4096)
def loose_condition_keys(codeset, code: str) -> frozenset[str]:
    """The keys of every condition word of the heads of the code's texts, first five letters and synonyms included
    (a looser reading than `mentions`, for a code no sentence mentions in full)."""
    anatomy = frozenset(_stems(sorted(ANATOMY), prefixes=False))
    keys: set[str] = set()
    for text in code_texts(codeset, code):
        head = _head_words(text)
        for w in head:
            if w not in QUALIFIERS and w not in ANATOMY:
                keys |= word_keys(w) - anatomy - _LOOSE_KEYS
    return frozenset(keys)
