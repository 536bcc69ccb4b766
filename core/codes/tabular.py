"""Reading delimited and spreadsheet tables of codes: decoding, CSV/TSV/XLSX into string DataFrames,
finding a column by any of its usual header spellings."""

from __future__ import annotations

import importlib.util
import io
import re

import pandas as pd


def decode_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # CMS text files are Windows-1252/Latin-1


def read_table(data: bytes, name: str, sep: str | None = None) -> pd.DataFrame:
    """A CSV/TSV/XLSX as strings ('' for empty cells)."""
    if name.lower().endswith((".xlsx", ".xls")):
        if importlib.util.find_spec("openpyxl") is None:
            raise ValueError(f"{name}: reading .xlsx needs the openpyxl package (pip install openpyxl); "
                             "or use the .txt file from the CMS ZIP, or save the sheet as CSV")  # fmt: skip
        return pd.read_excel(io.BytesIO(data), dtype=str).fillna("")
    if sep is None:
        sep = "\t" if name.lower().endswith(".tsv") else ","
    try:
        return pd.read_csv(
            io.StringIO(decode_bytes(data)), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except pd.errors.ParserError as exc:
        raise ValueError(f"{name}: cannot parse as a delimited table: {exc}") from exc


def normalized_header(column: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(column).lower())


def find_column(frame: pd.DataFrame, aliases: tuple[str, ...], partial: bool = False) -> str | None:
    by_name = {normalized_header(column): column for column in frame.columns}
    for alias in aliases:
        if alias in by_name:
            return by_name[alias]
        if partial:
            match = next((column for key, column in by_name.items() if alias in key), None)
            if match is not None:
                return match
    return None
