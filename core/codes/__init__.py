"""Code sets: ICD-10-CM (from the simple-icd-10-cm package), CPT and HCPCS Level II (curated JSON,
optionally completed by the official files) behind one `CodeSet` API.

    from core.codes import get_codeset
    cs = get_codeset()
    cs.validate("e119")  # Validation(normalized='E11.9', status='ok', ...)
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from core.codes.codeset import CodeSet
from core.codes.models import CodeInfo, SearchHit, Validation
from core.constants import SYSTEMS

__all__ = ["SYSTEMS", "CodeInfo", "CodeSet", "SearchHit", "Validation", "get_codeset"]

HCPCS_FILE_ENV = "THCE_HCPCS_FILE"
CPT_FILE_ENV = "THCE_CPT_FILE"


def get_codeset(hcpcs_file: Path | str | None = None, cpt_file: Path | str | None = None) -> CodeSet:
    """The process-wide CodeSet. Full official files come from the arguments or, when those are None,
    from THCE_HCPCS_FILE / THCE_CPT_FILE; each distinct pair of files is loaded once."""
    hcpcs = hcpcs_file or os.environ.get(HCPCS_FILE_ENV) or None
    cpt = cpt_file or os.environ.get(CPT_FILE_ENV) or None
    return _cached_codeset(_resolved(hcpcs), _resolved(cpt))


def _resolved(path: Path | str | None) -> str | None:
    return str(Path(path).expanduser().resolve()) if path else None


@lru_cache(maxsize=4)
def _cached_codeset(hcpcs_file: str | None, cpt_file: str | None) -> CodeSet:
    return CodeSet.load(Path(hcpcs_file) if hcpcs_file else None, Path(cpt_file) if cpt_file else None)
