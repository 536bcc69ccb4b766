"""Where the curated CPT / HCPCS JSON files live and what their header says (entries are read, and
schema-checked, by `core.codes.loaders.load_curated`).

{"system": "cpt", "version": "...", "source": "...", "notice": "...",
 "codes": [{"code": "99214", "description": "...", "category": "...", "unit": "1 mg"?}, ...]}
"""

from __future__ import annotations

import json
from pathlib import Path

from core.paths import CODE_DB_DIR


def curated_path(system: str) -> Path:
    return CODE_DB_DIR / f"{system}_curated.json"


def curated_metadata(path: Path) -> dict[str, str]:
    """version / source / notice of a curated file ({} when absent or unreadable; the loader reports why)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict):
        return {}
    return {key: str(document[key]) for key in ("version", "source", "notice") if key in document}
