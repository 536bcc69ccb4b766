"""CPT and HCPCS tables: the curated JSON subset, optionally completed by a full official file.

`hcpcs_file` is the CMS annual HCPCS file and `cpt_file` a user's licensed CPT file; they are read by
`core.codes.loaders` and their entries override the curated ones (curated extras such as unit stay).
Built tables are pickled in the cache, keyed by the files' contents and the reader code, so a process
whose files did not change neither parses them nor imports the readers (pandas).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from core.codes import curated
from core.codes.cache import cached_pickle, file_fingerprint, fingerprint
from core.codes.formats import compact, format_systems
from core.codes.models import CodeRecord

logger = logging.getLogger(__name__)

TABLE_SCHEMA = 1
_READER_MODULES = ("sources.py", "loaders.py", "cms_hcpcs.py", "tabular.py", "curated.py")


@dataclass
class ProcedureTable:
    system: str
    records: dict[str, CodeRecord] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


def load_procedure_table(system: str, extra_file: Path | None = None,
                         curated_file: Path | None = None) -> ProcedureTable:
    """Curated entries (data/code_databases/<system>_curated.json unless `curated_file`), then the full file."""
    path = Path(curated_file or curated.curated_path(system))
    if extra_file is not None and not Path(extra_file).is_file():
        raise ValueError(f"{system} file not found: {extra_file}")
    if not path.is_file():  # nothing worth caching; the reader warns
        return _build_table(system, path, extra_file)
    key = fingerprint([str(TABLE_SCHEMA), system, str(path.resolve()), file_fingerprint(path),
                       _file_stamp(extra_file), _reader_code_stamp()])
    return cached_pickle(f"{system}-table-{key}", lambda: _build_table(system, path, extra_file))


def _file_stamp(path: Path | None) -> str:
    """Identity of a (possibly large) official file: path, size and modification time."""
    if path is None:
        return "none"
    stat = Path(path).stat()
    return f"{Path(path).resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def _reader_code_stamp() -> str:
    here = Path(__file__).parent
    return fingerprint([file_fingerprint(here / name) for name in _READER_MODULES])


def _build_table(system: str, path: Path, extra_file: Path | None) -> ProcedureTable:
    from core.codes import loaders

    table = ProcedureTable(system)
    table.meta.update(curated.curated_metadata(path))
    _merge(table, loaders.load_curated(system, path), origin=str(path))
    table.meta["curated_codes"] = str(len(table.records))
    if extra_file is not None:
        before = len(table.records)
        entries = loaders.load_cms_hcpcs(Path(extra_file)) if system == "hcpcs" else loaders.load_cpt_file(
            Path(extra_file))
        _merge(table, entries, origin=str(extra_file))
        table.meta["extra_file"] = str(extra_file)
        table.meta["extra_new_codes"] = str(len(table.records) - before)
    return table


def _merge(table: ProcedureTable, entries: list[dict], origin: str) -> None:
    skipped = 0
    for entry in entries:
        key = compact(str(entry.get("code", "")))
        if table.system not in format_systems(key) or not entry.get("description"):
            skipped += 1
            continue
        old = table.records.get(key)
        category = entry.get("category") or (old.category if old else None)
        table.records[key] = CodeRecord(str(entry["description"]).strip(), True, None, (), "code", category)
        if entry.get("unit"):
            table.units[key] = str(entry["unit"])
    if skipped:
        logger.warning("%s: skipped %d entries that are not valid %s codes", origin, skipped, table.system)
