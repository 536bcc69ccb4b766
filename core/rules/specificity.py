"""Specificity the note documents: the side of a lateral condition (ICD-10-CM Official Guidelines I.B.13,
I.A.9.b: unspecified codes only when the record gives no more detail) and the combination codes the "with"
convention presumes (I.A.15; diabetes with CKD I.C.4.a, hypertension with heart or kidney disease I.C.9.a)."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.documentation import affirmed_sentence_keys, code_texts, documented_keys, supported, word_keys
from core.rules.models import Context, Rule
from core.rules.narrative import condition_side, condition_words, documented_side, patient_text
from core.text import affirmed, split_sentences, words

SIDE_GUIDELINE = "ICD-10-CM Official Guidelines I.B.13 (laterality) and I.A.9.b (unspecified codes)"
COMBINATION_GUIDELINE = "ICD-10-CM Official Guidelines I.A.15 ('with'), I.C.4.a and I.C.9.a (combination codes)"
_SIDE_WORDS = {"right": ("right",), "left": ("left",), "bilateral": ("bilateral",)}


@lru_cache(maxsize=4096)
def _same_category(codeset, code: str) -> tuple[str, ...]:
    prefix = code[:3]
    return tuple(c for c in codeset.tables["icd10cm"] if c.startswith(prefix) and len(c) == len(code))


def sided_variant(codeset, code: str, side: str) -> str | None:
    """The code that says `side` where `code` says 'unspecified <part>' (e.g. S93.409A -> S93.401A for right)."""
    description = codeset.describe(code)
    if "unspecified" not in description:
        return None
    wanted = set()
    parts = description.split("unspecified")
    for i in range(1, len(parts)):
        for word in _SIDE_WORDS[side]:
            wanted.add(("unspecified".join(parts[:i]) + word + "unspecified".join(parts[i:])).lower())
    for candidate in _same_category(codeset, code):
        if candidate != code and codeset.describe(candidate).lower() in wanted and codeset.is_valid(candidate):
            return candidate
    return None


def described_side(description: str) -> str | None:
    """'right' or 'left' when a code's description names exactly one of them ('Pain in left wrist'), else None."""
    named = set(re.findall(r"\b(right|left)\b", description.lower()))
    return named.pop() if len(named) == 1 else None


def opposite_variant(codeset, code: str, side: str) -> str | None:
    """The code that says `side` where `code` says the other side (M25.511 right shoulder -> M25.512 for left)."""
    description = codeset.describe(code).lower()
    named = described_side(description)
    if named is None or side == named or side not in ("right", "left"):
        return None
    wanted = re.sub(rf"\b{named}\b", side, description)
    return next((c for c in _same_category(codeset, code)
                 if c != code and codeset.describe(c).lower() == wanted and codeset.is_valid(c)), None)


_SIDE_FREE_DROP = frozenset({"right", "left", "bilateral", "unilateral", "of", "the", "and"})


def _side_free(description: str) -> frozenset[str]:
    """A description's words but its side ('right ear', 'left eye' and 'bilateral' say only the side)."""
    text = re.sub(r"\b(right|left) (?:eye|ear)\b", r"\1", description.lower())
    text = re.sub(r"\b(limb|extremit|kidney|lung|ovar|breast)(?:s|ies|y)\b", r"\1", text)  # 'bilateral upper limbs'
    return frozenset(re.findall(r"[a-z0-9]+", text)) - _SIDE_FREE_DROP


@lru_cache(maxsize=4096)
def bilateral_variant(codeset, code: str) -> str | None:
    """The 'bilateral' code of a right/left condition, when the classification has one (M17.11 unilateral primary
    osteoarthritis, right knee -> M17.0 bilateral primary osteoarthritis of knee; H66.001 -> H66.003); any length
    within the category."""
    description = codeset.describe(code)
    if not re.search(r"\b(right|left)\b", description, re.I):
        return None
    key = _side_free(description)
    return next((c for c in codeset.tables["icd10cm"] if c.startswith(code[:3]) and c != code
                 and re.search(r"\bbilateral\b", codeset.describe(c), re.I)
                 and _side_free(codeset.describe(c)) == key and codeset.is_valid(c)), None)


# one sentence naming both sides ('Osteoarthritis of the right knee and of the left knee')
_BOTH_WORDS_RE = re.compile(r"\bright\b.*\bleft\b|\bleft\b.*\bright\b", re.I)


def _both_sides(narrative: str, description: str) -> bool:
    """Whether the sentences naming the condition (its words, the side left out) give it on both sides: 'bilateral',
    or one sentence for the right and one for the left ('L knee occ mild ache' beside 'R knee OA' names no OA of
    the left knee)."""
    stems = condition_words(re.sub(r"\b(right|left)\b", " ", description, flags=re.I))
    if not stems:
        return True  # nothing to read the condition by: both codes stand as coded
    regex = re.compile(r"\b(" + "|".join(stems) + ")", re.I)
    sides = {documented_side(s) or ("bilateral" if _BOTH_WORDS_RE.search(s) else None)
             for s in split_sentences(narrative, keep_labels=True) if regex.search(s)}
    # sentences that name no side ('A: R carpal tunnel syndrome': a side letter before no body part) say nothing of
    # the other side
    return not sides or "bilateral" in sides or {"right", "left"} <= sides


def _bilateral_edits(ctx: Context, icd: list[str]) -> tuple[list, set[str]]:
    """A condition coded for the right and for the left side is its bilateral code where the classification has
    one (I.B.13: 'when a patient has a bilateral condition ... assign the bilateral code'); without one, both
    sides stay coded. Returns the edits and the codes they touch."""
    edits, touched = [], set()
    for code in icd:
        if code in touched or not re.search(r"\bright\b", ctx.codeset.describe(code), re.I):
            continue
        other = opposite_variant(ctx.codeset, code, "left")
        both = bilateral_variant(ctx.codeset, code)
        if (other in icd and both and both == bilateral_variant(ctx.codeset, other)
                and _both_sides(ctx.narrative, ctx.codeset.describe(code))):
            reason = (f"the right ({code}) and the left ({other}) side are both coded: the classification's bilateral "
                      f"code {both} says both")
            edits.append(SIDE_RULE.edit("replace", "icd10cm", code, reason, both))
            edits.append(SIDE_RULE.edit("drop", "icd10cm", other, reason))
            touched |= {code, other}
    return edits, touched


def _propose_side(ctx: Context) -> list:
    """The side must be named in a sentence about the condition itself (its description's words, the side
    words left out)."""
    icd = ctx.icd()
    edits, touched = _bilateral_edits(ctx, icd)
    for code in icd:
        if code in touched:
            continue
        description = ctx.codeset.describe(code)
        if "unspecified" in description and not re.search(r"\b(right|left)\b", description):
            side = condition_side(ctx.narrative, description)
            better = sided_variant(ctx.codeset, code, side) if side else None
            if better:
                edits.append(SIDE_RULE.edit("replace", "icd10cm", code, f"the note documents the {side} side: "
                                            f"{better} instead of the unspecified-side {code}", better))
            continue
        side = condition_side(ctx.narrative, re.sub(r"\b(right|left)\b", " ", description, flags=re.I))
        both = bilateral_variant(ctx.codeset, code) if side == "bilateral" else None
        if both:
            edits.append(SIDE_RULE.edit("drop" if both in icd else "replace", "icd10cm", code,
                                        f"the note documents the condition on both sides: {both}, not {code}", both))
            continue
        other = opposite_variant(ctx.codeset, code, side) if side else None
        if other in icd:
            edits.append(SIDE_RULE.edit("drop", "icd10cm", code, f"the note documents the {side} side only: "
                                        f"{other} is coded, {code} is not"))
        elif other:
            edits.append(SIDE_RULE.edit("replace", "icd10cm", code, f"the note documents the {side} side: "
                                        f"{other}, not {code}", other))
    return edits


# (code prefixes present together) -> (code to replace, replacement, reason); both must be coded
# a kidney or ureter stone with hydronephrosis is one code (the Index: Calculus, ureter/kidney, with hydronephrosis
# N13.2; N20 Excludes1 it); the note's words for both, in one sentence
_STONE_WITH_HYDRO_RE = (r"\b(?:calcul\w*|stones?|\w*lithiasis)\b[^.;]{0,60}\bhydro(?:nephrosis)?\b|"
                        r"\bhydro(?:nephrosis)?\b[^.;]{0,60}\b(?:calcul\w*|stones?|\w*lithiasis)\b")
_STONES = ("N20.0", "N20.1", "N20.2", "N20.9")
_HYDRONEPHROSIS = ("N13.30", "N13.39", "N13.9", "N13.4")


def stone_with_hydronephrosis(narrative: str) -> bool:
    """A sentence names a stone and an hydronephrosis it does not deny ("stone, no hydronephrosis" does not)."""
    return any(re.search(_STONE_WITH_HYDRO_RE, s, re.I) and affirmed(s, r"\bhydro(?:nephrosis)?\b")
               for s in split_sentences(narrative, keep_labels=True))


# codes an Index entry documents in words their description does not use
INDEX_TERMS = {"N13.2": stone_with_hydronephrosis}


def _stone_with_hydronephrosis(ctx: Context, icd: list[str]) -> list:
    stones = [c for c in icd if c in _STONES]
    if not stones or "N13.2" in icd or not stone_with_hydronephrosis(ctx.narrative):
        return []
    reason = ("a kidney or ureter stone with hydronephrosis is hydronephrosis with renal and ureteral calculous "
              "obstruction: N13.2 (N20 excludes it)")
    edits = [COMBINATION_RULE.edit("replace", "icd10cm", stones[0], reason, "N13.2")]
    edits += [COMBINATION_RULE.edit("drop", "icd10cm", c, reason) for c in icd if c in stones[1:] or c in _HYDRONEPHROSIS]
    return edits


COMBINATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("E11.9", "N18", "E11.22", "diabetes 'with' chronic kidney disease is presumed linked: E11.22"),
    ("E10.9", "N18", "E10.22", "diabetes 'with' chronic kidney disease is presumed linked: E10.22"),
    ("I10", "N18.3", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.1", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.2", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.4", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.9", "I12.9", "hypertension with CKD is hypertensive CKD: I12.9"),
    ("I10", "N18.5", "I12.0", "hypertension with CKD stage 5 is hypertensive CKD: I12.0"),
    ("I10", "I50", "I11.0", "hypertension with heart failure is hypertensive heart disease with heart failure: I11.0"),
)


_DIABETES = ("E08", "E09", "E10", "E11", "E13")


_GALLSTONES_RE = r"\bcholelithiasis\b|\bgall ?stones?\b|\bcalculous cholecystitis\b|\bstones? in the gallbladder\b"


def _cholecystitis_with_stones(ctx: Context, icd: list[str]) -> list:
    """Cholecystitis (K81.0 acute, K81.1 chronic) with gallstones the note affirms is one code: calculus of the
    gallbladder with acute / chronic cholecystitis (K80.00 / K80.10; with obstruction -01 / -11)."""
    code = next((c for c in icd if c in ("K81.0", "K81.1", "K81.2")), None)
    if not code or not affirmed(patient_text(ctx.narrative), _GALLSTONES_RE):
        return []
    obstruction = affirmed(ctx.narrative, r"\bobstruct\w*|\bimpacted\b")
    target = {"K81.0": "K80.0", "K81.1": "K80.1", "K81.2": "K80.1"}[code] + ("1" if obstruction else "0")
    if target in icd:
        return []
    return [COMBINATION_RULE.edit("replace", "icd10cm", code, f"cholecystitis with gallstones is one code: {target} "
                                  f"({ctx.codeset.describe(target).lower()})", target)]


_PREGNANT_RE = r"\bG\d+\s*P\d+|\bpregnan(?:t|cy)\b|\bIUP\b|\bgestation\b|\bEGA\b|\btrimester\b|\bprenatal\b"
_WEEKS_RE = re.compile(r"\b(\d{1,2})\s*(?:w|wk|wks|weeks?)(?:\s*\+?\s*\d\s*d(?:ays?)?|\d\s*d)?\b(?:\s*(?:gestation|pregnant|EGA|GA|IUP))?", re.I)
_TRIMESTER_WORDS = {"1": r"\b(?:1st|first) trimester\b", "2": r"\b(?:2nd|second) trimester\b", "3": r"\b(?:3rd|third) trimester\b"}
# a urinary infection coded in a pregnant patient -> its Chapter 15 category (+ trimester)
_IN_PREGNANCY = {"N30": "O23.1", "N39.0": "O23.4", "N10": "O23.0", "N34": "O23.2"}


def pregnancy_weeks(narrative: str) -> int | None:
    """The weeks of gestation a pregnant patient's note states ('G2P1 at 16w2d', '24 weeks pregnant'), else None."""
    for sentence in split_sentences(narrative, keep_labels=True):
        if affirmed(sentence, _PREGNANT_RE) and not re.search(r"\bnot pregnant\b|\bupt neg|\bpregnancy test neg", sentence, re.I):
            match = _WEEKS_RE.search(sentence)
            if match and 4 <= int(match.group(1)) <= 44:
                return int(match.group(1))
    return None


def _urinary_infection_in_pregnancy(ctx: Context, icd: list[str]) -> list:
    """A urinary infection in a pregnant patient is coded from Chapter 15 (I.C.15.a.1): cystitis N30.- -> O23.1-,
    UTI N39.0 -> O23.4-, pyelonephritis N10 -> O23.0-, by the trimester the note states or its weeks (before 14
    first, before 28 second, else third), with the weeks of gestation Z3A.- (I.C.21.c.11)."""
    coded = [c for c in icd if c.startswith(tuple(_IN_PREGNANCY))]
    weeks = pregnancy_weeks(ctx.narrative) if coded else None
    named = [t for t, pattern in _TRIMESTER_WORDS.items() if affirmed(ctx.narrative, pattern)]
    if not coded or (weeks is None and len(named) != 1):
        return []
    trimester = named[0] if len(named) == 1 else "1" if weeks < 14 else "2" if weeks < 28 else "3"
    edits = []
    for code in coded:
        target = _IN_PREGNANCY[next(p for p in _IN_PREGNANCY if code.startswith(p))] + trimester
        if ctx.codeset.is_valid(target, "icd10cm"):
            edits.append(COMBINATION_RULE.edit("drop" if target in icd else "replace", "icd10cm", code, f"a urinary "
                                               f"infection in pregnancy is coded from Chapter 15: {target} "
                                               f"({ctx.codeset.describe(target).lower()})", target))
    if edits and weeks is not None and not any(c.startswith("Z3A") for c in icd):
        z3a = "Z3A.01" if weeks < 8 else "Z3A.49" if weeks > 42 else f"Z3A.{weeks:02d}"
        if ctx.codeset.is_valid(z3a, "icd10cm"):
            edits.append(COMBINATION_RULE.edit("add", "icd10cm", z3a, f"the weeks of gestation go with a pregnancy code: "
                                               f"{z3a} ({ctx.codeset.describe(z3a).lower()})"))
    return edits


def _lumbago_with_sciatica(icd: list[str]) -> list:
    """Low back pain (M54.5-) with sciatica (M54.3-) is one code, lumbago with sciatica M54.4- of the sciatica's
    side (the Index: Lumbago, with sciatica M54.4-)."""
    sciatica = next((c for c in icd if c.startswith("M54.3")), None)
    back = [c for c in icd if c.startswith("M54.5")]
    if not sciatica or not back:
        return []
    target = "M54.4" + sciatica[5:]
    reason = f"low back pain with sciatica is lumbago with sciatica: {target}, not {sciatica} and {', '.join(back)}"
    return ([COMBINATION_RULE.edit("replace", "icd10cm", sciatica, reason, target)]
            + [COMBINATION_RULE.edit("drop", "icd10cm", c, reason) for c in back])


def _propose_combination(ctx: Context) -> list:
    icd, edits = ctx.icd(), []
    # hypertension with both CKD and heart failure is hypertensive heart and CKD (I13), not I12 or I11 alone
    hypertension = next((c for c in icd if c in ("I10", "I11.0", "I11.9", "I12.0", "I12.9")), None)
    if hypertension and any(c.startswith("N18") for c in icd) and any(c.startswith("I50") for c in icd):
        target = "I13.2" if any(c in ("N18.5", "N18.6") for c in icd) else "I13.0"
        if target not in icd:
            edits.append(COMBINATION_RULE.edit("replace", "icd10cm", hypertension, "hypertension with chronic kidney "
                                               "disease and heart failure is hypertensive heart and chronic kidney "
                                               f"disease with heart failure: {target}", target))
            icd.remove(hypertension)
            icd.append(target)
    combined = next((c for c in icd if c.startswith("I13")), None)
    for code in [c for c in icd if c in ("I10", "I11.0", "I11.9", "I12.0", "I12.9")] if combined else []:
        edits.append(COMBINATION_RULE.edit("drop", "icd10cm", code, f"{combined} (hypertensive heart and chronic kidney "
                                           f"disease) codes the hypertension with both: {code} is not coded with it"))
        icd.remove(code)
    for code, partner, replacement, reason in COMBINATIONS:
        if code in icd and any(c.startswith(partner) for c in icd) and replacement not in icd:
            edits.append(COMBINATION_RULE.edit("replace", "icd10cm", code, reason, replacement))
            icd.remove(code)
    edits += _stone_with_hydronephrosis(ctx, icd)
    edits += _lumbago_with_sciatica(icd)
    edits += _cholecystitis_with_stones(ctx, icd)
    edits += _urinary_infection_in_pregnancy(ctx, icd)
    for category in _DIABETES:  # I.C.4.a: Exx.9 is diabetes without complications; a complication code says both
        plain = category + ".9"
        other = next((c for c in icd if c.startswith(category) and c != plain), None)
        if plain in icd and other:
            edits.append(COMBINATION_RULE.edit("drop", "icd10cm", plain, f"{other} already codes the diabetes with its "
                                               f"complication: {plain} (without complications) is not coded with it"))
    return edits


_TYPE_PATTERNS = {"E10": r"\b(type 1|type I|T1DM|DM1|DM type 1|insulin-dependent) diabet|\b(T1DM|DM1|DM type 1)\b|"
                         r"\b(type 1|type I|T1) DM\b",
                  "E11": r"\b(type 2|type II|T2DM|DM2|DM type 2) diabet|\b(T2DM|DM2|DM type 2)\b|\b(type 2|type II|T2) DM\b"}
TYPE_GUIDELINE = "ICD-10-CM Official Guidelines I.C.4.a.2 (type of diabetes as documented; E11 when not documented)"


def documented_diabetes_type(narrative: str) -> str | None:
    """'E10' or 'E11' when the note names exactly one type of diabetes (the patient's: a relative's type 1
    diabetes says nothing of the patient's)."""
    narrative = patient_text(narrative)
    found = [category for category, pattern in _TYPE_PATTERNS.items() if affirmed(narrative, pattern)]
    return found[0] if len(found) == 1 else None


def _propose_type(ctx: Context) -> list:
    documented = documented_diabetes_type(ctx.narrative)
    if documented is None:
        return []
    edits = []
    for code in ctx.icd():
        if code[:3] in _TYPE_PATTERNS and code[:3] != documented:
            better = documented + code[3:]
            edits.append(TYPE_RULE.edit("replace", "icd10cm", code, f"the note documents {'type 1' if documented == 'E10' else 'type 2'} "
                                        f"diabetes: {better}, not {code}", better))
    return edits


TYPE_RULE = Rule("diabetes_type", TYPE_GUIDELINE, "the diabetes category follows the documented type", _propose_type,
                 one_encounter=True)
SIDE_RULE = Rule("laterality", SIDE_GUIDELINE, "an unspecified-side or wrong-side code becomes the documented side",
                 _propose_side,
                 one_encounter=True)
COMBINATION_RULE = Rule("combination_code", COMBINATION_GUIDELINE,
                        "conditions the 'with' convention links are coded by their combination code",
                        _propose_combination, one_encounter=True)


SPECIFICITY_GUIDELINE = ("ICD-10-CM Official Guidelines I.A.9.b and I.B.18 (an unspecified code only when the record "
                         "has no more detail; no specificity the record does not support), I.C.19.c.1 (a fracture "
                         "not documented as displaced or nondisplaced is displaced), I.C.10.c (influenza "
                         "due to an identified virus) and I.C.14.a (the documented stage of chronic kidney disease)")
# words of a description that add no meaning a note must state
_FILLER = frozenset("""unspecified other specified encounter initial subsequent sequela with without due to of and or
the in for by as on type site part nos not elsewhere classified disease disorder condition unknown cause region
closed open routine healing""".split())
# an absence the classification assumes when the note says nothing of it (the Index's default): a laceration is
# "without foreign body", asthma "without status asthmaticus"; such words are no claim a note must make ("without
# aura" is: migraine with or without aura is a documented distinction)
_DEFAULT_ABSENCE_RE = re.compile(r"\bnot intractable\b|\bwithout (?:foreign body|complications?|status (?:asthmaticus|migrainosus)|coma|"
                                 r"perforation|obstruction|hemorrhage|mention of [a-z ]+?|behavioral disturbance|"
                                 r"penetration into [a-z ]+?)(?=\s*(?:,|\bof\b|$))", re.I)
# a qualifier the note denies documents nothing: "migraine without aura, not intractable" names no intractability
_DENIED_QUALIFIER_RE = re.compile(r"\b(?:not|non-?) ?intractable\b", re.I)
# a feature the classification codes with or without ("migraine without aura", "cystitis without hematuria"): the
# note's "without X" documents the "without X" code, so X is read as a word of the sentence (which a negation cue
# would otherwise leave unread); the "with X" sibling is kept out by _contradicted
_ABSENT_FEATURE_RE = re.compile(r"\bwithout (aura|hematuria)\b", re.I)
# "with X" / "without X" in a description: the feature X the note must not say the opposite of
_WITH_FEATURE_RE = re.compile(r"\b(with|without) ([a-z]+)")
_FRACTURE_RE = re.compile(r"\b(fractures?|fx)\b", re.I)
_DISPLACEMENT_RE = re.compile(r"\b(non-?displaced|undisplaced|displaced)\b", re.I)


def _contradicted(codeset, code: str, narrative: str) -> bool:
    """Whether the note says the opposite of a feature the code's description has with or without ('migraine
    with aura' for "migraine without aura", '... without aura' for "with aura")."""
    for polarity, feature in _WITH_FEATURE_RE.findall(codeset.describe(code).lower()):
        opposite = "without" if polarity == "with" else "with"
        if (re.search(rf"\b{opposite} {feature}", narrative, re.I)
                and not re.search(rf"\b{polarity} {feature}", narrative, re.I)):
            return True
    return False


def with_fracture_default(narrative: str) -> str:
    """The note as a coder reads it for a fracture's displacement (I.C.19.c.1: a fracture not indicated as
    displaced or nondisplaced is coded displaced): when the note says neither, each 'fracture' reads 'displaced
    fracture'; a note that says either is read as it stands."""
    if _DISPLACEMENT_RE.search(narrative):
        return narrative
    # a torus (buckle) or greenstick fracture is neither displaced nor not: its codes say no displacement
    return _FRACTURE_RE.sub(lambda m: m.group(0) if _NO_DISPLACEMENT_RE.search(narrative[:m.start()])
                            else "displaced " + m.group(0), narrative)


_NO_DISPLACEMENT_RE = re.compile(r"\b(?:torus|buckle|greenstick)\s*(?:\([^)]*\)\s*)?$", re.I)
_IDENTIFIED_FLU = (r"\binfluenza (type )?[AB]\b|\bflu [AB]\b|\b(positive|\+) for influenza\b|\bH1N1\b|\bH3N2\b"
                   r"|\binfluenza[^.;]{0,30}\b(positive|detected)\b")


@lru_cache(maxsize=8192)
def _meaning(codeset, code: str) -> tuple[tuple[tuple[tuple[str, frozenset[str]], ...], ...], frozenset[str], bool,
                                          bool]:
    """Per text of the code (its description and own inclusion terms): each meaningful word (its first five
    letters) with the keys that document it; the side words of the description; whether it says 'unspecified';
    whether it is an 'other' code."""
    description = codeset.describe(code).lower()
    texts = []
    for text in code_texts(codeset, code, inherited=False):
        # 'hepatitis c': the letter counts; a bare number does not ('type 2', 'stage 2' elsewhere in a sentence)
        text = _DEFAULT_ABSENCE_RE.sub(" ", re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text))  # "(acute)", "[episodic ...]"
        tokens = [w for w in words(text) if w not in _FILLER and not w.isdigit()
                  and not (w in ("bone", "bones") and _NAMED_BONE_RE.search(text))]  # 'fifth metatarsal bone(s)'
        texts.append(tuple((w[:5], word_keys(w)) for w in tokens if w not in ("right", "left", "bilateral")))
    sides = frozenset(re.findall(r"\b(right|left|bilateral)\b", description))
    return tuple(texts), sides, "unspecified" in description, bool(re.search(r"\bother\b", description))


Text = tuple[tuple[str, frozenset[str]], ...]
# a description naming its bone ('fracture of fifth metatarsal bone'): the word 'bone' says nothing more
_NAMED_BONE_RE = re.compile(r"\b(?:metatarsal|metacarpal|phalanx|phalanges|radius|ulna|humerus|femur|tibia|fibula|"
                            r"clavicle|scapula|navicular|scaphoid|calcaneus|talus|patella|cuboid|cuneiform|carpal|"
                            r"lunate|hamate|capitate|pisiform|trapezium|trapezoid|triquetrum|sesamoid)\b", re.I)


def _positions(text: Text, sentence: list[set[str]]) -> dict[str, list[int]] | None:
    """Where in the sentence (word positions) each meaningful word of the text is, or None when one is not."""
    found = {word: [i for i, token in enumerate(sentence) if keys & token] for word, keys in text}
    return found if all(found.values()) else None


def _documented(texts, sentences: list[list[set[str]]]) -> list[tuple[int, Text, dict[str, list[int]]]]:
    """(sentence index, text, word positions) for each text a sentence documents in full."""
    return [(i, text, found) for text in texts if text for i, sentence in enumerate(sentences)
            if (found := _positions(text, sentence))]


def _next_to(extra: set[str], shared: set[str], found: dict[str, list[int]]) -> bool:
    """Every extra word stands next to a shared one, stop words aside ('allergic urticaria', 'stage 3a'; not
    the 'acute' of 'acute bronchitis with cough')."""
    near = [i for word in shared for i in found[word]]
    return all(any(abs(i - j) <= 1 for i in found[word] for j in near) for word in extra)


@lru_cache(maxsize=4096)
def _category(codeset, code: str) -> tuple[str, ...]:
    """The category's billable codes, of any length."""
    table = codeset.tables["icd10cm"]
    return tuple(c for c in table if c.startswith(code[:3]) and table[c].billable)


def _neighbours(codeset, code: str, any_length: bool = False) -> list[str]:
    """Codes the same condition could be coded by: the category's codes of the same length and 7th character
    (`any_length`: its billable codes of any length, those with a 7th character only for a code with the same one:
    I48.0 paroxysmal -> I48.21 permanent atrial fibrillation)."""
    if any_length:
        return [c for c in _category(codeset, code) if c != code
                and (len(c) < 8 and len(code) < 8 or len(c) == len(code) == 8 and c[-1] == code[-1])]
    return [c for c in _same_category(codeset, code) if c != code and (len(code) < 8 or c[-1] == code[-1])]


def _opposite_feature(codeset, code: str, candidate: str) -> bool:
    """Whether the candidate says 'without X' where the code says 'with X', or the reverse (I13.10 'without heart
    failure' is no move from I13.0 'with heart failure')."""
    ours = set(_WITH_FEATURE_RE.findall(codeset.describe(code).lower()))
    theirs = set(_WITH_FEATURE_RE.findall(codeset.describe(candidate).lower()))
    return any(("without" if polarity == "with" else "with", feature) in theirs for polarity, feature in ours)


def documented_sibling(codeset, code: str, mentioned: set[str], sentences: list[list[set[str]]],
                       coded: tuple[str, ...] = (), narrative: str = "") -> str | None:
    """The code of the same category the note documents better, for the same condition (a word in common):
    when `code` claims words the note never says (F32.9 'major depressive disorder' for 'depression'), the one
    whose every word one affirmed sentence names; when `code` is unspecified and documented, the one code
    whose words, some beyond `code`'s own and next to them, one affirmed sentence names along with `code`'s
    (J02.9 -> J02.0 for 'streptococcal pharyngitis'). The candidate's own description must be documented (an
    inclusion term of another code is too weak a reason to move). Same side; 'other' codes never; a code that
    claims more is not folded into a coded sibling (both may be documented in words the note's language puts
    otherwise). A code claiming more whose condition the note never names at all moves only within its
    subcategory (S51.812A laceration -> S51.852A bite, both open wounds of the forearm, S51.8): a sibling elsewhere
    in the category that shares a site word is another condition (tinnitus H93.19 is no 'disorder of ear' H93.90
    for an ear-pain note); such a code is unsupported, not unspecific."""
    texts, sides, unspecified, _ = _meaning(codeset, code)
    claims_more = not _documented(texts, [[mentioned]])
    if not claims_more and not unspecified:
        return None
    near = claims_more and not supported(codeset, code, mentioned)
    own = {word for text in texts for word, _ in text}
    own_keys = {key for text in texts for _, keys in text for key in keys}  # with synonyms: anxiety ~ panic
    own_sentences = {i for i, _, _ in _documented(texts, sentences)}
    ranked = []
    for candidate in _neighbours(codeset, code, any_length=claims_more and not near):
        if near and candidate[:5] != code[:5]:
            continue
        c_texts, c_sides, c_unspecified, c_other = _meaning(codeset, candidate)
        # an unspecified sibling is a move only when it says more that the note documents (J01.90 acute sinusitis ->
        # J01.00 acute maxillary sinusitis, 'unspecified' there being its recurrence): checked below, word by word
        if c_other or c_sides != sides or (claims_more and candidate in coded) or (
                narrative and _contradicted(codeset, candidate, narrative)):
            continue
        across = len(candidate) != len(code)
        if across and (c_unspecified or candidate.endswith(".9") or _opposite_feature(codeset, code, candidate)):
            continue  # across lengths only to a code that says more, never the reverse of a feature the code has
        found = []
        for i, text, positions in _documented(c_texts[:1], sentences):
            words_ = {w for w, _ in text}
            shared = words_ & own or (claims_more and not across
                                      and {key for _, keys in text for key in keys} & own_keys)
            if shared and (claims_more or (i in own_sentences and words_ - own
                                                 and _next_to(words_ - own, words_ & own, positions))):
                found.append(text)
        if found:
            ranked.append((not c_unspecified, max(len(t) for t in found), candidate))
    ranked.sort(reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]):
        return None
    return ranked[0][2]


_NOS_RE = re.compile(r",?\s+NOS$")


@lru_cache(maxsize=4)
def _nos_terms(codeset) -> dict[str, tuple[tuple[str, Text], ...]]:
    """Chapter letter -> (billable code, meaningful words) of each "X NOS" inclusion term of a billable code
    ('Infectious gastroenteritis NOS' of A09), for terms of two meaningful words or more: the phrase the
    Tabular itself places at that code (a one-word 'Gastroenteritis NOS' is a default, too weak to move to)."""
    found: dict[str, list[tuple[str, Text]]] = {}
    table = codeset.tables["icd10cm"]
    for code in sorted(codeset.notes):
        if code not in table or not table[code].billable:
            continue
        for term in codeset.notes[code].get("inclusion_terms", ()):
            if not _NOS_RE.search(term):
                continue
            tokens = [w for w in words(re.sub(r"\([^)]*\)", " ", _NOS_RE.sub("", term))) if w not in _FILLER
                      and not w.isdigit()]
            if len(set(tokens)) >= 2 and not {"right", "left", "bilateral"} & set(tokens):
                found.setdefault(code[0], []).append((code, tuple((w[:5], word_keys(w)) for w in tokens)))
    return {letter: tuple(terms) for letter, terms in found.items()}


def _contiguous(positions: dict[str, list[int]]) -> bool:
    """Every word stands next to another word of the phrase ('infectious gastroenteritis', not 'infectious
    ... gastroenteritis' apart)."""
    return all(any(abs(i - j) == 1 for i in spots for other, theirs in positions.items() if other != word
                   for j in theirs) for word, spots in positions.items())


def documented_nos_term(codeset, code: str, mentioned: set[str], sentences: list[list[set[str]]],
                        coded: tuple[str, ...] = (), narrative: str = "") -> str | None:
    """The code of the same chapter whose "X NOS" inclusion term one affirmed sentence names as a phrase, when
    `code` claims words the note never says and the term's words are all words of `code` too (A08.4 'viral
    intestinal infection', 'viral gastroenteritis' coded for 'infectious gastroenteritis' -> A09, whose
    inclusion term is 'Infectious gastroenteritis NOS'): the move keeps what the note documents and drops what
    it does not, never adds a condition (no I10 -> I11.9 'hypertensive heart disease' for 'hypertension with
    heart failure'). The longest such term wins; two codes with terms of the same length, or none, move
    nothing."""
    texts, sides, _, _ = _meaning(codeset, code)
    if not any(texts) or _documented(texts, [[mentioned]]):
        return None  # the note says every word of one of the code's texts: it claims nothing more
    own = {word for text in texts for word, _ in text}
    ranked = []
    for candidate, term in _nos_terms(codeset).get(code[:1], ()):
        if candidate == code or candidate in coded or not {w for w, _ in term} <= own:
            continue  # the term names only what the code names too: the move adds no condition
        _, c_sides, _, c_other = _meaning(codeset, candidate)
        if (c_other or c_sides != sides or (narrative and _contradicted(codeset, candidate, narrative))
                or _opposite_feature(codeset, code, candidate)):
            continue
        if any(_contiguous(positions) for _, _, positions in _documented((term,), sentences)):
            ranked.append((len(term), candidate))
    ranked = sorted(set(ranked), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


_VAPING_RE = re.compile(r"\be-?cig\w*|\bvap(?:e|es|ed|ing|er)\b|\bjuul\b|\belectronic cigarettes?\b", re.I)
_CIGARETTE_RE = re.compile(r"(?<!e-)(?<!electronic )\bcigarettes?\b|\bppd\b|\bpacks?[- ](?:a|per)[- ]day\b|\bpack[- ]years?\b", re.I)


def _vaping(ctx: Context, code: str) -> str | None:
    """F17.29x (nicotine dependence, other tobacco product) for a cigarette code F17.21x when the note's nicotine is
    vaped and no sentence affirms cigarettes ("never smoked cigarettes" does not)."""
    if not code.startswith("F17.21") or not _VAPING_RE.search(ctx.narrative):
        return None
    if any(_CIGARETTE_RE.search(s) and affirmed(s, _CIGARETTE_RE.pattern)
           for s in split_sentences(ctx.narrative, keep_labels=True)):
        return None
    better = "F17.29" + code[6:]
    return better if ctx.codeset.is_valid(better, "icd10cm") else None


def _identified_flu(ctx: Context, code: str) -> str | None:
    """J10 for J11 when a clause of the note identifies the virus and no negative result or negation goes with it
    ("influenza A POSITIVE, B negative": the first clause does)."""
    better = "J10" + code[3:]
    if not code.startswith("J11") or not ctx.codeset.is_valid(better):
        return None
    for sentence in split_sentences(ctx.narrative, keep_labels=True):
        for clause in re.split(r"[,;]", sentence):
            if (re.search(_IDENTIFIED_FLU, clause, re.I) and affirmed(clause, _IDENTIFIED_FLU)
                    and not re.search(r"\b(negative|not detected)\b", clause, re.I)):
                return better
    return None


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_CKD_STAGE_RE = (r"\b(?:ckd|chronic kidney disease|chronic renal (?:disease|failure|insufficiency))\b[^.;]{0,25}?"
                 r"\bstage\s*(?P<a>[1-5]|iv|v|i{1,3})(?P<ab>[ab])?\b"
                 r"|\bstage\s*(?P<b>[1-5]|iv|v|i{1,3})(?P<bb>[ab])?\s+(?:ckd|chronic kidney)")
_CKD_CODES = {"1": "N18.1", "2": "N18.2", "3": "N18.30", "3a": "N18.31", "3b": "N18.32", "4": "N18.4", "5": "N18.5"}


_STAGE_RANGE_RE = re.compile(r"\bstages? (?:1|I)\s*(?:through|thru|to|-)\s*(?:stage )?(?:4|IV)\b|"
                             r"\bstage 5 (?:chronic kidney disease|ckd) or end stage renal disease\b", re.I)


def documented_ckd_stage(narrative: str) -> str | None:
    """The N18 code of the one CKD stage the note documents ('CKD stage 3a', 'stage 4 chronic kidney disease',
    'chronic kidney disease stage IV'; end-stage renal disease N18.6), else None (no stage, or two)."""
    found = set()
    for sentence in split_sentences(narrative):
        sentence = _STAGE_RANGE_RE.sub(" ", sentence)  # a code title's range names no stage ('stage 1 through stage 4')
        if affirmed(sentence, r"\b(esrd|end[- ]stage (renal|kidney) disease)\b"):
            found.add("N18.6")
        for match in re.finditer(_CKD_STAGE_RE, sentence, re.I):
            if not affirmed(sentence[:match.end()], re.escape(match.group(0))):
                continue
            number = (match.group("a") or match.group("b")).lower()
            found.add(_CKD_CODES[_ROMAN.get(number, number) + (match.group("ab") or match.group("bb") or "").lower()])
    return found.pop() if len(found) == 1 else None


# the hypertensive CKD code follows the stage: stage 5 or ESRD (I12.0, I13.11, I13.2) or stage 1-4 / unspecified
_STAGE_5_PAIRS = {"I12.9": "I12.0", "I13.10": "I13.11", "I13.0": "I13.2"}


def _hypertensive_ckd_stage(ctx: Context, stage: str | None) -> list:
    """A hypertensive CKD code of the other stage group than the one CKD stage the note documents becomes its
    sibling (I12.0 'with stage 5 CKD or ESRD' -> I12.9 for 'CKD stage 3a'; the reverse for ESRD)."""
    if stage is None:
        return []
    five = stage in ("N18.5", "N18.6")
    moves = _STAGE_5_PAIRS if five else {v: k for k, v in _STAGE_5_PAIRS.items()}
    return [SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note documents {ctx.codeset.describe(stage).lower()}: "
                                  f"{moves[code]} ({ctx.codeset.describe(moves[code]).lower()}), not {code}", moves[code])
            for code in ctx.icd() if code in moves and moves[code] not in ctx.icd()]


def _ckd_stage_edits(ctx: Context, documented: str | None) -> list:
    """I.C.14.a: the CKD code is the documented stage's (`documented`, documented_ckd_stage: N18.4 coded for 'CKD
    stage 3a' becomes N18.31)."""
    staged = [c for c in ctx.icd() if c.startswith("N18")]
    if not staged or documented is None:
        return []
    edits = []
    for code in staged:
        if code != documented:
            reason = f"the note documents {ctx.codeset.describe(documented).lower()}: {documented}, not {code}"
            edits.append(SPECIFICITY_RULE.edit("drop", "icd10cm", code, reason) if documented in ctx.icd()
                         else SPECIFICITY_RULE.edit("replace", "icd10cm", code, reason, documented))
    return edits


# the Index's entries for a chest pain a note qualifies (Pain, chest, atypical R07.89; Pain, pleuritic R07.81; Pressure,
# chest R07.89; Pain, precordial R07.2): "Chest pain, unspecified" R07.9 only for a chest pain the note does not qualify
_CHEST_PAIN = ((r"\bpleuritic\b(?:[- ]type)?(?: (?:chest|CP))?(?: pain)?", "R07.81"),
               (r"\batypical (?:chest pain|CP)\b|\bchest[- ]wall pain\b|\bchest (?:pressure|tightness|discomfort)\b|"
                r"\b(?:musculoskeletal|non-?cardiac|MSK) (?:chest pain|CP)\b", "R07.89"),
               (r"\bprecordial pain\b", "R07.2"))


def _qualified_chest_pain(ctx: Context, code: str) -> str | None:
    if code != "R07.9":
        return None
    return next((better for pattern, better in _CHEST_PAIN if affirmed(ctx.narrative, pattern)), None)


# gout's site (M10.0- idiopathic gout by site; the Index sends gout, acute or a flare, to idiopathic gout): the
# 6th character of M10.0- by the joint a gout sentence names
_GOUT_RE = re.compile(r"\bgout\w*|\bpodagra\b", re.I)
_GOUT_SITES = (("1", r"\bshoulders?\b"), ("2", r"\belbows?\b|\bolecranon\b"), ("3", r"\bwrists?\b"),
               ("4", r"\bhands?\b|\bfingers?\b|\bknuckles?\b|\b(?:mcp|pip|dip)\b"), ("5", r"\bhips?\b"),
               ("6", r"\bknees?\b"), ("7", r"\bankles?\b|\bfoot\b|\bfeet\b|\btoes?\b|\bmtpj?\b|\bhallux\b|\bpodagra\b|"
                                     r"\bmetatarsophalangeal\b|\bmidfoot\b|\binstep\b"))
_SIDE_DIGIT = {"right": "1", "left": "2", None: "9"}


def _gout_site(ctx: Context, code: str) -> str | None:
    """Gout coded without its site (M10.9, M10.00) whose gout sentences name one joint region and at most one side:
    M10.0 with that site and side ('acute gout flare, R 1st MTP' M10.071 idiopathic gout, right ankle and foot)."""
    if code not in ("M10.9", "M10.00"):
        return None
    sentences = [s for s in split_sentences(patient_text(ctx.narrative), keep_labels=True) if affirmed(s, _GOUT_RE.pattern)]
    text = " ".join(sentences)
    sites = {digit for digit, pattern in _GOUT_SITES if re.search(pattern, text, re.I)}
    if len(sites) != 1:
        return None
    side = documented_side(text)
    if side == "bilateral":
        return None
    better = f"M10.0{sites.pop()}{_SIDE_DIGIT[side]}"
    return better if ctx.codeset.is_valid(better, "icd10cm") else None


# the ankle ligament sprained (the Index: Sprain, ankle, talofibular / calcaneofibular / deltoid / tibiofibular):
# the 5th character of S93.4-; the anterior talofibular ligament is an 'other ligament' (S93.49-)
_ANKLE_LIGAMENTS = (("9", r"\batfl\b|\b(?:anterior |posterior )?talofibular\b|\blateral (?:ankle )?ligament"),
                    ("1", r"\bcalcaneofibular\b|\bcfl\b"), ("2", r"\bdeltoid\b"),
                    ("3", r"\bsyndesmo\w*|\bhigh ankle\b|\b(?:anterior |distal )?tibiofibular\b|\baitfl\b"))


# named fractures of the lower end of the radius (the Index: Fracture, Colles' S52.53-, Smith's S52.54-)
_RADIUS_EPONYMS = (("3", r"\bcolles'?s?\b"), ("4", r"\bsmith'?s?\b(?! fracture of the ulna)"))


def _radius_eponym(ctx: Context, code: str) -> str | None:
    """A fracture of the lower end of the radius coded as unspecified (S52.50-) or another fracture of it (S52.59-)
    whose note calls it Colles' or Smith's: S52.53- / S52.54-, same side and encounter."""
    if not code.startswith(("S52.50", "S52.59")) or len(code) != 8:
        return None
    named = {digit for digit, pattern in _RADIUS_EPONYMS if affirmed(patient_text(ctx.narrative), pattern)}
    if len(named) != 1:
        return None
    better = f"S52.5{named.pop()}{code[6:]}"
    return better if ctx.codeset.is_valid(better, "icd10cm") else None


def _ankle_ligament(ctx: Context, code: str) -> str | None:
    """An ankle sprain of unspecified ligament (S93.40-) whose note names the one ligament: its code (ATFL
    S93.49-, calcaneofibular S93.41-, deltoid S93.42-, tibiofibular S93.43-), same side and encounter."""
    if not code.startswith("S93.40") or len(code) != 8:
        return None
    text = " ".join(s for s in split_sentences(patient_text(ctx.narrative), keep_labels=True)
                    if re.search(r"\bsprain|\bligament|\btear\b|\bankle\b|\batfl\b", s, re.I))
    named = {digit for digit, pattern in _ANKLE_LIGAMENTS if affirmed(text, pattern)}
    if len(named) != 1:
        return None
    better = f"S93.4{named.pop()}{code[6:]}"
    return better if ctx.codeset.is_valid(better, "icd10cm") else None


# Index entries that choose a code by a qualifier the note names beside the condition: (codes moved, the condition's
# words, ((qualifier, code), ...) most specific first). Rhinitis, allergic, due to pollen J30.1, due to animal dander
# J30.81, seasonal NEC J30.2, perennial J30.89.
INDEX_QUALIFIERS: tuple[tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]], ...] = (
    (("J30.9", "J30.2", "J30.89"), r"\ballergic rhinitis\b|\bhay fever\b|\brhinitis\b",
     ((r"\bpollen\b|\bhay fever\b|\b(?:tree|grass|ragweed|weed)s?\b", "J30.1"),
      (r"\bdander\b|\b(?:cats?|dogs?|animals?)\b", "J30.81"),
      (r"\bseasonal\b|\bevery (?:spring|fall|summer)\b", "J30.2"), (r"\bperennial\b|\bdust mites?\b", "J30.89"))),
)


def _index_qualifier(ctx: Context, code: str) -> str | None:
    """The code an Index qualifier the note names chooses (see INDEX_QUALIFIERS), read in the sentences naming the
    condition; the first qualifier found wins."""
    for codes, condition, qualifiers in INDEX_QUALIFIERS:
        if code not in codes:
            continue
        text = " ".join(s for s in split_sentences(patient_text(ctx.narrative), keep_labels=True) if affirmed(s, condition))
        better = next((target for pattern, target in qualifiers if affirmed(text, pattern)), None) if text else None
        if better and better != code and better not in ctx.icd() and ctx.codeset.is_valid(better, "icd10cm"):
            return better
    return None


# the site of a cutaneous abscess or cellulitis coded without one (L02.91, L03.90): (the site's words, the abscess
# code, the cellulitis code); '{side}' is 1 for right and 2 for left; most specific first
_SKIN_SITES = (
    (r"\baxilla\w*|\barmpit\b", "L02.41{a}", "L03.11{a}"),
    (r"\bfinger|\bdigit\b|\bparonychia", None, "L03.01{side}"), (r"\btoe\b|\btoes\b", None, "L03.03{side}"),
    (r"\bhand\b|\bpalm\b", "L02.51{side}", None), (r"\bfoot\b|\bheel\b|\bsole\b", "L02.61{side}", None),
    (r"\bbuttocks?\b|\bgluteal\b", "L02.31", "L03.317"), (r"\bgroin\b|\binguinal\b", "L02.214", "L03.314"),
    (r"\bback\b", "L02.212", "L03.312"), (r"\bchest wall\b|\bchest\b", "L02.213", "L03.313"),
    (r"\babdominal wall\b|\babdomen\b", "L02.211", "L03.311"), (r"\bneck\b", "L02.11", "L03.221"),
    (r"\bface\b|\bcheek\b|\bchin\b", "L02.01", "L03.211"),
    (r"\bthigh\b|\blower (?:leg|extremity|limb)\b|\bleg\b|\bshin\b|\bcalf\b|\bknee\b|\bankle\b|\b[RL]LE\b",
     "L02.41{low}", "L03.11{low}"),
    (r"\bforearm\b|\bupper (?:arm|extremity|limb)\b|\barm\b|\belbow\b|\b[RL]UE\b", "L02.41{up}", "L03.11{up}"),
)
_SKIN_CONDITION = {"L02.91": r"\babscess\w*|\bboil\b|\bfurunc\w*|\bcarbunc\w*", "L03.90": r"\bcellulitis\b"}


def _skin_site(ctx: Context, code: str) -> str | None:
    """A cutaneous abscess or cellulitis coded without its site whose sentences name one site (and, for a limb,
    a side): the code of that site (the Index: Abscess, skin, thigh L02.41-; Cellulitis, leg L03.11-)."""
    if code not in _SKIN_CONDITION:
        return None
    text = " ".join(s for s in split_sentences(patient_text(ctx.narrative), keep_labels=True)
                    if affirmed(s, _SKIN_CONDITION[code]))
    found = None
    for pattern, abscess, cellulitis in _SKIN_SITES:
        if re.search(pattern, text, re.I):
            found = abscess if code == "L02.91" else cellulitis
            break
    if not found:
        return None
    if "{" in found:
        side = documented_side(text)
        if side not in ("right", "left"):
            return None
        digit = "1" if side == "right" else "2"
        found = found.format(side=digit, a=digit, up="3" if side == "right" else "4", low="5" if side == "right" else "6")
    return found if ctx.codeset.is_valid(found, "icd10cm") else None


_DIABETES_CATEGORIES = ("E08", "E09", "E10", "E11", "E13")


def _undocumented_complication(ctx: Context, code: str, mentioned: set[str]) -> str | None:
    """For a diabetes code 'with X' (E11.65 with hyperglycemia) whose X the note never names: what to code instead,
    the category's 'without complications' code ('' when the answer holds another code of the category, which
    says the diabetes). I.A.15 links diabetes to the conditions the note documents, not to one it never names."""
    if code[:3] not in _DIABETES_CATEGORIES or len(code) < 6:
        return None
    description = ctx.codeset.describe(code)
    parts = re.split(r"\bwith\b", description, maxsplit=1, flags=re.I)
    if len(parts) < 2:
        return None
    tail = [w for w in words(re.sub(r"\([^)]*\)", " ", parts[1])) if w not in _FILLER and not w.isdigit()
            and w not in ("diabetic", "mellitus", "diabetes", "right", "left", "bilateral")]
    if not tail or any(word_keys(w) & mentioned for w in tail):
        return None
    if any(c != code and c[:3] == code[:3] for c in ctx.icd()):
        return ""
    plain = code[:3] + ".9"
    return plain if ctx.codeset.is_valid(plain, "icd10cm") else None


# asthma (J45) by the severity and the state the note documents (Guidelines I.C.10.a: the classification is the
# physician's: intermittent or persistent, mild, moderate or severe; uncomplicated, with exacerbation, with status
# asthmaticus)
_ASTHMA_SEVERITY = (("J45.2", r"\bmild intermittent\b"), ("J45.3", r"\bmild persistent\b"),
                    ("J45.4", r"\bmoderate persistent\b"), ("J45.5", r"\bsevere persistent\b"))
_ASTHMA_EXACERBATION_RE = r"\bexacerbat\w*|\basthma attack\b|\bacute asthma\b|\bflare\b"
_STATUS_ASTHMATICUS_RE = r"\bstatus asthmaticus\b"


def asthma_code(narrative: str) -> str | None:
    """The J45 code of the asthma the note documents (one severity named, else unspecified J45.90-; exacerbation
    or status asthmaticus when an affirmed sentence about asthma says so), None when no sentence names asthma."""
    sentences = [s for s in split_sentences(patient_text(narrative), keep_labels=True) if affirmed(s, r"\basthma\w*")]
    if not sentences:
        return None
    text = " ".join(sentences)
    named = {prefix for prefix, pattern in _ASTHMA_SEVERITY if affirmed(text, pattern)}
    if len(named) > 1:
        return None
    status = any(affirmed(s, _STATUS_ASTHMATICUS_RE) for s in sentences)
    worse = any(affirmed(s, _ASTHMA_EXACERBATION_RE) for s in sentences)
    if named:
        return named.pop() + ("2" if status else "1" if worse else "0")
    return "J45.902" if status else "J45.901" if worse else "J45.909"


_ASTHMA_CODES = ("J45.2", "J45.3", "J45.4", "J45.5", "J45.90")  # the asthma codes a severity and state choose


def _asthma_edits(ctx: Context, target: str | None) -> list:
    """Asthma codes (J45.2-J45.5, J45.90-) become the one the note documents (`target`, asthma_code): 'mild
    persistent asthma, no current exacerbation' J45.30; 'moderate persistent asthma with (acute) exacerbation'
    J45.41; two coded become one."""
    coded = [c for c in ctx.icd() if c.startswith(_ASTHMA_CODES)]
    if not coded or not target or coded == [target] or not ctx.codeset.is_valid(target, "icd10cm"):
        return []
    reason = f"the note documents {ctx.codeset.describe(target).lower()}: {target}"
    first = next((c for c in coded if c == target), None)
    edits = [] if first else [SPECIFICITY_RULE.edit("replace", "icd10cm", coded[0], f"{reason}, not {coded[0]}", target)]
    return edits + [SPECIFICITY_RULE.edit("drop", "icd10cm", c, f"{reason}: {c} is not coded beside it")
                    for c in coded if c != target and (first or c != coded[0])]


_NOT_INTRACTABLE_RE = re.compile(r"\bnot intractable\b|\bnon-?intractable\b", re.I)


def _intractability(ctx: Context, code: str) -> str | None:
    """The sibling that says what the note says of intractability, when the code says the opposite (migraine
    G43.009 'not intractable' -> G43.019 for 'migraine without aura, intractable'; the reverse for 'not intractable')."""
    description = ctx.codeset.describe(code).lower()
    if "intractable" not in description:
        return None
    sentences = split_sentences(ctx.narrative, keep_labels=True)
    says_not = any(_NOT_INTRACTABLE_RE.search(s) for s in sentences)
    says_yes = any(affirmed(_NOT_INTRACTABLE_RE.sub(" ", s), r"\bintractable\b") for s in sentences)
    if says_not == says_yes:
        return None
    if "not intractable" in description and says_yes:
        wanted = description.replace("not intractable", "intractable")
    elif "not intractable" not in description and says_not:
        wanted = description.replace("intractable", "not intractable")
    else:
        return None
    return next((c for c in _same_category(ctx.codeset, code) if ctx.codeset.describe(c).lower() == wanted
                 and c not in ctx.icd() and ctx.codeset.is_valid(c)), None)


# readers of a site or kind the note names for a code coded without it, with what the reason says the note names
_NAMED_READERS = ((_skin_site, "the site"), (_radius_eponym, "the fracture"), (_ankle_ligament, "the ankle ligament sprained"),
                  (_gout_site, "the joint of the gout"))


def _propose_specificity(ctx: Context) -> list:
    read = _ABSENT_FEATURE_RE.sub(r"\1", _DENIED_QUALIFIER_RE.sub(" ", with_fracture_default(ctx.narrative)))
    mentioned, sentences = documented_keys(read), affirmed_sentence_keys(read)
    stage, asthma = documented_ckd_stage(ctx.narrative), asthma_code(ctx.narrative)
    edits = _ckd_stage_edits(ctx, stage) + _hypertensive_ckd_stage(ctx, stage) + _asthma_edits(ctx, asthma)
    staged = {edit.code for edit in edits}
    if asthma:  # the asthma read above decides J45
        staged |= {code for code in ctx.icd() if code.startswith(_ASTHMA_CODES)}
    if stage:  # the stage read above decides N18 ('stage IIIa' names no '3a')
        staged |= {code for code in ctx.icd() if code.startswith("N18")}
    for code in ctx.diagnoses():
        if code in staged or (code in INDEX_TERMS and INDEX_TERMS[code](ctx.narrative)):
            continue
        vaping = _vaping(ctx, code)
        if vaping:
            edits.append(SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note's nicotine is vaped (e-cigarettes), "
                                               f"no cigarette smoked: {vaping} (other tobacco product), not {code}", vaping))
            continue
        instead = _undocumented_complication(ctx, code, mentioned)
        if instead is not None:
            label = ctx.codeset.describe(code).lower()
            edits.append(SPECIFICITY_RULE.edit("drop", "icd10cm", code, f"the note never names the complication of "
                                               f"{label}: another code of the category says the diabetes")
                         if instead == "" else
                         SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note never names the complication of "
                                               f"{label}: {instead}, not {code}", instead))
            continue
        chest = _qualified_chest_pain(ctx, code)
        if chest and chest not in ctx.icd():
            edits.append(SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note qualifies the chest pain: {chest} "
                                               f"({ctx.codeset.describe(chest).lower()}), not {code}", chest))
            continue
        qualified = _index_qualifier(ctx, code)
        if qualified:
            edits.append(SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note names what the Index codes as "
                                               f"{ctx.codeset.describe(qualified).lower()}: {qualified}, not {code}", qualified))
            continue
        named = next(((target, what) for reader, what in _NAMED_READERS if (target := reader(ctx, code))), None)
        if named:
            target, what = named
            label = f"{target} ({ctx.codeset.describe(target).lower()})"
            edits.append(SPECIFICITY_RULE.edit("drop", "icd10cm", code, f"{label} is coded and is what the note names: "
                                               f"{code} is not coded beside it") if target in ctx.icd() else
                         SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note names {what}: {label}, not {code}",
                                               target))
            continue
        flu = _identified_flu(ctx, code)
        if flu:
            edits.append(SPECIFICITY_RULE.edit("replace", "icd10cm", code, f"the note identifies the influenza "
                                               f"virus: {flu} (identified virus), not {code}", flu))
            continue
        better = (documented_sibling(ctx.codeset, code, mentioned, sentences, tuple(ctx.icd()), ctx.narrative)
                  or documented_nos_term(ctx.codeset, code, mentioned, sentences, tuple(ctx.icd()), ctx.narrative))
        better = _intractability(ctx, better or code) or better  # the intractability the note says
        if better:
            edits.append(SPECIFICITY_RULE.edit(
                "replace", "icd10cm", code, f"the note documents {ctx.codeset.describe(better).lower()}: {better}, "
                f"not {ctx.codeset.describe(code).lower()} ({code})", better))
    return edits


SPECIFICITY_RULE = Rule("documented_specificity", SPECIFICITY_GUIDELINE,
                        "the code of a category that says what the note documents, no more and no less",
                        _propose_specificity, one_encounter=True)
