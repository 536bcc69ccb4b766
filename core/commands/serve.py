"""`thce serve`: start the Gradio web app (webapp/app.py) in its own process.

`core` never imports `webapp`; the app runs as `python -m webapp.app`, configured through environment
variables, so the CLI stays light and the layering holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer


def command(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (0.0.0.0 to expose on a network)."),
    port: int = typer.Option(7860, help="Port of the web app."),
    model: str | None = typer.Option(None, help="Model directory or hub id (default: the shipped thce-tiny)."),
    database_url: str | None = typer.Option(None, help="Annotation store URL (default: SQLite in data/)."),
    allow_jobs: bool = typer.Option(False, "--allow-jobs", help="Allow launching training/eval jobs from the UI."),
) -> None:
    """Start the web app (Code, Review, Train & Evaluate, Codes tabs) on the shipped offline model."""
    if model and not Path(model).exists() and "/" not in model:
        typer.echo(f"error: model {model!r} is neither a directory nor a hub id", err=True)
        raise typer.Exit(1)
    env = dict(os.environ, GRADIO_SERVER_NAME=host, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    if model:
        env["THCE_MODEL"] = model
    if database_url:
        env["DATABASE_URL"] = database_url
    if allow_jobs:
        env["THCE_ALLOW_JOBS"] = "1"
    typer.echo(f"THCE web app on http://{host}:{port} (Ctrl+C to stop)", err=True)
    try:
        code = subprocess.call([sys.executable, "-m", "webapp.app"], env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
