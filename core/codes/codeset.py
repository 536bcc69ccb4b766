"""`CodeSet`: one API over ICD-10-CM, CPT and HCPCS Level II (lookup, normalize, validate, search)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from core.codes import validation
from core.codes.formats import canonical, compact, format_problem, format_systems
from core.codes.icd10cm import INHERITED_NOTES, load_icd_table, package_version
from core.codes.models import CodeInfo, CodeRecord, SearchHit, Validation
from core.codes.sources import ProcedureTable, load_procedure_table
from core.constants import SYSTEMS

logger = logging.getLogger(__name__)

NON_CODE_KINDS = ("chapter", "block")


class CodeSet:
    def __init__(self, icd: dict, cpt: ProcedureTable, hcpcs: ProcedureTable):
        self.tables: dict[str, dict[str, CodeRecord]] = {
            "icd10cm": icd["records"], "cpt": cpt.records, "hcpcs": hcpcs.records}
        self.notes: dict[str, dict[str, list[str]]] = icd["notes"]
        self.units: dict[str, str] = hcpcs.units
        self.meta: dict[str, dict[str, str]] = {
            "icd10cm": {"version": icd["version"], "source": f"simple-icd-10-cm {package_version()} (CMS/NCHS)"},
            "cpt": cpt.meta, "hcpcs": hcpcs.meta}
        self._index = None
        self._find = lru_cache(maxsize=65536)(self._find_uncached)

    @classmethod
    def load(cls, hcpcs_file: Path | None = None, cpt_file: Path | None = None) -> CodeSet:
        return cls(load_icd_table(), load_procedure_table("cpt", cpt_file),
                   load_procedure_table("hcpcs", hcpcs_file))

    # ---- spelling -------------------------------------------------------------------------------
    def _find_uncached(self, code: str, system: str | None) -> tuple[str, str] | None:
        """(system, table key) of a known code; with no system, HCPCS wins over ICD-10-CM for 'J3420'
        but a dotted spelling ('E11.65') means ICD-10-CM."""
        if format_problem(code):
            return None
        key = compact(code)
        candidates = format_systems(key)
        if system is not None:
            candidates = tuple(s for s in candidates if s == system)
        elif "." in code and "icd10cm" in candidates:
            candidates = ("icd10cm",) + tuple(s for s in candidates if s != "icd10cm")
        else:
            candidates = tuple(sorted(candidates, key=lambda s: s != "hcpcs"))
        for candidate in candidates:
            spelled = canonical(key, candidate)
            if spelled in self.tables[candidate]:
                return candidate, spelled
        if system in (None, "icd10cm") and code.strip().upper() in self.tables["icd10cm"]:
            return "icd10cm", code.strip().upper()  # chapters ('2') and blocks ('E08-E13')
        return None

    def detect_system(self, code: str) -> str | None:
        """System of a code: where it is known, else the first system whose format it has."""
        found = self._find(code, None)
        if found and self.tables[found[0]][found[1]].kind not in NON_CODE_KINDS:
            return found[0]
        if format_problem(code):
            return None
        systems = format_systems(compact(code))
        if len(systems) > 1 and "." not in code:
            return "hcpcs" if "hcpcs" in systems else systems[0]
        return systems[0] if systems else None

    def normalize(self, code: str, system: str | None = None) -> str:
        """Canonical spelling ('e119' -> 'E11.9', ' 99214 ' -> '99214'); unknown shapes come back upper-cased."""
        _check_system(system)
        if format_problem(code):
            return code.strip() if isinstance(code, str) else str(code)
        found = self._find(code, system)
        if found:
            return found[1]
        return canonical(compact(code), system or self.detect_system(code))

    # ---- facts about one code -------------------------------------------------------------------
    def lookup(self, code: str, system: str | None = None) -> CodeInfo | None:
        _check_system(system)
        found = self._find(code, system)
        if found is None:
            return None
        found_system, key = found
        record = self.tables[found_system][key]
        notes = self._notes(key) if found_system == "icd10cm" else {}
        return CodeInfo(key, found_system, record.description, record.billable, record.parent,
                        list(record.children), notes, record.category, record.kind, self.units.get(key)
                        if found_system == "hcpcs" else None)

    def _notes(self, key: str) -> dict[str, list[str]]:
        notes = {name: list(lines) for name, lines in self.notes.get(key, {}).items()}
        ancestor = self.tables["icd10cm"][key].parent
        while ancestor is not None and ancestor in self.tables["icd10cm"]:
            for name in INHERITED_NOTES:
                if name not in notes and name in self.notes.get(ancestor, {}):
                    notes[name] = list(self.notes[ancestor][name])
            ancestor = self.tables["icd10cm"][ancestor].parent
        return notes

    def describe(self, code: str) -> str:
        info = self.lookup(code)
        return info.description if info else ""

    def validate(self, code: str, system: str | None = None) -> Validation:
        _check_system(system)
        return validation.validate(self, code, system)

    def is_valid(self, code: str, system: str | None = None) -> bool:
        """Known AND billable."""
        found = self._find(code, system) if isinstance(code, str) else None
        return found is not None and self.tables[found[0]][found[1]].billable

    # ---- hierarchy ------------------------------------------------------------------------------
    def parent(self, code: str) -> str | None:
        info = self._find(code, None)
        return self.tables[info[0]][info[1]].parent if info else None

    def ancestors(self, code: str) -> list[str]:
        """Nearest first, up to the chapter: S52.502A -> S52.502, S52.50, S52.5, S52, S50-S59, 19."""
        chain, current = [], self.parent(code)
        while current is not None:
            chain.append(current)
            current = self.tables["icd10cm"][current].parent if current in self.tables["icd10cm"] else None
        return chain

    def children(self, code: str) -> list[str]:
        info = self._find(code, None)
        return list(self.tables[info[0]][info[1]].children) if info else []

    def billable_descendants(self, code: str, limit: int = 20) -> list[str]:
        """Billable codes under `code`, shallowest first (E11 -> E11.8, E11.9, E11.00, ...), at most `limit`."""
        table = self.tables["icd10cm"]
        found, level = [], self.children(code)
        while level and len(found) < limit:
            found.extend(child for child in level if child in table and table[child].billable)
            level = [grandchild for child in level if child in table for grandchild in table[child].children]
        return found[:limit]

    # ---- listing and search ---------------------------------------------------------------------
    def codes(self, system: str, billable_only: bool = True) -> list[str]:
        _check_system(system, required=True)
        return [code for code, record in self.tables[system].items()
                if (record.billable if billable_only else record.kind not in NON_CODE_KINDS)]

    def search(self, text: str, system: str | None = None, k: int = 10) -> list[SearchHit]:
        """BM25 over descriptions and inclusion terms; an exact code typed as the query comes first."""
        _check_system(system)
        from core.codes.search import search_index

        if self._index is None:
            self._index = search_index(self)
        hits = [SearchHit(code, found_system, self.tables[found_system][code].description, score)
                for found_system, code, score in self._index.query(text, system, k)]
        exact = self._exact_code(text, system)
        if exact is not None:
            score = hits[0].score + 1.0 if hits else 1.0
            hits = [hit for hit in hits if hit.code != exact[1]]
            hits.insert(0, SearchHit(exact[1], exact[0], self.tables[exact[0]][exact[1]].description, score))
        return hits[:k]

    def _exact_code(self, text: str, system: str | None) -> tuple[str, str] | None:
        found = self._find(text, system) if isinstance(text, str) and len(text) <= 12 else None
        if found and self.tables[found[0]][found[1]].kind not in NON_CODE_KINDS:
            return found
        return None

    def stats(self) -> dict[str, dict]:
        out = {}
        for system in SYSTEMS:
            records = self.tables[system].values()
            codes = sum(record.kind not in NON_CODE_KINDS for record in records)
            out[system] = {"codes": codes, "billable": sum(record.billable for record in records),
                           **self.meta[system]}
        return out


def _check_system(system: str | None, required: bool = False) -> None:
    if (system is None and required) or (system is not None and system not in SYSTEMS):
        raise ValueError(f"unknown code system {system!r}; expected one of {', '.join(SYSTEMS)}")
