"""The case page's history lines (coordination/cases/history.py): the words the template used to
work out for each event, in both languages."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from coordination.cases.history import HistoryLine, history_lines, minute


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
