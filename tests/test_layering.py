"""`core` must import neither gradio nor trl, nor anything from `webapp` or `training` (DESIGN.md), and
inside `core` imports go down the layers of CORE_LAYERS only. Both checks read every import statement,
module-level and inside functions (`ast.walk`), and `importlib.import_module`/`__import__` with a literal."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"
FORBIDDEN = {"gradio", "gradio_client", "trl", "webapp", "training"}
# webapp -> core <- training: the web app never imports the trainers, the trainers never import the UI.
FORBIDDEN_IN = {"webapp": {"trl", "training"}, "training": {"gradio", "gradio_client", "webapp"}}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


# Units of core (a subpackage or a top-level module), lowest layer first. A unit may import its own modules
# and the units of lower layers: not a unit of its own layer (sideways) nor of a higher one (upward).
CORE_LAYERS = (
    ("constants", "paths", "jsonl", "text", "counts", "schema"),
    ("codes",),
    ("prompts", "rules", "reasoning_lines"),
    ("constraints", "retrieval", "evidence"),  # evidence reads the E/M level statements of rules.em
    ("inference", "datasets"),
    ("pipeline",),
    ("evaluation", "store", "review_codes"),
    ("access", "catalog", "code_lookup", "deploy", "hub", "jobs", "review_workflow"),
    ("launcher", "publish", "space"),
    ("cli", "commands", "reports", "__init__"),
)
LAYER_OF = {unit: rank for rank, units in enumerate(CORE_LAYERS) for unit in units}
# Upward imports that stand today (issue 17). It may only shrink: remove a line when its import goes; the test
# fails on a new one and on a line whose import is gone.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def _unit(path: Path) -> str:
    parts = path.relative_to(CORE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _core_units_imported(path: Path) -> set[str]:
    """The core units that `path` imports ("core.codes.text" -> codes; "from core import text" -> text)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    units = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [f"{node.module}.{alias.name}" if node.module == "core" else node.module for alias in node.names]
        else:
            continue
        units.update(m.split(".")[1] for m in modules if m.startswith("core.") and m.count(".") >= 1)
    return units


def layering_violations() -> set[tuple[str, str]]:
    """(file, unit) for each import of a core unit that is not below the importing file's unit."""
    found = set()
    for path in CORE.rglob("*.py"):
        own = _unit(path)
        for unit in _core_units_imported(path) - {own}:
            if LAYER_OF[unit] >= LAYER_OF[own]:
                found.add((str(path.relative_to(CORE.parent)), unit))
    return found


def test_every_core_unit_has_a_layer():
    units = {_unit(path) for path in CORE.rglob("*.py")}
    assert units - LAYER_OF.keys() == set(), "add the new unit to CORE_LAYERS"


def test_core_imports_go_down_the_layers():
    violations = layering_violations()
    assert violations - KNOWN_UPWARD == set(), "core imports sideways or upward (see CORE_LAYERS)"
    assert KNOWN_UPWARD - violations == set(), "an upward import is gone: remove it from KNOWN_UPWARD"


def test_the_layer_check_reads_imports_inside_functions(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from core.datasets import load_cases\n    from core import text, store\n")
    assert _core_units_imported(bad) == {"datasets", "text", "store"}


def test_core_sources_import_nothing_forbidden():
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(_imported_roots(path) & FORBIDDEN)
        for path in CORE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}, f"core imports forbidden packages: {offenders}"


def test_webapp_and_training_import_each_other_not():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & forbidden)
        for package, forbidden in FORBIDDEN_IN.items()
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_layering_check_detects_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import gradio as gr\n    from training import sft\n")
    assert _imported_roots(bad) & FORBIDDEN == {"gradio", "training"}


def test_importing_the_cli_loads_no_heavy_or_forbidden_module():
    code = (
        "import sys, core.cli; "
        "bad = [m for m in ('gradio', 'trl', 'torch', 'transformers', 'webapp', 'training') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
