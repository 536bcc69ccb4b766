"""CodiEsp importer: English case reports with CIE-10-ES diagnosis codes (and ICD-10-PCS procedures).

Codes are normalized (lowercase dotted CIE-10-ES -> ICD-10-CM spelling). Codes that are not billable
ICD-10-CM today are mapped when unambiguous (to the one billable or "unspecified" descendant of a header,
or to the nearest billable ancestor) or dropped; every decision is counted in a `MappingReport`.
Training targets use the valid mapped codes; evaluation keeps the original normalized codes
(`meta.original_codes`), which is what the coders assigned.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.codes import get_codeset
from core.codes.billable import MAPPING_KINDS, map_to_billable
from core.datasets.cases import CodedCase
from core.datasets.evidence_match import match_evidence
from core.prompts import empty_codes

logger = logging.getLogger(__name__)

@dataclass
class MappingReport:
    cases: int = 0
    codes: int = 0
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, str | None] = field(default_factory=dict)
    procedure_codes: int = 0

    def to_dict(self) -> dict:
        return {"cases": self.cases, "codes": self.codes, "icd10pcs_codes": self.procedure_codes,
                **{kind: self.counts.get(kind, 0) for kind in MAPPING_KINDS},
                "examples": dict(list(self.examples.items())[:20])}


def _read_codes(path: Path) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    if not path.exists():
        return codes
    with path.open(encoding="utf-8") as handle:
        for line_no, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
            if len(row) < 2:
                raise ValueError(f"{path}:{line_no}: expected 'articleID<TAB>code'")
            article, code = row[0].strip(), row[1].strip()
            if code not in codes.setdefault(article, []):
                codes[article].append(code)
    return codes


def _split_files(path: Path) -> tuple[Path, Path]:
    text_dir = path / "text_files_en"
    diagnoses = sorted(path.glob("*D.tsv"))
    if not text_dir.is_dir() or not diagnoses:
        raise ValueError(f"{path} is not a CodiEsp split folder (expected text_files_en/ and <split>D.tsv)")
    return text_dir, diagnoses[0]


def read_codiesp(path: str | Path, with_evidence: bool = True) -> tuple[list[CodedCase], MappingReport]:
    """All cases of a CodiEsp split folder (e.g. .../codiesp/dev), sorted by article id."""
    codeset, root = get_codeset(), Path(path)
    text_dir, diagnosis_file = _split_files(root)
    diagnoses = _read_codes(diagnosis_file)
    procedures = _read_codes(diagnosis_file.with_name(diagnosis_file.name[:-5] + "P.tsv"))
    report, cases = MappingReport(), []
    for text_path in sorted(text_dir.glob("*.txt")):
        article = text_path.stem
        narrative = text_path.read_text(encoding="utf-8").strip()
        originals, valid, mapping = [], [], {}
        for raw in diagnoses.get(article, []):
            original = codeset.normalize(raw, "icd10cm")
            mapped, kind = map_to_billable(codeset, original)
            report.codes += 1
            report.counts[kind] += 1
            if kind != "valid":
                mapping[original] = mapped
                report.examples.setdefault(original, mapped)
            if original not in originals:
                originals.append(original)
            if mapped and mapped not in valid:
                valid.append(mapped)
        pcs = [code.upper() for code in procedures.get(article, [])]
        report.procedure_codes += len(pcs)
        codes = {**empty_codes(), "icd10cm": valid}
        original_codes = {**empty_codes(), "icd10cm": originals}
        meta = {"original_codes": original_codes, "mapping": mapping, "icd10pcs": pcs, "dataset": "codiesp",
                "split": root.name}
        evidence = match_evidence(narrative, [(c, "icd10cm") for c in valid], codeset) if with_evidence else []
        cases.append(CodedCase(f"codiesp-{article}", narrative, codes, "codiesp", meta, evidence, None))
    report.cases = len(cases)
    logger.info("codiesp %s: %d cases, %d codes, %s", root, report.cases, report.codes, dict(report.counts))
    return cases, report
