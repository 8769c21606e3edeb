"""The case core: references, registration, and the read models the start pages use."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from coordination.cases.models import (
    Case,
    CaseEvent,
    CaseOrganisation,
    CaseSource,
    CaseStatus,
    ReferenceCounter,
    open_case,
)
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.errors import Conflict, NotFound, ValidationFailed
from coordination.i18n import lazy_gettext as _l
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


_LOOSE = re.compile(r"^\s*(?:SBR[\s-]*)?(\d{4})\s*[/-]\s*(\d{1,6})\s*$", re.IGNORECASE)


def parse_reference(text: str) -> str | None:
    """A reference as people type it: `SBR 2026/0042`, `SBR-2026-0042`, `2026/42`."""
    match = _LOOSE.match(text or "")
    if not match:
        return None
    return format_reference(int(match.group(1)), int(match.group(2)))


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


@dataclass
class Submitter:
    """Who raised the case: a company or property owner and its contact person."""

    company_name: str = ""
    organisation_number: str | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    location: str = ""


def register_case(session: Session, *, title: str, description: str, source: str, received_at: datetime,
                  clock: Clock, actor_user_id: int | None = None, business_area_id: int | None = None,
                  submitter: Submitter | None = None) -> Case:
    """Put a new case in the queue with its reference and a 'received' history event.
    Flushes; the caller commits."""
    submitter = submitter or Submitter()
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
                status=CaseStatus.new.value, business_area_id=business_area_id, created_at=now, updated_at=now,
                company_name=submitter.company_name.strip(), organisation_number=submitter.organisation_number,
                contact_name=submitter.contact_name.strip(), contact_email=submitter.contact_email.strip(),
                contact_phone=submitter.contact_phone.strip(), location=submitter.location.strip())
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
    # From the partial index of open cases by level (migration 0016): read in order, nothing
    # sorted, no row visited (a merged case is closed, so this is OPEN_STATUSES).
    by_level = dict(session.exec(
        select(Case.level, func.count()).where(*open_case()).group_by(Case.level)
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


# --- status link -------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_status_token(session: Session, case: Case) -> str:
    """A new unguessable token for the company's status link; replaces any earlier one."""
    import secrets

    token = secrets.token_urlsafe(24)
    case.status_token_hash = _token_hash(token)
    session.add(case)
    session.flush()
    return token


def case_for_status_token(session: Session, token: str) -> Case | None:
    if not token or len(token) > 100:
        return None
    case = session.exec(select(Case).where(Case.status_token_hash == _token_hash(token))).first()
    # A merged case shows the case it was merged into: that is where the matter is handled now.
    seen = set()
    while case is not None and case.merged_into_id and case.id not in seen:
        seen.add(case.id)
        case = session.get(Case, case.merged_into_id)
    return case


# --- triage ------------------------------------------------------------------------------------

@dataclass
class TriageInput:
    business_area_id: int | None
    focus_area_id: int | None
    category: str | None
    organisation_ids: list[int]
    priority: str
    major_significance: bool
    needs_department_head_decision: bool
    needs_political_decision: bool
    estimated_cost_sek: int | None
    level: int


TRIAGE_FIELDS = ("business_area_id", "focus_area_id", "category", "priority", "major_significance",
                 "needs_department_head_decision", "needs_political_decision", "estimated_cost_sek", "level")
MAX_COST_SEK = 10 ** 12


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(_l("Someone else changed the case while you were editing it. Your changes were not "
                          "saved; the form shows the current values."))


def triage_case(session: Session, case: Case, data: TriageInput, *, actor_user_id: int, clock: Clock,
                expected_version: int | None = None) -> CaseEvent:
    """Set the triage fields and place the case at its starting level, in one flush, with a
    history event listing what changed. Also used to correct an earlier triage."""
    from coordination.cases.models import Category, Priority
    from coordination.organisations.models import FocusArea

    if case.status == CaseStatus.closed.value:
        raise ValidationFailed(_l("The case is closed and cannot be triaged."))
    _check_version(case, expected_version)
    errors: dict = {}
    if data.business_area_id is None:
        errors["business_area_id"] = [_l("Choose a business area.")]
    else:
        area = session.get(BusinessArea, data.business_area_id)
        if area is None or not area.active:
            errors["business_area_id"] = [_l("Choose a business area from the list.")]
    if data.focus_area_id is None or session.get(FocusArea, data.focus_area_id) is None:
        errors["focus_area_id"] = [_l("Choose one of the four focus areas.")]
    if data.category not in {c.value for c in Category}:
        errors["category"] = [_l("Choose a category from the list.")]
    if data.priority not in {p.value for p in Priority}:
        errors["priority"] = [_l("Choose a priority from the list.")]
    if data.level not in (1, 2, 3):
        errors["level"] = [_l("Choose a level: work group, coordination group or steering group.")]
    if data.estimated_cost_sek is not None and not (0 <= data.estimated_cost_sek <= MAX_COST_SEK):
        errors["estimated_cost_sek"] = [_l("Enter the cost in whole kronor, between 0 and 1 000 000 000 000.")]
    organisation_ids = sorted(set(data.organisation_ids))
    if organisation_ids:
        found = set(session.exec(select(Organisation.id).where(Organisation.id.in_(organisation_ids),
                                                               Organisation.active.is_(True))))
        if found != set(organisation_ids):
            errors["organisation_ids"] = [_l("Choose organisations from the list.")]
    if errors:
        raise ValidationFailed(_l("The triage was not saved."), errors=errors)

    now = clock.now()
    changes = {}
    for name in TRIAGE_FIELDS:
        old, new = getattr(case, name), getattr(data, name)
        if old != new:
            changes[name] = [old, new]
            setattr(case, name, new)
    current_orgs = case_organisation_ids(session, case.id)
    if current_orgs != set(organisation_ids):
        changes["organisation_ids"] = [sorted(current_orgs), organisation_ids]
        for link in session.exec(select(CaseOrganisation).where(CaseOrganisation.case_id == case.id)):
            if link.organisation_id not in organisation_ids:
                session.delete(link)
        for org_id in set(organisation_ids) - current_orgs:
            session.add(CaseOrganisation(case_id=case.id, organisation_id=org_id))
    first_triage = case.status == CaseStatus.new.value
    from_level = changes.get("level", [case.level])[0]
    if "level" in changes:
        case.level_seq += 1
        case.level_entered_at = now
        case.agendas_without_decision = 0
    case.last_progress_at = now
    if first_triage:
        case.status = CaseStatus.triaged.value
        case.triaged_at, case.triaged_by_id = now, actor_user_id
        case.overdue = False  # R1's flag: the triage it waited for is done
    # Claim the version in the database, so that of two triages from the same version only one wins.
    claimed = session.execute(update(Case).where(Case.id == case.id, Case.version == case.version)
                              .values(version=Case.version + 1).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict(_l("Someone else changed the case while you were editing it. Your changes were not saved; "
                          "the form shows the current values."))
    case.version += 1
    case.updated_at = now
    session.add(case)
    names = dict(session.exec(select(Organisation.id, Organisation.short_name)
                              .where(Organisation.id.in_(organisation_ids))).all()) if organisation_ids else {}
    event = CaseEvent(case_id=case.id, at=now, kind="triaged" if first_triage else "updated",
                      actor_user_id=actor_user_id, from_level=from_level if "level" in changes else None,
                      to_level=case.level if "level" in changes or first_triage else None,
                      reason="", facts={"changes": _jsonable(changes),
                                        "organisations": [names[i] for i in organisation_ids if i in names]})
    session.add(event)
    session.flush()
    return event


def _jsonable(changes: dict) -> dict:
    return {k: [v if isinstance(v, (int, str, bool, list, type(None))) else str(v) for v in pair]
            for k, pair in changes.items()}


# --- comments, links, merge ----------------------------------------------------------------------

COMMENT_MAX = 10_000


def add_comment(session: Session, case: Case, *, author_id: int, body: str, clock: Clock):
    from coordination.cases.models import CaseComment

    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_l("The comment was not saved."), errors={"body": [_l("Write a comment.")]})
    if len(body) > COMMENT_MAX:
        raise ValidationFailed(_l("The comment was not saved."),
                               errors={"body": [_l("At most %(max)d characters; you wrote more.", max=COMMENT_MAX)]})
    comment = CaseComment(case_id=case.id, author_id=author_id, at=clock.now(), body=body)
    session.add(comment)
    case.last_progress_at = clock.now()  # a comment is recorded progress (R3)
    session.add(case)
    session.flush()
    return comment


def link_cases(session: Session, case: Case, other: Case, *, actor_user_id: int, clock: Clock) -> bool:
    """Link two cases about the same matter (both histories say so). False if already linked."""
    from coordination.cases.models import CaseLink

    if case.id == other.id:
        raise ValidationFailed(_l("A case cannot be linked to itself."))
    low, high = sorted((case.id, other.id))
    exists = session.exec(select(CaseLink.id).where(CaseLink.case_id == low, CaseLink.other_case_id == high)).first()
    if exists:
        return False
    now = clock.now()
    session.add(CaseLink(case_id=low, other_case_id=high, created_by_id=actor_user_id, at=now))
    for this, that in ((case, other), (other, case)):
        session.add(CaseEvent(case_id=this.id, at=now, kind="linked", actor_user_id=actor_user_id,
                              reason="", facts={"other": that.reference}))
    session.flush()
    return True


def merge_cases(session: Session, source: Case, target: Case, *, actor_user_id: int, clock: Clock,
                reason: str) -> None:
    """Merge `source` into `target`: source is closed and points at target, target takes over
    source's organisations; both histories stay, and source's reference leads to target."""
    if source.id == target.id:
        raise ValidationFailed(_l("A case cannot be merged with itself."))
    if source.merged_into_id or target.merged_into_id:
        raise ValidationFailed(_l("One of the cases is already merged into another."))
    if target.status == CaseStatus.closed.value:
        raise ValidationFailed(_l("Merge into an open case."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("The cases were not merged."), errors={"reason": [_l("Give a reason.")]})
    now = clock.now()
    target_orgs = case_organisation_ids(session, target.id)
    for org_id in case_organisation_ids(session, source.id) - target_orgs:
        session.add(CaseOrganisation(case_id=target.id, organisation_id=org_id))
    source.merged_into_id = target.id
    source.status = CaseStatus.closed.value
    source.updated_at = target.updated_at = now
    source.version += 1
    target.version += 1
    session.add_all([source, target])
    session.add(CaseEvent(case_id=source.id, at=now, kind="merged", actor_user_id=actor_user_id,
                          reason=reason.strip(), facts={"into": target.reference}))
    session.add(CaseEvent(case_id=target.id, at=now, kind="merged_in", actor_user_id=actor_user_id,
                          reason=reason.strip(), facts={"from": source.reference}))
    session.flush()
