"""The case page's history lines (coordination/cases/history.py): the words the template used to
work out for each event, in both languages; and the rendered history kept per worker until the
case's events change."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from coordination.auth.models import User
from coordination.cases.history import (
    EXTENSION,
    History,
    HistoryCache,
    HistoryLine,
    history_lines,
    minute,
)
from coordination.cases.services import merge_cases, reference_slug
from coordination.clock import WorkingDays
from coordination.routing.services import move_case
from tests import factories
from tests.conftest import fresh, get_counting, sign_in, without_csrf_tokens


def event(kind, at, *, rule=None, from_level=None, to_level=None, reason=None, **facts):
    return SimpleNamespace(kind=kind, at=at, rule=rule, from_level=from_level, to_level=to_level, reason=reason,
                           facts=facts)


AT = datetime(2026, 11, 23, 22, 59, tzinfo=UTC)  # 23:59 in Stockholm
EVENTS = [
    (event("escalated", AT, rule="R2", from_level=1, to_level=2, reason="Går över förvaltningsgränser"), None,
     "SBR-2026-0001"),
    (event("triaged", AT, from_level=None, to_level=1), "Sara Lind", "SBR-2026-0001"),
    (event("merged_in", AT, **{"from": "SBR-2026-0002"}), "Sara Lind", "SBR-2026-0001"),
    (event("flagged_overdue", AT), None, "SBR-2026-0001"),
    (event("received", datetime(2026, 6, 1, 10, 0), source="phone"), None, "SBR-2026-0002"),  # naive: UTC
    (event("linked", AT, other="SBR-2026-0003"), "Eva Holm", "SBR-2026-0001"),
    (event("merged", AT, into="SBR-2026-0009"), None, "SBR-2026-0001"),
]


@pytest.mark.parametrize("locale, expected", [
    ("sv", [
        ("Lyft", "regel R2", None, ("Arbetsgrupp → Samordningsgruppen", "Går över förvaltningsgränser")),
        ("Triagerat", "Sara Lind", None, ("Ej triagerat → Arbetsgrupp",)),
        ("Ett annat ärende har slagits ihop hit", "Sara Lind", None, ("← SBR-2026-0002",)),
        ("Flaggat som försenat", "systemet", None, ()),
        ("Inkommet", "Telefon", "SBR-2026-0002", ()),
        ("Länkat", "Eva Holm", None, ("SBR-2026-0003",)),
        ("Sammanslaget med ett annat ärende", "systemet", None, ("→ SBR-2026-0009",)),
    ]),
    ("en", [
        ("Escalated", "rule R2", None, ("Work group → Coordination group", "Går över förvaltningsgränser")),
        ("Triaged", "Sara Lind", None, ("Not triaged → Work group",)),
        ("Another case merged in", "Sara Lind", None, ("← SBR-2026-0002",)),
        ("Flagged as overdue", "the system", None, ()),
        ("Received", "Phone", "SBR-2026-0002", ()),
        ("Linked", "Eva Holm", None, ("SBR-2026-0003",)),
        ("Merged into another case", "the system", None, ("→ SBR-2026-0009",)),
    ]),
])
def test_each_event_reads_as_what_happened_when_by_whom_and_why(app, locale, expected):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        lines = history_lines(EVENTS, "SBR-2026-0001")
    assert [(line.label, line.by, line.reference, line.details) for line in lines] == expected
    assert lines[0].at == "2026-11-23 23:59" and lines[4].at == "2026-06-01 12:00"
    assert all(isinstance(line, HistoryLine) for line in lines)


def test_the_time_is_the_localtime_filters(app):
    localtime = app.jinja_env.filters["localtime"]
    for value in (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                  datetime(2026, 11, 23, 23, 30)):
        assert minute(value) == localtime(value)


# --- the rendered history, kept per worker (case_history, HistoryCache) -------------------------------

FULL_READ = "ORDER BY case_events.at DESC"  # the statement that reads every event of the history


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=0)  # every page rendered: only the history is kept


def _history_section(html: str) -> str:
    return html[html.index('id="history-title"'):html.index("</ol>", html.index('id="history-title"'))]


def test_a_history_is_read_once_and_shown_again_until_it_changes(app, clock):
    client = app.test_client()
    with fresh(app) as db:
        tk = factories.organisation(db, name="Trafikkontoret", short_name="TK")
        coordinator = factories.user(db, "coordinator", name="Sara Samordnare")
        official = factories.user(db, "department", organisation_id=tk.id, name="Tove Trafik")
        case = factories.case(db, clock=clock, title="Belysning vid lastkajen", level=1, organisations=[tk])
        other = factories.case(db, clock=clock, title="Mörk gångtunnel", level=1, organisations=[tk])
        move_case(db, case, to_level=2, reason="Berör flera förvaltningar", actor_user_id=official.id, clock=clock,
                  working_days=WorkingDays())
        db.commit()
        ids = {"case": case.id, "other": other.id, "official": official.id, "coordinator": coordinator.id}
        reference, other_reference = case.reference, other.reference
    cache: HistoryCache = app.extensions[EXTENSION]
    sign_in(client, coordinator)
    url = f"/arenden/{reference_slug(reference)}"

    first, seen_first = get_counting(app, client, url)
    second, seen_second = get_counting(app, client, url)
    assert first.status_code == second.status_code == 200
    assert [s for s in seen_first if FULL_READ in s] and not [s for s in seen_second if FULL_READ in s]
    assert len(seen_second) < len(seen_first)
    assert (cache.hits, cache.misses) == (1, 1)
    assert without_csrf_tokens(first.get_data(as_text=True)) == without_csrf_tokens(second.get_data(as_text=True))
    history = _history_section(second.get_data(as_text=True))
    assert "Flyttat" in history and "Tove Trafik" in history and "Berör flera förvaltningar" in history

    # An event added: on the next page.
    with fresh(app) as db:
        move_case(db, db.get(type(case), ids["case"]), to_level=3, reason="Kräver beslut i styrgruppen",
                  actor_user_id=ids["coordinator"], clock=clock, working_days=WorkingDays())
        db.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Kräver beslut i styrgruppen" in _history_section(page) and cache.misses == 2
    assert "Placerat här av Sara Samordnare: Kräver beslut i styrgruppen" in page  # why the case is here

    # An actor renamed: the new name, everywhere on the page (the events are the same ones).
    with fresh(app) as db:
        db.get(User, ids["official"]).name = "Tove Trafik-Lind"
        db.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Tove Trafik-Lind" in _history_section(page) and "Tove Trafik<" not in page
    assert "Tove Trafik " not in _history_section(page)
    assert cache.misses == 3

    # Another case merged in: its events are on the page, marked with its reference.
    with fresh(app) as db:
        merge_cases(db, db.get(type(case), ids["other"]), db.get(type(case), ids["case"]),
                    actor_user_id=ids["coordinator"], clock=clock, reason="Samma plats")
        db.commit()
    history = _history_section(client.get(url).get_data(as_text=True))
    assert other_reference in history and "Ett annat ärende har slagits ihop hit" in history
    assert cache.misses == 4

    # Another language: the same events in its words, kept beside the first language's.
    assert client.post("/sprak", data={"lang": "en", "next": url}).status_code == 302
    history = _history_section(client.get(url).get_data(as_text=True))
    assert "Moved" in history and "Another case merged in" in history and "Flyttat" not in history
    # (three kept: Swedish before and after the merge, which changed the key, and English)
    assert cache.misses == 5 and len(cache) == 3
    # Nothing changed since: the page is answered from what was kept.
    assert client.get(url).status_code == 200 and cache.misses == 5


def test_the_kept_histories_stay_within_their_bytes():
    cache = HistoryCache(max_bytes=400)

    def history(size: int, signature=((None, None, 1, 1, 1),)) -> History:
        return History(html=Markup("x" * size), why={}, signature=signature)

    for key in "abc":
        cache.put((key,), history(100))
    assert cache.find(("a",), ((None, None, 1, 1, 1),)) is not None  # now the most recently used
    cache.put(("d",), history(100))
    cache.put(("e",), history(100))
    assert cache.size <= 400 and len(cache) == 4
    assert cache.find(("b",), ((None, None, 1, 1, 1),)) is None  # the least recently used went first
    assert cache.find(("a",), ((None, None, 1, 1, 1),)) is not None
    assert cache.find(("a",), ((None, None, 2, 3, 2),)) is None  # other events: not this one
    cache.put(("big",), history(101))  # more than a quarter of the whole: not kept
    assert cache.find(("big",), ((None, None, 1, 1, 1),)) is None and cache.size <= 400
    cache.put(("a",), history(50))  # kept again under the same key: replaces
    assert cache.size == 350 and len(cache) == 4
