"""The `thce` console script.

Each subcommand group lives in `core/commands/<name>.py`, defines `app = typer.Typer(...)` and imports
its heavy handlers (torch, transformers, bm25s, ...) inside the command functions, so `thce --help`
stays fast. `serve` and `train` run `webapp`/`training` entry modules as subprocesses, which keeps
`core` free of imports from those packages.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="thce",
    help="THCE: clinical narrative -> ICD-10-CM, CPT and HCPCS codes with visible reasoning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.callback()
def _root() -> None:
    """THCE: clinical narrative -> ICD-10-CM, CPT and HCPCS codes with visible reasoning."""


# (module under core.commands, name in the CLI)
_COMMANDS: list[tuple[str, str]] = [
    ("codes", "codes"),
    ("data", "data"),
    ("code", "code"),
    ("predict", "predict"),
    ("eval", "eval"),
    ("report", "report"),
    ("train", "train"),
    ("annotations", "annotations"),
    ("model", "model"),
    ("serve", "serve"),
    ("deploy", "deploy"),
    ("push", "push"),
]


def _register() -> None:
    for module_name, cli_name in _COMMANDS:
        module = importlib.import_module(f"core.commands.{module_name}")
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=cli_name)
        elif callable(getattr(module, "command", None)):
            app.command(name=cli_name)(module.command)


_register()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
