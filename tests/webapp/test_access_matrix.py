"""Who may call what: every endpoint x {no identity, annotator, admin}, in the users mode (THCE_USERS).

The expected table (ENDPOINTS below, also in the closing note of issue 14):

    endpoint            no identity   annotator (alice)   admin (bob)
    /code               refused       allowed             allowed
    /code_stream        refused       allowed             allowed
    /send_to_review     refused       allowed             allowed
    /queue_for_review   refused       allowed             allowed
    /submit_review      refused       allowed (as alice)  allowed (as bob)
    /next_case          refused       allowed (as alice)  allowed (as bob)
    /my_reviews         refused       allowed (own)       allowed (own)
    /export_pairs       refused       refused             allowed
    /export_kto         refused       refused             allowed
    /export_sft         refused       refused             allowed
    /annotation_stats   refused       refused             allowed
    /search_codes       refused       allowed             allowed
    /validate_codes     refused       allowed             allowed
    /show_code          refused       allowed             allowed
    review UI: next case, decisions, draft, keep/drop, edit  refused  allowed  allowed
    jobs UI: start training/eval, cancel, reports   refused  refused  allowed

The first test runs the table on the callbacks; the second over HTTP against the running app (Gradio's own
login guards every route, then the role check inside each endpoint).
"""

from __future__ import annotations

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from core.store import add_case
from tests.webapp.helpers import ADMINS, NARRATIVE, USERS, FakeCoder, as_user, fake_result, free_port
from webapp import code_tab, codes_tab, review_actions, review_tab, train_tab

ALLOWED, REFUSED = "allowed", "refused"
ROLES = {"no identity": None, "annotator": "alice", "admin": "bob"}
ANNOTATOR_OK = {"no identity": REFUSED, "annotator": ALLOWED, "admin": ALLOWED}
ADMIN_ONLY = {"no identity": REFUSED, "annotator": REFUSED, "admin": ALLOWED}


class FakePipeline:
    def code(self, narrative):
        return type("Result", (), {"to_dict": lambda self: fake_result(narrative)})()

    def stream(self, narrative):
        yield "thinking"
        yield self.code(narrative)


def _calls(request) -> dict:
    code, stream = code_tab.make_coders(None)
    return {
        "/code": lambda: code(NARRATIVE, "", "valid", True, request, None),
        "/code_stream": lambda: list(stream(NARRATIVE, "", "valid", True, request, None)),
        "/send_to_review": lambda: code_tab.make_sender(None, review_tab.send_to_review)(NARRATIVE, "", request, None),
        "/queue_for_review": lambda: review_tab.make_queue_api(None)(NARRATIVE, request, None),
        "/submit_review": lambda: review_tab.submit_review_api(add_case(NARRATIVE), "skip", "", "", "",
                                                               request=request, profile=None),
        "/next_case": lambda: review_tab.make_next_case_api(None)(request, None),
        "/my_reviews": lambda: review_tab.my_reviews_api(request, None),
        "/export_pairs": lambda: review_tab.export_pairs(request, None),
        "/export_kto": lambda: review_tab.make_export("kto")(request, None),
        "/export_sft": lambda: review_tab.make_export("sft")(request, None),
        "/annotation_stats": lambda: review_tab.stats_api(request, None),
        "/search_codes": lambda: codes_tab.search("diabetes", "", 5, request, None),
        "/validate_codes": lambda: codes_tab.validate("E11.9", "", request, None),
        "/show_code": lambda: codes_tab.show("E11.9", request, None),
        "review: next case": lambda: review_actions.load_next("", "", request, None),
        "review: decision": lambda: review_actions.make_finish("skip")({}, "", "", "", request, None),
        "review: draft": lambda: review_actions.save_draft({}, "", "", request, None),
        "review: keep/drop": lambda: review_actions.toggle_selected({}, request, None),
        "review: edit my review": lambda: review_actions.edit_review(1, {}, "", "", request, None),
        "jobs: start evaluation": lambda: train_tab.start_eval("nope", "nope", 1, request, None),
        "jobs: start training": lambda: train_tab.start_training("nope.yaml", False, request, None),
        "jobs: cancel": lambda: train_tab.cancel(None, request, None),
        "reports: show": lambda: train_tab.show_report("nope.json", request, None),
        "reports: compare": lambda: train_tab.compare("a", "b", request, None),
    }


ENDPOINTS = {name: ANNOTATOR_OK for name in _calls(None)} | {
    name: ADMIN_ONLY for name in ("/export_pairs", "/export_kto", "/export_sft", "/annotation_stats", "jobs: start evaluation",
                                  "jobs: start training", "jobs: cancel", "reports: show", "reports: compare")}


def _outcome(call) -> tuple[str, str]:
    """(allowed|refused, message): refused means the access check said no (gr.Error titled 'Not allowed')."""
    try:
        call()
    except gr.Error as exc:
        if exc.title == "Not allowed":
            return REFUSED, exc.message
        return ALLOWED, exc.message  # past the access check, refused for another reason (bad input)
    return ALLOWED, ""


def test_every_endpoint_for_every_role(store, users, fake_coder, monkeypatch):
    monkeypatch.setenv("THCE_ALLOW_JOBS", "1")
    monkeypatch.setattr(code_tab, "get_pipeline", lambda model, constrain="valid", rules=True: FakePipeline())
    table = {}
    for role, name in ROLES.items():
        for endpoint, call in _calls(as_user(name)).items():
            table[(endpoint, role)] = _outcome(call)
    for endpoint, expected in ENDPOINTS.items():
        for role, outcome in expected.items():
            got, message = table[(endpoint, role)]
            assert got == outcome, (endpoint, role, message)
            if role == "no identity":
                assert message.startswith("not signed in: log in to"), (endpoint, message)
            elif got == REFUSED:
                assert "only administrators (THCE_ADMINS)" in message and message.startswith("alice may not")


def test_no_endpoint_takes_an_identity_prompt_or_model_output_from_the_client():
    from webapp.app import build_demo

    demo = build_demo(model="/models/configured")
    info = demo.get_api_info()["named_endpoints"]
    forbidden = {"annotator", "user", "username", "result", "prompt", "raw", "prediction", "rejected", "chosen"}
    for endpoint, spec in info.items():
        names = {p["parameter_name"] for p in spec["parameters"]}
        assert not names & forbidden, (endpoint, names)
    assert [p["parameter_name"] for p in info["/queue_for_review"]["parameters"]] == ["narrative"]


# --- over HTTP, against the running app with logins -----------------------------------------------------------

@pytest.fixture(scope="module")
def secured_app(tmp_path_factory):
    from core.store import init_db, reset_engine

    folder = tmp_path_factory.mktemp("secured")
    patch = pytest.MonkeyPatch()
    url = f"sqlite:///{folder / 'thce.db'}"
    for name, value in {"DATABASE_URL": url, "THCE_USERS": USERS, "THCE_ADMINS": ADMINS,
                        "THCE_JOBS_DIR": str(folder / "jobs"), "THCE_REPORTS_DIR": str(folder / "reports")}.items():
        patch.setenv(name, value)
    patch.setattr("core.review_workflow.default_coder", lambda model=None, constrain="valid": FakeCoder())
    init_db(url)
    from core.access import access_config
    from webapp.app import build_demo, launch_options

    demo = build_demo(model="/models/configured")
    _, local_url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(),
                                  quiet=True, auth=access_config().gradio_auth(), **launch_options())
    yield {"url": local_url, "db": folder / "thce.db"}
    demo.close()
    reset_engine()
    patch.undo()


@pytest.fixture
def logins(monkeypatch):
    """The server thread reads the access settings per request: keep them set while a test runs."""
    monkeypatch.setenv("THCE_USERS", USERS)
    monkeypatch.setenv("THCE_ADMINS", ADMINS)


def test_without_a_login_every_route_is_refused(secured_app, logins):
    base = secured_app["url"].rstrip("/")
    assert httpx.get(f"{base}/config", timeout=30).status_code == 401
    assert httpx.get(f"{base}/gradio_api/info", timeout=30).status_code == 401
    for endpoint in ("/code", "/queue_for_review", "/submit_review", "/export_pairs", "/annotation_stats",
                     "/my_reviews", "/validate_codes"):
        response = httpx.post(f"{base}/gradio_api/call{endpoint}", json={"data": []}, timeout=30)
        assert response.status_code == 401, endpoint
        assert "Not authenticated" in response.text


def test_logged_in_annotator_and_admin(secured_app, logins):
    import sqlite3

    alice = Client(secured_app["url"], auth=("alice", "alice-pw"), verbose=False, download_files=False)
    queued = alice.predict(NARRATIVE, api_name="/queue_for_review")
    saved = alice.predict(queued["case_id"], "correct", "E11.9", "", "", api_name="/submit_review")
    assert saved["pair_id"]
    assert alice.predict(api_name="/my_reviews")[0][0] == saved["review_id"]
    for endpoint in ("/export_pairs", "/annotation_stats"):
        with pytest.raises(Exception, match="alice may not .*only administrators"):
            alice.predict(api_name=endpoint)
    with pytest.raises(Exception):  # noqa: B017 - a wrong password gets no session at all
        Client(secured_app["url"], auth=("alice", "wrong"), verbose=False)
    bob = Client(secured_app["url"], auth=("bob", "bob-pw"), verbose=False, download_files=False)
    assert bob.predict(api_name="/annotation_stats")["by_annotator"]["alice"]["correct"] == 1
    assert bob.predict(api_name="/export_pairs")
    with sqlite3.connect(secured_app["db"]) as db:
        who = db.execute("SELECT c.created_by, p.requested_by, r.annotator, pp.annotator FROM cases c "
                         "JOIN predictions p ON p.case_id = c.id JOIN reviews r ON r.case_id = c.id "
                         "JOIN preference_pairs pp ON pp.review_id = r.id").fetchall()
    assert who == [("alice", "alice", "alice", "alice")]


def test_api_reviewers_take_cases_from_the_queue_and_edit_their_own_reviews(secured_app, logins):
    """Regression: /submit_review stored reviews of cases leased to someone else or already finished, dropped
    codes sent with 'accept', answered a raw int() message for a bad id, and told users to pass a supersedes_id
    that no endpoint took."""
    alice = Client(secured_app["url"], auth=("alice", "alice-pw"), verbose=False, download_files=False)
    carol = Client(secured_app["url"], auth=("carol", "carol-pw"), verbose=False, download_files=False)
    queued = alice.predict(NARRATIVE, api_name="/queue_for_review")
    task = alice.predict(api_name="/next_case")
    assert task["case_id"] == queued["case_id"] and task["narrative"] == NARRATIVE and task["codes"]["icd10cm"]
    with pytest.raises(Exception, match="being reviewed by another annotator"):
        carol.predict(task["case_id"], "reject", "", "", "", api_name="/submit_review")
    with pytest.raises(Exception, match="corrected_codes only goes with decision 'correct'"):
        alice.predict(task["case_id"], "accept", "E11.9", "", "", api_name="/submit_review")
    with pytest.raises(Exception, match="case_id must be a whole number, got 'abc'"):
        alice.predict("abc", "accept", "", "", "", api_name="/submit_review")
    first = alice.predict(task["case_id"], "accept", "", "", "", api_name="/submit_review")
    with pytest.raises(Exception, match="needs no more reviews"):
        carol.predict(task["case_id"], "reject", "", "", "", api_name="/submit_review")
    with pytest.raises(Exception, match=f"already reviewed case {task['case_id']}.*supersedes_id={first['review_id']}"):
        alice.predict(task["case_id"], "reject", "", "", "", api_name="/submit_review")
    edit = alice.predict(task["case_id"], "correct", "E11.9 I10", "", "edited", first["review_id"],
                         api_name="/submit_review")
    assert edit["version"] == 2 and edit["pair_id"]
    assert carol.predict(api_name="/next_case") == {}


def test_user_errors_leave_no_traceback_in_the_server_log(secured_app, logins, capfd):
    """Regression: every refused call or bad input printed a ~45-line traceback in the server's log."""
    alice = Client(secured_app["url"], auth=("alice", "alice-pw"), verbose=False, download_files=False)
    capfd.readouterr()
    for call in (lambda: alice.predict(api_name="/export_pairs"),
                 lambda: alice.predict("<b>x</b>", "accept", "", "", "", api_name="/submit_review"),
                 lambda: alice.predict("", api_name="/queue_for_review")):
        with pytest.raises(Exception) as caught:
            call()
        assert "<b>" not in str(caught.value)  # messages are escaped: Gradio renders them as HTML
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
