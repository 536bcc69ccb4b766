"""On-disk cache for compiled code tables and search indexes (THCE_CACHE_DIR, default ~/.cache/thce).

Entries are written atomically (temp file/dir + rename) so concurrent processes never read half a file.
A cache that cannot be written is not an error: the data is rebuilt in memory and a warning is logged.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core.paths import cache_dir

logger = logging.getLogger(__name__)


def codes_cache_dir() -> Path | None:
    """<cache>/codes, created on demand; None when it cannot be created."""
    try:
        path = cache_dir() / "codes"
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError as exc:
        logger.warning("code cache disabled: %s", exc)
        return None


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """Short stable hash of the given strings/bytes (cache keys)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def file_fingerprint(path: Path) -> str:
    """Content hash of a file; 'absent' when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "absent"


def cached_pickle(key: str, build: Callable[[], Any]) -> Any:
    """Load `<cache>/codes/<key>.pkl`, or build it, store it and return it."""
    directory = codes_cache_dir()
    path = directory / f"{key}.pkl" if directory else None
    if path is not None and path.exists():
        try:
            with path.open("rb") as handle:
                return _load_without_gc(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            logger.warning("ignoring unreadable cache file %s: %s", path, exc)
    value = build()
    if path is not None:
        _write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def _load_without_gc(handle) -> Any:
    """Unpickle with the cyclic GC paused: ~100k small tuples would otherwise trigger many passes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(handle)
    finally:
        if enabled:
            gc.enable()


def _write_atomic(path: Path, payload: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write cache file %s: %s", path, exc)


def publish_dir(build_into: Callable[[Path], None], final: Path) -> bool:
    """Fill a temp directory with `build_into(tmp)` and rename it to `final`; False if that failed."""
    try:
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=final.name, suffix=".tmp"))
    except OSError as exc:
        logger.warning("could not create cache dir next to %s: %s", final, exc)
        return False
    try:
        build_into(tmp)
        os.replace(tmp, final)
        return True
    except OSError as exc:  # another process published first, or the disk is read-only
        logger.info("cache dir %s not published: %s", final, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return final.exists()
