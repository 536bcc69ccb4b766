from __future__ import annotations

import pytest

from core.codes import get_codeset


@pytest.fixture(scope="session")
def codeset():
    return get_codeset()


@pytest.fixture()
def run(codeset):
    """apply_rules over {system: codes} given as keyword lists; returns the outcome."""
    from core.rules import apply_rules

    def _run(narrative: str, icd=(), cpt=(), hcpcs=(), rules=None, candidates=None):
        codes = {"icd10cm": list(icd), "cpt": list(cpt), "hcpcs": list(hcpcs)}
        return apply_rules(codes, narrative, codeset, rules=rules, candidates=candidates)

    return _run
