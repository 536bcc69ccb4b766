"""Text processing, in one place: the search tokens of a text, the sentences of a narrative, the
stemmed content words that narratives and code descriptions are compared by, and negation cues.

Search tokens (the code-set index and its queries, retrieval, evidence): lower case, accents folded,
British spellings and common clinical/billing abbreviations expanded (T2DM, HTN, inj, w/o ...), English
stop words dropped (but not 'without'/'no'/'not', which change a code), then Snowball-stemmed when
PyStemmer is installed.

Sentences: a break after . ! ? ; or : followed by white space, or at a line break. Every caller
(retrieval units, the BM25 baseline, evidence quotes, the coding rules) splits with `sentence_spans`.

Negation: one list of cues. `is_affirmed` tests a whole sentence (retrieval); `affirmed` finds a mention that
no cue before it in its clause denies (the coding rules).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it of on or such that the their then there these "
    "they this to was will with per".split()
)
ABBREVIATIONS: dict[str, str] = {
    "t2dm": "type 2 diabetes mellitus", "dm2": "type 2 diabetes mellitus", "niddm": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus", "dm1": "type 1 diabetes mellitus", "iddm": "type 1 diabetes mellitus",
    "dm": "diabetes mellitus", "htn": "hypertension", "chf": "congestive heart failure",
    "cad": "coronary artery disease", "copd": "chronic obstructive pulmonary disease",
    "mi": "myocardial infarction", "afib": "atrial fibrillation", "uti": "urinary tract infection",
    "uri": "upper respiratory infection", "ckd": "chronic kidney disease", "esrd": "end stage renal disease",
    "aki": "acute kidney failure", "gerd": "gastro esophageal reflux disease", "cva": "cerebral infarction",
    "tia": "transient cerebral ischemic attack", "dvt": "deep vein thrombosis", "sob": "shortness of breath",
    "bph": "benign prostatic hyperplasia", "oa": "osteoarthritis", "ra": "rheumatoid arthritis",
    "hld": "hyperlipidemia", "osa": "obstructive sleep apnea", "fx": "fracture", "hx": "history",
    "inj": "injection", "im": "intramuscular", "subq": "subcutaneous",
    "sq": "subcutaneous", "ekg": "electrocardiogram", "ecg": "electrocardiogram", "a1c": "hemoglobin a1c",
    "hba1c": "hemoglobin a1c", "ct": "computed tomography", "mri": "magnetic resonance imaging",
    "ii": "2", "iii": "3", "abd": "abdominal", "bilat": "bilateral", "lt": "left", "rt": "right",
}
_SPELLINGS = (("haem", "hem"), ("anaem", "anem"), ("glycaem", "glycem"), ("oedema", "edema"),
              ("oesophag", "esophag"), ("aemia", "emia"), ("paediatric", "pediatric"), ("tumour", "tumor"))
_PHRASES = ((re.compile(r"\bw/o\b"), " without "), (re.compile(r"\bw/"), " with "), (re.compile(r"&"), " and "),
            # an oxygen saturation "on RA" / "98% RA" is on room air, not rheumatoid arthritis
            (re.compile(r"(\d\s*%\s*(?:on\s+)?|\bon\s+|\bsats?\s+\d+\s*%?\s*)ra\b"), r"\1 room air "))
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def stemmer_name() -> str:
    """Part of the search-cache key: an index built with stemming is unusable without it."""
    return "snowball-english" if _stemmer() is not None else "none"


def fold(text: str) -> str:
    """Lower case ASCII: accents dropped, British spellings and shorthand phrases rewritten."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    for british, american in _SPELLINGS:
        text = text.replace(british, american)
    return text


def words(text: str) -> list[str]:
    """Unstemmed content words with abbreviations expanded."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(fold(text)):
        for word in ABBREVIATIONS.get(token, token).split():
            if word not in STOPWORDS:
                out.append(word)
    return out


def tokenize(text: str) -> list[str]:
    """Search tokens of a text (document or query)."""
    tokens = words(text)
    stemmer = _stemmer()
    return stemmer.stemWords(tokens) if stemmer is not None and tokens else tokens


# Contexts that make a code apply only when the text mentions them (a newborn, a pregnancy, a history-of,
# a late effect, a follow-up encounter, a complication of care, an "other specified" bucket). A document
# in such a context is ranked lower when the query does not name it.
CONTEXT_GROUPS: dict[str, tuple[str, ...]] = {
    "newborn": ("newborn", "neonatal", "perinatal", "fetus", "fetal"),
    "pregnancy": ("pregnancy", "pregnant", "childbirth", "puerperium", "delivery", "obstetric", "gestational",
                  "maternal"),
    "history": ("history",),
    "sequela": ("sequela",),
    "subsequent": ("subsequent",),
    "postprocedural": ("postprocedural", "intraoperative", "complicating"),
    "other": ("other",),
}
# Words that only say a code is the unspecific default; a document is not penalized for them in
# `coverage` (the share of a document's words the query names).
UNSPECIFIED_WORDS = ("unspecified", "nos", "not", "specified", "elsewhere", "classified", "site", "organism")


@lru_cache(maxsize=1)
def _context_stems() -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
    groups = tuple(frozenset(tokenize(" ".join(words))) for words in CONTEXT_GROUPS.values())
    return groups, frozenset(tokenize(" ".join(UNSPECIFIED_WORDS)))


def context_bits(tokens: list[str]) -> int:
    """Bit i set when the tokens mention CONTEXT_GROUPS' i-th context."""
    present = set(tokens)
    return sum(1 << i for i, stems in enumerate(_context_stems()[0]) if present & stems)


def specific_tokens(tokens: list[str]) -> list[str]:
    """Distinct tokens without the UNSPECIFIED_WORDS ones."""
    unspecific = _context_stems()[1]
    return sorted({token for token in tokens if token not in unspecific})


def content_stems(text: str) -> set[str]:
    """Distinct search tokens of a text, without the ones that only mean 'unspecified'."""
    return set(specific_tokens(tokenize(text)))


# ---------------------------------------------------------------- sentences

_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")
WINDOW_WORDS = 24
WINDOW_STEP = 16
MAX_UNITS = 200


def sentence_spans(text: str, keep_labels: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, white space trimmed, empty ones left out. With `keep_labels`
    a sentence that ends in ':' stays joined to the next one ('MDM: moderate.', 'Total time: 34 min',
    'Denies:\nfever'): a label is read with what it labels (evidence quotes, the coding rules)."""
    spans, start = [], 0
    for brk in _SENTENCE_BREAK_RE.finditer(text or ""):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text or "")))
    trimmed: list[tuple[int, int]] = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        if keep_labels and trimmed and text[trimmed[-1][1] - 1] == ":":
            start = trimmed.pop()[0]
        trimmed.append((start, end))
    return trimmed


def split_sentences(text: str, min_words: int = 1, keep_labels: bool = False) -> list[str]:
    """The sentences of `text` that have at least `min_words` words (`keep_labels`: see sentence_spans)."""
    sentences = (text[start:end] for start, end in sentence_spans(text, keep_labels))
    return [sentence for sentence in sentences if len(sentence.split()) >= min_words]


def split_units(narrative: str) -> list[str]:
    """Retrieval units: sentences, white space folded; a sentence longer than WINDOW_WORDS words becomes
    overlapping windows of WINDOW_WORDS words, WINDOW_STEP apart. At most MAX_UNITS units."""
    units: list[str] = []
    for sentence in split_sentences(narrative):
        words = sentence.split()
        if len(words) <= WINDOW_WORDS:
            units.append(" ".join(words))
            continue
        for start in range(0, len(words) - WINDOW_WORDS + WINDOW_STEP, WINDOW_STEP):
            units.append(" ".join(words[start:start + WINDOW_WORDS]))
    return units[:MAX_UNITS]


# ---------------------------------------------------------------- negation and family history

# Cues that deny what follows them ("no fever", "negative for strep", "ruled out PE"), and cues that a
# sentence speaks of a relative. Regex alternatives, matched as whole words, case-insensitive.
NEGATION_CUES = ("no", "not", "denies", "denied", "negative", "neg for", "without", "never", "absence", "absent", "ruled? out",
                 "rules out", "free of", "neither", "nor")
FAMILY_CUES = ("family", "fhx", "father", "mother", "brother", "sister", "grandfather", "grandmother", "sibling")
_NOT_AFFIRMED_RE = re.compile(r"\b(" + "|".join(NEGATION_CUES + FAMILY_CUES) + r")\b", re.IGNORECASE)
# A negation cue with no comma between it and the end of the text: it still governs what comes next.
# a dash with white space on both sides: a clause break in clinical notes ("Acute bronchitis - pneumonia excluded")
SPACED_DASH = r"\s[-\u2013\u2014]+\s"
# a comma or a spaced dash ends a denial's scope ("no prior pneumococcal vaccine - PCV20 given today")
_NEGATED_TAIL_RE = re.compile(r"\b(" + "|".join(NEGATION_CUES) + rf")\b(?:(?!{SPACED_DASH})[^,])*$", re.IGNORECASE)


def is_affirmed(sentence: str) -> bool:
    """False when the sentence holds a negation or family-history cue anywhere (a crude, sentence-level test:
    the retriever's evidence weights)."""
    return _NOT_AFFIRMED_RE.search(sentence) is None


def affirmed(narrative: str, pattern: str) -> str | None:
    """The first sentence (labels kept with what they label) where `pattern` (a regex, case-insensitive) occurs
    with no negation cue before it in the same clause; None when it is absent or only negated. Family history
    is not a negation here: the coding rules decide on mentions of the patient's own conditions by pattern."""
    regex = re.compile(pattern, re.IGNORECASE)
    for sentence in split_sentences(narrative, keep_labels=True):
        for match in regex.finditer(sentence):
            if not _NEGATED_TAIL_RE.search(sentence[: match.start()]):
                return sentence
    return None


def negated_before(text: str, index: int) -> bool:
    """Whether a negation cue governs position `index` of `text`: one occurs before it with no comma between
    ("No cramps", "did not report any hematuria"; not "diabetes without complications" at "diabetes")."""
    return _NEGATED_TAIL_RE.search(text[:index]) is not None


# Words before a finding that a negation cue may stand in to deny it (NegEx looks about as far).
NEGATION_WINDOW = 5


def negated_within(text: str, index: int, window: int = NEGATION_WINDOW) -> bool:
    """negated_before, looking back at most `window` words from `index` (a cue further back does not deny the
    word: "no relevant history was referred ... for a vasectomy"), or the word is an item of a list a denial
    opens (`negated_in_list`). `text`: the word's sentence or clause (with what follows the word, when known)."""
    before = " ".join(text[:index].split()[-window:])
    return (negated_before(before + " ", len(before) + 1) or negated_in_list(text, index)
            or hypothetical_before(text, index))


# Advice about what may come ("return for fever", "ED precautions for SOB or chest pain", "call if worse"): what
# follows is no finding of the visit.
_HYPOTHETICAL_RE = re.compile(r"\b(?:precautions?|return(?:s|ing)?(?: to [a-z ]{2,20}?)? (?:for|if)|call (?:[a-z ]{0,15})?"
                              r"(?:if|for)|seek (?:care|medical (?:care|attention))|come back (?:if|for)|watch for|"
                              r"monitor for|warning signs?|red flags?|(?:go|come) to (?:the )?(?:ed|er|emergency)[a-z ]{0,12}"
                              r"(?:if|for)|(?:ed|er) if|if (?:worse|worsening|any|new|develops?|persists?))\b[^.;]*$",
                              re.IGNORECASE)


def hypothetical_before(text: str, index: int) -> bool:
    """Whether the word at `index` is in advice about what may come, in its sentence ("Return for fever")."""
    return _HYPOTHETICAL_RE.search(text[:index]) is not None


# Cues that open a list of denied findings ("Denies fever, chills, or cough", "ROS negative for CP, SOB, HA"), and
# words that end such a list or make its item a finding that is present ("No fever, cough present", "no chills
# but reports cough"; NegEx's termination terms).
LIST_CUES = ("denies", "denied", "no", "negative for", "neg for", "without", "free of", "absence of", "not", "never")
_LIST_CUE_RE = re.compile(r"\b(?:" + "|".join(LIST_CUES) + r")\b", re.IGNORECASE)
_LIST_END_RE = re.compile(r"\b(?:but|however|although|though|except|present|presents|presented|reports?|reported|"
                          r"complains?|c/o|has|had|positive|endorses?|admits?|notes?|noted|states?|which|who|since|"
                          r"due|secondary|remains?|still|now|today|x\s?\d|for \d|\d+ (?:days?|weeks?|months?))\b|\+",
                          re.IGNORECASE)
_LIST_SPLIT_RE = re.compile(r",|\bor\b|\band\b|\bnor\b|/")
LIST_ITEM_WORDS = 4  # a list item of more words is a clause of its own ("No fever, the cough started on Monday")
LIST_ITEMS = 12


def negated_in_list(text: str, index: int) -> bool:
    """Whether the word at `index` is an item of a list of denied findings: a list cue (LIST_CUES) opens a run of
    short items (at most LIST_ITEM_WORDS words each, separated by commas, 'or', 'and', '/') that reaches the word,
    with no ending word (a termination term such as 'but', 'reports', 'present') in any item up to the word's own
    item, that item included."""
    before = text[:index]
    cues = list(_LIST_CUE_RE.finditer(before))
    if not cues:
        return False
    after = _LIST_SPLIT_RE.split(text[index:], maxsplit=1)[0]
    items = _LIST_SPLIT_RE.split(before[cues[-1].end():])
    items[-1] = items[-1] + after  # the word's own item, whole
    if len(items) > LIST_ITEMS or len(items) < 2:
        return False  # the word in the cue's own item is negated_before's to judge
    return all(len(item.split()) <= LIST_ITEM_WORDS and not _LIST_END_RE.search(item) and not re.search(r"[.;]\s", item)
               for item in items if item.strip())


def any_affirmed(narrative: str, patterns) -> bool:
    return any(affirmed(narrative, pattern) for pattern in patterns)


# ---------------------------------------------------------------- evidence words

# Words of code descriptions too general to show that a phrase supports a code ("disease", "left",
# "patient"); left out, with the search stop words, when a phrase is matched to a code (evidence quotes).
GENERIC_WORDS = ("other type due encounter initial subsequent sequela part region stage disease disorder condition "
                 "unsp unknown except left right patient pt without from has have had were been his her its which "
                 "than after before during")


# Irregular forms of words that code descriptions use in their base form: "fell" in a note is the "fall" of
# W19.XXXA (Unspecified fall). Evidence words only; the retriever's tokens are unchanged.
IRREGULAR_FORMS = {"fell": "fall", "fallen": "fall", "broke": "break", "broken": "break", "bitten": "bite",
                   "struck": "strike", "stung": "sting", "swollen": "swell", "burnt": "burn", "torn": "tear",
                   "tore": "tear", "froze": "freeze", "frozen": "freeze", "slid": "slide", "crushed": "crush"}


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(tokenize(GENERIC_WORDS))


@lru_cache(maxsize=1)
def _irregular_stems() -> dict[str, str]:
    return {tokenize(form)[0]: tokenize(base)[0] for form, base in IRREGULAR_FORMS.items()
            if tokenize(form) and tokenize(base) and tokenize(form) != tokenize(base)}


def evidence_stems(text: str) -> set[str]:
    """The content stems of a text that can tie a phrase to a code's description (irregular forms as their base:
    IRREGULAR_FORMS)."""
    irregular = _irregular_stems()
    return {irregular.get(stem, stem) for stem in content_stems(text)} - _generic_stems()
