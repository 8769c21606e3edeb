"""The case core: references, registration, and the read models the start pages use."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from coordination.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseOrganisation,
    CaseSource,
    CaseStatus,
    ReferenceCounter,
)
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.errors import NotFound, ValidationFailed
from coordination.organisations.models import BusinessArea, Organisation

REFERENCE_PREFIX = "SBR"
_SLUG = re.compile(r"^SBR-(\d{4})-(\d{4,6})$")
TRIAGE_DAYS = 2  # R1's default; routing rules take it over from the next issue on


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX} {year}/{number:04d}"


def reference_slug(reference: str) -> str:
    """`SBR 2026/0042` as it stands in URLs: `SBR-2026-0042`."""
    return reference.replace(" ", "-").replace("/", "-")


def reference_from_slug(slug: str) -> str | None:
    match = _SLUG.match(slug or "")
    if not match:
        return None
    return f"{REFERENCE_PREFIX} {match.group(1)}/{match.group(2)}"


def allocate_reference(session: Session, year: int) -> tuple[int, int]:
    """The next running number of the year. The counter row is locked by the UPDATE until
    the transaction ends, so concurrent registrations on PostgreSQL queue behind each other
    and every number is handed out once; a rolled-back registration frees its number."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.exec(insert(ReferenceCounter).values(year=year, last_number=0).on_conflict_do_nothing())
    number = session.exec(
        update(ReferenceCounter).where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return year, number


def register_case(session: Session, *, title: str, description: str, source: str, received_at: datetime,
                  clock: Clock, actor_user_id: int | None = None, business_area_id: int | None = None) -> Case:
    """Put a new case in the queue with its reference and a 'received' history event.
    Flushes; the caller commits."""
    errors: dict = {}
    if source not in {s.value for s in CaseSource}:
        errors["source"] = [_l("Choose one of the sources in the list.")]
    if not title.strip():
        errors["title"] = [_l("Enter a subject.")]
    if received_at.tzinfo is None:
        errors["received_at"] = [_l("The time received needs a time zone.")]
    elif received_at > clock.now():
        errors["received_at"] = [_l("The time received cannot be in the future.")]
    if business_area_id is not None and session.get(BusinessArea, business_area_id) is None:
        errors["business_area_id"] = [_l("Choose a business area from the list.")]
    if errors:
        raise ValidationFailed(_l("The case was not registered."), errors=errors)
    year, number = allocate_reference(session, received_at.astimezone(STOCKHOLM).year)
    now = clock.now()
    case = Case(reference=format_reference(year, number), year=year, number=number, title=title.strip(),
                description=description.strip(), source=source, received_at=received_at,
                status=CaseStatus.new.value, business_area_id=business_area_id, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    # The history starts when the matter reached the city, which may be before it was registered.
    session.add(CaseEvent(case_id=case.id, at=received_at, kind="received", actor_user_id=actor_user_id,
                          reason="", facts={"source": source, "registered_at": now.isoformat()}))
    session.flush()
    return case


def get_case(session: Session, reference: str) -> Case:
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise NotFound(_l("There is no case %(reference)s.", reference=reference))
    return case


def case_organisation_ids(session: Session, case_id: int) -> set[int]:
    return set(session.exec(select(CaseOrganisation.organisation_id).where(CaseOrganisation.case_id == case_id)))


@dataclass
class CaseRow:
    """What a case list shows of one case."""

    case: Case
    business_area: str | None
    age_working_days: int
    triage_overdue: bool


def _rows(session: Session, query, *, clock: Clock, working_days: WorkingDays) -> list[CaseRow]:
    now = clock.now()
    rows = []
    for case, area in session.exec(query):
        rows.append(CaseRow(
            case=case, business_area=area,
            age_working_days=working_days.between(case.received_at, now),
            triage_overdue=case.status == CaseStatus.new.value
            and working_days.is_overdue(case.received_at, TRIAGE_DAYS, now)))
    return rows


def _base_list():
    return (select(Case, BusinessArea.name).outerjoin(BusinessArea, BusinessArea.id == Case.business_area_id)
            .where(Case.status.in_(OPEN_STATUSES)))


def latest_open_cases(session: Session, *, clock: Clock, working_days: WorkingDays, limit: int = 20):
    query = _base_list().order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    return _rows(session, query, clock=clock, working_days=working_days)


def open_cases_for_organisation(session: Session, organisation_id: int, *, clock: Clock,
                                working_days: WorkingDays, limit: int = 50):
    query = (_base_list().join(CaseOrganisation, CaseOrganisation.case_id == Case.id)
             .where(CaseOrganisation.organisation_id == organisation_id)
             .order_by(Case.received_at.desc(), Case.id.desc()).limit(limit))
    return _rows(session, query, clock=clock, working_days=working_days)


def open_cases_at_level(session: Session, level: int, *, clock: Clock, working_days: WorkingDays,
                        limit: int = 50):
    query = (_base_list().where(Case.level >= level)
             .order_by(Case.received_at.desc(), Case.id.desc()).limit(limit))
    return _rows(session, query, clock=clock, working_days=working_days)


@dataclass
class QueueSummary:
    untriaged: int
    untriaged_overdue: int
    open_by_level: dict[int | None, int]


def queue_summary(session: Session, *, clock: Clock, working_days: WorkingDays) -> QueueSummary:
    """Counts for the coordinator's start page, in two aggregate queries.

    "Overdue" is R1's: untriaged past the end of the 2nd working day after receipt, turned
    into one timestamp threshold so SQL only compares timestamps."""
    threshold = working_days.overdue_threshold(clock.now(), TRIAGE_DAYS)
    untriaged, overdue = session.exec(
        select(func.count(), func.count().filter(Case.received_at < threshold))
        .where(Case.status == CaseStatus.new.value)
    ).one()
    by_level = dict(session.exec(
        select(Case.level, func.count()).where(Case.status.in_(OPEN_STATUSES)).group_by(Case.level)
    ).all())
    return QueueSummary(untriaged=untriaged, untriaged_overdue=overdue, open_by_level=by_level)


def organisation_names(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {cid: [] for cid in case_ids}
    if not case_ids:
        return result
    rows = session.exec(select(CaseOrganisation.case_id, Organisation.short_name)
                        .join(Organisation, Organisation.id == CaseOrganisation.organisation_id)
                        .where(CaseOrganisation.case_id.in_(case_ids)).order_by(Organisation.short_name))
    for case_id, name in rows:
        result[case_id].append(name)
    return result
