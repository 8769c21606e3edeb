"""A case's history as the case page shows it: one entry a line, its words in the page's language.

A case may have hundreds of events (one of the benchmark's has 200), and the page lists them all.
Worked out in the template, each line asked Jinja for a dozen lookups, filters and macro calls
(a third of the page's rendering); here the words for a code are looked up once a page, and the
template writes out finished strings (escaped by Jinja as any other)."""

from dataclasses import dataclass
from datetime import datetime

from coordination.clock import in_stockholm
from coordination.i18n import gettext as _
from coordination.labels import EVENT_LABELS, SOURCE_LABELS, label, level_name


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
