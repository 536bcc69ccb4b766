"""Text normalization and tokenization shared by the search index and its queries.

Lower case, accents folded, British spellings and common clinical/billing abbreviations expanded
(T2DM, HTN, inj, w/o ...), English stop words dropped (but not 'without'/'no'/'not', which change a
code), then Snowball-stemmed when PyStemmer is installed.
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
_PHRASES = ((re.compile(r"\bw/o\b"), " without "), (re.compile(r"\bw/"), " with "), (re.compile(r"&"), " and "))
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
