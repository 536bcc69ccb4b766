"""On-disk format of a fitted retriever: <model_dir>/retriever/ holding manifest.json (settings, labels,
tree-ensemble header), vocabulary.json (the TF-IDF vocabularies) and arrays.npz (compressed float16/int32
arrays). No pickle: loading never runs stored code."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

FORMAT = "thce-retriever"
FORMAT_VERSION = 1
SUBDIR = "retriever"
MANIFEST, VOCABULARY, ARRAYS = "manifest.json", "vocabulary.json", "arrays.npz"


class RetrieverFormatError(ValueError):
    """A retriever folder that is missing files or was written by another format version."""


def retriever_dir(model_dir: Path | str) -> Path:
    return Path(model_dir) / SUBDIR


def is_saved(model_dir: Path | str) -> bool:
    return (retriever_dir(model_dir) / MANIFEST).is_file()


def write(model_dir: Path | str, manifest: dict, vocabulary: list, arrays: dict[str, np.ndarray]) -> Path:
    directory = retriever_dir(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).write_text(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, **manifest},
                                                 indent=1), encoding="utf-8")
    (directory / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    np.savez_compressed(directory / ARRAYS, **arrays)
    logger.info("saved retriever to %s (%.1f MB)", directory, size_bytes(model_dir) / 1e6)
    return directory


def read(model_dir: Path | str) -> tuple[dict, list, dict[str, np.ndarray]]:
    directory = retriever_dir(model_dir)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError) as exc:
        raise RetrieverFormatError(f"{directory}: cannot read the fitted retriever ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise RetrieverFormatError(f"{directory / MANIFEST}: expected format {FORMAT!r} version {FORMAT_VERSION}, "
                                   f"found {manifest.get('format')!r} version {manifest.get('version')!r}")
    return manifest, vocabulary, arrays


def update_manifest(model_dir: Path | str, key: str, value) -> None:
    """Replace one entry of a saved retriever's manifest (e.g. the calibrated decision rule)."""
    path = retriever_dir(model_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RetrieverFormatError(f"{path}: cannot read the retriever manifest ({exc})") from exc
    manifest[key] = value
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    partial.replace(path)


def size_bytes(model_dir: Path | str) -> int:
    directory = retriever_dir(model_dir)
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file()) if directory.is_dir() else 0
