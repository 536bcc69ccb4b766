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


EXPORT_MAX_AGE_S = 3600.0


def export_file(prefix: str, suffix: str) -> Path:
    """A fresh file in the app's export folder (downloads); files older than an hour are removed first, so
    per-request exports do not pile up in the temp dir (Gradio serves its own copy)."""
    folder = Path(tempfile.gettempdir()) / "thce-exports"
    folder.mkdir(exist_ok=True)
    cutoff = time.time() - EXPORT_MAX_AGE_S
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass  # another worker removed it first
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(handle)
    return Path(name)
