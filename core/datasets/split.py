"""Deterministic train/val/test split with no narrative shared across splits (records are grouped by a
hash of their normalized narrative, so every stage_3 pair of one case lands in the same split)."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from core.datasets.near_duplicates import normalize_text
from core.prompts import narrative_from_messages

SPLIT_NAMES = ("train", "val", "test")


def record_narrative(record: dict) -> str:
    messages = record.get("messages") or record.get("prompt") or []
    if messages:
        return narrative_from_messages(messages)
    return str(record.get("narrative", record.get("note", "")))


def narrative_key(record: dict) -> str:
    return hashlib.sha1(normalize_text(record_narrative(record)).encode()).hexdigest()


def parse_ratios(text: str) -> tuple[float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"--ratios must be three numbers like 0.8,0.1,0.1, got {text!r}") from None
    if len(values) != 3 or any(v < 0 for v in values) or sum(values) <= 0:
        raise ValueError(f"--ratios must be three non-negative numbers like 0.8,0.1,0.1, got {text!r}")
    total = sum(values)
    return tuple(v / total for v in values)


def _read(path: Path) -> list[str]:
    lines = [line.rstrip("\r") for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    for number, line in enumerate(lines, 1):
        try:
            json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name} line {number}: invalid JSON ({exc.msg})") from None
    return lines


def assign_groups(keys: list[str], sizes: dict[str, int], ratios, seed: int) -> dict[str, str]:
    """Shuffle the distinct groups (seeded) and fill train, then val, then test up to their record shares."""
    order = sorted(set(keys))
    random.Random(f"thce-split:{seed}").shuffle(order)
    total = sum(sizes.values())
    targets = [ratios[0] * total, (ratios[0] + ratios[1]) * total]
    assignment, filled = {}, 0
    for key in order:
        name = "train" if filled < targets[0] else "val" if filled < targets[1] else "test"
        if ratios[SPLIT_NAMES.index(name)] == 0:
            name = next(n for n, r in zip(SPLIT_NAMES, ratios, strict=True) if r > 0)
        assignment[key] = name
        filled += sizes[key]
    return assignment


def split_paths(path: Path, output_dir: Path, overwrite: bool = False) -> dict[str, Path]:
    """<output_dir>/{train,val,test}.jsonl; ValueError when one of them is the input file, or already exists
    and `overwrite` is False (nothing is written then)."""
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"--output-dir {output_dir} is not a directory")
    paths = {name: output_dir / f"{name}.jsonl" for name in SPLIT_NAMES}
    for out in paths.values():
        if out.exists() and out.resolve() == path.resolve():
            raise ValueError(f"{out} is the input file: splitting would overwrite it; choose another --output-dir")
    existing = [str(out) for out in paths.values() if out.exists()]
    if existing and not overwrite:
        raise ValueError(f"{', '.join(existing)} already exist(s): pass --overwrite to replace, or choose another "
                         "--output-dir")
    return paths


def split_dataset(path: str | Path, output_dir: str | Path, ratios=(0.8, 0.1, 0.1), seed: int = 0,
                  overwrite: bool = False) -> dict:
    """Write <output_dir>/{train,val,test}.jsonl; return the record and group counts per split. Refuses to write
    over the input file, and over existing split files unless `overwrite`."""
    path, output_dir = Path(path), Path(output_dir)
    paths = split_paths(path, output_dir, overwrite)
    lines = _read(path)
    keys = [narrative_key(json.loads(line)) for line in lines]
    sizes: dict[str, int] = {}
    for key in keys:
        sizes[key] = sizes.get(key, 0) + 1
    assignment = assign_groups(keys, sizes, ratios, seed)
    output_dir.mkdir(parents=True, exist_ok=True)
    counts = {name: {"records": 0, "narratives": 0} for name in SPLIT_NAMES}
    handles = {name: out.open("w", encoding="utf-8") for name, out in paths.items()}
    try:
        for line, key in zip(lines, keys, strict=True):
            handles[assignment[key]].write(line + "\n")
            counts[assignment[key]]["records"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    for name in assignment.values():
        counts[name]["narratives"] += 1
    return {"input": str(path), "output_dir": str(output_dir), "seed": seed, "ratios": list(ratios), "splits": counts}
