"""Settings shared by the tabs: the generation concurrency group, whether we run on a Space, and the error
users see (`UserError`)."""

from __future__ import annotations

import html
import os
import tempfile
import time
from pathlib import Path

import gradio as gr

GENERATION_CONCURRENCY = max(1, int(os.environ.get("THCE_GENERATION_CONCURRENCY", "2")))
# Every event that runs the model joins this group, so at most GENERATION_CONCURRENCY generate at once.
GENERATION = {"concurrency_limit": GENERATION_CONCURRENCY, "concurrency_id": "generation"}


class UserError(gr.Error):
    """An error for the user (bad input, a refused action): shown in the page or returned to the API client,
    not printed with a traceback in the server log (one per wrong click filled the log). Gradio renders the
    message as HTML: <, > and & are escaped, since messages quote what users typed."""

    def __init__(self, message: str, title: str = "Error"):
        super().__init__(html.escape(str(message), quote=False), title=title, print_exception=False)


def on_space() -> bool:
    """True on a Hugging Face Space (annotators sign in with Hugging Face there). Same test as Gradio's
    own (`SYSTEM=spaces` and `SPACE_ID`), so the login routes and this app agree."""
    return os.environ.get("SYSTEM") == "spaces" and bool(os.environ.get("SPACE_ID"))


DOWNLOAD_MINUTES = 60.0


class SettingError(ValueError):
    """A malformed THCE_* setting of the web app: `python -m webapp.app` stops with its one-line message."""


def download_max_age_s() -> int:
    """How long a file the app hands out (an export of reviews, a coded result) stays downloadable, in seconds:
    THCE_DOWNLOAD_MINUTES (default DOWNLOAD_MINUTES). They hold narratives, and Gradio would otherwise serve its
    copy to any signed-in user with the link until the server stops."""
    value = os.environ.get("THCE_DOWNLOAD_MINUTES", "").strip()
    try:
        minutes = float(value) if value else DOWNLOAD_MINUTES
    except ValueError:
        raise SettingError(f"THCE_DOWNLOAD_MINUTES must be a number of minutes, got {value!r}") from None
    if not minutes > 0 or minutes == float("inf"):
        raise SettingError(f"THCE_DOWNLOAD_MINUTES must be a positive number of minutes, got {value!r}")
    return max(1, round(minutes * 60))


def download_cache() -> tuple[int, int]:
    """gr.Blocks(delete_cache=...): every (age / 6, at most 10 minutes) seconds, Gradio deletes the files it
    served that are older than download_max_age_s(); all of them when the server stops."""
    age = download_max_age_s()
    return max(1, min(600, age // 6)), age


def export_file(prefix: str, suffix: str) -> Path:
    """A fresh file in the app's export folder (downloads); files older than download_max_age_s() are removed
    first, so per-request exports do not pile up in the temp dir (Gradio serves its own copy, which it deletes
    after as long: download_cache)."""
    folder = Path(tempfile.gettempdir()) / "thce-exports"
    folder.mkdir(exist_ok=True)
    cutoff = time.time() - download_max_age_s()
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass  # another worker removed it first
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(handle)
    return Path(name)
