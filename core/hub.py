"""Push folders and files to the Hugging Face Hub (models, datasets, Spaces) with one commit each.

The token comes from `HF_TOKEN` in the environment or in a `.env` file (the working directory's, then the
repository's). Before any request the hub's host is tried with a short timeout, so an offline machine gets a
clear `HubError` at once instead of a long retry. `HfApi` is passed in by tests (no network there).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from core.paths import REPO_ROOT

logger = logging.getLogger(__name__)

TOKEN_ENV = "HF_TOKEN"
CONNECT_TIMEOUT_S = 5.0
REPO_TYPES = ("model", "dataset", "space")
SKIPPED_PARTS = {".git", "__pycache__", ".ipynb_checkpoints"}


class HubError(RuntimeError):
    """A push that cannot go ahead (no token, no network, the hub refused); the message says why."""


@dataclass
class Upload:
    """What one push sends: files by their path in the repository (a local file or generated text)."""

    repo_id: str
    repo_type: str
    private: bool = True
    files: dict[str, Path | str] = field(default_factory=dict)
    space_sdk: str | None = None

    def __post_init__(self) -> None:
        """A repository id the Hub accepts (user/name), checked here so a dry run says so too."""
        check_repo_id(self.repo_id)

    def sizes(self) -> dict[str, int]:
        return {name: (src.stat().st_size if isinstance(src, Path) else len(src.encode("utf-8")))
                for name, src in sorted(self.files.items())}

    def describe(self) -> list[str]:
        """Lines a dry run prints: the target and each file with its size."""
        sizes = self.sizes()
        head = (f"{self.repo_type} {self.repo_id} ({'private' if self.private else 'public'}): "
                f"{len(sizes)} files, {sum(sizes.values()) / 1e6:.2f} MB")
        return [head, *(f"  {name}  {_size(size)}" for name, size in sizes.items())]


def check_repo_id(repo_id: str, option: str = "--repo") -> None:
    """HubError (naming the command's `option`) unless `repo_id` is a repository id the Hub accepts."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise HubError(f"{option} {repo_id!r} is not a Hub repository id (user/name: letters, digits, "
                       f"'-', '_', '.'): {exc}") from None


def check_push_possible(repo_id: str, option: str = "--repo") -> None:
    """Before any work a push would follow: the id is valid, a token is set, the hub is reachable."""
    check_repo_id(repo_id, option)
    hub_token()
    check_reachable()


def _size(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def folder_files(folder: Path) -> dict[str, Path]:
    """Every file under `folder` by its relative POSIX path (git and cache folders left out)."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(folder).parts)}


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file (comments, blank lines and `export ` prefixes allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def hub_token() -> str:
    """HF_TOKEN from the environment, else from ./.env or the repository's .env."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    for env_file in (Path.cwd() / ".env", REPO_ROOT / ".env"):
        token = token or read_dotenv(env_file).get(TOKEN_ENV, "").strip()
    if not token:
        raise HubError(f"no Hugging Face token: set {TOKEN_ENV} in the environment or in a .env file "
                       "(see .env.example; create a write token at https://huggingface.co/settings/tokens)")
    return token


def check_reachable(endpoint: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast (HubError) when the hub cannot be reached or offline mode is on."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise HubError("HF_HUB_OFFLINE is set: unset it to push to the Hugging Face Hub")
    if endpoint is None:
        from huggingface_hub import constants

        endpoint = constants.ENDPOINT
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise HubError(f"cannot reach {endpoint} ({exc.__class__.__name__}: {exc}); "
                       "check the network connection (or HF_ENDPOINT) and try again") from None


def push(upload: Upload, message: str, api_factory: Callable | None = None) -> str:
    """Create the repository if needed and send every file in one commit; returns the repository URL."""
    if upload.repo_type not in REPO_TYPES:
        raise HubError(f"repo type must be one of {', '.join(REPO_TYPES)}, got {upload.repo_type!r}")
    if not upload.files:
        raise HubError("nothing to push: no files")
    token = hub_token()
    check_reachable()
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = (api_factory or HfApi)(token=token)
    operations = [CommitOperationAdd(path_in_repo=name, path_or_fileobj=src if isinstance(src, Path)
                                     else src.encode("utf-8")) for name, src in sorted(upload.files.items())]
    try:
        url = api.create_repo(upload.repo_id, repo_type=upload.repo_type, private=upload.private,
                              exist_ok=True, space_sdk=upload.space_sdk)
        api.create_commit(upload.repo_id, operations, commit_message=message, repo_type=upload.repo_type)
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise HubError(f"the hub refused the push to {upload.repo_id}: {str(exc).splitlines()[0]}") from None
    logger.info("pushed %d files to %s %s", len(operations), upload.repo_type, upload.repo_id)
    return str(url)
