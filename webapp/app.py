"""THCE web app: Code, Review, Train & Evaluate and Codes tabs.

Run with `uv run thce serve` (or `python -m webapp.app`; on a Hugging Face Space, `app_file: webapp/app.py`).
Configuration comes from the environment: THCE_MODEL (model dir or hub id), DATABASE_URL,
THCE_ALLOW_JOBS=1 (enable training/eval jobs for admins), GRADIO_SERVER_NAME / GRADIO_SERVER_PORT,
THCE_SHARE=1 (a gradio.live link). Who may do what (core.access): THCE_USERS=name:pw,... and/or
THCE_USERS_FILE (logins for every page and API call), THCE_ADMINS=name,... (export, jobs, everyone's
stats), Hugging Face OAuth on a Space. Without users the app serves only 127.0.0.1 (one local person).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file (Spaces): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from core.access import AccessError, access_config, check_exposure  # noqa: E402
from webapp.code_tab import build_code_tab  # noqa: E402
from webapp.codes_tab import build_codes_tab  # noqa: E402
from webapp.common import SettingError, download_cache, on_space  # noqa: E402
from webapp.review_tab import SHORTCUTS_JS, build_review_tab, send_to_review  # noqa: E402
from webapp.train_tab import build_train_tab  # noqa: E402

HEADER = (
    "# THCE — Tiny Health Coding Extractor\n"
    "Clinical narrative → ICD-10-CM, CPT and HCPCS codes with visible reasoning. Every code shown is "
    "checked against the code sets; suggestions need review by a certified coder. The model runs on this server: no third-party service sees a narrative."
)
AUTH_MESSAGE = "THCE: log in with the name and password your administrator gave you."
# Light events (validation, search, job polling) run this many at once; generation has its own, smaller
# limit (webapp.common.GENERATION).
DEFAULT_CONCURRENCY = 8
QUEUE_MAX_SIZE = 64
CSS = """
.thce-card { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
             padding: var(--spacing-lg); background: var(--background-fill-secondary); }
.thce-progress { display: flex; gap: 2em; flex-wrap: wrap; }
.thce-progress > div { flex: 1; min-width: 260px; }
.thce-bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; margin-top: 4px;
            background: var(--neutral-200); }
.thce-bar > span { display: block; height: 100%; }
"""

# System fonts only: the default theme fonts come from Google Fonts, a request per page view from the browser.
THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"])


def hf_login() -> bool:
    """Whether pages get "Sign in with Hugging Face": on a Space with OAuth on (`hf_oauth: true` gives it
    OAUTH_CLIENT_ID) and without THCE_USERS logins (core.access's oauth mode). Gradio adds its OAuth routes as soon
    as a LoginButton exists, and they raise without OAuth, so a Space using THCE_USERS (or nothing, which main()
    refuses) has none."""
    import gradio.oauth

    users = os.environ.get("THCE_USERS", "").strip() or os.environ.get("THCE_USERS_FILE", "").strip()
    return on_space() and not users and bool(gradio.oauth.OAUTH_CLIENT_ID)


def build_demo(model: str | None = None) -> gr.Blocks:
    """The whole app; the model loads lazily on the first request."""
    model = model or os.environ.get("THCE_MODEL") or None
    with gr.Blocks(title="THCE", analytics_enabled=False, delete_cache=download_cache()) as demo:
        with gr.Row():
            gr.Markdown(HEADER)
            if hf_login():
                gr.LoginButton(size="sm", scale=0, min_width=220)
        with gr.Tabs():
            with gr.Tab("Code", id="code"):
                build_code_tab(model, send_to_review)
            with gr.Tab("Review", id="review"):
                review = build_review_tab(model)
            with gr.Tab("Train & Evaluate", id="train"):
                train = build_train_tab(model)
            with gr.Tab("Codes", id="codes"):
                build_codes_tab()
        for fn, outputs in [*train["load"], *review["load"]]:
            demo.load(fn, None, outputs, api_visibility="private")
        demo.load(None, None, None, js=SHORTCUTS_JS)
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo


def launch_options() -> dict:
    """Keyword arguments of `demo.launch` (Gradio 6 takes theme and css there)."""
    return {"show_error": True, "theme": THEME, "css": CSS}


try:
    demo = build_demo()
except SettingError as exc:
    sys.exit(f"error: {exc}")


def main() -> None:
    """Launch with the configured logins; refuse (one line, exit status 1) a malformed THCE_USERS or users file
    and an exposed app without authentication, as `thce serve` does."""
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    share = os.environ.get("THCE_SHARE", "").strip() == "1"
    try:
        config = access_config()
        check_exposure(config, host, share)
    except (AccessError, ValueError) as exc:  # ValueError: a malformed THCE_USERS or users file
        sys.exit(f"error: {exc}")
    logging.getLogger(__name__).info("access mode %s, %d user(s), %d admin(s)", config.mode, len(config.users),
                                     len(config.admins))
    try:  # a wrong DATABASE_URL stops the start, not every later request (each with a traceback in the log)
        from core.store import init_db

        init_db()
    except Exception as exc:  # StoreError, a bad URL, an unreachable server
        sys.exit(f"error: cannot open the database (DATABASE_URL, `thce serve --database-url`): "
                 f"{type(exc).__name__}: {exc}".replace("\n", " "))
    # The port asked for, or none: without server_port Gradio moves to the next free port when this one is taken,
    # behind the back of a proxy or of `thce serve`, which announced this one.
    port = int(os.environ.get("GRADIO_SERVER_PORT") or 7860)
    try:
        demo.launch(auth=config.gradio_auth(), auth_message=AUTH_MESSAGE, share=share or None, server_port=port,
                    **launch_options())
    except OSError as exc:
        sys.exit(f"error: cannot serve on {host} port {port} (in use by another program?): {exc}".replace("\n", " "))


if __name__ == "__main__":
    main()
