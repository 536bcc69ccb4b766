"""Coverage of the loaded code sets (curated CPT/HCPCS unless official files are loaded) against the gold
codes of an evaluation set: which codes a dataset needs that the code set cannot validate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from core.constants import SYSTEMS


def code_coverage(cases: Iterable[dict], codeset) -> dict[str, dict]:
    """{system: {"codes": distinct gold codes, "covered": those valid in `codeset`, "rate", "uses": gold
    code occurrences, "uses_covered", "missing": [most used first]}} over cases' "codes"."""
    uses: dict[str, Counter] = {system: Counter() for system in SYSTEMS}
    for case in cases:
        for system in SYSTEMS:
            uses[system].update((case.get("codes") or {}).get(system, []))
    out = {}
    for system, counter in uses.items():
        missing = [code for code, _ in counter.most_common() if not codeset.is_valid(code, system)]
        covered_uses = sum(n for code, n in counter.items() if code not in missing)
        out[system] = {"codes": len(counter), "covered": len(counter) - len(missing),
                       "rate": (len(counter) - len(missing)) / len(counter) if counter else None,
                       "uses": sum(counter.values()), "uses_covered": covered_uses, "missing": missing}
    return out
