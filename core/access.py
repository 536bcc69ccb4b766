"""Who may use the web app, and what each role may do.

Modes (decided from the environment, never from a request):

    open    no users configured, not on a Space: one person on 127.0.0.1. Every request is that person,
            LOCAL_USER (THCE_LOCAL_USER, default "local"), with the admin role. Exposing this mode on another
            address (0.0.0.0, --share, a Space) is refused by `check_exposure`.
    users   THCE_USERS="alice:pw1,bob:pw2" and/or a users file (THCE_USERS_FILE, `thce serve --users FILE`, one
            `name:password` a line). Gradio's `auth` asks every page and API call for a login; the identity is
            the logged-in name (gr.Request.username).
    oauth   on a Hugging Face Space with OAuth (`hf_oauth: true`): the identity is the signed-in HF user.

Roles: `annotator` (review, submit, own history) and `admin` (also export, import, jobs, everyone's stats).
Admins are named by THCE_ADMINS=bob,carol; everybody else who is signed in is an annotator (on a Space,
THCE_ANNOTATORS=alice,... limits who may annotate). Passwords are never logged or put in an error message.

    config = access_config()
    user = config.identify(request_username, oauth_username)     # None: nobody signed in
    require(config, user, ADMIN, "export preference pairs")       # AccessError with a clear message
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ANNOTATOR = "annotator"
ADMIN = "admin"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class AccessError(Exception):
    """A request without the identity or role an action needs; the message says which."""


def _names(value: str | None) -> frozenset[str]:
    return frozenset(n.strip().lower() for n in (value or "").split(",") if n.strip())


def parse_users(text: str, source: str, separator: str = "\n") -> dict[str, str]:
    """`name:password` entries -> {name: password}; a bad entry is named by its position, never its password."""
    users: dict[str, str] = {}
    for number, entry in enumerate(text.split(separator), start=1):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        name, sep, password = entry.partition(":")
        where = f"{source} entry {number}" if separator == "," else f"{source} line {number}"
        if not sep or not name.strip() or not password:
            raise ValueError(f"{where}: expected name:password (a name and a non-empty password)")
        if name.strip().lower() in {n.lower() for n in users}:
            raise ValueError(f"{where}: user {name.strip()!r} is listed twice")
        users[name.strip()] = password
    return users


def load_users(env_value: str | None = None, users_file: str | Path | None = None) -> dict[str, str]:
    """Users from THCE_USERS (comma-separated) and from a users file (one a line); both may be given."""
    users = parse_users(env_value or "", "THCE_USERS", ",") if env_value else {}
    if users_file:
        path = Path(users_file)
        if not path.exists():
            raise ValueError(f"users file {path} does not exist")
        if not path.is_file():
            raise ValueError(f"users file {path} is not a file")
        try:  # utf-8-sig: a byte order mark (Windows editors) must not become part of the first name
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"users file {path}: not UTF-8 text (save it as UTF-8)") from None
        except OSError as exc:
            raise ValueError(f"users file {path} cannot be read: {exc.strerror or exc}") from None
        from_file = parse_users(text, str(path))
        if not from_file:
            raise ValueError(f"users file {path} lists no users: add `name:password` lines")
        for name, password in from_file.items():
            if name.lower() in {n.lower() for n in users}:
                raise ValueError(f"user {name!r} is in both THCE_USERS and {path}")
            users[name] = password
    return users


@dataclass(frozen=True)
class AccessConfig:
    users: dict[str, str] = field(default_factory=dict, repr=False)  # name -> password (never shown)
    admins: frozenset[str] = frozenset()
    annotators: frozenset[str] = frozenset()  # empty: every signed-in user may annotate
    space: bool = False
    oauth: bool = False
    local_user: str = "local"

    @property
    def mode(self) -> str:
        if self.users:
            return "users"
        return "oauth" if self.space else "open"

    def gradio_auth(self) -> list[tuple[str, str]] | None:
        """The `auth` argument of Blocks.launch (None in open and OAuth modes)."""
        return sorted(self.users.items()) or None

    def identify(self, request_username: str | None, oauth_username: str | None = None) -> str | None:
        """The user behind a request: the Gradio login, the HF login on a Space, the local user when open."""
        if self.mode == "users":
            return (request_username or "").strip() or None
        if self.mode == "oauth":
            return (oauth_username or "").strip() or None
        return self.local_user

    def role(self, user: str | None) -> str | None:
        """ADMIN, ANNOTATOR or None (not signed in, or not allowed to annotate)."""
        if not user:
            return None
        if self.mode == "open" or user.lower() in self.admins:
            return ADMIN
        if self.annotators and user.lower() not in self.annotators:
            return None
        return ANNOTATOR


def access_config(environ: dict | None = None) -> AccessConfig:
    """The access settings of this process (THCE_USERS, THCE_USERS_FILE, THCE_ADMINS, THCE_ANNOTATORS, Space)."""
    env = os.environ if environ is None else environ
    space = env.get("SYSTEM") == "spaces" and bool(env.get("SPACE_ID"))
    return AccessConfig(users=load_users(env.get("THCE_USERS"), env.get("THCE_USERS_FILE") or None),
                        admins=_names(env.get("THCE_ADMINS")), annotators=_names(env.get("THCE_ANNOTATORS")),
                        space=space, oauth=space and bool(env.get("OAUTH_CLIENT_ID")),
                        local_user=(env.get("THCE_LOCAL_USER") or "local").strip() or "local")


def require(config: AccessConfig, user: str | None, role: str, action: str) -> str:
    """`user` when they may do `action` (needing `role`); AccessError saying why not otherwise."""
    have = config.role(user)
    if have is None and not user:
        how = "sign in with Hugging Face (button at the top)" if config.mode == "oauth" else "log in"
        raise AccessError(f"not signed in: {how} to {action}")
    if have is None:
        raise AccessError(f"{user} may not {action}: only the annotators in THCE_ANNOTATORS may use this app")
    if role == ADMIN and have != ADMIN:
        raise AccessError(f"{user} may not {action}: only administrators (THCE_ADMINS) may")
    return user  # type: ignore[return-value]


def check_exposure(config: AccessConfig, host: str, share: bool = False) -> None:
    """Refuse (AccessError) to serve the open mode anywhere but this machine's loopback interface."""
    exposed = share or config.space or host not in LOOPBACK
    if not exposed or config.mode == "users" or (config.mode == "oauth" and config.oauth):
        return
    where = "as a Space" if config.space else "with --share" if share else f"on {host}"
    fix = ("enable Hugging Face OAuth (`hf_oauth: true` in the Space's README) or set THCE_USERS"
           if config.space else "give users with THCE_USERS=name:password,... or `thce serve --users FILE`")
    raise AccessError(f"refusing to serve {where} without authentication: anyone who can reach it could read "
                      f"and write annotations. {fix}, or serve on 127.0.0.1 only.")
