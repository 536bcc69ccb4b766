"""The identity and role behind a Gradio request (core.access decides; this reads gr.Request / gr.OAuthProfile).

Every callback that touches the store or runs the model starts with `user_for(request, profile, role, action)`:
the identity always comes from the request (the Gradio login, or the Hugging Face login on a Space), never from
a parameter a client could fill in.
"""

from __future__ import annotations

import os
from functools import lru_cache

import gradio as gr

from core.access import ADMIN, ANNOTATOR, AccessConfig, AccessError, access_config, require
from webapp.common import UserError

_ENV_KEYS = ("THCE_USERS", "THCE_USERS_FILE", "THCE_ADMINS", "THCE_ANNOTATORS", "THCE_LOCAL_USER", "SYSTEM",
             "SPACE_ID", "OAUTH_CLIENT_ID")

__all__ = ["ADMIN", "ANNOTATOR", "config", "identify", "role_of", "user_for"]


@lru_cache(maxsize=8)
def _config(key: tuple) -> AccessConfig:
    return access_config(dict(zip(_ENV_KEYS, key, strict=True)))


def config() -> AccessConfig:
    """This process's access settings (re-read when the environment changes, e.g. in tests)."""
    return _config(tuple(os.environ.get(k, "") for k in _ENV_KEYS))


def identify(request: gr.Request | None, profile: gr.OAuthProfile | None = None) -> str | None:
    username = getattr(request, "username", None) if request is not None else None
    return config().identify(username, profile.username if profile else None)


def role_of(request: gr.Request | None, profile: gr.OAuthProfile | None = None) -> str | None:
    return config().role(identify(request, profile))


def user_for(request: gr.Request | None, profile: gr.OAuthProfile | None, role: str, action: str) -> str:
    """The signed-in user allowed to do `action`; gr.Error with the reason otherwise."""
    try:
        return require(config(), identify(request, profile), role, action)
    except AccessError as exc:
        raise UserError(str(exc), title="Not allowed") from exc
