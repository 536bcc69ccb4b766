"""`core` must import neither gradio nor trl, nor anything from `webapp` or `training` (DESIGN.md)."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
FORBIDDEN = {"gradio", "gradio_client", "trl", "webapp", "training"}


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


def test_core_sources_import_nothing_forbidden():
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(_imported_roots(path) & FORBIDDEN)
        for path in CORE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}, f"core imports forbidden packages: {offenders}"


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
