"""The figures of the start pages, each from one aggregate query (GROUP BY), so the dashboard
costs the same at 100 000 cases as at 1 000."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median, quantiles

from sqlalchemy import func, select
from sqlmodel import Session

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem
from coordination.cases.models import OPEN_STATUSES, Case, CaseEvent
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.organisations.models import BusinessArea, Organisation


def month_of(session: Session, column):
    """'YYYY-MM' of a timestamp in Stockholm time, in the database's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/Stockholm", column), "YYYY-MM")
    # SQLite keeps UTC; a month boundary can be an hour off, which a monthly chart tolerates.
    return func.strftime("%Y-%m", column)


@dataclass
class Dashboard:
    open_by_level_area: list[tuple[int | None, int | None, str | None, int]]
    months: list[str]
    inflow: dict[str, int]
    closures: dict[str, int]
    time_in_level: dict[int, tuple[float | None, float | None, int]]
    overdue_by_org: list[tuple[int, str, int]]
    escalations_by_rule: list[tuple[str | None, int]]  # None: escalated by a person
    total_open: int
    computed_at: datetime | None = None


def recent_dashboard(session: Session, *, store: dict, key, max_age: timedelta, clock: Clock,
                     working_days: WorkingDays, scope=None) -> Dashboard:
    """The figures computed at most `max_age` ago (and today) for the same viewers, else new ones
    kept in `store` under `key`. Twelve months of figures move little from minute to minute and
    cost in proportion to a year's cases, so the start pages show them "as of" a time."""
    now = clock.now()
    kept = store.get(key)
    if (kept is not None and kept.computed_at <= now < kept.computed_at + max_age
            and kept.computed_at.astimezone(STOCKHOLM).date() == now.astimezone(STOCKHOLM).date()):
        return kept
    store[key] = fresh = dashboard(session, clock=clock, working_days=working_days, scope=scope)
    return fresh


def dashboard(session: Session, *, clock: Clock, working_days: WorkingDays, scope=None) -> Dashboard:
    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    first = date(today.year - 1, today.month, 1) if today.month != 12 else date(today.year, 1, 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=STOCKHOLM)
    conditions = [Case.merged_into_id.is_(None)] + ([scope] if scope is not None else [])
    open_rows = session.execute(
        select(Case.level, Case.business_area_id, BusinessArea.name, func.count())
        .outerjoin(BusinessArea, BusinessArea.id == Case.business_area_id)
        .where(Case.status.in_(OPEN_STATUSES), *conditions)
        .group_by(Case.level, Case.business_area_id, BusinessArea.name)
        .order_by(Case.level, BusinessArea.name)).all()
    month = month_of(session, Case.received_at)
    inflow = dict(session.execute(select(month, func.count()).where(Case.received_at >= since, *conditions)
                                  .group_by(month)).all())
    closed_month = month_of(session, CaseEvent.at)
    closures = dict(session.execute(select(closed_month, func.count()).join(Case, Case.id == CaseEvent.case_id)
                                    .where(CaseEvent.kind == "closed", CaseEvent.at >= since, *conditions)
                                    .group_by(closed_month)).all())
    months, cursor = [], first
    while cursor <= today:
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    overdue = session.execute(select(Organisation.id, Organisation.short_name, func.count())
                              .join(ActionItem, ActionItem.organisation_id == Organisation.id)
                              .join(Case, Case.id == ActionItem.case_id)
                              .where(ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_date < today, *conditions)
                              .group_by(Organisation.id, Organisation.short_name)
                              .order_by(func.count().desc())).all()
    rule = CaseEvent.rule
    rules = session.execute(select(rule, func.count()).join(Case, Case.id == CaseEvent.case_id)
                            .where(CaseEvent.kind == "escalated", CaseEvent.at >= since, *conditions)
                            .group_by(rule).order_by(func.count().desc())).all()
    return Dashboard(open_by_level_area=[tuple(r) for r in open_rows], months=months, inflow=inflow, closures=closures,
                     time_in_level=_time_in_level(session, since=since, now=now, working_days=working_days,
                                                  conditions=conditions),
                     overdue_by_org=[tuple(r) for r in overdue],
                     escalations_by_rule=[(r, n) for r, n in rules],
                     total_open=sum(r[3] for r in open_rows), computed_at=now)


def _time_in_level(session: Session, *, since: datetime, now: datetime, working_days: WorkingDays, conditions) -> dict:
    """Median and 90th percentile of working days per stay at each level, for stays that ended
    in the last year (one query of level changes)."""
    rows = session.execute(select(CaseEvent.case_id, CaseEvent.at, CaseEvent.to_level, CaseEvent.kind)
                           .join(Case, Case.id == CaseEvent.case_id)
                           .where(CaseEvent.at >= since - timedelta(days=365), *conditions,
                                  (CaseEvent.to_level.is_not(None)) | (CaseEvent.kind.in_(("closed", "merged"))))
                           .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)).all()
    spans: dict[int, list[int]] = {1: [], 2: [], 3: []}
    current: dict[int, tuple[int, datetime]] = {}
    for case_id, at, to_level, kind in rows:
        stay = current.get(case_id)
        if stay and at >= since and stay[0] in spans:
            spans[stay[0]].append(working_days.between(stay[1], at))
        current[case_id] = (to_level, at) if to_level else (0, at)
    result = {}
    for level, values in spans.items():
        if values:
            p90 = quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
            result[level] = (median(values), p90, len(values))
        else:
            result[level] = (None, None, 0)
    return result
