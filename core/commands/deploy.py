"""`thce deploy space`: build a ready Hugging Face Space folder, optionally push it.

    thce deploy space --output dist/space
    thce deploy space --output dist/space --overwrite --push your-name/thce     # HF_TOKEN from env or .env
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail

app = typer.Typer(help="Deploy the app (a Hugging Face Space folder).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Deploy the app."""


@app.command()
def space(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write (new or empty).")],
    push: Annotated[str | None, typer.Option("--push", help="Space id (user/name) to push the folder to.")] = None,
    model: Annotated[list[str] | None, typer.Option("--model", help="Model folder name under data/models or path "
                                                    "(repeat; default: the shipped default model).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a non-empty --output folder.")] = False,
    private: Annotated[bool, typer.Option("--private", help="Create the Space private.")] = False,
) -> None:
    """Build the Space folder: app, requirements.txt from uv.lock, README front matter, LFS rules, model."""
    from core.deploy import DeployError
    from core.hub import HubError, check_push_possible
    from core.hub import push as push_upload
    from core.space import build_space, space_upload

    try:
        if push:  # the id, the token and the network first: the build (and --overwrite) would be for nothing
            check_push_possible(push, "--push")
        built = build_space(output, model, overwrite=overwrite)
        typer.echo(f"built {built.folder} ({built.size_mb:.1f} MB; models: {', '.join(built.models)}; "
                   f"{len(built.lfs_files)} files through LFS)")
        if push:
            url = push_upload(space_upload(built.folder, push, private=private), "Deploy THCE (thce deploy space)")
            typer.echo(f"pushed to {url}")
    except (DeployError, HubError) as exc:
        fail(str(exc))
