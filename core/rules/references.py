"""Code references inside ICD-10-CM notes: '(E11.-)', '(O24.4-)', '(I12.-, I13.-)', '(O10-O11, O13-O16)',
'(Z79.4)'. Each becomes a `Reference` that tells whether a code falls under it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PAREN_RE = re.compile(r"\(([^()]*)\)")
_ITEM_RE = re.compile(r"^([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.?-)?(?:-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?))?$")


@dataclass(frozen=True)
class Reference:
    start: str  # compact code prefix, e.g. 'E11' or 'O244'
    end: str | None = None  # for a range 'O10-O11': 'O11'
    exact: bool = False  # '(Z79.4)' names one code (with its subdivisions when it is not billable)

    def covers(self, code: str) -> bool:
        key = code.replace(".", "")
        if self.end is None:
            return key.startswith(self.start)
        return self.start <= key[: len(self.start)] <= self.end[: len(self.start)] or key.startswith(self.end)


@lru_cache(maxsize=8192)
def parse_references(line: str) -> tuple[Reference, ...]:
    """Every code reference in the parentheses of one note line."""
    found = []
    for group in _PAREN_RE.findall(line):
        for item in group.split(","):
            match = _ITEM_RE.match(item.strip())
            if match:
                start, end = match.group(1), match.group(2)
                found.append(Reference(start.replace(".", ""), end.replace(".", "") if end else None,
                                       exact=end is None and "-" not in item))
    return tuple(found)


def note_lines(codeset, code: str, note: str, inherited: bool = True) -> list[tuple[str, str]]:
    """(line, the code or ancestor carrying it) for a note of `code` and, when `inherited`, of its ancestors
    (excludes notes at a category or block apply to every code below it)."""
    carriers = [code] + (codeset.ancestors(code) if inherited else [])
    return [(line, carrier) for carrier in carriers for line in codeset.notes.get(carrier, {}).get(note, [])]
