"""Diagnoses the note does not document (ICD-10-CM Official Guidelines I.A.19: a code is assigned on the
provider's statement that the condition exists): a diagnosis code is dropped when the note never names its
condition or, for a site-specific code, its site - no word of its description, of its inclusion terms (of the
code and its ancestors) or of their common synonyms occurs in the note (acute tonsillitis coded for a note
about bronchitis, a contusion of the hand for a knee contusion).

Words are compared by their first five letters and their Snowball stems, after the abbreviations of
`core.text` are expanded (UTI, HTN, COPD, fx ...). External causes (V-Y) and factors (Z) are left alone: their
descriptions name circumstances a note tells in any words."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.models import Context, Rule, is_diagnosis
from core.rules.narrative import visit_note
from core.rules.references import note_lines
from core.text import is_affirmed, split_sentences, tokenize, words

GUIDELINE = "ICD-10-CM Official Guidelines I.A.19 (code assignment is based on the provider's documentation)"

# words of descriptions that name neither a condition nor a site
QUALIFIERS = frozenset("""
acute chronic unspecified other specified initial subsequent encounter sequela without with type due site part
parts region not elsewhere classified nos unknown primary secondary disease diseases disorder disorders condition
conditions right left bilateral unilateral both side sides multiple single episode mild moderate severe
complicated uncomplicated closed open displaced nondisplaced stage manifestation manifestations status
routine healing care use clinical finding findings involving affecting complication complications current
recurrent persistent intractable limb limbs upper lower end shaft proximal distal than more less any
unqualified general generalized localized organ organs system systems tract specific nonspecific abnormal essential
infectious infective
""".split())
# words that name a site: a site-specific code needs its site (or a synonym) in the note too
ANATOMY = frozenset("""
ear ears eye eyes eyelid hand hands knee knees hip hips foot feet toe toes arm arms leg legs head neck back chest
abdomen abdominal pelvis pelvic shoulder elbow wrist ankle finger fingers thumb forearm thigh calf face scalp
nose nasal lip lips mouth throat spine lumbar thoracic cervical radius ulna humerus femur tibia fibula clavicle
scapula patella rib ribs skull jaw phalanx trunk buttock groin breast
cardiac testicular scrotal epigastric periumbilical ovarian uterine vaginal vulvar penile rectal anal gluteal inguinal
axillary facial oral pleural
""".split())
# the note's words for what a description word (its first five letters) names
SYNONYMS: dict[str, tuple[str, ...]] = {
    "nicot": ("smok", "cigar", "tobac", "vape", "vapin", "pack", "ppd"), "cigar": ("smok", "pack", "ppd"),
    "tobac": ("smok", "cigar", "chew", "vape"), "influ": ("flu",),
    "hyperl": ("chole", "lipid", "trigl"), "hyperc": ("chole", "lipid"), "obesi": ("obese", "bmi"),
    "synco": ("faint", "passed"), "neopl": ("cance", "carci", "tumor", "mass", "lesio", "metas", "lymph", "sarco",
                                          "melan", "adeno", "malig"),
    "malig": ("cance", "carci", "tumor", "metas", "lymph", "sarco", "melan", "adeno"), "calcu": ("stone", "lith"),
    "urtic": ("hives", "wheal"), "pruri": ("itch",), "epist": ("nosebleed", "bleed"), "dyspn": ("breat", "winded"),
    "vomit": ("emesi", "throw"), "nause": ("naus",), "diarr": ("loose", "stool"), "myalg": ("ache", "aches"),
    "otalg": ("earache", "pain"), "zoste": ("shingl",),
    "dizzi": ("dizzy", "light", "verti"), "fatig": ("tired", "exhau"), "malai": ("tired", "unwell"),
    "phary": ("throa",), "tonsi": ("throa",), "conju": ("pink",),
    "gastr": ("stoma", "belly", "gi"), "cysti": ("bladd", "uti"), "cellu": ("skin", "infec", "redne"),
    "derma": ("rash", "eczem", "poiso", "ivy", "oak"), "contu": ("bruis",), "lacer": ("lac", "cut", "gash"),
    "sprai": ("twist", "rolle"), "depre": ("depre", "mood", "phq"),
    "anxie": ("anxio", "nervo", "panic", "gad"), "insom": ("sleep",), "reflu": ("heart", "gerd"),
    "esoph": ("heart", "gerd"), "osteo": ("arthr", "djd", "degen"), "myoca": ("heart", "stemi", "nstem", "troponin"),
    "infar": ("attac", "stemi", "nstem", "strok"), "cereb": ("strok", "brain"), "fibri": ("afib",),
    "diabe": ("sugar", "gluco", "a1c", "insul", "metfo"), "anemi": ("hemog", "hgb"), "gonoc": ("gonor", "clap"),
    "abras": ("scrap", "graze", "abr"), "bite": ("bitte", "bit"),
    "pain": ("ache", "achin", "sore", "tende", "hurt", "painf"), "abdom": ("belly", "stoma"),
    "hemat": ("blood",), "edema": ("swell", "swoll"), "eryth": ("red",), "pyrex": ("fever", "febri"),
    "fever": ("febri", "temp"), "cephal": ("heada",), "urina": ("urine", "uti", "void"), "renal": ("kidne",),
    "kidne": ("renal", "ckd", "neph"), "hepat": ("liver",), "cardi": ("heart",), "pulmo": ("lung",),
    "cutan": ("skin",), "hypert": ("blood", "bp", "htn", "high", "elevated"),
    "ear": ("otic", "tympa", "aural"), "throa": ("phary", "tonsi"), "knee": ("patel",), "chest": ("thora", "rib"),
    "exoph": ("propt",), "eyeli": ("eye", "lid"), "phala": ("finge", "toe", "thumb"), "patel": ("knee", "kneec"),
    "radiu": ("forea", "wrist"), "ulna": ("forea", "wrist", "elbow"), "humer": ("arm", "shoul", "elbow"),
    "femur": ("thigh", "hip", "knee"), "tibia": ("leg", "shin", "ankle", "knee", "malle"), "fibul": ("leg", "ankle", "malle"),
    "clavi": ("colla", "shoul"), "scapu": ("shoul",), "rib": ("chest",), "lumba": ("back",),
    "thora": ("back", "chest"), "cervi": ("neck",), "scalp": ("head",), "lip": ("mouth", "oral"),
    "melli": ("diabe",), "cough": ("coughi",), "pneum": ("pna",), "media": ("aom", "om"), "otiti": ("aom", "om", "ear"),
    "heada": ("ha",), "fract": ("fx", "broke", "break"),
    "dysur": ("urina", "burni"), "mictu": ("urina", "voidi", "pee"), "exace": ("attac", "flare", "worse"), "tinea": ("fungu", "ringw", "athle"), "ungui": ("nail", "toena"),
    "nasal": ("nose",), "head": ("face", "facia", "foreh", "scalp", "cheek", "chin", "brow"), "alcoh": ("drink", "etoh", "beer", "wine", "liquo"), "injur": ("hurt", "traum"),
    # a bone's "lower end" is its distal end ("distal radius"), its "upper end" the proximal one
    "lower": ("distal",), "upper": ("proximal",), "end": ("distal", "proximal"),
}
# clinical shorthand a note uses for a condition, read here only (core.text's ABBREVIATIONS also feed the search
# index and the retriever's features; these are the coding rules' reading of a note): token -> words
SHORTHAND: dict[str, str] = {
    "gad": "generalized anxiety disorder", "mdd": "major depressive disorder", "ptsd": "post traumatic stress disorder",
    "adhd": "attention deficit hyperactivity disorder", "ocd": "obsessive compulsive disorder",
    "oud": "opioid use disorder", "aud": "alcohol use disorder", "etoh": "alcohol",
    "pe": "pulmonary embolism", "ida": "iron deficiency anemia", "ibs": "irritable bowel syndrome",
    "ibd": "inflammatory bowel disease", "hep": "hepatitis", "hcv": "hepatitis c", "hbv": "hepatitis b",
    "mono": "infectious mononucleosis", "af": "atrial fibrillation", "aom": "acute otitis media",
    "om": "otitis media", "lbp": "low back pain", "pna": "pneumonia",
    "hf": "heart failure", "hfref": "heart failure reduced ejection fraction",
    "hfpef": "heart failure preserved ejection fraction", "nstemi": "non st elevation myocardial infarction",
    "stemi": "st elevation myocardial infarction", "djd": "degenerative joint disease osteoarthritis",
    "hsv": "herpes simplex", "bv": "bacterial vaginosis", "pid": "pelvic inflammatory disease",
    "tb": "tuberculosis", "hiv": "human immunodeficiency virus", "ha": "headache", "strep": "streptococcal",
    "flu": "influenza", "afib": "atrial fibrillation", "sk": "seborrheic keratosis", "oab": "overactive bladder",
    "nafld": "nonalcoholic fatty liver disease", "aecopd": "acute exacerbation chronic obstructive pulmonary disease",
    "bppv": "benign paroxysmal positional vertigo ear", "rhinosinusitis": "rhinosinusitis sinusitis",
    "luts": "lower urinary tract symptoms", "antihypertensive": "antihypertensive hypertension", "antihypertensives": "antihypertensives hypertension",
    "pvc": "premature ventricular contraction depolarization", "pvcs": "premature ventricular contractions depolarization",
    "pac": "premature atrial contraction depolarization", "pacs": "premature atrial contractions depolarization",
    # ordinals as the classification spells them ('5th metatarsal' is the fifth metatarsal bone)
    "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
    "lac": "laceration", "lacs": "lacerations", "fb": "foreign body", "fbs": "foreign bodies",
}
# hemorrhoids are graded I-IV by degree of prolapse ("grade II internal hemorrhoids": second degree, K64.1)
_HEMORRHOID_GRADE_RE = re.compile(r"\bgrade\s+(iv|iii|ii|i|[1-4])\b(?=\s+(?:(?:internal|external|mixed|bleeding|non-?bleeding|"
                                  r"prolapsed?)\s+)*hemorrhoids?\b)", re.I)
# diabetes the provider calls poorly controlled or out of control is coded as with hyperglycemia (the Index: Diabetes,
# uncontrolled, meaning hyperglycemia); an A1c above goal alone is not
_DIABETES = r"(?:T[12]DM|DM ?(?:type )?[12]?|diabetes(?: mellitus)?(?: type [12I]+| \(type [12]\))?|type [12] diabetes(?: mellitus)?)"
_UNCONTROLLED_DIABETES_RE = re.compile(rf"\b(?:poorly|inadequately|sub-?optimally|un)[- ]?controlled {_DIABETES}\b|\b{_DIABETES}"
                                       r",?\s+(?:(?:is|remains|was)\s+)?(?:uncontrolled|poorly controlled|out of control)\b", re.I)
_DEGREES = {"i": "first", "1": "first", "ii": "second", "2": "second", "iii": "third", "3": "third", "iv": "fourth",
            "4": "fourth"}


def _inflammation(token: str) -> bool:
    return token.endswith("itis") and len(token) > 6


def prefix_key(token: str) -> str:
    """A word's key: its first five letters, seven for a 'hyper-'/'hypo-' word (hyperglycemia is no hyperlipidemia),
    the whole word for an inflammation ('-itis': sinusitis is no 'sinus', prostatitis no 'prostatic')."""
    if _inflammation(token):
        return token
    return token[:7] if token.startswith(("hyper", "hypo")) else token[:5]


def _stems(tokens: list[str], prefixes: bool = True) -> set[str]:
    """Each word's first five letters, its search stem (marked '~') and, with `prefixes` (a note's words), its
    first four (marked '^', what a four-letter synonym such as 'smok' matches). A description's own words are
    keyed without them: four letters in common are no evidence ('contact' urticaria is not 'continue')."""
    itis = [token for token in tokens if _inflammation(token)]  # keyed whole: its stem would be its organ's
    keys = ({prefix_key(token) for token in tokens} | {"~" + token for token in itis}
            | {"~" + stem for stem in tokenize(" ".join(t for t in tokens if not _inflammation(t)))})
    return keys | {"^" + token[:4] for token in tokens if len(token) >= 4} if prefixes else keys


# the heart's sinus node ("normal sinus rhythm", "sinus tachycardia") names no disease of the nasal sinuses
_SINUS_NODE_RE = re.compile(r"\bsinus\s+(?=rhythm|tachycardia|bradycardia|arrhythmia|node)|\bin sinus\b(?=\s*(?:today|now|on|$|[.,;)]))"
                            # a screening instrument's name ("GAD-7 13", "PHQ-9") names no disorder
                            r"|\b(?:GAD|PHQ|AUDIT|EPDS)-?\d+\b", re.IGNORECASE)


# a spinal level names its region ('L5 radiculopathy' is lumbar, 'C6' cervical: M54.16, M54.12)
_SPINE_LEVEL_RE = re.compile(r"\b([LC])[1-7](?:\s*-\s*(?:[LC]?[1-7]|S1))?\b(?![-/.]\d)")


# an orthosis or a device fitted ('brace fit and dispensed', 'crutches fit', 'fitted today', 'fit-tested'): no 'fit'
# (a seizure: R56.9's inclusion term 'Fit NOS'); 'fitted' and 'fitting' never name one
_FITTED_RE = re.compile(r"\bfit(?:ted|ting)\b|\bfit\b(?=[\s-]*(?:and\b|for\b|to\b|with\b|by\b|tested|test\b|well\b|in\b|"
                        r"dispens))|\b(?P<what>was|were|is|are|be|well|properly|appropriately|brace|boot|splint|crutches|"
                        r"sling|walker|cane|collar) fit\b", re.I)


# 'HEP' in capitals, no hepatitis letter after it, is a home exercise program ('progress HEP', 'continue HEP')
_HOME_EXERCISE_RE = re.compile(r"\bHEP\b(?!\s*[A-E]\b|\s*(?:panel|serolog|vaccine|screen))")


def note_words(text: str) -> list[str]:
    """The content words of a note's text (core.text.words), clinical shorthand (SHORTHAND) spelled out."""
    text = _FITTED_RE.sub(lambda m: f"{m.group('what') or ''} sized", text)
    text = re.sub(r"\ba-fib\b", "afib", _SINUS_NODE_RE.sub("", text), flags=re.I)
    text = _HEMORRHOID_GRADE_RE.sub(lambda m: _DEGREES[m.group(1).lower()] + " degree", text)
    text = _UNCONTROLLED_DIABETES_RE.sub(lambda m: m.group(0) + " hyperglycemia", text)
    text = _SPINE_LEVEL_RE.sub(lambda m: m.group(0) + (" lumbar" if m.group(1).upper() == "L" else " cervical"), text)
    text = _HOME_EXERCISE_RE.sub("home exercise program", text)
    return [part for word in words(text) for part in SHORTHAND.get(word, word).split()]


def _synonym_key(synonym: str) -> str:
    """A synonym of four letters stands for the words it begins ('smok': smoker, smokes); a shorter one is a
    whole word ('ha', 'fx'); a longer one is compared by its first five letters."""
    return "^" + synonym if len(synonym) == 4 else synonym[:5]


def _split(text: str) -> tuple[set[str], set[str]]:
    """(condition keys, site keys) of a description or inclusion term."""
    tokens = [w for w in words(re.sub(r"\([^)]*\)", " ", text)) if len(w) >= 2 and not w.isdigit()]
    condition = [w for w in tokens if w not in QUALIFIERS and w not in ANATOMY]
    site = [w for w in tokens if w in ANATOMY]
    return _with_synonyms(condition), _with_synonyms(site)


def _with_synonyms(tokens: list[str]) -> set[str]:
    keys = _stems(tokens, prefixes=False)
    for token in tokens:
        keys |= {_synonym_key(synonym) for synonym in SYNONYMS.get(token[:5], ())}
        keys |= {_synonym_key(synonym) for synonym in SYNONYMS.get(token[:6], ())}
    return keys


def word_keys(word: str, site_synonyms: bool = False) -> frozenset[str]:
    """The keys one word of a description is documented by: its own, and its synonyms' unless it names a
    site (a more specific code needs its own site: 'wrist' supports a radius code but does not choose one);
    `site_synonyms`: a site's synonyms too (where the note speaks of a coded condition: 'forehead' is the head)."""
    if word in ANATOMY and not site_synonyms:
        return frozenset(_stems([word], prefixes=False))
    return frozenset(_with_synonyms([word]))


def code_texts(codeset, code: str, inherited: bool = True) -> list[str]:
    """The code's description and the inclusion terms of the code (and its ancestors when `inherited`)."""
    return [codeset.describe(code)] + [line for line, _ in note_lines(codeset, code, "inclusion_terms", inherited)]


_PHRASE_BREAK_RE = re.compile(r"[,;]|\s[-/]\s|\b(?:and|or|but|then|also|plus)\b", re.I)


def affirmed_sentence_keys(narrative: str) -> list[list[set[str]]]:
    """The keys of each word, in order, of each sentence of the note that holds no negation or family-history
    cue (what a more specific code may rest on: 'rapid strep test negative' documents no streptococcus). An
    empty key set stands between the phrases of a sentence (a comma, 'and', 'or', a dash), so words of
    different phrases are never next to each other ('shortness of breath and chest pain' is no 'chest pain on
    breathing')."""
    out = []
    for sentence in split_sentences(narrative):
        if is_affirmed(sentence):
            keys: list[set[str]] = []
            for phrase in _PHRASE_BREAK_RE.split(sentence):
                if phrase and phrase.strip():
                    keys += [_stems([w]) for w in note_words(phrase)] + [set()]
            out.append(keys[:-1])
    return out


# adjectives that name the disease a code belongs to: a text holding one is documented only when the note names
# that disease too ("Hypertensive urgency" I16.0 is not documented by the "urgency" of a bladder note)
DISEASE_ADJECTIVES = frozenset({"hypertensive", "diabetic", "alcoholic"})


_DRUG_ROUTE_RE = re.compile(r"\boral(?= (?:hypoglycemic|antidiabetic|contracepti|anticoagulant|drugs?|medications?)\b)",
                            re.I)
_WITH_RE = re.compile(r"\s+with\s+", re.I)
# a head that names no condition of its own ('Other difficulties with micturition', 'Problems with ...')
_GENERIC_HEAD_RE = re.compile(r"\b(?:difficult\w*|problems?|contact|exposure|encounter|person|abnormalit\w*|"
                              r"complications?|symptoms?)\b", re.I)


@lru_cache(maxsize=8192)
def _alternatives(codeset, code: str) -> tuple[tuple[frozenset[str], frozenset[str], tuple[frozenset[str], ...]], ...]:
    """Per text of the code: (condition keys, site keys, the keys of each disease adjective it holds)."""
    found = []
    for text in code_texts(codeset, code):
        text = _DRUG_ROUTE_RE.sub(" ", text)  # 'oral hypoglycemic drugs': a route, no site a note must name
        condition, site = _split(text)
        tokens = words(re.sub(r"\([^)]*\)", " ", text))
        required = tuple(frozenset(_with_synonyms([w])) for w in dict.fromkeys(tokens) if w in DISEASE_ADJECTIVES)
        head = _WITH_RE.split(text, maxsplit=1)
        if len(head) == 2 and (head_condition := _split(head[0])[0]) and not _GENERIC_HEAD_RE.search(head[0]):
            required += (frozenset(head_condition),)  # 'X with Y' documents nothing without X (diabetes of E11.65)
        if condition or site:
            found.append((frozenset(condition), frozenset(site), required))
    return tuple(found)


def documented_keys(narrative: str) -> set[str]:
    """The keys of the note's words (abbreviations expanded). Negated mentions count too: a condition the
    note names only to deny it is another rule's business (measured on CodiEsp, whose coders code some
    denied findings)."""
    return _stems(note_words(narrative))


def supported(codeset, code: str, keys: set[str]) -> bool:
    """Whether the note documents the code: one of its texts has a condition word (when it names a
    condition) and a site word (when it names a site) among the note's keys."""
    alternatives = _alternatives(codeset, code)
    if not alternatives:
        return True
    return any((not condition or condition & keys) and (not site or site & keys) and all(r & keys for r in required)
               for condition, site, required in alternatives)


@lru_cache(maxsize=8192)
def _text_words(codeset, code: str) -> tuple[tuple[tuple[frozenset[str], frozenset[str]], ...], ...]:
    """Per text of the code (description, inclusion terms of the code and its ancestors): each condition or
    site word as (its search stems, the keys that document it: its own and its synonyms')."""
    found = []
    for text in code_texts(codeset, code):
        tokens = [w for w in words(re.sub(r"\([^)]*\)", " ", text)) if len(w) >= 2 and not w.isdigit()
                  and w not in QUALIFIERS]
        if tokens:
            found.append(tuple((frozenset(tokenize(w)), frozenset(_with_synonyms([w])))
                               for w in dict.fromkeys(tokens)))
    return tuple(found)


def documented_in_full(codeset, code: str, keys: set[str]) -> bool:
    """Whether every condition and site word of one of the code's texts is among the note's keys."""
    return any(all(k & keys for _, k in text) for text in _text_words(codeset, code))


def shadowing_code(codeset, code: str, keys: set[str], coded: list[str]) -> str | None:
    """A coded code, documented in full, that holds every word of `code` the note documents, when `code` is not
    documented in full itself (the words compared by their stems, not by synonyms or five letters, which
    'hypertension' and 'hyperhomocysteinemia' share): the note's words for one
    condition read twice (an epigastric pain R10.13 beside
    the chest pain R07.9 of a chest-pain note, pharyngitis J02.9 for the 'infection' of a UTI note). Codes of
    the same category are documented_specificity's to choose between."""
    texts = _text_words(codeset, code)
    if not texts or documented_in_full(codeset, code, keys):
        return None
    for other in coded:
        if other[:3] == code[:3] or not is_diagnosis(other) or not documented_in_full(codeset, other, keys):
            continue
        theirs = frozenset().union(*(own for text in _text_words(codeset, other) for own, _ in text))
        if all(all(own & theirs for own, k in text if k & keys) for text in texts):
            return other
    return None


# infections a vaccine prevents (tetanus, diphtheria, pertussis, polio, rabies, varicella, zoster, measles, rubella,
# mumps, hepatitis A and B, meningococcus, influenza): a note names them for the vaccine or the prophylaxis far more
# often than for the disease ('Last tetanus 2011', 'dog UTD on rabies vaccine', 'Rabies PEP not indicated')
VACCINE_PREVENTABLE = ("A33", "A34", "A35", "A36", "A37", "A39", "A80", "A82", "B01", "B02", "B05", "B06", "B15", "B16",
                       "B26", "J09", "J10", "J11")
_VACCINE_CONTEXT_RE = re.compile(r"\bvaccin\w*|\bimmuni[sz]\w*|\bshots?\b|\bboosters?\b|\bTdap\b|\bTd\b|\bDTaP\b|\bPEP\b|"
                                 r"\bprophyla\w*|\bimmune globulin\b|\bUTD\b|\bup[- ]to[- ]date\b|\blast tetanus\b|"
                                 r"\btetanus (?:status|toxoid|is|was|given|updated)\b|\bVIS\b", re.I)


def named_for_vaccine_only(codeset, code: str, narrative: str) -> bool:
    """Whether a vaccine-preventable infection (VACCINE_PREVENTABLE) is named only in sentences about a vaccine,
    its status or a prophylaxis: the disease is not documented."""
    if not code.startswith(VACCINE_PREVENTABLE):
        return False
    rest = " ".join(s for s in split_sentences(narrative, keep_labels=True) if not _VACCINE_CONTEXT_RE.search(s))
    return not supported(codeset, code, documented_keys(rest))


def _propose(ctx: Context) -> list:
    codes = ctx.diagnoses()
    if not codes:
        return []
    keys, edits = documented_keys(TEST_OBJECT_RE.sub(" test ", ctx.narrative)), []
    for code in codes:
        label = ctx.codeset.describe(code).lower()
        if not supported(ctx.codeset, code, keys):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note does not document {label}: {code} is not coded"))
        elif named_for_vaccine_only(ctx.codeset, code, ctx.narrative):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note names {label} only for a vaccine, its status or a "
                                   f"prophylaxis, never as a disease of the patient: {code} is not coded"))
        elif other := shadowing_code(ctx.codeset, code, keys, [c for c in codes if c != code]):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note documents {label} only in the words of "
                                   f"{other} ({ctx.codeset.describe(other).lower()}): {code} is not coded"))
        elif said := other_acuity(ctx.codeset, code, ctx.narrative):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note calls the condition {said}, never what {label} "
                                   f"says: {code} is not coded"))
        elif substance_without_disorder(code, ctx.narrative):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note names the substance but no disorder of its use "
                                   f"(use, abuse, dependence, withdrawal, intoxication): {label} ({code}) is not coded"))
        elif letter := hepatitis_type_unsaid(label, ctx.narrative):
            edits.append(RULE.edit("drop", "icd10cm", code, f"the note never names hepatitis {letter} (hepatitis "
                                   f"{letter}, hep {letter}, H{letter}V): {label} ({code}) is not coded"))
    return edits


_HEPATITIS_TYPE_RE = re.compile(r"\bhepatitis ([a-e])\b")


def hepatitis_type_unsaid(label: str, narrative: str) -> str | None:
    """The type letter of a viral hepatitis code ('chronic viral hepatitis c') the note never names with its
    letter ('hepatitis C', 'hep C', 'HCV'; 'HEP' for a home exercise program and 'Hep A #2' for a vaccine are no
    hepatitis C), or None."""
    match = _HEPATITIS_TYPE_RE.search(label)
    if not match:
        return None
    letter = match.group(1).upper()
    said = re.search(rf"\b(?:hepatitis|hep)[ -]?{letter}\b|\bH{letter}V\b|\bVH{letter}\b", narrative, re.I)  # VHC: Spanish
    return None if said else letter


# a disorder of a substance's use as notes name it (nicotine aside: smoking is coded as nicotine dependence, F17)
_SUBSTANCE_DISORDER_RE = re.compile(r"\b(?:depend\w*|abus\w*|misuse|use disorders?|(?:alcohol|drug|opioid|cannabis|"
                                    r"cocaine|stimulant|substance) use\b|addict\w*|alcoholi\w*|withdraw\w*|"
                                    r"intoxicat\w*|overdose|binge|heavy drink\w*|AUD|OUD|SUD|DTs?|delirium tremens|"
                                    r"\bin (?:sustained |early )?remission)", re.I)


_NICOTINE_RE = re.compile(r"\bnicotine|\btobacco|\bcigar|\bsmok|\bvap(?:e|ing)\b|\bchew", re.I)
_OTHER_SUBSTANCE_RE = re.compile(r"\balcohol|\bdrug|\bopioid|\bcannabis|\bmarijuana|\bcocaine|\bstimulant|"
                                 r"\bsubstance|\bAUD\b|\bOUD\b|\bSUD\b|\bbenzo|\bheroin|\bmeth", re.I)


def substance_without_disorder(code: str, narrative: str) -> bool:
    """A code of a mental disorder due to a substance (F10-F16, F18, F19) on a visit note that names no disorder of
    the substance's use: "2 beers/night", "avoid alcohol", "no alcohol x10 yrs" are no alcohol dependence; a
    sentence about nicotine dependence names none of another substance."""
    if not ("F10" <= code[:3] <= "F19" and code[:3] != "F17" and visit_note(narrative)):
        return False
    return not any(_SUBSTANCE_DISORDER_RE.search(s) and (not _NICOTINE_RE.search(s) or _OTHER_SUBSTANCE_RE.search(s))
                   for s in split_sentences(narrative, keep_labels=True))


# a disease named as the object of a test, not as the patient's condition: 'Hep C Ab', 'HIV screen to be drawn'
# (a positive or reactive result is left to the other words of the note)
TEST_OBJECT_RE = re.compile(
    r"\b(?:hep(?:atitis)?[- ]?[abc]|hcv|hbv|hiv|syphilis|rpr|lyme|gonorrh\w*|chlamydia|tb|tuberculosis)[- ]+"
    r"(?:ab|antibod(?:y|ies)|ag|antigen|screen(?:ing)?|test(?:ing)?|serolog\w*|titers?|pcr|naat|rna|quantiferon)\b"
    r"(?!\s*(?:\+|pos\w*|reactive|detected|\d))", re.I)


_ACUITY = {"chronic": r"\b(?:chronic|recurrent|long-?standing|persistent)\b", "acute": r"\b(?:acute|new|sudden)\b"}


def other_acuity(codeset, code: str, narrative: str) -> str | None:
    """'acute' when the code says chronic and every sentence naming its condition says acute (and none chronic);
    'chronic' the other way round (chronic maxillary sinusitis J32.0 for "acute maxillary sinusitis")."""
    from core.rules.mentions import mentions  # the mention reader builds on this module

    description = codeset.describe(code).lower()
    says = "chronic" if description.startswith("chronic") else "acute" if description.startswith("acute") else None
    # a disease named 'chronic' (COPD, CKD, chronic ischemic heart disease) or a code holding both acuities
    # (COPD with acute exacerbation, acute recurrent tonsillitis) is no acuity claim; case reports are left alone
    if (says is None or re.search(r"chronic (?:obstructive|kidney|ischemic|pain)|acute.*(?:chronic|recurrent)|"
                                  r"chronic.*acute", description) or not visit_note(narrative)):
        return None
    other = "acute" if says == "chronic" else "chronic"
    verdicts = mentions(codeset, code, narrative, lambda sentence, start, end: bool(
        re.search(_ACUITY[other], sentence, re.I)) and not re.search(_ACUITY[says], sentence, re.I))
    return other if verdicts and all(v == "flagged" for v, _ in verdicts) else None


RULE = Rule("unsupported_diagnosis", GUIDELINE, "a diagnosis whose condition or site the note never names is not coded",
            _propose, one_encounter=True)
