"""A case's history as the case page shows it: one entry a line, its words in the page's language.

A case may have hundreds of events (one of the benchmark's has 200), and the page lists them all.
Worked out in the template, each line asked Jinja for a dozen lookups, filters and macro calls
(a third of the page's rendering); here the words for a code are looked up once a page, and the
template writes out finished strings (escaped by Jinja as any other).

The rendered list is kept per worker (`HistoryCache`, `case_history`): a history only grows,
so a case's list stays what it was for as long as its events are the same ones, and the page
asks the database a small question instead of reading them all (see `case_history`)."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import func, select

from coordination.auth.models import User
from coordination.cases.models import Case, CaseEvent
from coordination.clock import in_stockholm
from coordination.i18n import gettext as _
from coordination.labels import EVENT_LABELS, SOURCE_LABELS, label, level_name
from coordination.pagecache import BoundedCache


@dataclass(frozen=True, slots=True)
class HistoryLine:
    label: str  # what happened ("Eskalerat")
    at: str  # when, in Stockholm, to the minute
    by: str  # who: a person, a routing rule, the channel it came in by, or the system
    reference: str | None  # the merged-in case the event belongs to, when not the case shown
    details: tuple[str, ...]  # the lines under it: levels moved between, the reason, linked cases


def minute(value: datetime) -> str:
    """The `localtime` filter's default: yyyy-MM-dd HH:mm in Stockholm (a naive time is UTC)."""
    return in_stockholm(value).strftime("%Y-%m-%d %H:%M")


def _by_rule(rule: str) -> str:
    return _("rule") + " " + rule


def _by_the_system() -> str:
    return _("the system")


def _source(code: str | None) -> str:
    return label(SOURCE_LABELS, code)


def _event(kind: str) -> str:
    return label(EVENT_LABELS, kind)


def _levels(from_level: int | None, to_level: int) -> str:
    return f"{level_name(from_level)} → {level_name(to_level)}"


def history_lines(events, reference: str) -> list[HistoryLine]:
    """`events`: (event row, actor's name, the event's case reference), in the order shown;
    `reference`: the case the page is about."""
    words: dict = {}

    def word(make, *args) -> str:  # the same words for the same codes, looked up once
        key = (make, args)
        found = words.get(key)
        if found is None:
            found = words[key] = make(*args)
        return found

    lines = []
    for event, actor, event_reference in events:
        facts = event.facts or {}
        if actor:
            by = actor
        elif event.rule:
            by = word(_by_rule, event.rule)
        elif event.kind == "received":
            by = word(_source, facts.get("source"))
        else:
            by = word(_by_the_system)
        details = []
        if event.to_level:
            details.append(word(_levels, event.from_level, event.to_level))
        if event.reason:
            details.append(event.reason)
        if facts.get("other"):
            details.append(str(facts["other"]))
        if facts.get("into"):
            details.append(f"→ {facts['into']}")
        if facts.get("from"):
            details.append(f"← {facts['from']}")
        lines.append(HistoryLine(label=word(_event, event.kind), at=minute(event.at), by=by,
                                 reference=event_reference if event_reference != reference else None,
                                 details=tuple(details)))
    return lines


# --- the rendered history, kept ---------------------------------------------------------------------

EXTENSION = "case_histories"
TEMPLATE = "cases/_history.html"


@dataclass(frozen=True, slots=True)
class History:
    """A case's history as the page shows it: the rendered list, and for each level the event
    that last moved the case itself there with its actor's name (the page's "why is the case
    here"), from the same events."""

    html: Markup
    why: dict  # level -> (event row, actor's name)
    signature: tuple  # the events it was made from (see `case_history`)

    def why_here(self, case: Case) -> tuple | None:
        return None if case.level is None else self.why.get(case.level)


class HistoryCache(BoundedCache):
    """Histories by (the case and those merged into it, the case's reference, the language),
    within `max_bytes` of rendered text."""

    def _size(self, history: History) -> int:
        return len(history.html)

    def find(self, key: tuple, signature: tuple) -> History | None:
        """The history kept under `key`, if it was made from the events `signature` describes
        (one made from other events is dropped: a history only grows, it is out of date)."""
        return self._find(key, lambda history: history.signature == signature)


def init_app(app) -> None:
    app.extensions[EXTENSION] = HistoryCache(app.config["HISTORY_CACHE_BYTES"])


def _signature(groups) -> tuple:
    """(actor's user id, actor's name, events, sum of their ids, greatest id) for each actor,
    in the order of the ids (events without a person first)."""
    return tuple(sorted((tuple(group) for group in groups), key=lambda group: -1 if group[0] is None else group[0]))


def case_history(db, case: Case, family: list[int]) -> History:
    """The history of `case` and the cases merged into it (`family`, the case first), newest
    first, as the case page shows it.

    Events are only ever added, never changed or removed, so a set of events is told by how
    many there are, the sum of their ids and the greatest; the list also names each actor, so
    the signature holds those per actor, with the actor's name as it is now. A list kept under
    the same signature is the list as it would be rendered now: the page asks for the signature
    (one statement grouping the events by actor, a few rows) instead of reading every event
    (hundreds of rows, and their rendering: about a fifth of the page). When it differs (an event
    was added, an actor renamed, another case merged in, nothing kept yet in this worker) the
    events are read and the list rendered, in the page's language, and kept."""
    cache: HistoryCache = current_app.extensions[EXTENSION]
    key = (tuple(family), case.reference, str(get_locale()))
    probe = db.execute(select(CaseEvent.actor_user_id, User.name, func.count(), func.sum(CaseEvent.id),
                              func.max(CaseEvent.id))
                       .select_from(CaseEvent.__table__).outerjoin(User, User.id == CaseEvent.actor_user_id)
                       .where(CaseEvent.case_id.in_(family))
                       .group_by(CaseEvent.actor_user_id, User.name)).all()
    found = cache.find(key, _signature(probe))
    if found is not None:
        return found
    rows = db.execute(select(CaseEvent.__table__, User.name.label("actor_name"),
                             Case.reference.label("event_case_reference"))
                      .select_from(CaseEvent.__table__).join(Case, Case.id == CaseEvent.case_id)
                      .outerjoin(User, User.id == CaseEvent.actor_user_id)
                      .where(CaseEvent.case_id.in_(family))
                      .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()
    groups: dict = {}
    why: dict = {}
    for row in rows:  # the signature of what was read (an event may have come since the probe)
        count, total, last = groups.get((row.actor_user_id, row.actor_name), (0, 0, 0))
        groups[(row.actor_user_id, row.actor_name)] = (count + 1, total + row.id, max(last, row.id))
        if row.case_id == case.id and row.to_level and row.to_level not in why:
            why[row.to_level] = (row, row.actor_name)
    lines = history_lines([(row, row.actor_name, row.event_case_reference) for row in rows], case.reference)
    html = Markup(current_app.jinja_env.get_template(TEMPLATE).render(history=lines))
    history = History(html=html, why=why, signature=_signature((*who, *figures) for who, figures in groups.items()))
    cache.put(key, history)
    return history
