"""The coordinator's queue (inkorg) and every other list of cases: filters, full-text search,
sorting and pages, in a fixed number of queries whatever the number of cases."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy import case as sql_case
from sqlalchemy.sql import operators
from sqlmodel import Session, select

from coordination.cases import search
from coordination.cases.models import (
    Case,
    CaseEvent,
    CaseOrganisation,
    CaseStatus,
    open_case,
)
from coordination.cases.services import TRIAGE_DAYS, organisation_names
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.organisations.models import BusinessArea
from coordination.reflists import counted

_PRIORITY_RANK = sql_case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Case.priority, else_=4)
SORTS = {
    "received_asc": (Case.received_at.asc(), Case.id.asc()),
    "received_desc": (Case.received_at.desc(), Case.id.desc()),
    "reference": (Case.year.desc(), Case.number.desc()),
    "priority": (_PRIORITY_RANK.asc(), Case.received_at.asc(), Case.id.asc()),
}


def _backwards(order: tuple) -> tuple:
    """Each ORDER BY element turned round (ASC to DESC and back)."""
    return tuple(e.element.desc() if e.modifier is operators.asc_op else e.element.asc() for e in order)


# The same orders backwards: a page in the second half is read from the other end, so the last
# page costs what the first does instead of skipping over every case before it.
SORTS_BACKWARDS = {name: _backwards(order) for name, order in SORTS.items()}
DEFAULT_SORT = "received_asc"
MANUAL_ESCALATION = "manual"  # the escalated_by filter for escalations made by a person
MAX_PAGE_SIZE = 200
# A search with at most this many matching cases: its page is read from the matches (list_cases).
FEW = 500


@dataclass
class QueueFilters:
    """What a queue is filtered by. `status` "open" means every status but closed."""

    status: str | None = "open"
    level: int | None = None          # 0 = not yet triaged
    business_area_id: int | None = None  # 0 = none set
    focus_area_id: int | None = None
    organisation_id: int | None = None
    priority: str | None = None
    overdue: bool = False
    source: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    # Cases escalated by this routing rule ("manual" = by a person), since `escalated_from`.
    escalated_by: str | None = None
    escalated_from: date | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = 50


@dataclass
class QueueRow:
    case: Case  # or, for a page (`whole_cases=False`), a row of the `LISTED` columns
    business_area: str | None
    organisations: list[str]
    age_working_days: int
    overdue: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    filters: QueueFilters
    overdue_threshold: datetime = field(default=None)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM)


def overdue_condition(threshold: datetime):
    """R1 in SQL: untriaged and received before the threshold, or flagged by a rule."""
    return or_(Case.overdue.is_(True),
               and_(Case.status == CaseStatus.new.value, Case.received_at < threshold))


def _unmerged(filters: QueueFilters) -> tuple:
    """Never a case merged into another; with the "open" filter, open as its indexes say it."""
    return open_case() if filters.status == "open" else (Case.merged_into_id.is_(None),)


def _narrowing(session: Session, filters: QueueFilters, *, threshold: datetime) -> list:
    """The conditions of `filters` other than the viewer's scope (access.case_scope) and
    "open" (_unmerged): list_cases puts the three together."""
    conditions = []
    if filters.status and filters.status != "open":
        conditions.append(Case.status == filters.status)
    if filters.level == 0:
        conditions.append(Case.level.is_(None))
    elif filters.level:
        conditions.append(Case.level == filters.level)
    if filters.business_area_id == 0:
        conditions.append(Case.business_area_id.is_(None))
    elif filters.business_area_id:
        conditions.append(Case.business_area_id == filters.business_area_id)
    if filters.focus_area_id:
        conditions.append(Case.focus_area_id == filters.focus_area_id)
    if filters.organisation_id:
        conditions.append(Case.id.in_(select(CaseOrganisation.case_id)
                                      .where(CaseOrganisation.organisation_id == filters.organisation_id)))
    if filters.priority:
        conditions.append(Case.priority == filters.priority)
    if filters.source:
        conditions.append(Case.source == filters.source)
    if filters.received_from:
        conditions.append(Case.received_at >= _day_start(filters.received_from))
    if filters.received_to:
        conditions.append(Case.received_at < _day_start(filters.received_to + timedelta(days=1)))
    if filters.overdue:
        conditions.append(overdue_condition(threshold))
    if filters.escalated_by:
        escalations = [CaseEvent.kind == "escalated",
                       CaseEvent.rule.is_(None) if filters.escalated_by == MANUAL_ESCALATION
                       else CaseEvent.rule == filters.escalated_by]
        if filters.escalated_from:
            escalations.append(CaseEvent.at >= _day_start(filters.escalated_from))
        conditions.append(Case.id.in_(select(CaseEvent.case_id).where(*escalations)))
    if filters.q.strip():
        ids = search.matching_ids(session, filters.q)
        if ids is not None:
            conditions.append(Case.id.in_(ids))
    return conditions


# What a page's list of cases shows of each (the queue, the start pages), and what its overdue
# mark is worked out from: read as these columns instead of whole cases the session tracks, a
# page of 50 took 7.8 instead of 9.1 ms of `list_cases` (PostgreSQL, 100 000 cases, its count
# included). The API, which answers with whole cases, reads those.
LISTED = (Case.id, Case.reference, Case.title, Case.company_name, Case.level, Case.status, Case.priority,
          Case.received_at, Case.overdue)


def list_cases(session: Session, filters: QueueFilters, *, scope, clock: Clock, working_days: WorkingDays,
               scope_organisation_id: int | None = None, whole_cases: bool = True) -> QueuePage:
    """One page of cases: a count, the page, and the organisations of its cases (3 queries).
    `scope_organisation_id`: the scope is "the cases concerning this organisation"
    (access.scope_organisation), which lets the open ones be counted from that organisation's rows.
    `whole_cases=False`: each row's `case` is a row of the `LISTED` columns, not a Case."""
    now = clock.now()
    threshold = working_days.overdue_threshold(now, TRIAGE_DAYS)
    rest = _narrowing(session, filters, threshold=threshold)
    conditions = [scope, *_unmerged(filters), *rest]
    if scope_organisation_id is not None and filters.status == "open":
        # From the organisation's open case rows (their partial index, migration 0016; `case_open`
        # is the scope's organisation and "open" in one), to the cases only when other filters
        # need them, instead of checking every open case against the organisation.
        count = select(func.count()).select_from(CaseOrganisation)
        if rest:
            count = count.join(Case, Case.id == CaseOrganisation.case_id).where(*rest)
        total = counted(session, count.where(CaseOrganisation.organisation_id == scope_organisation_id,
                                             literal_column("case_organisations.case_open")))  # bare, as the index says it
    else:
        total = counted(session, select(func.count()).select_from(Case).where(*conditions))
    page_size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    pages = max(1, -(-total // page_size))
    page = max(1, min(filters.page, pages))
    sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    columns = (Case,) if whole_cases else LISTED
    query = (select(*columns, BusinessArea.name.label("business_area_name"))
             .outerjoin(BusinessArea, BusinessArea.id == Case.business_area_id).where(*conditions))
    skipped = (page - 1) * page_size
    if total == 0:
        found = []  # the count said so: no page to read
    elif filters.q.strip() and total <= FEW:
        # A search that few cases match: read the matches (through the search's index), then sort
        # them. A database cannot tell how many cases a word matches (PostgreSQL guesses 2 %),
        # so it walked the cases in the page's order expecting a match soon, and a search for a
        # rare word or number read every open case (90 ms at 100 000 cases).
        matched = select(Case.id).where(*conditions).cte("matched").prefix_with("MATERIALIZED")
        found = session.exec(query.where(Case.id.in_(select(matched.c.id))).order_by(*SORTS[sort])
                             .offset(skipped).limit(page_size)).all()
    elif page > 1 and skipped > total // 2:
        # Read from the end: the rows after this page are skipped instead of those before it.
        shown = min(page_size, total - skipped)
        found = list(reversed(session.exec(query.order_by(*SORTS_BACKWARDS[sort])
                                           .offset(total - skipped - shown).limit(shown)).all()))
    else:
        found = session.exec(query.order_by(*SORTS[sort]).offset(skipped).limit(page_size)).all()
    if not whole_cases:
        found = [(row, row.business_area_name) for row in found]
    names = organisation_names(session, [c.id for c, _area in found])
    rows = [QueueRow(case=c, business_area=area, organisations=names.get(c.id, []),
                     age_working_days=working_days.between(c.received_at, now),
                     overdue=c.overdue or (c.status == CaseStatus.new.value and c.received_at < threshold))
            for c, area in found]
    filters.page = page
    return QueuePage(rows=rows, total=total, page=page, pages=pages, filters=filters, overdue_threshold=threshold)
