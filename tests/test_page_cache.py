"""Pages kept until something changes (coordination/pagecache.py): every write to a versioned
table raises the data version, so no page is ever served from before a change; a stored page is
per person, session and language, expires with the clock (at the latest at midnight), and the
cache stays within its size."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import inspect, text

from coordination.cases.models import Case
from coordination.cases.services import Submitter, reference_slug
from coordination.clock import STOCKHOLM
from coordination.db import metadata
from coordination.meetings.models import Agenda, Meeting, MeetingSeries
from coordination.pagecache import UNVERSIONED_TABLES, Entry, PageCache, data_version
from tests import factories
from tests.conftest import get_counting
from tests.test_queue import sign_in as _sign_in


def sign_in(client, user):
    _sign_in(client, user)
    # The session's first page makes its CSRF secret; a page made while the session changes is not kept.
    client.get("/moten")
    return client


def version(app) -> int:
    with app.extensions["db_engine"].connect() as conn:
        return conn.execute(text("SELECT n FROM data_version WHERE id = 1")).scalar()


@pytest.fixture
def world(session, clock):
    area = factories.business_area(session, name="Högdalens industriområde")
    tk, sbk = factories.organisation(session, short_name="TK"), factories.organisation(session, short_name="SBK")
    coordinator = factories.user(session, "coordinator", name="Sara Samordnare")
    other_coordinator = factories.user(session, "coordinator", name="Olle Samordnare")
    official = factories.user(session, "department", organisation_id=tk.id, name="Tove Trafik")
    outsider = factories.user(session, "department", organisation_id=sbk.id, name="Sven Stadsbyggnad")
    case = factories.case(session, clock=clock, title="Belysning vid lastkajen", business_area_id=area.id, level=1,
                          organisations=[tk], submitter=Submitter(company_name="Högdalens Bageri AB",
                                                                  contact_name="Åsa Ek", contact_email="asa@bageri.se"))
    session.commit()
    return {"case": case, "slug": reference_slug(case.reference), "coordinator": coordinator,
            "other_coordinator": other_coordinator, "official": official, "outsider": outsider, "tk": tk}


def test_every_table_but_the_named_few_raises_the_data_version(app):
    engine = app.extensions["db_engine"]
    tables = sorted(t.name for t in metadata.sorted_tables if t.name not in UNVERSIONED_TABLES)
    assert "cases" in tables and "notifications" in tables
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
            missing = [t for t in tables if f"dv_{t}" not in found]
        else:
            found = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            missing = [t for t in tables if not {f"dv_{t}_ins", f"dv_{t}_upd", f"dv_{t}_del"} <= found]
    assert missing == [], f"tables without data-version triggers (add them in a migration): {missing}"
    assert set(inspect(engine).get_table_names()) >= set(tables)


def test_insert_update_and_delete_each_raise_the_version(app, session, clock, world):
    start = version(app)
    case = factories.case(session, clock=clock, title="Ny fråga")
    session.commit()
    after_insert = version(app)
    assert after_insert > start
    case.title = "Ny fråga om skyltar"
    session.add(case)
    session.commit()
    after_update = version(app)
    assert after_update > after_insert
    session.execute(text("DELETE FROM case_events WHERE case_id = :id"), {"id": case.id})
    session.commit()
    assert version(app) > after_update


def test_writing_an_unversioned_table_leaves_pages_alone(app, session, world):
    start = version(app)
    session.execute(text("INSERT INTO job_heartbeats (name, last_run_at, host, pid, runs) "
                         "VALUES ('x', CURRENT_TIMESTAMP, 'h', 1, 1)"))
    session.commit()
    assert version(app) == start


@pytest.mark.parametrize("page", ["queue", "case", "start"])
def test_the_second_view_is_served_from_the_cache_in_one_statement(app, client, world, page):
    sign_in(client, world["coordinator"])
    url = {"queue": "/arenden", "case": f"/arenden/{world['slug']}", "start": "/"}[page]
    first, first_statements = get_counting(app, client, url)
    second, second_statements = get_counting(app, client, url)
    assert first.headers["X-Page-Cache"] == "miss" and second.headers["X-Page-Cache"] == "hit"
    assert first.data == second.data
    # The data version (which also says the user is as they were: coordinator/auth/usercache.py);
    # on the case page, the audit log's entry for a coordinator's read of the contact details (a
    # page from the cache records it too), added on condition of the version: that is its check.
    assert len(second_statements) == 1 < len(first_statements)
    if page == "case":
        assert second_statements[0].lstrip().upper().startswith("INSERT INTO AUDIT_LOG")
        assert "data_version.n = " in second_statements[0]
    else:
        assert second_statements[0].strip() == "SELECT n FROM data_version WHERE id = 1"
    assert second.headers["Content-Security-Policy"] and second.mimetype == "text/html"


def test_a_meeting_page_is_kept_and_a_change_to_its_agenda_shows_at_once(app, session, client, clock, world):
    group = factories.group(session, members=[world["coordinator"]])
    series = MeetingSeries(group_id=group.id, name="Samordningsgruppen", dates=[], start_time=time(9),
                           end_time=time(11), place="Stadshuset")
    session.add(series)
    session.flush()
    meeting = Meeting(series_id=series.id, occurrence="2026-12-02", place="Stadshuset",
                      starts_at=datetime(2026, 12, 2, 9, tzinfo=STOCKHOLM),
                      ends_at=datetime(2026, 12, 2, 11, tzinfo=STOCKHOLM))
    session.add(meeting)
    session.flush()
    session.add(Agenda(meeting_id=meeting.id, status="published", generation=1, generated_at=clock.now(),
                       published_at=clock.now(), published_version=1))
    session.commit()
    sign_in(client, world["coordinator"])
    url = f"/moten/{meeting.id}"
    first, first_statements = get_counting(app, client, url)
    second, second_statements = get_counting(app, client, url)
    assert first.headers["X-Page-Cache"] == "miss" and second.headers["X-Page-Cache"] == "hit"
    assert first.data == second.data and len(second_statements) == 1 < len(first_statements)
    meeting = session.get(Meeting, meeting.id)
    meeting.place = "Tekniska nämndhuset"
    session.add(meeting)
    session.commit()
    third = client.get(url)
    assert third.headers["X-Page-Cache"] == "miss" and "Tekniska nämndhuset" in third.get_data(as_text=True)


def test_a_change_made_on_the_site_shows_at_once(app, client, world):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}"
    client.get(url)
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    client.post(f"{url}/kommentarer", data={"body": "Ringde företaget i dag."})
    page = client.get(url)
    assert "Ringde företaget i dag." in page.get_data(as_text=True)
    assert "X-Page-Cache" not in page.headers  # "the comment was saved" was waiting: made afresh, not kept
    again = client.get(url)
    assert again.headers["X-Page-Cache"] == "miss" and "Ringde företaget i dag." in again.get_data(as_text=True)


def test_a_change_made_elsewhere_shows_at_once(app, session, client, world):
    """Another worker, the job process or the API wrote: the counter is in the database."""
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    assert client.get("/arenden").headers["X-Page-Cache"] == "hit"
    case = session.get(Case, world["case"].id)
    case.title = "Belysning och skyltar vid lastkajen"
    session.add(case)
    session.commit()
    assert "Belysning och skyltar vid lastkajen" in client.get("/arenden").get_data(as_text=True)


def test_people_never_get_each_others_pages(app, client, world):
    sign_in(client, world["coordinator"])
    assert "Sara Samordnare" in client.get("/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, world["other_coordinator"])
    page = other.get("/").get_data(as_text=True)
    assert "Olle Samordnare" in page and "Sara Samordnare" not in page
    outsider = app.test_client()
    sign_in(outsider, world["outsider"])
    assert outsider.get(f"/arenden/{world['slug']}").status_code == 403
    official = app.test_client()
    sign_in(official, world["official"])
    assert official.get(f"/arenden/{world['slug']}").status_code == 200


def test_a_page_from_before_logging_out_is_not_served_afterwards(app, client, world):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.post("/logga-ut")
    response = client.get("/arenden")
    assert response.status_code in (302, 401) and "X-Page-Cache" not in response.headers


def test_each_language_has_its_own_page(app, client, world):
    sign_in(client, world["coordinator"])
    assert "Ärenden" in client.get("/arenden").get_data(as_text=True)
    client.post("/sprak", data={"lang": "en", "next": "/arenden"})
    english = client.get("/arenden").get_data(as_text=True)
    assert "<h1>Cases</h1>" in english


def test_a_waiting_message_is_shown_not_skipped(app, client, world):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}"
    client.get(url)
    client.post(f"{url}/kommentarer", data={"body": "Andra kommentaren."})
    page = client.get(url).get_data(as_text=True)
    assert "Kommentaren sparades." in page or "The comment was saved." in page


def test_a_stored_page_expires_with_the_clock_and_at_midnight(app, client, clock, world):
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    clock.at = clock.now() + timedelta(seconds=59)
    assert client.get("/arenden").headers["X-Page-Cache"] == "hit"
    clock.at = clock.now() + timedelta(seconds=2)
    assert client.get("/arenden").headers["X-Page-Cache"] == "miss"
    # A minute before midnight the page is kept at most that minute: ages turn at midnight.
    clock.at = datetime(2026, 11, 23, 23, 59, 30, tzinfo=STOCKHOLM)
    client.get("/arenden")
    clock.at = datetime(2026, 11, 24, 0, 0, 0, tzinfo=STOCKHOLM)
    assert client.get("/arenden").headers["X-Page-Cache"] == "miss"
    # A clock set back never gets a page computed later.
    clock.at = datetime(2026, 11, 23, 23, 0, tzinfo=STOCKHOLM)
    assert client.get("/arenden").headers["X-Page-Cache"] == "miss"


def test_the_cache_can_be_turned_off(make_app, world):
    app = make_app(PAGE_CACHE_SECONDS=0)
    client = app.test_client()
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    assert "X-Page-Cache" not in client.get("/arenden").headers
    assert len(app.extensions["page_cache"]) == len(app.extensions["page_cache_front"]) == 0


def test_without_its_row_the_version_turns_the_cache_off(app, session, client, world):
    session.execute(text("DELETE FROM data_version"))
    session.commit()
    assert data_version(session) is None
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    assert "X-Page-Cache" not in client.get("/arenden").headers


def test_the_cache_stays_within_its_size_least_recently_used_out_first():
    now = datetime(2026, 11, 23, 10, tzinfo=STOCKHOLM)
    cache = PageCache(max_bytes=1000)

    def entry(size):
        return Entry(body=b"x" * size, mimetype="text/html", computed_at=now, valid_until=now + timedelta(minutes=1))

    cache.put("a", entry(250))
    cache.put("b", entry(250))
    cache.put("c", entry(250))
    assert cache.get("a", now) is not None  # a is now the most recently used
    cache.put("d", entry(250))
    cache.put("e", entry(250))
    assert cache.size <= 1000 and len(cache) == 4
    assert cache.get("b", now) is None and cache.get("a", now) is not None
    cache.put("huge", entry(600))  # over a quarter of the cache: not kept
    assert cache.get("huge", now) is None and cache.size <= 1000


def test_the_start_pages_figures_are_reused_for_a_few_minutes_and_say_as_of_when(session, clock, world):
    from coordination.access import case_scope
    from coordination.clock import WorkingDays
    from coordination.dashboard.services import recent_dashboard

    store: dict = {}

    def figures(key=("coordinator", None)):
        return recent_dashboard(session, store=store, key=key, max_age=timedelta(minutes=5), clock=clock,
                                working_days=WorkingDays(), scope=case_scope(world["coordinator"]))

    first = figures()
    assert first.total_open == 1 and first.computed_at == clock.now()
    factories.case(session, clock=clock, title="Ytterligare en fråga")
    session.commit()
    clock.at = clock.now() + timedelta(minutes=4, seconds=59)
    assert figures() is first  # as of 10:00, as the page says
    assert figures(("steering", None)) is not first  # other viewers, other figures
    clock.at = clock.now() + timedelta(seconds=1)
    later = figures()
    assert later is not first and later.total_open == 2
    clock.at = datetime(2026, 11, 23, 23, 58, tzinfo=STOCKHOLM)
    evening = figures()
    clock.at = datetime(2026, 11, 24, 0, 1, tzinfo=STOCKHOLM)
    assert figures() is not evening  # a new day: the twelve months moved


def test_the_start_page_says_as_of_when_its_figures_are(make_app, world):
    app = make_app(DASHBOARD_MAX_AGE_SECONDS=300)
    client = app.test_client()
    sign_in(client, world["coordinator"])
    assert "Per kl. 10:00" in client.get("/").get_data(as_text=True)


def test_a_transaction_of_many_writes_raises_the_version_and_a_rolled_back_savepoint_does_not_lose_it(
        app, session, clock, world):
    """PostgreSQL raises it once per transaction (a bulk import stays fast); every write still
    moves it, also after a savepoint that raised it was rolled back."""
    start = version(app)
    for i in range(5):
        factories.case(session, clock=clock, title=f"Fråga {i}")
        session.flush()
    session.commit()
    after = version(app)
    assert after > start
    if app.extensions["db_engine"].dialect.name == "postgresql":
        assert after == start + 1
    nested = session.begin_nested()
    factories.case(session, clock=clock, title="Ångrad fråga")
    nested.rollback()
    factories.case(session, clock=clock, title="Kvar")
    session.commit()
    assert version(app) > after


# --- the user of a request, made from what was read while nothing changed ----------------------------

def test_the_user_is_read_once_and_then_made_without_a_query_until_something_changes(app, session, client, world):
    sign_in(client, world["coordinator"])
    client.get("/notiser")
    _again, again = get_counting(app, client, "/notiser")
    assert again[0].strip() == "SELECT n FROM data_version WHERE id = 1"
    assert not any("FROM users" in s for s in again)
    assert app.extensions["user_cache"].hits >= 1

    # Any change raises the version: the next request reads the user again.
    session.exec(text("UPDATE cases SET title = 'Ny titel' WHERE id = :id").bindparams(id=world["case"].id))
    session.commit()
    _third, third = get_counting(app, client, "/notiser")
    assert sum("FROM users" in s for s in third) >= 1


@pytest.mark.parametrize("change", ["deactivated", "sessions ended", "renamed", "role changed"])
def test_a_change_to_the_user_counts_at_the_next_request_whatever_was_kept(app, session, client, world, change):
    """Changed behind the application's back (another worker, an SQL console): the database raises
    the version, so what this worker kept of the user is not used."""
    user = world["coordinator"]
    sign_in(client, user)
    assert client.get("/arenden").status_code == 200
    assert client.get("/arenden").status_code == 200  # the user now kept
    statement = {"deactivated": "UPDATE users SET active = false WHERE id = :id",
                 "sessions ended": "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = :id",
                 "renamed": "UPDATE users SET name = 'Sara Nyberg' WHERE id = :id",
                 "role changed": "UPDATE users SET role = 'admin' WHERE id = :id"}[change]
    assert client.get("/admin/").status_code == 403
    session.exec(text(statement).bindparams(id=user.id))
    session.commit()

    answer = client.get("/admin/" if change == "role changed" else "/arenden")

    if change in ("deactivated", "sessions ended"):
        assert answer.status_code == 302 and "/logga-in" in answer.headers["Location"]
    elif change == "renamed":
        assert answer.status_code == 200 and "Sara Nyberg" in answer.get_data(as_text=True)
    else:
        assert answer.status_code == 200  # the administration, refused a moment ago


def test_a_user_made_from_what_was_kept_can_be_changed_and_saved(app, session, client, world):
    """The request's user is attached to its session like a loaded one: a change to it is saved
    (here: the language chosen in the header), and nothing else is written."""
    sign_in(client, world["coordinator"])
    client.get("/arenden")
    client.get("/arenden")
    assert app.extensions["user_cache"].hits >= 1
    page = client.get("/arenden").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    client.post("/sprak", data={"csrf_token": token, "lang": "en", "next": "/arenden"})

    with app.extensions["db_engine"].connect() as conn:
        row = conn.execute(text("SELECT locale, name, email FROM users WHERE id = :id"),
                           {"id": world["coordinator"].id}).one()
    assert row.locale == "en" and row.name == "Sara Samordnare"


def test_two_writers_taking_the_same_rows_in_opposite_order_do_not_deadlock_over_the_version(app, session, clock,
                                                                                            world):
    """PostgreSQL: the version is raised as a transaction commits (migration 0014), so a writer
    holds its lock only while committing. Here the first writer changes case A, the second case B
    and keeps it; the first then wants B and waits for the second to commit, as any two writers
    of one row do. Had the first write taken the version's lock, the second would wait for the
    version while holding B: a deadlock."""
    import threading
    import time as timer

    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("row locks of concurrent transactions: PostgreSQL (SQLite has one writer at a time)")
    a, b = world["case"], factories.case(session, clock=clock, title="Skyltar saknas")
    session.commit()
    engine = app.extensions["db_engine"]
    start = version(app)
    rename = text("UPDATE cases SET title = :title WHERE id = :id")
    errors = []
    holding_b = threading.Event()

    def second_writer():
        try:
            with engine.connect() as conn:
                conn.execute(rename, {"title": "B, andra", "id": b.id})
                holding_b.set()
                timer.sleep(0.5)  # holds B while the first writer asks for it
                conn.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
            holding_b.set()

    with engine.connect() as conn:
        conn.execute(rename, {"title": "A, första", "id": a.id})
        other = threading.Thread(target=second_writer)
        other.start()
        assert holding_b.wait(10)
        conn.execute(rename, {"title": "B, första", "id": b.id})  # waits for the second writer's commit
        conn.commit()
        other.join(10)

    assert errors == []
    assert version(app) == start + 2
    with engine.connect() as conn:
        titles = dict(conn.execute(text("SELECT id, title FROM cases WHERE id IN (:a, :b)"),
                                   {"a": a.id, "b": b.id}).all())
        pending = conn.execute(text("SELECT count(*) FROM data_version_bumps")).scalar()
    assert titles == {a.id: "A, första", b.id: "B, första"} and pending == 0


def test_a_change_being_written_does_not_move_the_version_until_it_is_committed(app, session, world):
    engine = app.extensions["db_engine"]
    start = version(app)
    with engine.connect() as conn:
        conn.execute(text("UPDATE cases SET title = 'Ny' WHERE id = :id"), {"id": world["case"].id})
        conn.execute(text("UPDATE cases SET title = 'Nyare' WHERE id = :id"), {"id": world["case"].id})
        assert version(app) == start  # another connection sees neither the change nor the version
        conn.commit()
    assert version(app) > start
