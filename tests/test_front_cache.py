"""The page cache's front door (coordination/frontcache.py): the very same request again, while
nothing has changed, is answered before Flask handles it, with the same page and headers, an
access line and a request id of its own, and the audit entry a coordinator's case page records;
anything that differs, any change of the data and any doubt go to Flask."""

import logging

import pytest
from flask import request_started
from sqlalchemy import event, select, text

from coordination import frontcache
from coordination.audit.models import AuditEntry
from coordination.cases.models import Case
from coordination.cases.services import Submitter, reference_slug
from tests import factories
from tests.conftest import fresh, get_counting
from tests.conftest import sign_in as _sign_in


def sign_in(client, user):
    _sign_in(client, user)
    client.get("/moten")  # the session's first page adds its CSRF secret (a new cookie)
    return client


@pytest.fixture
def world(session, clock):
    area = factories.business_area(session, name="Högdalens industriområde")
    tk = factories.organisation(session, short_name="TK")
    coordinator = factories.user(session, "coordinator", name="Sara Samordnare")
    official = factories.user(session, "department", organisation_id=tk.id, name="Tove Trafik")
    case = factories.case(session, clock=clock, title="Belysning vid lastkajen", business_area_id=area.id, level=1,
                          organisations=[tk], submitter=Submitter(company_name="Högdalens Bageri AB",
                                                                  contact_name="Åsa Ek", contact_email="asa@bageri.se"))
    bare = factories.case(session, clock=clock, title="Skyltning utan kontakt", business_area_id=area.id, level=1)
    session.commit()
    return {"case": case, "slug": reference_slug(case.reference), "bare_slug": reference_slug(bare.reference),
            "coordinator": coordinator, "official": official}


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask's own handling (the front door's answers never do)."""
    seen = []

    def count(_sender, **_extra):
        seen.append(1)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def without_request_id(headers) -> list:
    return sorted((name, value) for name, value in headers.items() if name != "X-Request-ID")


@pytest.mark.parametrize("url", ["/arenden", "/", "/arenden?q=lastkajen&sort=received_desc"])
def test_the_same_request_again_is_answered_before_flask_with_the_same_page_and_headers(
        app, client, world, flask_requests, url):
    sign_in(client, world["coordinator"])
    first = client.get(url)
    second = client.get(url)  # Flask, from the page cache: the front door keeps it
    before = len(flask_requests)
    third, third_statements = get_counting(app, client, url)
    assert len(flask_requests) == before  # Flask never saw it
    assert third.status_code == 200 and third.data == second.data == first.data
    assert without_request_id(third.headers) == without_request_id(second.headers)
    assert third.headers["X-Page-Cache"] == "hit" and int(third.headers["Content-Length"]) == len(third.data)
    assert "default-src 'self'" in third.headers["Content-Security-Policy"]
    assert [s.strip() for s in third_statements] == ["SELECT n FROM data_version WHERE id = 1"]


def test_each_answer_has_its_own_request_id_and_access_line(app, client, world, caplog):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="coordination.access"):
        mine = client.get("/arenden", headers={"X-Request-ID": "proxy-42"})
        new = client.get("/arenden", headers={"X-Request-ID": "bad id; forged"})
    assert mine.headers["X-Page-Cache"] == new.headers["X-Page-Cache"] == "hit"
    assert mine.headers["X-Request-ID"] == "proxy-42"
    assert new.headers["X-Request-ID"] not in ("proxy-42", "bad id; forged") and len(new.headers["X-Request-ID"]) == 32
    lines = [r for r in caplog.records if r.name == "coordination.access"]
    assert [(r.request_id, r.method, r.path, r.status) for r in lines] == [
        ("proxy-42", "GET", "/arenden", 200), (new.headers["X-Request-ID"], "GET", "/arenden", 200)]
    assert all("?" not in r.getMessage() for r in lines)


def test_another_browser_address_or_session_goes_to_flask(app, client, world, flask_requests):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    for kwargs in ({"headers": {"User-Agent": "Another browser/1.0"}},
                   {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}},
                   {"base_url": "http://other.example"}):
        before = len(flask_requests)
        client.get("/arenden", **kwargs)
        assert len(flask_requests) == before + 1, kwargs
    other = app.test_client()
    sign_in(other, world["coordinator"])
    before = len(flask_requests)
    other.get("/arenden")
    assert len(flask_requests) == before + 1


def test_a_page_that_set_a_cookie_is_not_answered_from_the_front(app, client, world, flask_requests):
    _sign_in(client, world["coordinator"])
    first = client.get("/arenden")  # adds the CSRF secret: the browser's cookie changes
    assert "Set-Cookie" in first.headers
    client.get("/arenden")  # the new cookie's first request: Flask
    before = len(flask_requests)
    client.get("/arenden")
    assert len(flask_requests) == before


def test_a_change_anywhere_sends_the_next_request_to_flask(app, session, client, world, flask_requests):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    case = session.get(Case, world["case"].id)
    case.title = "Belysning och skyltar vid lastkajen"
    session.add(case)
    session.commit()
    before = len(flask_requests)
    page = client.get("/arenden")
    assert len(flask_requests) == before + 1 and "Belysning och skyltar vid lastkajen" in page.get_data(as_text=True)


def test_a_deactivated_user_is_not_answered_from_the_front(app, session, client, world):
    sign_in(client, world["official"])
    client.get("/")
    assert client.get("/").headers["X-Page-Cache"] == "hit"
    session.execute(text("UPDATE users SET active = :no WHERE id = :id"), {"no": False, "id": world["official"].id})
    session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_posts_and_heads_go_to_flask(app, client, world, flask_requests):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    before = len(flask_requests)
    client.head("/arenden")
    client.post("/arenden")
    assert len(flask_requests) == before + 2


def test_a_coordinators_every_view_of_the_contact_details_is_recorded_also_from_the_front(app, client, world):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}"
    client.get(url)
    client.get(url)
    third, third_statements = get_counting(app, client, url, headers={"X-Request-ID": "third-view"})
    assert third.headers["X-Page-Cache"] == "hit" and "asa@bageri.se" in third.get_data(as_text=True)
    # One statement: the entry, added on condition of the data version (which is the version check).
    assert len(third_statements) == 1 and third_statements[0].lstrip().upper().startswith("INSERT INTO AUDIT_LOG")
    assert "data_version" in third_statements[0]
    with fresh(app) as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data.read")
                          .order_by(AuditEntry.id)).all()
    assert [(e.actor_user_id, e.object_type, e.object_id, e.object_ref) for e in reads] == [
        (world["coordinator"].id, "case", world["case"].id, world["case"].reference)] * 3
    assert reads[-1].request_id == "third-view" and reads[-1].detail == {"shown": "contact_details", "page": "case"}
    assert reads[-1].address_hash == reads[0].address_hash is not None
    assert reads[-1].at == reads[0].at  # the same clock: the front door's timestamp stored as Flask's


def test_a_case_page_out_of_date_at_the_front_is_recorded_once_by_flask(app, client, world, session, flask_requests):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}"
    client.get(url)
    client.get(url)
    session.execute(text("UPDATE cases SET title = :t WHERE id = :id"), {"t": "Ny rubrik", "id": world["case"].id})
    session.commit()
    before = len(flask_requests)
    response = client.get(url, headers={"X-Request-ID": "after-change"})
    assert len(flask_requests) == before + 1 and "Ny rubrik" in response.get_data(as_text=True)
    with fresh(app) as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data.read")
                          .order_by(AuditEntry.id)).all()
    # The front door's conditional entry added nothing; Flask's view added the third.
    assert len(reads) == 3 and [e.request_id for e in reads].count("after-change") == 1


def test_a_case_without_contact_details_records_nothing_from_the_front(app, client, world):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['bare_slug']}"
    for _ in range(3):
        response, seen = get_counting(app, client, url)
    assert response.headers["X-Page-Cache"] == "hit" and len(seen) == 1
    with fresh(app) as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data.read")).all() == []


def test_an_official_reading_the_case_page_records_no_contact_read(app, client, world):
    sign_in(client, world["official"])
    url = f"/arenden/{world['slug']}"
    for _ in range(3):
        response, seen = get_counting(app, client, url)
    assert response.status_code == 200 and response.headers["X-Page-Cache"] == "hit" and len(seen) == 1
    assert "asa@bageri.se" not in response.get_data(as_text=True)


def test_a_database_error_at_the_front_goes_to_flask(app, client, world, flask_requests, monkeypatch, caplog):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    monkeypatch.setattr(frontcache, "VERSION_SQL", "SELECT n FROM no_such_table")
    before = len(flask_requests)
    with caplog.at_level(logging.WARNING, logger="coordination.frontcache"):
        response = client.get("/arenden")
    assert response.status_code == 200 and len(flask_requests) == before + 1
    assert "falling back" in caplog.text
    # The failed connection was closed; the next answer at the front opens another.
    failed = app.wsgi_app.connection
    assert failed.kept == {}
    monkeypatch.undo()
    client.get("/arenden")  # Flask (the page was dropped at the failure) keeps it again
    before = len(flask_requests)
    again = client.get("/arenden")
    assert again.headers["X-Page-Cache"] == "hit" and len(flask_requests) == before and len(failed.kept) == 1


def test_the_front_door_keeps_its_connection_between_answers(app, client, world):
    """One connection, kept in autocommit: no pool checkout (and no isolation level set and
    reset) for each answer; disposing of the engine closes it."""
    engine = app.extensions["db_engine"]
    checkouts = []
    sign_in(client, world["coordinator"])
    for url in ("/arenden", f"/arenden/{world['slug']}"):
        client.get(url)
        client.get(url)

    def checked_out(*_args):
        checkouts.append(1)

    event.listen(engine, "checkout", checked_out)
    try:
        for url in ("/arenden", f"/arenden/{world['slug']}") * 3:
            assert client.get(url).headers["X-Page-Cache"] == "hit"
    finally:
        event.remove(engine, "checkout", checked_out)
    assert checkouts == []
    kept = list(app.wsgi_app.connection.kept)
    assert len(kept) == 1 and not kept[0].closed
    engine.dispose()
    assert kept[0].closed and app.wsgi_app.connection.kept == {}
    assert client.get("/arenden").headers["X-Page-Cache"] == "hit"  # a new connection, from the new pool


def test_threads_that_end_give_their_connections_back(app, client, world):
    """`flask run` serves each request on a thread of its own: the front door's connection of a
    thread that has ended is closed, so the pool (5 + 10 connections) does not run dry."""
    import threading

    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    answers = []

    def one_request():
        answers.append(client.get("/arenden").headers.get("X-Page-Cache"))

    for _ in range(20):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join(timeout=60)
    assert answers == ["hit"] * 20
    kept = app.wsgi_app.connection.kept
    assert len(kept) <= 2 and all(not c.closed for c in kept)


def test_the_front_doors_read_entries_do_not_wait_for_the_disk_and_flasks_commits_do(app, client, world, session):
    """The case page's read entry, written on every answer, is committed without waiting for the
    disk on the front door's own connection; that connection is never handed to Flask, whose
    commits (what people type) still wait."""
    import sqlite3

    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}"
    client.get(url)
    client.get(url)
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    (kept,) = app.wsgi_app.connection.kept
    postgres = kept.dialect.name == "postgresql"
    setting = "SHOW synchronous_commit" if postgres else "PRAGMA synchronous"
    assert str(kept.exec_driver_sql(setting).scalar()) == ("off" if postgres else "1")  # NORMAL
    assert str(session.execute(text(setting)).scalar()) == ("on" if postgres else "2")  # FULL
    with fresh(app) as s:
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data.read")).all()) == 3

    raw = kept.connection.dbapi_connection
    checked_in = app.extensions["db_engine"].pool.checkedin()
    app.wsgi_app.connection.discard()
    # Closed, not given back to the pool with its setting.
    assert app.extensions["db_engine"].pool.checkedin() == checked_in
    if postgres:
        assert raw.closed
    else:
        with pytest.raises(sqlite3.ProgrammingError):
            raw.execute("SELECT 1")
    for _ in range(3):
        with fresh(app) as s:
            assert str(s.execute(text(setting)).scalar()) == ("on" if postgres else "2")
