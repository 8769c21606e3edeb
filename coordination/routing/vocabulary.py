"""The fixed vocabulary routing rules are written in: which facts of a case a condition may
test, with which operators, and what a rule may do. An admin combines these in the editor;
nothing typed into the database is ever run as code. Each condition compiles to a SQL
expression (so sweeps are set-based) and explains itself in words (the facts of a firing)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem
from coordination.cases.models import (
    Case,
    CaseOrganisation,
    CaseStatus,
    Category,
    Priority,
)
from coordination.clock import WorkingDays
from coordination.i18n import lazy_gettext as _l

MAX_DAYS = 1000
MAX_COUNT = 100
MAX_SEK = 10 ** 12


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    kind: str                 # "int", "bool", "choice"
    ops: tuple[str, ...]
    maximum: int = 0
    choices: tuple[str, ...] = ()


FIELDS: dict[str, Field] = {f.name: f for f in [
    Field("status", _l("Status"), "choice", ("in",), choices=tuple(s.value for s in CaseStatus)),
    Field("priority", _l("Priority"), "choice", ("in",), choices=tuple(p.value for p in Priority)),
    Field("category", _l("Category"), "choice", ("in",), choices=tuple(c.value for c in Category)),
    Field("business_area", _l("Business area"), "ids", ("in",)),
    Field("focus_area", _l("Focus area"), "ids", ("in",)),
    Field("major_significance", _l("Major significance"), "bool", ("is",)),
    Field("needs_department_head_decision", _l("Needs a decision at department-head level"), "bool", ("is",)),
    Field("needs_political_decision", _l("Needs a political decision"), "bool", ("is",)),
    Field("prepared_for_committee", _l("Prepared for committee"), "bool", ("is",)),
    Field("organisations_count", _l("Number of organisations concerned"), "int", ("gte", "lte"), MAX_COUNT),
    Field("estimated_cost_sek", _l("Estimated cost (SEK)"), "int", ("gte", "lte"), MAX_SEK),
    Field("working_days_since_received", _l("Working days since received"), "int", ("gt",), MAX_DAYS),
    Field("working_days_at_level", _l("Working days at the current level"), "int", ("gt",), MAX_DAYS),
    Field("working_days_since_progress", _l("Working days without recorded progress"), "int", ("gt",), MAX_DAYS),
    Field("action_overdue_days", _l("An action item overdue by at least (working days)"), "int", ("gte",),
          MAX_DAYS),
    Field("agendas_without_decision", _l("Agendas at this level without a decision"), "int", ("gte",), MAX_COUNT),
]}

OPERATORS = {"in": _l("is one of"), "is": _l("is"), "gte": _l("at least"), "lte": _l("at most"),
             "gt": _l("more than")}
ACTIONS = {"escalate": _l("Escalate to level"), "mark_committee": _l("Mark as prepared for committee"),
           "notify": _l("Notify"), "flag_overdue": _l("Flag as overdue")}
NOTIFY_TARGETS = {"coordinator": _l("the coordinator"), "group": _l("the group at the case's level"),
                  "organisations": _l("the organisations concerned")}
LEVELS = {0: _l("Not triaged"), 1: _l("Work group"), 2: _l("Coordination group"), 3: _l("Steering group")}


class RuleInvalid(ValueError):
    def __init__(self, errors: dict[str, list]):
        super().__init__("invalid rule")
        self.errors = errors


def validate_definition(*, levels, match, conditions, actions) -> None:
    """Refuse anything outside the vocabulary, with a message per problem."""
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    if not isinstance(levels, list) or any(level not in LEVELS for level in levels):
        add("levels", _l("Choose levels from the list."))
    if match not in ("all", "any"):
        add("match", _l("Choose whether all or any of the conditions must hold."))
    if not isinstance(conditions, list) or not conditions:
        add("conditions", _l("A rule needs at least one condition."))
        conditions = []
    for index, condition in enumerate(conditions):
        key = f"conditions-{index}"
        field = FIELDS.get(condition.get("field")) if isinstance(condition, dict) else None
        if field is None:
            add(key, _l("Choose what the condition tests from the list."))
            continue
        if condition.get("op") not in field.ops:
            add(key, _l("Choose a comparison that fits %(field)s.", field=field.label))
            continue
        value = condition.get("value")
        if field.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                add(key, _l("%(field)s needs a whole number.", field=field.label))
            elif not 0 <= value <= field.maximum:
                add(key, _l("%(field)s must be between 0 and %(max)s.", field=field.label,
                            max=f"{field.maximum:,}".replace(",", " ")))
        elif field.kind == "bool":
            if not isinstance(value, bool):
                add(key, _l("Choose yes or no for %(field)s.", field=field.label))
        elif field.kind == "choice":
            if not isinstance(value, list) or not value or any(v not in field.choices for v in value):
                add(key, _l("Choose one or more values of %(field)s from the list.", field=field.label))
        elif field.kind == "ids":
            if not isinstance(value, list) or not value or any(
                    isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
                add(key, _l("Choose one or more values of %(field)s from the list.", field=field.label))
    if not isinstance(actions, list) or not actions:
        add("actions", _l("A rule needs at least one action."))
        actions = []
    for index, action in enumerate(actions):
        key = f"actions-{index}"
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in ACTIONS:
            add(key, _l("Choose an action from the list."))
        elif kind == "escalate" and action.get("to_level") not in (2, 3):
            add(key, _l("A rule escalates to level 2 or 3; rules never move a case down."))
        elif kind == "notify" and action.get("who") not in NOTIFY_TARGETS:
            add(key, _l("Choose whom to notify from the list."))
    if errors:
        raise RuleInvalid(errors)


# --- compiling to SQL -------------------------------------------------------------------------

def _organisations_count():
    return (select(func.count()).select_from(CaseOrganisation)
            .where(CaseOrganisation.case_id == Case.id).scalar_subquery())


def _compare(expr, op, value):
    return {"gte": expr >= value, "lte": expr <= value, "gt": expr > value}[op]


def condition_sql(condition: dict, *, now: datetime, working_days: WorkingDays):
    """The SQL form of one condition over `cases`. Working-day conditions become timestamp
    thresholds computed once here, so the database compares plain columns."""
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name in ("status", "priority", "category"):
        return getattr(Case, name).in_(value)
    if name == "business_area":
        return Case.business_area_id.in_(value)
    if name == "focus_area":
        return Case.focus_area_id.in_(value)
    if FIELDS[name].kind == "bool":
        column = getattr(Case, name)
        return column.is_(True) if value else or_(column.is_(False), column.is_(None))
    if name == "organisations_count":
        return _compare(_organisations_count(), op, value)
    if name == "estimated_cost_sek":
        return and_(Case.estimated_cost_sek.is_not(None), _compare(Case.estimated_cost_sek, op, value))
    if name == "agendas_without_decision":
        return Case.agendas_without_decision >= value
    threshold = working_days.overdue_threshold(now, value)
    if name == "working_days_since_received":
        return Case.received_at < threshold
    if name == "working_days_at_level":
        return func.coalesce(Case.level_entered_at, Case.received_at) < threshold
    if name == "working_days_since_progress":
        return func.coalesce(Case.last_progress_at, Case.received_at) < threshold
    if name == "action_overdue_days":
        return exists().where(ActionItem.case_id == Case.id, ActionItem.status.in_(OPEN_ACTION_STATUSES),
                              ActionItem.due_date < threshold.date())
    raise KeyError(name)


def rule_sql(rule, *, now: datetime, working_days: WorkingDays):
    """The WHERE clause selecting the open, unmerged cases a rule applies to now."""
    parts = [condition_sql(c, now=now, working_days=working_days) for c in rule.conditions]
    combined = and_(*parts) if rule.match == "all" else or_(*parts)
    scope = [Case.status != CaseStatus.closed.value, Case.merged_into_id.is_(None), combined]
    if rule.levels:
        level_terms = []
        if 0 in rule.levels:
            level_terms.append(Case.level.is_(None))
        real = [level for level in rule.levels if level]
        if real:
            level_terms.append(Case.level.in_(real))
        scope.append(or_(*level_terms))
    return and_(*scope)


def trigger_key_sql():
    """Once per stay at a level: 'L<level>#<level_seq>' (level 0 before triage)."""
    return (literal("L", String) + cast(func.coalesce(Case.level, 0), String) + literal("#", String)
            + cast(Case.level_seq, String))


# --- explaining in words ---------------------------------------------------------------------

FACT_TEXTS: dict[str, tuple[str, str]] = {
    "organisations_count": ("{n} organisationer: {names}", "{n} organisations: {names}"),
    "estimated_cost_sek": ("uppskattad kostnad {sek} kr", "estimated cost {sek} SEK"),
    "working_days_since_received": ("{n} arbetsdagar sedan ärendet kom in", "{n} working days since it came in"),
    "working_days_at_level": ("{n} arbetsdagar på nivån", "{n} working days at the level"),
    "working_days_since_progress": ("{n} arbetsdagar utan registrerad framdrift",
                                    "{n} working days without recorded progress"),
    "action_overdue_days": ("åtgärd försenad {n} arbetsdagar: {title}",
                            "action item overdue by {n} working days: {title}"),
    "agendas_without_decision": ("{n} dagordningar utan beslut", "{n} agendas without a decision"),
    "major_significance": ("markerat som större dignitet", "marked as of major significance"),
    "major_significance:no": ("inte markerat som större dignitet", "not marked as of major significance"),
    "needs_department_head_decision": ("kräver beslut på förvaltningschefsnivå",
                                       "needs a decision at department-head level"),
    "needs_department_head_decision:no": ("kräver inte beslut på förvaltningschefsnivå",
                                          "does not need a decision at department-head level"),
    "needs_political_decision": ("kräver politiskt beslut", "needs a political decision"),
    "needs_political_decision:no": ("kräver inte politiskt beslut", "does not need a political decision"),
    "prepared_for_committee": ("bereds till nämnd", "prepared for committee"),
    "prepared_for_committee:no": ("bereds inte till nämnd", "not prepared for committee"),
    "status": ("status {value}", "status {value}"),
    "priority": ("prioritet {value}", "priority {value}"),
    "category": ("kategori {value}", "category {value}"),
    "business_area": ("verksamhetsområde {value}", "business area {value}"),
    "focus_area": ("fokusområde {value}", "focus area {value}"),
}


WORDS = {
    "new": ("nytt", "new"), "triaged": ("triagerat", "triaged"), "in_progress": ("pågår", "in progress"),
    "decided": ("beslutat", "decided"), "closed": ("avslutat", "closed"), "low": ("låg", "low"),
    "normal": ("normal", "normal"), "high": ("hög", "high"), "urgent": ("brådskande", "urgent"),
}


def describe(condition: dict, values: dict) -> dict | None:
    """One fact of a firing in Swedish and English, from the values the engine loaded for the
    case; None when the condition does not hold for it (in an `any` rule)."""
    name = condition["field"]
    value = values.get(name)
    holds = _holds(condition, value)
    if not holds:
        return None
    text_key = f"{name}:no" if FIELDS[name].kind == "bool" and not value else name
    sv, en = FACT_TEXTS[text_key]
    word_sv, word_en = WORDS.get(value, (value, value)) if isinstance(value, str) else (value, value)
    fields = {"n": value, "value": "{value}",
              "names": ", ".join(values.get("organisation_names", [])),
              "sek": f"{value:,}".replace(",", " ") if isinstance(value, int) and not isinstance(value, bool) else value,
              "title": values.get("overdue_action_title", "")}
    return {"field": name, "value": value,
            "text_sv": sv.format(**fields).replace("{value}", str(word_sv)),
            "text_en": en.format(**fields).replace("{value}", str(word_en))}


def _holds(condition: dict, value) -> bool:
    op, expected = condition["op"], condition["value"]
    if value is None:
        return False
    if op == "in":
        return value in expected
    if op == "is":
        return bool(value) == expected
    if op == "gte":
        return value >= expected
    if op == "lte":
        return value <= expected
    if op == "gt":
        return value > expected
    return False


