"""The reason for the visit (ICD-10-CM Official Guidelines, Sections IV.D and IV.G): an outpatient encounter is
reported with the diagnosis, condition, problem or other reason for the visit, and when the provider has
established no diagnosis, the sign or symptom that brought the patient in is what is coded ("chest pain, cause
not determined" is R07.9). The rule acts only on an answer left with no ICD-10-CM code at all, and only with a
ranked candidate list (the pipeline's): it adds the best-ranked sign or symptom code (Chapter 18, R00-R99) whose
condition words an affirmed clause of the note states, unless a diagnosis ranked above it is stated in the note
(then the answer lacks that diagnosis, and no symptom stands in for it); when the note has an assessment ('Assessment:',
'Diagnosis:', 'Impression:', 'A:'), that clause must be in it (a note that names a diagnosis the answer missed
needs that diagnosis, not a symptom of it)."""

from __future__ import annotations

import re

from core.rules.denied import denied
from core.rules.documentation import ANATOMY, QUALIFIERS, _stems, code_texts, note_words, word_keys
from core.rules.excludes import find_conflicts
from core.rules.mentions import loose_condition_keys
from core.rules.models import Context, Rule, is_diagnosis
from core.rules.narrative import (
    COLONLESS_LABELS,
    KIND_OF,
    condition_side,
    documented_side,
    note_sections,
    visit_note,
)
from core.rules.redundant import COVERED_BY
from core.rules.specificity import sided_variant
from core.text import is_affirmed, split_sentences, words

GUIDELINE = "ICD-10-CM Official Guidelines IV.D and IV.G (a sign or symptom is the reason for the visit when no diagnosis is established)"
DEPTH = 10  # ranked ICD-10-CM candidates looked at
SYMPTOMS_CHAPTER = "R"
_CLAUSE_RE = re.compile(r"[,;:]")
_PHRASE_RE = re.compile(r",|\band\b|\bor\b", re.IGNORECASE)
# a patient's age ('38-year-old', '18 years of age') is no finding: 'Old age' (R54) is not stated by it
_AGE_RE = re.compile(r"\b\d+\s*-?\s*(?:years?|yrs?|months?|weeks?|days?|y)\s*-?\s*/?\s*o(?:ld)?\b"
                     r"|\b(?:years?|months?) of age\b", re.IGNORECASE)
_ASSESSMENT_RE = re.compile(r"^\W*(?:assessment|diagnos[ie]s|impression|dx|a)\s*(?:and plan\s*)?:", re.IGNORECASE)


def affirmed_clause_keys(narrative: str) -> set[str]:
    """The keys of the words of every clause (a sentence split at commas, semicolons and colons) that holds no
    negation or family-history cue: 'seen for syncope; cause not determined' affirms the syncope."""
    keys: set[str] = set()
    for sentence in split_sentences(narrative):
        for clause in _CLAUSE_RE.split(_AGE_RE.sub(" ", sentence)):
            if clause.strip() and is_affirmed(clause):
                keys |= _stems(note_words(clause))
    return keys


# a 'without ...' part of a description, up to its next comma ('Laceration without foreign body, right knee')
# a 'without ...' part ends at a comma or at a sided site its 'of' names ('Laceration without foreign body of left
# index finger without damage to nail': the finger is said; 'without rupture of ear drum' stays the without part)
_WITHOUT_PART_RE = re.compile(r"\bwithout\b(?:(?!\bof (?:left|right|unspecified|bilateral)\b)[^,])*", re.I)


def stated(codeset, code: str, keys: set[str], absences: bool = False) -> bool:
    """Whether the note states one phrase of the code's texts (its description or an inclusion term, split at
    commas and 'and'/'or') in full: every condition and site word of it among `keys` ('syncope' states
    'Syncope and collapse'; '18 years of age' does not state 'Old age'). With `absences`, what a text says is
    absent ('... without spontaneous rupture of ear drum') need not be stated: the classification's default."""
    for text in code_texts(codeset, code):
        if absences:
            text = _WITHOUT_PART_RE.sub(" ", text)
        if any(_phrase_stated(phrase, keys) for phrase in _PHRASE_RE.split(re.sub(r"\([^)]*\)", " ", _IMPLIED_RE.sub(" ", text)))):
            return True
    return False


# words of a code's text that its other words imply: a metacarpal is a bone; a strain is of muscle, fascia and tendon;
# the rotator cuff is the shoulder's; 'at neck level' is the neck
_IMPLIED_RE = re.compile(r"\b(?:of |at )?muscles?(?:\(s\))?(?:, fascia)?,? and tendons?(?:\(s\))?|\bbones?\b|\blevel\b|"
                         r"(?<=cuff) of (?:left |right |unspecified )?shoulder\b", re.I)


def _phrase_stated(phrase: str, keys: set[str]) -> bool:
    """Every condition and site word of a phrase of a code's text (not its qualifiers) is among `keys`."""
    tokens = [w for w in words(phrase) if len(w) >= 2 and not w.isdigit() and w not in QUALIFIERS]
    return bool(tokens) and all(word_keys(w) & keys for w in tokens)


def main_term_stated(codeset, code: str, keys: set[str], head: str) -> bool:
    """Whether the note states the main term of one of the code's texts (its first phrase, 'without ...' parts
    aside) in full, and that term holds a condition word of the head itself: what a code looked up in the code
    set must say ('Anal fistula' for K60.321, not its 'initial' alone; no 'patellofemoral disorder' for 'XR
    right knee')."""
    own = {w for w in note_words(head) if len(w) >= 3 and w not in QUALIFIERS and w not in ANATOMY
           and w not in _FILLER}
    for text in code_texts(codeset, code):
        phrase = _PHRASE_RE.split(re.sub(r"\([^)]*\)", " ", _WITHOUT_PART_RE.sub(" ", _IMPLIED_RE.sub(" ", text))))[0]
        if _phrase_stated(phrase, keys) and _stems(list(own)) & _stems(words(phrase)):
            return True
    return False


# an assessment item: numbered, on its own line, or after a semicolon; its head is what it names before a spaced
# dash, a colon or a period ('2. Prediabetes - A1c stable 6.0; diet' names prediabetes)
_ITEM_RE = re.compile(r"(?:^|\n)\s*(?:\d{1,2}[.)]|[-*\u2022])?\s*([^\n]+)")
_HEAD_END_RE = re.compile(r"\s[-\u2013\u2014]\s|:\s|\.\s|\.$|;|\(|,|\s(?:after|following)\s")
# a head that is no problem of this visit: a past one, a plan, a differential, an attestation
_NOT_A_PROBLEM_RE = re.compile(r"\b(?:h/o|hx|history of|s/p|status post|ddx|differential|r/o|rule out|vs\.?|versus|"
                               r"possible|probable|likely|screening|vaccin\w*|immuni[sz]\w*|counsel\w*|return|rtc|"
                               r"follow[- ]?up|f/u|refer\w*|discharged?|dispo\w*|attest\w*|agree|seen|examined|"
                               r"ordered|given|dispensed|continue|start\w*|mg\b|time|new (?:pt|patient)|est(?:ablished)? "
                               r"(?:pt|patient)|MDM|XR|x-?rays?|CT|MRI)\b", re.I)
_ASSESSMENT_LABEL_RE = re.compile(r"^\W*(?:assessment|a/p|a&p|impression|diagnos[ie]s|dx|final diagnos[ie]s|"
                                  r"ed diagnos[ie]s|clinical impression|a)\b", re.I)
_KNOWN_LABEL_RE = re.compile(r"^\W*(?:" + "|".join(sorted(map(re.escape, {*KIND_OF, *COLONLESS_LABELS}), key=len, reverse=True))
                             + r")\b", re.I)
# labels of what follows an assessment that are no problem of it ('Procedure:', 'Counseling:', 'Labs:')
_SECTION_WORD_RE = re.compile(r"^\W*(?:procedures?|counsel\w*|guidance|education|instructions?|patient ed\w*|labs?|"
                              r"imaging|x-?rays?|xr|results?|consent|follow[- ]?up|f/u|rtc|return|medications?|meds|rx|"
                              r"referrals?|time|attestation|course|ed course|notes?|addendum|signed|electronically)\b", re.I)
# the animal of a bite, which its external cause (W53-W55) says, not the injury's code ('Dog bite L hand' S61.452A)
_CAUSE_WORDS = frozenset({"dog", "dogs", "cat", "cats", "animal", "horse", "raccoon", "squirrel", "bat"})
_FILLER = frozenset({"the", "of", "in", "on", "at", "to", "for", "and", "or", "a", "an", "with"})
ASSESSED_DEPTH = 20  # ranked candidates read for an assessed problem the answer lacks
LOOKUP_DEPTH = 40  # codes of the code set's search read for an assessed problem no candidate states (seventeenth session)


def _assessed_heads(narrative: str) -> list[str]:
    """The heads of the items of the note's assessment sections ('Assessment:', 'A/P:', 'Diagnoses:' ...)."""
    return [head for head, _ in _assessed_items(narrative)]


_PROCEDURE_LINE_RE = re.compile(r"^\W*procedure\b", re.I)
_NUMBERED_RE = re.compile(r"^\s*\d{1,2}[.)]\s")


def _assessed_items(narrative: str) -> list[tuple[str, str]]:
    """(head, the item's whole line) of each item of the note's assessment sections: the line gives the side
    ('Acute suppurative otitis media, L, without rupture')."""
    heads, reading = [], False
    for kind, start, end in note_sections(narrative):
        text = narrative[start:end]
        if kind == "assessment" and _ASSESSMENT_LABEL_RE.match(text):
            reading = True
            body = re.sub(r"^\W*[A-Za-z/& ]{1,30}(?::|\n|\s(?=\d[.)]))\s*", "", text)  # its own label
        elif kind == "assessment" and reading and not _KNOWN_LABEL_RE.match(text) and not _SECTION_WORD_RE.match(text):
            body = text  # an item written as a label ('HTN: controlled'), read as the assessment's
        elif reading and _PROCEDURE_LINE_RE.match(text):
            # a procedure's lines inside a numbered assessment ('1. Trigger finger - injection today.', ' Procedure:
            # ...', '2. Carpal tunnel syndrome R - splint'): the numbered items after them are the assessment's
            body = "\n".join(line for line in text.splitlines()[1:] if _NUMBERED_RE.match(line))
        else:
            reading = False  # the assessment itself, not the plan, the disposition, the MDM or the orders
            continue
        for match in _ITEM_RE.finditer(body):
            head = _HEAD_END_RE.split(match.group(1).strip(), maxsplit=1)[0].strip()
            if 3 <= len(head) <= 80 and is_affirmed(head) and not _NOT_A_PROBLEM_RE.search(head):
                heads.append((head, match.group(1).strip()))
    return heads


def _covers(codeset, code: str, head: str) -> bool:
    """Whether the code's description or one of its inclusion terms says every condition and site word of the
    head, outside a 'without ...' part (the head names that condition and nothing more: 'BPH with LUTS' is no
    'BPH without LUTS')."""
    tokens = [w for w in note_words(head) if len(w) >= 3 and w not in QUALIFIERS and w not in _FILLER
              and not w.isdigit() and w not in _CAUSE_WORDS]
    if not tokens:
        return False
    for text in code_texts(codeset, code):
        said = _WITHOUT_PART_RE.sub(" ", re.sub(r"\([^)]*\)", " ", text))
        keys = set().union(*(word_keys(w) for w in words(said))) if words(said) else set()
        if all(_stems([w]) & keys for w in tokens):
            return True
    return False


def _assessed_uncoded(ctx: Context) -> list:
    """A problem an assessment item names (its head) that no coded ICD-10-CM code speaks of gets the best-ranked
    candidate that states it in full, when that candidate is certain, not denied, of a category the answer does not
    code and in no Excludes1 conflict with it (IV.J: code the conditions the visit addresses); when no candidate
    does, the code set looked up by the head's words (looked_up_codes) is read under the same tests. A problem a
    coded code speaks of but says less of than the head gets the code that says it all (_upgrade)."""
    ranked = [c for c in ctx.candidates.get("icd10cm", ())[:ASSESSED_DEPTH] if ctx.codeset.is_valid(c, "icd10cm")]
    coded = list(ctx.icd())
    conflicts = find_conflicts(coded, ctx.codeset)  # the answer's own, which an added code must not add to
    edits = []
    for head, item in _assessed_items(ctx.narrative):
        keys = affirmed_clause_keys(head)
        if not keys:
            continue
        # an external cause ('Bitten by dog' W54.0XXA) tells how, not what: the injury is still to code
        speaking = [c for c in coded if loose_condition_keys(ctx.codeset, c) & keys and c[0] not in "VWXY"]
        if speaking:
            upgrade = _upgrade(ctx, head, item, keys, speaking, coded)
            if upgrade:
                edits.append(upgrade)
                coded[coded.index(upgrade.code)] = upgrade.replacement
                conflicts = find_conflicts(coded, ctx.codeset)
            continue
        if _generic_of_coded_site(ctx, head, coded):
            continue
        looked_up = [c for c in looked_up_codes(ctx.codeset, head) if c not in ranked and ctx.codeset.is_valid(c, "icd10cm")
                     and main_term_stated(ctx.codeset, c, keys, head)]
        passing = [code for code in [*ranked, *looked_up] if not (
            code in coded or code.startswith("Z") or any(c[:3] == code[:3] for c in coded)
            or not stated(ctx.codeset, code, keys, absences=True) or not _covers(ctx.codeset, code, head)
            or not _side_fits(ctx, code, item) or _open_unsaid(ctx, code)
            or any(c.startswith(COVERED_BY.get(code, ("~",))) for c in coded)
            or _uncertain(ctx, code)
            or (code.startswith(SYMPTOMS_CHAPTER) and denied(ctx.codeset, code, ctx.narrative))
            or find_conflicts([*coded, code], ctx.codeset) != conflicts)]
        if not passing:
            continue
        code = max(passing, key=lambda c: _head_words_said(ctx.codeset, c, head))  # the first of those saying most
        side = _side(ctx, code, item)
        code = (sided_variant(ctx.codeset, code, side) if side else None) or code  # its side, as laterality reads it
        label = ctx.codeset.describe(code).lower()
        edits.append(RULE.edit("add", "icd10cm", code, f"the assessment addresses '{head}', which no coded code "
                               f"says: {label} ({code}) is coded"))
        coded.append(code)
        conflicts = find_conflicts(coded, ctx.codeset)
    return edits


# injury codes of no named region or kind, which a named injury of another category replaces (T14.- injury of
# unspecified body region, T30.- burn of unspecified body region)
_UNSPECIFIED_INJURY = ("T14", "T30")


def _open_unsaid(ctx: Context, code: str) -> bool:
    """An open fracture's encounter (7th character B or C) the note never calls open."""
    return len(code) == 8 and code[0] == "S" and code[7] in "BCEFHJMNQR" and not re.search(
        r"\bopen (?:fracture|fx|wound)\b|\bcompound\b", ctx.narrative, re.I)


_GENERIC_WORDS = frozenset({"infection", "infections", "infected", "problem", "problems", "issue", "issues", "concern",
                            "concerns", "complaint", "complaints"})


def _generic_of_coded_site(ctx: Context, head: str, coded: list[str]) -> bool:
    """A head that names only a body part and a generic word ('right ear infection') of a site a coded code names
    (H66.91 otitis media, right ear): the coded code is that problem."""
    head_words = [w for w in note_words(head) if len(w) >= 3 and w not in QUALIFIERS and w not in _FILLER]
    sites = [w for w in head_words if w in ANATOMY]
    if not sites or not any(w in _GENERIC_WORDS for w in head_words) or not all(
            w in _GENERIC_WORDS or w in ANATOMY for w in head_words):
        return False
    return any(_stems(sites) & _stems(words(text)) for c in coded for text in code_texts(ctx.codeset, c))


def _side_fits(ctx: Context, code: str, item: str) -> bool:
    """Whether the side a code says (right, left, bilateral), if any, is the one the item or the note gives."""
    said = _SIDE_WORDS_RE.search(ctx.codeset.describe(code))
    return not said or said.group(0).lower() == _side(ctx, code, item)


def _side(ctx: Context, code: str, item: str) -> str | None:
    """The side of the code's condition: the assessment item's own, else the one laterality reads in the note."""
    return documented_side(item) or condition_side(ctx.narrative, ctx.codeset.describe(code))


def _head_words_said(codeset, code: str, head: str) -> int:
    """How many of the head's words (qualifiers too: 'acute' suppurative otitis media) the code's texts say."""
    head_words = {w for w in note_words(head) if len(w) >= 3 and w not in _FILLER}
    texts = [_stems(words(text)) for text in code_texts(codeset, code)]
    return sum(1 for w in head_words if any(_stems([w]) & text for text in texts))


_SIDE_WORDS_RE = re.compile(r"\b(?:right|left|bilateral)\b", re.I)


def looked_up_codes(codeset, head: str) -> list[str]:
    """The ICD-10-CM codes the code set's search finds for an assessment head, its shorthand spelled out, best
    first (what a coder finds in the index under the head's words)."""
    query = " ".join(note_words(head)) or head
    found = [hit.code for hit in codeset.search(query, "icd10cm", LOOKUP_DEPTH)]
    said = {code: _head_words_said(codeset, code, head) for code in found}
    return sorted(found, key=lambda code: -said[code])  # the codes saying more of the head first


def _upgrade(ctx: Context, head: str, item: str, keys: set[str], speaking: list[str], coded: list[str]):
    """A coded code that speaks of the head's problem but says less than the head ('Unspecified conjunctivitis'
    for 'Acute mucopurulent conjunctivitis') is replaced by the code of its category, or of its chapter when it
    is an unspecified code, that says all the head says (the code set looked up by the head's words), with the
    side the head or the note gives (a sided or bilateral code only when the note gives that side)."""
    if any(_covers(ctx.codeset, c, head) for c in speaking):
        return None
    for code in looked_up_codes(ctx.codeset, head):
        if (code in coded or not ctx.codeset.is_valid(code, "icd10cm") or not main_term_stated(ctx.codeset, code, keys, head)
                or not _covers(ctx.codeset, code, head)):
            continue
        if not _side_fits(ctx, code, item) or _open_unsaid(ctx, code):
            continue  # a side or both sides the note does not give: its unspecified sibling comes below
        side = _side(ctx, code, item)
        old = next((c for c in speaking if (c[:3] == code[:3] or (
            c[0] == code[0] and "unspecified" in ctx.codeset.describe(c).lower()
            and (c[0] not in "ST" or c[:3] in _UNSPECIFIED_INJURY)))
            and (len(c) < 8 or len(code) < 8 or c[7] == code[7])), None)  # an injury keeps its category, its encounter
        if old is None or _uncertain(ctx, code):
            continue
        code = (sided_variant(ctx.codeset, code, side) if side else None) or code
        rest = [c for c in coded if c != old]
        if code in coded or find_conflicts([*rest, code], ctx.codeset) != find_conflicts(rest, ctx.codeset):
            continue
        return RULE.edit("replace", "icd10cm", old, f"the assessment says '{head}', more than {old} "
                         f"({ctx.codeset.describe(old).lower()}) says: {ctx.codeset.describe(code).lower()} ({code})", code)
    return None


def _uncertain(ctx: Context, code: str) -> bool:
    # imported here: core.rules.uncertain imports this module (stated, DEPTH)
    from core.rules.uncertain import uncertain

    return uncertain(ctx.codeset, code, ctx.narrative) is not None


def _propose(ctx: Context) -> list:
    assessed = _assessed_uncoded(ctx) if ctx.candidates.get("icd10cm") and visit_note(ctx.narrative) else []
    if ctx.icd() or assessed:  # an answer with no code at all first gets the problems its assessment names
        return assessed
    ranked = [c for c in ctx.candidates.get("icd10cm", ())[:DEPTH] if ctx.codeset.is_valid(c, "icd10cm")]
    if not any(c.startswith(SYMPTOMS_CHAPTER) for c in ranked):
        return []
    sentences = split_sentences(ctx.narrative, keep_labels=True)
    assessment = [s for s in sentences if _ASSESSMENT_RE.match(s)]
    keys = affirmed_clause_keys(" ".join(assessment) if assessment else sentences[0] if sentences else "")
    everywhere = affirmed_clause_keys(ctx.narrative)
    for code in ranked:
        if not code.startswith(SYMPTOMS_CHAPTER):
            if is_diagnosis(code) and stated(ctx.codeset, code, everywhere):
                return []  # a diagnosis ranked above the symptoms is stated: the answer lacks that, not a symptom
            continue
        if stated(ctx.codeset, code, keys):
            label = ctx.codeset.describe(code).lower()
            return [RULE.edit("add", "icd10cm", code, f"no diagnosis is established: {label}, the reason for the "
                                                      f"visit, is coded ({code})")]
    return []


RULE = Rule("reason_for_visit", GUIDELINE, "with no diagnosis established, the documented sign or symptom is coded",
            _propose, one_encounter=True)
