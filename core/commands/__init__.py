"""`thce` subcommand modules (registered by core/cli.py) and the helpers they share."""

from __future__ import annotations

import typer


def fail(message: str) -> None:
    """Print `Error: message` on stderr and exit 1 (CLI errors never show a traceback)."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)
