"""`thce push`: send a model folder or exported annotation data to the Hugging Face Hub (private by default).

    thce push model data/models/thce-tiny --repo your-name/thce-tiny --dry-run
    thce annotations export --format dpo --output exports/pairs.jsonl
    thce push dataset exports --repo your-name/thce-reviews        # HF_TOKEN from the environment or .env
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail

app = typer.Typer(help="Push models and annotation datasets to the Hugging Face Hub.", no_args_is_help=True)

RepoOption = Annotated[str, typer.Option("--repo", help="Repository id on the Hub (user/name).")]
PublicOption = Annotated[bool, typer.Option("--public", help="Create the repository public (default: private).")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print what would be pushed; send nothing.")]


def _send(make_upload, source: Path, repo: str, public: bool, dry_run: bool, message: str) -> None:
    from core.hub import HubError, push

    try:
        upload = make_upload(source, repo, private=not public)
        if dry_run:
            typer.echo("\n".join(["dry run, nothing sent: would push", *upload.describe()]))
            return
        typer.echo(f"pushed to {push(upload, message)}")
    except HubError as exc:
        fail(str(exc))


@app.command()
def model(folder: Annotated[Path, typer.Argument(help="Model folder (with its README.md card).")],
          repo: RepoOption, public: PublicOption = False, dry_run: DryRunOption = False) -> None:
    """Push a model folder: weights or adapter, tokenizer, retriever and model card."""
    from core.publish import model_upload

    _send(model_upload, folder, repo, public, dry_run, f"Upload {folder.name} (thce push model)")


@app.command()
def dataset(source: Annotated[Path, typer.Argument(help="Exported JSONL file, or a folder of them.")],
            repo: RepoOption, public: PublicOption = False, dry_run: DryRunOption = False) -> None:
    """Push exported annotation data (DPO/KTO JSONL) with a generated dataset card."""
    from core.publish import dataset_upload

    _send(dataset_upload, source, repo, public, dry_run, f"Upload {source.name} (thce push dataset)")
