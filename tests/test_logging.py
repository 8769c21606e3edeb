"""Logs: every request has an id (its X-Request-ID, or a new one) that every record written
during it carries; one access line per request, as text or JSON (LOG_FORMAT); and nothing a
person typed or holds as a secret reaches the log."""

import json
import logging
import re

import pytest

import coordination
from config.settings import load
from coordination.access import allow
from coordination.auth.services import issue_token
from coordination.cases.services import new_status_token
from tests import factories

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def json_lines(text: str) -> list[dict]:
    """Every line of the log as JSON; a line that is not JSON fails the test."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def access_lines(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["logger"] == "coordination.access"]


def add_logging_view(app):
    """A view that writes its own records during the request, as any feature's code may."""

    @allow(public=True)
    def noisy():
        logging.getLogger("coordination.cases").info("working on it")
        logging.getLogger("somelibrary").warning("a library warns")
        return "done"

    @allow(public=True)
    def broken():
        raise RuntimeError("the view broke")

    app.add_url_rule("/test-logging/noisy", "test_noisy", noisy)
    app.add_url_rule("/test-logging/broken", "test_broken", broken)
    return app


@pytest.fixture
def json_app(make_app):
    return add_logging_view(make_app(LOG_FORMAT="json"))


def test_every_record_of_a_request_carries_the_id_the_response_returns(json_app, capsys):
    capsys.readouterr()
    response = json_app.test_client().get("/test-logging/noisy?x=1")
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)

    entries = json_lines(capsys.readouterr().err)
    assert [(e["logger"], e["level"], e["message"]) for e in entries[:2]] == [
        ("coordination.cases", "INFO", "working on it"), ("somelibrary", "WARNING", "a library warns")]
    assert {e["request_id"] for e in entries} == {request_id}
    (access,) = access_lines(entries)
    assert {k: access[k] for k in ("method", "path", "status")} == {"method": "GET", "path": "/test-logging/noisy",
                                                                     "status": 200}
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert set(access) == {"time", "level", "logger", "message", "request_id", "method", "path", "status",
                           "duration_ms"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", access["time"])


def test_each_request_gets_its_own_id(json_app, capsys):
    client = json_app.test_client()
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    logged = {e["request_id"] for e in access_lines(json_lines(capsys.readouterr().err))}
    assert ids <= logged


@pytest.mark.parametrize("incoming", ["abc-123", "a1b2c3d4.e5_f6", "X" * 64])
def test_a_sane_incoming_request_id_is_kept(json_app, capsys, incoming):
    capsys.readouterr()
    response = json_app.test_client().get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert [e["request_id"] for e in access_lines(json_lines(capsys.readouterr().err))] == [incoming]


@pytest.mark.parametrize("incoming", ["", "X" * 65, "has space", "<script>alert(1)</script>", "åäö",
                                      "a=b;c", "anna@example.se", "../../etc/passwd", "id\tx"])
def test_an_odd_incoming_request_id_is_replaced(json_app, capsys, incoming):
    capsys.readouterr()
    response = json_app.test_client().get("/healthz", headers={"X-Request-ID": incoming})
    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)
    output = capsys.readouterr().err
    assert [e["request_id"] for e in access_lines(json_lines(output))] == [request_id]
    if incoming:
        assert incoming not in output


def test_an_unhandled_error_is_logged_with_its_traceback_and_the_request_id(json_app, capsys):
    capsys.readouterr()
    response = json_app.test_client().get("/test-logging/broken")
    assert response.status_code == 500
    entries = json_lines(capsys.readouterr().err)
    (error,) = [e for e in entries if e["level"] == "ERROR"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: the view broke" in error["exception"]
    assert access_lines(entries)[0]["status"] == 500


def test_text_format_shows_the_id_on_every_line(make_app, capsys):
    app = add_logging_view(make_app())  # "text" is the default
    capsys.readouterr()
    response = app.test_client().get("/test-logging/noisy")
    request_id = response.headers["X-Request-ID"]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert all(f"[{request_id}]" in line for line in lines), lines
    assert re.search(r" INFO coordination\.access \[[0-9a-f]{32}\] GET /test-logging/noisy 200 [\d.]+ms$", lines[-1])


def test_a_newline_in_the_path_cannot_forge_a_text_log_line(make_app, capsys):
    app = make_app()
    capsys.readouterr()
    response = app.test_client().get("/nope%0A2026-01-01 00:00:00,000 INFO coordination.auth [x] admin logged in")
    assert response.status_code == 404
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "/nope\\x0a2026-01-01" in lines[0], lines


def test_records_outside_a_request_have_no_id(make_app, capsys):
    make_app()
    capsys.readouterr()
    logging.getLogger("coordination.scheduler").warning("a job ran late")
    assert capsys.readouterr().err.rstrip().endswith(" WARNING coordination.scheduler [-] a job ran late")


def test_records_outside_a_request_have_no_id_in_json(make_app, capsys):
    make_app(LOG_FORMAT="json")
    capsys.readouterr()
    logging.getLogger("coordination.scheduler").warning("a job ran late")
    (entry,) = json_lines(capsys.readouterr().err)
    assert entry["request_id"] is None and entry["message"] == "a job ran late"


def test_log_format_comes_from_the_environment(monkeypatch):
    assert load("testing")["LOG_FORMAT"] == "text"
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load("production")["LOG_FORMAT"] == "json"


def test_an_unknown_log_format_stops_the_start(make_app):
    with pytest.raises(coordination.ConfigurationError, match="LOG_FORMAT"):
        make_app(LOG_FORMAT="xml")


def test_create_app_twice_does_not_write_each_line_twice(make_app, capsys):
    make_app(LOG_FORMAT="json")
    app = make_app(LOG_FORMAT="json")
    capsys.readouterr()
    app.test_client().get("/healthz")
    assert len(json_lines(capsys.readouterr().err)) == 1


# --- no personal data or secrets -------------------------------------------------------------

@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_personal_data_or_secret_reaches_the_log(make_app, session, capsys, clock, log_format):
    app = make_app(LOG_FORMAT=log_format)
    email, password = "Anna.Lindqvist@example.se", "ett-hemligt-losenord-42"
    coordinator = factories.user(session, "coordinator", email=email.lower(), password=password)
    token = issue_token(session, email=coordinator.email)
    status_token = new_status_token(session, factories.case(session, clock=clock))
    session.commit()
    searched = "kalle.karlsson@foretaget.se"
    calendar_secret = "kalenderhemlighet-0123456789abcdef"
    capsys.readouterr()

    client = app.test_client()
    responses = [
        client.post("/logga-in", data={"email": email, "password": "fel-losenord-999"}),
        client.post("/logga-in", data={"email": email, "password": password}),
    ]
    session_cookie = client.get_cookie("session").value
    responses += [
        client.get(f"/arenden?q={searched}&sida=1"),
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token-but-secret-looking"}),
        app.test_client().get(f"/status/{status_token}"),
        app.test_client().get(f"/kalender/{calendar_secret}/1.ics"),
        app.test_client().get(f"/ingen-sida/{searched}"),
        app.test_client().get(f"/lamna-arende?email={searched}"),
    ]
    assert [r.status_code for r in responses] == [400, 302, 200, 200, 401, 200, 404, 404, 200]

    output = capsys.readouterr().err
    for secret in (email, email.lower(), "anna.lindqvist", password, "fel-losenord-999", token, token[12:],
                   "not-a-token-but-secret-looking", "Bearer", session_cookie, status_token, calendar_secret,
                   searched, "kalle.karlsson", "q=", "?"):
        assert secret not in output, f"{secret!r} is in the log:\n{output}"
    # The access lines are there (the test looked at real output) with paths stripped of all that.
    paths = re.findall(r"(?:GET|POST) (\S+) \d{3}", output)
    assert paths == ["/logga-in", "/logga-in", "/arenden", "/api/v1/me", "/api/v1/me", "/status/{token}",
                     "/kalender/{token}/1.ics", "/ingen-sida/{email}", "/lamna-arende"]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_failed_statement_in_the_log_names_the_statement_but_not_the_values(make_app, session, capsys,
                                                                              log_format):
    """A view whose statement the database refuses (here: a second user with the same id): the
    logged traceback names the statement and the constraint, never the values bound to it, nor
    the row PostgreSQL repeats in its own message."""
    from sqlalchemy import text

    from coordination.db import get_session

    app = make_app(LOG_FORMAT=log_format)
    user = factories.user(session, "coordinator", email="hemlig.person@example.se", name="Hemliga Hanna")
    session.commit()

    @allow(public=True)
    def clash():
        get_session().execute(
            text("INSERT INTO users (id, email, name, role, active, password_hash, session_epoch) "
                 "VALUES (:id, :email, :name, 'admin', true, 'x', 0)"),
            {"id": user.id, "email": "hemlig.person@example.se", "name": "Hemliga Hanna"})
        return "never"

    app.add_url_rule("/test-logging/clash", "test_clash", clash)
    capsys.readouterr()

    assert app.test_client().get("/test-logging/clash").status_code == 500

    log = capsys.readouterr().err
    assert "INSERT INTO users" in log and "IntegrityError" in log
    assert "hemlig.person" not in log and "Hemliga Hanna" not in log and "hemlig" not in log.lower()


def test_a_postgresql_connection_attempt_gives_up_after_ten_seconds_unless_the_url_says_otherwise():
    from sqlalchemy import event

    from coordination.db import make_engine

    seen = []
    for url, expected in (("postgresql+psycopg://nobody@127.0.0.1:9/none", 10),
                          ("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=3", "3")):
        engine = make_engine(url)

        @event.listens_for(engine, "do_connect")
        def capture(_dialect, _record, _cargs, cparams):
            seen.append(cparams.get("connect_timeout"))
            raise ConnectionRefusedError("not connecting in a test")

        with pytest.raises(Exception):
            engine.connect()
        engine.dispose()
        assert seen[-1] in (expected, int(expected)), (url, seen)
