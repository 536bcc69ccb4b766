"""BM25 search over code descriptions (+ ICD-10-CM inclusion terms), cached on disk with bm25s.

One index spans all systems; a per-system weight mask filters it and gives billable codes a small
boost. The index directory is keyed by a fingerprint of the indexed data, so a changed package,
curated file or official file builds a new one; later processes only load it (tens of ms).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import text
from core.codes.cache import codes_cache_dir, fingerprint, publish_dir
from core.codes.icd10cm import TABLE_SCHEMA, package_version
from core.constants import SYSTEMS
from core.text import context_bits, specific_tokens, tokenize

logger = logging.getLogger(__name__)

INDEX_SCHEMA = 4
BILLABLE_BOOST = 0.15  # score x1.15 for billable codes: a code one can bill beats its shorter parent
CONTEXT_PENALTY = 0.8  # documents in a context (newborn, pregnancy, history...) the query does not name
COVERAGE_WEIGHT = 0.2  # rerank: score x(1 + w * share of the document's specific words the query names)
RERANK_POOL = 100
_DOCS_FILE = "documents.json"
_WORDS_FILES = ("doc_words_indptr.npy", "doc_words.npy")


@dataclass(frozen=True)
class Document:
    system: str
    code: str
    text: str
    billable: bool


class SearchIndex:
    def __init__(self, retriever, columns: dict, words_indptr: np.ndarray, words: np.ndarray):
        self.retriever = retriever
        self.codes: list[str] = columns["codes"]
        self.systems = np.asarray(columns["systems"], dtype=np.int8)  # index into SYSTEMS per document
        self.contexts = np.asarray(columns["contexts"], dtype=np.int16)  # text.context_bits per document
        self.words_indptr, self.words = words_indptr, words  # CSR: specific vocabulary ids per document
        boost = 1.0 + BILLABLE_BOOST * np.asarray(columns["billable"], dtype=np.float32)
        self.weights: dict[str | None, np.ndarray] = {None: boost.astype(np.float32)}
        for number, system in enumerate(SYSTEMS):
            self.weights[system] = self.weights[None] * (self.systems == number)

    def __len__(self) -> int:
        return len(self.codes)

    def query(self, text: str, system: str | None = None, k: int = 10) -> list[tuple[str, str, float]]:
        """Top-k (system, code, score) with a positive score, best first."""
        vocab = self.retriever.vocab_dict
        tokens = [token for token in tokenize(text) if token in vocab]
        if not tokens or k <= 0 or not self.codes:
            return []
        weights = self.weights[system]
        unnamed = (self.contexts & ~np.int16(context_bits(tokens))) != 0
        weights = weights * np.where(unnamed, np.float32(CONTEXT_PENALTY), np.float32(1.0))
        scores = self.retriever.get_scores(tokens, weight_mask=weights)
        pool = _top(scores, max(k, RERANK_POOL))
        pool = pool[scores[pool] > 0]
        reranked = scores[pool] * (1.0 + COVERAGE_WEIGHT * self._coverage(pool, tokens))
        order = np.argsort(-reranked, kind="stable")[:k]
        return [(SYSTEMS[self.systems[pool[i]]], self.codes[pool[i]], float(reranked[i])) for i in order]

    def _coverage(self, docs: np.ndarray, tokens: list[str]) -> np.ndarray:
        """Per document: the share of its specific words that the query names."""
        if len(docs) == 0:
            return np.zeros(0, dtype=np.float32)
        query_ids = np.fromiter({self.retriever.vocab_dict[t] for t in tokens}, dtype=self.words.dtype)
        starts, ends = self.words_indptr[docs], self.words_indptr[docs + 1]
        lengths = ends - starts
        flat = np.concatenate([self.words[a:b] for a, b in zip(starts, ends, strict=True)]) if lengths.sum() else self.words[:0]
        hits = np.isin(flat, query_ids).astype(np.float32)
        owner = np.repeat(np.arange(len(docs)), lengths)
        named = np.bincount(owner, weights=hits, minlength=len(docs))
        return (named / np.maximum(lengths, 1)).astype(np.float32)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def load_or_build_index(documents_fn, key: str) -> SearchIndex:
    """Load the index stored under `key`, or build it from `documents_fn()` and store it."""
    directory = codes_cache_dir()
    final = directory / f"search-{key}" if directory else None
    if final is not None and final.is_dir():
        try:
            return _load(final)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("rebuilding unreadable search index %s: %s", final, exc)
    built = _build(documents_fn())
    if final is not None and not final.is_dir():
        if publish_dir(lambda tmp: _save(*built, tmp), final):
            _prune_old_indexes(final)
    return SearchIndex(*built)


def _prune_old_indexes(keep: Path, kept: int = 4) -> None:
    """Drop all but the `kept` most recently built indexes (each official-file combination has one)."""
    import shutil

    indexes = sorted((p for p in keep.parent.glob("search-*") if p.is_dir() and not p.name.endswith(".tmp")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in indexes[kept:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _build(documents: list[Document]) -> tuple:
    import bm25s

    logger.info("building search index over %d codes", len(documents))
    tokens = [tokenize(doc.text) for doc in documents]
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    columns = {"codes": [doc.code for doc in documents],
               "systems": [SYSTEMS.index(doc.system) for doc in documents],
               "billable": [int(doc.billable) for doc in documents],
               "contexts": [context_bits(doc_tokens) for doc_tokens in tokens]}
    vocab = retriever.vocab_dict
    specific = [[vocab[t] for t in specific_tokens(doc_tokens)] for doc_tokens in tokens]
    indptr = np.cumsum([0] + [len(ids) for ids in specific]).astype(np.int64)
    words = np.fromiter((i for ids in specific for i in ids), dtype=np.int32, count=int(indptr[-1]))
    return retriever, columns, indptr, words


def _save(retriever, columns: dict, indptr: np.ndarray, words: np.ndarray, directory: Path) -> None:
    retriever.save(str(directory), show_progress=False)
    (directory / _DOCS_FILE).write_text(json.dumps(columns), encoding="utf-8")
    np.save(directory / _WORDS_FILES[0], indptr)
    np.save(directory / _WORDS_FILES[1], words)


def _load(directory: Path) -> SearchIndex:
    import bm25s

    retriever = bm25s.BM25.load(str(directory), mmap=False, load_corpus=False)
    columns = json.loads((directory / _DOCS_FILE).read_text(encoding="utf-8"))
    indptr, words = (np.load(directory / name) for name in _WORDS_FILES)
    if not len(columns["codes"]) == retriever.scores["num_docs"] == len(indptr) - 1:
        raise ValueError("document list does not match the index")
    return SearchIndex(retriever, columns, indptr, words)


def search_index(codeset) -> SearchIndex:
    """The (cached) index over every code of a CodeSet except ICD-10-CM chapters and blocks."""
    return load_or_build_index(lambda: index_documents(codeset), index_key(codeset))


def index_documents(codeset) -> list[Document]:
    documents = []
    for system in SYSTEMS:
        for code, record in codeset.tables[system].items():
            if record.kind in ("chapter", "block"):
                continue
            extra = codeset.notes.get(code, {}).get("inclusion_terms", []) if system == "icd10cm" else [
                record.category or ""]
            documents.append(Document(system, code, " ".join([record.description, *extra]), record.billable))
    return documents


def index_key(codeset) -> str:
    """Changes whenever the indexed data or the text processing changes."""
    procedures = [repr(sorted(codeset.tables[system].items())) for system in ("cpt", "hcpcs")]
    text_rules = Path(text.__file__).read_bytes()  # abbreviations, stop words, spellings
    return fingerprint([str(INDEX_SCHEMA), str(TABLE_SCHEMA), package_version(), text.stemmer_name(),
                        text_rules, *procedures])
