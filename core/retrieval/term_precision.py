"""Term precision: for each word n-gram of the TF-IDF vocabulary and each code, the share of training
narratives holding the n-gram that carry the code (smoothed, kept when at least `min_support` narratives
share both). A narrative's score for a code is the best precision over its n-grams: a learned lexicon
("ingrown toenail" -> L60.0, "brucella" -> A23.9) that a whole-document model dilutes."""

from __future__ import annotations

import numpy as np
from scipy import sparse

SMOOTHING = 1.0  # precision = together / (narratives with the n-gram + SMOOTHING)
MIN_PRECISION = 0.05
STRONG_PRECISION = 0.5


class TermPrecision:
    def __init__(self, table: sparse.csr_matrix):
        self.table = sparse.csr_matrix(table, dtype=np.float32)  # (n-grams, labels)

    @classmethod
    def fit(cls, presence: sparse.csr_matrix, targets: sparse.csr_matrix, min_support: int) -> TermPrecision:
        """presence: (cases, n-grams) 0/1; targets: (cases, labels) 0/1."""
        presence = sparse.csr_matrix(presence, dtype=np.float32)
        together = (presence.T @ sparse.csr_matrix(targets, dtype=np.float32)).tocoo()
        holders = np.asarray(presence.sum(axis=0)).ravel()
        precision = together.data / (holders[together.row] + SMOOTHING)
        keep = (together.data >= min_support) & (precision >= MIN_PRECISION)
        table = sparse.csr_matrix((precision[keep], (together.row[keep], together.col[keep])), shape=together.shape)
        return cls(table)

    def scores(self, presence: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(best precision, number of n-grams with precision >= STRONG_PRECISION), each (narratives, labels)."""
        presence = sparse.csr_matrix(presence)
        best = np.zeros((presence.shape[0], self.table.shape[1]), dtype=np.float32)
        strong = np.zeros_like(best)
        for i in range(presence.shape[0]):
            rows = self.table[presence.indices[presence.indptr[i]:presence.indptr[i + 1]]]
            if rows.nnz:
                best[i] = rows.max(axis=0).toarray().ravel()
                strong[i] = np.asarray((rows >= STRONG_PRECISION).sum(axis=0)).ravel()
        return best, strong

    def to_arrays(self) -> dict[str, np.ndarray]:
        table = self.table.tocsr()
        return {"data": table.data.astype(np.float16), "indices": table.indices.astype(np.int32),
                "indptr": table.indptr.astype(np.int32), "shape": np.array(table.shape)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TermPrecision:
        shape = tuple(int(x) for x in arrays["shape"])
        return cls(sparse.csr_matrix((arrays["data"].astype(np.float32), arrays["indices"], arrays["indptr"]),
                                     shape=shape))
