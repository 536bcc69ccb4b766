"""Supervised signals learned from gold cases: TF-IDF (word + character n-grams) of the narrative, then
(1) kernel ridge regression onto each code seen in training (a linear model per code, solved in the dual,
so it stays small: one coefficient per training case and code), and (2) k-nearest-neighbour voting
(similar training narratives vote for their codes) and (3) term precision (term_precision.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse

from core.retrieval.term_precision import TermPrecision

Label = tuple[str, str]  # (system, code)


@dataclass
class SupervisedScores:
    """Per narrative and label: ridge regression, neighbour vote, best term precision, strong terms."""

    ridge: np.ndarray
    votes: np.ndarray
    term_best: np.ndarray
    term_strong: np.ndarray
    nearest: np.ndarray  # per narrative: cosine similarity of the most similar training narrative

    def row(self, i: int) -> SupervisedScores:
        return SupervisedScores(self.ridge[i], self.votes[i], self.term_best[i], self.term_strong[i], self.nearest[i])


@dataclass
class SupervisedConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    max_word_features: int = 30_000
    max_char_features: int = 50_000
    ridge: float = 0.03  # kernel ridge regularization
    neighbours: int = 30
    neighbour_power: float = 3.0  # vote weight = cosine similarity ** power

    @classmethod
    def from_dict(cls, data: dict) -> SupervisedConfig:
        data = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)


def _vectorizers(config: SupervisedConfig, min_df: int, vocabularies=(None, None)):
    from sklearn.feature_extraction.text import TfidfVectorizer

    common = {"sublinear_tf": True, "strip_accents": "unicode", "dtype": np.float32}
    word = TfidfVectorizer(ngram_range=config.word_ngrams, stop_words="english", min_df=min_df,
                           max_features=config.max_word_features, vocabulary=vocabularies[0], **common)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, min_df=min_df,
                           max_features=config.max_char_features, vocabulary=vocabularies[1], **common)
    return word, char


def _rows_normalized(matrix) -> sparse.csr_matrix:
    from sklearn.preprocessing import normalize

    return normalize(sparse.csr_matrix(matrix, dtype=np.float32))


class SupervisedScorer:
    def __init__(self, config: SupervisedConfig, vectorizers, train_matrix, labels: list[Label],
                 label_matrix, coefficients: np.ndarray, terms: TermPrecision):
        self.config, self.vectorizers, self.terms = config, vectorizers, terms
        self.train_matrix = train_matrix.astype(np.float32)  # (cases, features), rows L2-normalized
        self.labels = labels
        self.label_index = {label: i for i, label in enumerate(labels)}
        self.label_matrix = sparse.csr_matrix(label_matrix, dtype=np.float32)  # (cases, labels) 0/1
        self.coefficients = coefficients.astype(np.float32)  # dual ridge coefficients (cases, labels)
        self.counts = np.asarray(self.label_matrix.sum(axis=0)).ravel()
        self.mean = self.counts / max(1, self.label_matrix.shape[0])

    @classmethod
    def fit(cls, narratives: list[str], label_sets: list[list[Label]], config: SupervisedConfig) -> SupervisedScorer:
        if not narratives:
            raise ValueError("the supervised scorer needs at least one training case")
        vectorizers = _vectorizers(config, min_df=2 if len(narratives) >= 50 else 1)
        word, char = (v.fit_transform(narratives) for v in vectorizers)
        matrix = _rows_normalized(sparse.hstack([word, char]))
        labels = sorted({label for labels in label_sets for label in labels})
        index = {label: i for i, label in enumerate(labels)}
        rows = [i for i, found in enumerate(label_sets) for _ in set(found)]
        cols = [index[label] for found in label_sets for label in set(found)]
        targets = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(narratives), len(labels)))
        kernel = (matrix @ matrix.T).toarray().astype(np.float64)
        dense = targets.toarray() - targets.mean(axis=0).A1 if labels else np.zeros((len(narratives), 0))
        coefficients = np.linalg.solve(kernel + config.ridge * np.eye(len(kernel)), dense)
        terms = TermPrecision.fit(word > 0, targets, min_support=2 if len(narratives) >= 50 else 1)
        return cls(config, vectorizers, matrix, labels, targets, coefficients, terms)

    def scores(self, narratives: list[str]) -> SupervisedScores:
        """All supervised scores, each of shape (narratives, labels)."""
        word, char = (v.transform(narratives) for v in self.vectorizers)
        query = _rows_normalized(sparse.hstack([word, char]))
        kernel = np.asarray((self.train_matrix @ query.T.toarray()).T)
        ridge = kernel @ self.coefficients + self.mean
        keep = min(self.config.neighbours, kernel.shape[1])
        nearest = np.argpartition(-kernel, keep - 1, axis=1)[:, :keep]
        weights = np.zeros_like(kernel)
        rows = np.arange(len(kernel))[:, None]
        weights[rows, nearest] = np.clip(kernel[rows, nearest], 0, None) ** self.config.neighbour_power
        votes = np.asarray(self.label_matrix.T @ weights.T).T
        votes /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        return SupervisedScores(ridge, votes, *self.terms.scores(word > 0), kernel.max(axis=1))

    def to_arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(json-able header, arrays) for storage; 8-bit weights keep the files small (MAP unchanged)."""
        header = {"config": asdict(self.config), "labels": [list(label) for label in self.labels],
                  "vocabularies": [_ordered_vocabulary(v) for v in self.vectorizers]}
        matrix, labels = self.train_matrix.tocsr(), self.label_matrix.tocsr()
        arrays = {"idf_word": self.vectorizers[0].idf_.astype(np.float32),
                  "idf_char": self.vectorizers[1].idf_.astype(np.float32),
                  "train_data": _to_uint8(matrix.data), "train_indices": matrix.indices.astype(np.int32),
                  "train_indptr": matrix.indptr.astype(np.int32), "train_shape": np.array(matrix.shape),
                  "labels_indices": labels.indices.astype(np.int32), "labels_indptr": labels.indptr.astype(np.int32),
                  **_quantized(self.coefficients),
                  **{f"terms_{k}": v for k, v in self.terms.to_arrays().items()}}
        return header, arrays

    @classmethod
    def from_arrays(cls, header: dict, arrays: dict[str, np.ndarray]) -> SupervisedScorer:
        config = SupervisedConfig.from_dict(header["config"])
        vocabularies = [{term: i for i, term in enumerate(terms)} for terms in header["vocabularies"]]
        vectorizers = _vectorizers(config, min_df=1, vocabularies=vocabularies)
        for vectorizer, key in zip(vectorizers, ("idf_word", "idf_char"), strict=True):
            vectorizer.idf_ = arrays[key].astype(np.float64)
        shape = tuple(int(x) for x in arrays["train_shape"])
        matrix = sparse.csr_matrix((arrays["train_data"].astype(np.float32) / 255, arrays["train_indices"],
                                    arrays["train_indptr"]), shape=shape)
        labels = [tuple(label) for label in header["labels"]]
        indices = arrays["labels_indices"]
        label_matrix = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, arrays["labels_indptr"]),
                                         shape=(shape[0], len(labels)))
        terms = TermPrecision.from_arrays({k[len("terms_"):]: v for k, v in arrays.items() if k.startswith("terms_")})
        coefficients = arrays["coefficients_int8"].astype(np.float32) * arrays["coefficients_scale"]
        return cls(config, vectorizers, matrix, labels, label_matrix, coefficients, terms)


def _ordered_vocabulary(vectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        terms[i] = term
    return terms


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """TF-IDF weights of L2-normalized rows (0..1) in steps of 1/255."""
    return np.clip(np.round(values * 255), 0, 255).astype(np.uint8)


def _quantized(coefficients: np.ndarray) -> dict[str, np.ndarray]:
    """int8 coefficients with one scale per label."""
    scale = (np.abs(coefficients).max(axis=0, keepdims=True) / 127).astype(np.float32) if coefficients.size else \
        np.ones((1, coefficients.shape[1]), dtype=np.float32)
    scale[scale == 0] = 1.0
    return {"coefficients_int8": np.round(coefficients / scale).astype(np.int8), "coefficients_scale": scale}
