"""core.access: modes, users from THCE_USERS and a file, roles, and the refusal to expose an open app."""

from __future__ import annotations

import pytest

from core.access import ADMIN, ANNOTATOR, AccessError, access_config, check_exposure, load_users, require


def test_users_come_from_the_variable_and_a_file(tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("# team\ncarol:c-pw:with:colons\n\ndave:d\n", encoding="utf-8")
    loaded = load_users("alice:pw1, bob:pw2", users)
    assert loaded == {"alice": "pw1", "bob": "pw2", "carol": "c-pw:with:colons", "dave": "d"}


@pytest.mark.parametrize(("env", "text", "message"), [
    ("alice", "", "THCE_USERS entry 1: expected name:password"),
    ("alice:pw,alice:other", "", "listed twice"),
    ("", "ok:pw\nbroken-line\n", "line 2: expected name:password"),
    ("bob:x", "Bob:y\n", "in both THCE_USERS and"),
])
def test_bad_user_entries_are_named_without_passwords(tmp_path, env, text, message):
    path = tmp_path / "users.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        load_users(env, path if text else None)
    assert "pw" not in str(err.value).replace("password", "") and "other" not in str(err.value)


def test_modes_identities_and_roles():
    open_ = access_config({})
    assert open_.mode == "open" and open_.identify(None) == "local" and open_.role("local") == ADMIN
    assert open_.gradio_auth() is None
    users = access_config({"THCE_USERS": "alice:pw,bob:pw2", "THCE_ADMINS": "Bob"})
    assert users.mode == "users" and users.gradio_auth() == [("alice", "pw"), ("bob", "pw2")]
    assert users.identify(None) is None and users.identify("alice", "hf-mallory") == "alice"
    assert (users.role("alice"), users.role("bob"), users.role(None)) == (ANNOTATOR, ADMIN, None)
    space = access_config({"SYSTEM": "spaces", "SPACE_ID": "o/thce", "OAUTH_CLIENT_ID": "x", "THCE_ANNOTATORS": "ann"})
    assert space.mode == "oauth" and space.identify("ignored", "ann") == "ann" and space.identify(None) is None
    assert space.role("ann") == ANNOTATOR and space.role("stranger") is None
    assert "pw" not in repr(users)  # passwords never shown


def test_require_says_what_is_missing():
    users = access_config({"THCE_USERS": "alice:pw,bob:pw2", "THCE_ADMINS": "bob"})
    with pytest.raises(AccessError, match="not signed in: log in to export"):
        require(users, None, ANNOTATOR, "export")
    with pytest.raises(AccessError, match="alice may not export preference pairs: only administrators"):
        require(users, "alice", ADMIN, "export preference pairs")
    assert require(users, "bob", ADMIN, "export") == "bob"
    space = access_config({"SYSTEM": "spaces", "SPACE_ID": "o/thce", "OAUTH_CLIENT_ID": "x"})
    with pytest.raises(AccessError, match="sign in with Hugging Face"):
        require(space, None, ANNOTATOR, "review")


@pytest.mark.parametrize(("env", "host", "share", "refused"), [
    ({}, "127.0.0.1", False, None),
    ({}, "0.0.0.0", False, "on 0.0.0.0 without authentication"),
    ({}, "127.0.0.1", True, "with --share without authentication"),
    ({"SYSTEM": "spaces", "SPACE_ID": "o/thce"}, "0.0.0.0", False, "as a Space without authentication"),
    ({"SYSTEM": "spaces", "SPACE_ID": "o/thce", "OAUTH_CLIENT_ID": "x"}, "0.0.0.0", False, None),
    ({"THCE_USERS": "alice:pw"}, "0.0.0.0", True, None),
])
def test_an_open_app_is_served_on_loopback_only(env, host, share, refused):
    if refused is None:
        check_exposure(access_config(env), host, share)
    else:
        with pytest.raises(AccessError, match=refused):
            check_exposure(access_config(env), host, share)


def test_a_users_file_saved_with_a_byte_order_mark_or_crlf_keeps_its_first_name(tmp_path):
    """Windows editors (Notepad) save UTF-8 with a BOM and CRLF line ends: the first user must still log in."""
    users = tmp_path / "users.txt"
    users.write_bytes("alice:pw1\r\nbob:pw2\r\n".encode("utf-8-sig"))
    loaded = load_users(None, users)
    assert loaded == {"alice": "pw1", "bob": "pw2"}
    config = access_config({"THCE_USERS_FILE": str(users), "THCE_ADMINS": "alice"})
    assert config.role("alice") == ADMIN


@pytest.mark.parametrize("text", ["", "\n\n", "# nobody yet\n"])
def test_a_users_file_without_users_is_refused(tmp_path, text):
    """`--users FILE` asks for logins: a file listing nobody must not silently leave the app open to all."""
    users = tmp_path / "users.txt"
    users.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"users file {users} lists no users"):
        load_users(None, users)


def test_an_unreadable_users_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=f"users file {tmp_path} is not a file"):
        load_users(None, tmp_path)
    latin1 = tmp_path / "users.txt"
    latin1.write_bytes("alice:caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=f"users file {latin1}: not UTF-8 text") as err:
        load_users(None, latin1)
    assert "caf" not in str(err.value)
