"""Near-duplicate texts: word 3-gram shingles, 16 min-hashes banded into 4 LSH buckets, candidate pairs
verified by exact Jaccard similarity. Deterministic (crc32 hashing) and fast on tens of thousands of texts."""

from __future__ import annotations

import re
import zlib
from collections import defaultdict

import numpy as np

SHINGLE_WORDS = 3
N_HASHES, BANDS = 16, 4
MAX_BUCKET = 200  # larger buckets are compared against their first members only
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(20240601)
_A = _RNG.integers(1, 1 << 31, size=N_HASHES, dtype=np.uint64)
_B = _RNG.integers(0, 1 << 31, size=N_HASHES, dtype=np.uint64)
_WORD_RE = re.compile(r"[a-z0-9]+")


def normalize_text(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


def shingles(text: str) -> set[int]:
    words = normalize_text(text).split()
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())}
    return {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode()) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _signature(items: set[int]) -> tuple[int, ...]:
    values = np.fromiter(items, dtype=np.uint64, count=len(items))
    hashed = (_A[:, None] * values[None, :] + _B[:, None]) % np.uint64(_PRIME)
    return tuple(int(v) for v in hashed.min(axis=1))


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicate_pairs(texts: list[str], threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for i < j whose shingle Jaccard >= threshold (LSH recall ~0.99 at 0.9)."""
    sets = [shingles(t) for t in texts]
    buckets: dict[tuple, list[int]] = defaultdict(list)
    rows = N_HASHES // BANDS
    for index, items in enumerate(sets):
        signature = _signature(items)
        for band in range(BANDS):
            buckets[(band, signature[band * rows:(band + 1) * rows])].append(index)
    found: dict[tuple[int, int], float] = {}
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        head = members[:MAX_BUCKET]
        for pos, i in enumerate(head):
            for j in head[pos + 1:]:
                if (i, j) in checked:
                    continue
                checked.add((i, j))
                similarity = jaccard(sets[i], sets[j])
                if similarity >= threshold:
                    found[(i, j)] = similarity
    return sorted((i, j, round(s, 3)) for (i, j), s in found.items())
