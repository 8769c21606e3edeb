"""Meetings: planning a series' meetings, generating agendas from the data (repeatably, keeping
manual edits and marking what changed), editing and publishing them."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem, PlannedChange
from coordination.auth.models import User
from coordination.cases.models import (
    Case,
    CaseEvent,
    CaseOrganisation,
    CaseStatus,
    open_case,
)
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.meetings.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    AgendaVersion,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Minutes,
    MinutesItem,
    MinutesStatus,
)
from coordination.organisations.models import (
    GROUP_LEVEL,
    BusinessArea,
    Group,
    GroupKind,
    GroupMember,
    Organisation,
)

SECTIONS = ("opening", "decisions", "follow_up", "information", "committee", "other")
# Outcomes that leave a case item undecided (it carries over, and counts towards R6).
UNDECIDED = ("", "postpone", "noted")
AT_RISK_DAYS = 5  # action items due within this many working days are "at risk"
PLAN_AHEAD_DAYS = 400


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- series and meetings --------------------------------------------------------------------------

def occurrences(series: MeetingSeries, *, start: date, until: date) -> list[date]:
    """The dates the series plans meetings for between start and until (inclusive)."""
    if series.rrule:
        first = date.fromisoformat(series.first_date) if series.first_date else start
        rule = rrulestr(series.rrule, dtstart=datetime.combine(first, series.start_time))
        return [d.date() for d in rule.between(datetime.combine(start, time(0)),
                                               datetime.combine(until, time(23, 59)), inc=True)]
    return sorted(d for d in (date.fromisoformat(x) for x in series.dates) if start <= d <= until)


def check_series(*, rrule: str, dates: list[str], first_date: str | None, start_time: time, end_time: time,
                 lead_time_days: int) -> dict:
    errors: dict = {}
    if rrule:
        try:
            rrulestr(rrule, dtstart=datetime(2026, 1, 1))
        except (ValueError, TypeError):
            errors["rrule"] = [_l("The recurrence is not valid, e.g. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE.")]
        if not first_date:
            errors["first_date"] = [_l("Give the date of the first meeting.")]
    elif not dates:
        errors["dates"] = [_l("Give a recurrence or a list of dates.")]
    for value in dates:
        try:
            date.fromisoformat(value)
        except ValueError:
            errors["dates"] = [_l("Write dates as YYYY-MM-DD, one per line.")]
            break
    if end_time <= start_time:
        errors["end_time"] = [_l("The meeting must end after it starts.")]
    if not 0 <= lead_time_days <= 60:
        errors["lead_time_days"] = [_l("The lead time is between 0 and 60 working days.")]
    return errors


def plan_meetings(session: Session, series: MeetingSeries, *, clock: Clock, until: date | None = None) -> int:
    """Create the series' meetings up to `until` (default: a year ahead). Running it again adds
    only what is missing; moved or cancelled meetings keep their occurrence and stay as they are."""
    today = clock.now().astimezone(STOCKHOLM).date()
    until = until or today + timedelta(days=PLAN_AHEAD_DAYS)
    start = today - timedelta(days=31)
    rows = []
    existing = set(session.execute(select(Meeting.occurrence).where(Meeting.series_id == series.id)).scalars())
    for day in occurrences(series, start=start, until=until):
        if day.isoformat() in existing:
            continue
        starts = datetime.combine(day, series.start_time, tzinfo=STOCKHOLM)
        ends = datetime.combine(day, series.end_time, tzinfo=STOCKHOLM)
        rows.append({"series_id": series.id, "occurrence": day.isoformat(), "starts_at": starts, "ends_at": ends,
                     "place": series.place, "status": MeetingStatus.planned.value, "note": ""})
    if not rows:
        return 0
    # Another process planning the same series at once adds nothing twice (unique occurrence).
    session.execute(_insert(session)(Meeting).on_conflict_do_nothing(index_elements=["series_id", "occurrence"]), rows)
    session.flush()
    return len(rows)


def move_meeting(session: Session, meeting: Meeting, *, starts_at: datetime, ends_at: datetime, place: str) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(_l("The meeting was not moved."), errors={"ends_at": [_l("The meeting must end after it starts.")]})
    meeting.starts_at, meeting.ends_at, meeting.place = starts_at, ends_at, place
    session.add(meeting)
    session.flush()


def cancel_meeting(session: Session, meeting: Meeting, *, reason: str) -> None:
    """A cancelled meeting's agenda items go to the next meeting: its cases are still at the
    level, so the next agenda picks them up, marked as carried over."""
    meeting.status, meeting.note = MeetingStatus.cancelled.value, (reason or "").strip()
    session.add(meeting)
    session.flush()


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    return session.execute(select(Meeting).where(Meeting.series_id == meeting.series_id,
                                                 Meeting.starts_at < meeting.starts_at,
                                                 Meeting.status == MeetingStatus.planned.value)
                           .order_by(Meeting.starts_at.desc()).limit(1)).scalars().first()


# --- agenda generation -------------------------------------------------------------------------------

@dataclass
class Wanted:
    key: str
    section: str
    title: str
    body: str
    case_id: int | None = None
    action_id: int | None = None
    planned_change_id: int | None = None
    carried_from: str | None = None
    order: tuple = ()


def _level_scope(group: Group):
    level = GROUP_LEVEL[GroupKind(group.kind)]
    # Cases referred to a committee or decided wait for the committee, not for this group.
    conditions = [Case.level == level, Case.status.not_in((CaseStatus.closed.value, CaseStatus.decided.value)),
                  Case.referred_to_committee.is_(False), Case.merged_into_id.is_(None)]
    if group.kind == GroupKind.work_group.value:
        conditions.append(Case.business_area_id == group.business_area_id)
    return conditions


def wanted_items(session: Session, meeting: Meeting, group: Group, *, clock: Clock,
                 working_days: WorkingDays) -> list[Wanted]:
    """What the agenda should hold now, from the data, in a fixed number of queries."""
    today = clock.now().astimezone(STOCKHOLM).date()
    previous = previous_meeting(session, meeting)
    since = previous.starts_at if previous else meeting.starts_at - timedelta(days=31)
    # Planned changes: everything reported after the previous agenda was frozen (or generated),
    # so a change reported between that and the meeting comes on this agenda, not on none.
    changes_since = since
    if previous is not None:
        frozen = session.execute(select(func.coalesce(Agenda.published_at, Agenda.generated_at))
                                 .where(Agenda.meeting_id == previous.id)).scalar()
        if frozen is not None:
            changes_since = min(frozen, since)
    level_scope = _level_scope(group)
    wanted = [
        Wanted("standing:opening", "opening", "Mötets öppnande", ""),
        Wanted("standing:previous_minutes", "opening", "Godkännande av föregående protokoll",
               f"Protokoll från mötet {previous.starts_at.astimezone(STOCKHOLM).date().isoformat()}"
               if previous else "Inget tidigare protokoll i serien."),
    ]
    # Decisions: cases at the group's level, oldest escalation first, with why they are here.
    # Only the columns the items show; the other queries take the same cases as a subquery.
    decision_scope = and_(*level_scope, Case.prepared_for_committee.is_(False))
    # Open as the partial index of cases prepared for a committee says it (open_case()).
    committee_scope = and_(Case.prepared_for_committee.is_(True), Case.referred_to_committee.is_(False),
                           *open_case()) \
        if group.kind == GroupKind.coordination_group.value else None
    shown = select(Case.id, Case.reference, Case.title, BusinessArea.name) \
        .outerjoin(BusinessArea, BusinessArea.id == Case.business_area_id)
    cases = session.execute(shown.where(decision_scope)
                            .order_by(func.coalesce(Case.level_entered_at, Case.received_at), Case.id)).all()
    committee = session.execute(shown.where(committee_scope).order_by(Case.level_entered_at, Case.id)).all() \
        if committee_scope is not None else []
    # The decision items say who is concerned and why the case is here; the committee's do not.
    # (Both scopes in one `a OR b` made PostgreSQL read every open case for them.)
    case_ids = select(Case.id).where(decision_scope)
    orgs = _organisation_names(session, case_ids)
    why = _why(session, case_ids)
    carried = _carried_over(session, previous)
    for case in cases:
        area = case.name
        why_text = why.get(case.id, "")
        body = "\n".join(x for x in [
            f"Verksamhetsområde: {area}" if area else "",
            f"Berörda: {', '.join(orgs.get(case.id, []))}" if orgs.get(case.id) else "",
            f"Varför här: {why_text}" if why_text else "",
            "Frågan: beslut om fortsatt hantering.",
        ] if x)
        wanted.append(Wanted(f"case:{case.id}", "decisions", f"{case.reference} {case.title}", body, case_id=case.id,
                             carried_from=carried.get(f"case:{case.id}")))
    # Follow-up: overdue and at-risk action items of cases at this level.
    risk_until = working_days.add(today, AT_RISK_DAYS)
    actions = session.execute(
        select(ActionItem, Case.reference, Organisation.short_name).join(Case, Case.id == ActionItem.case_id)
        .join(Organisation, Organisation.id == ActionItem.organisation_id)
        .where(*level_scope, ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_date <= risk_until)
        .order_by(ActionItem.due_date, ActionItem.id)).all()
    for action, reference, org in actions:
        state = "försenad" if action.due_date < today else "riskerar att bli försenad"
        wanted.append(Wanted(f"action:{action.id}", "follow_up", f"{reference}: {action.title} ({org})",
                             f"Senast {action.due_date.isoformat()}, {state}.", case_id=action.case_id,
                             action_id=action.id))
    # Information: planned changes and new cases since the last meeting.
    if group.kind in (GroupKind.coordination_group.value, GroupKind.work_group.value):
        changes = select(PlannedChange, Organisation.name).join(Organisation, Organisation.id == PlannedChange.organisation_id) \
            .where(PlannedChange.reported_at >= changes_since, PlannedChange.reported_at < meeting.starts_at)
        if group.kind == GroupKind.work_group.value:
            changes = changes.where(PlannedChange.business_area_id == group.business_area_id)
        for change, org in session.execute(changes.order_by(PlannedChange.reported_at)).all():
            when = " – ".join(d.isoformat() for d in (change.starts_on, change.ends_on) if d)
            wanted.append(Wanted(f"change:{change.id}", "information", f"{org}: {change.title}",
                                 "\n".join(x for x in [change.description, f"När: {when}" if when else "",
                                                       f"Kontakt: {change.contact}" if change.contact else ""] if x),
                                 planned_change_id=change.id))
    new_cases = select(Case.reference, Case.title).where(
        Case.received_at >= since, Case.received_at < meeting.starts_at, Case.merged_into_id.is_(None))
    if group.kind == GroupKind.work_group.value:
        new_cases = new_cases.where(Case.business_area_id == group.business_area_id)
    elif group.kind == GroupKind.steering_group.value:
        new_cases = new_cases.where(Case.level == 3)
    new_list = session.execute(new_cases.order_by(Case.received_at)).all()
    if new_list:
        wanted.append(Wanted("info:new_cases", "information", "Nya ärenden sedan förra mötet",
                             "\n".join(f"{c.reference} {c.title}" for c in new_list)))
    for case in committee:
        area = case.name
        wanted.append(Wanted(f"committee:{case.id}", "committee", f"{case.reference} {case.title}",
                             f"Bereds för beslut i nämnd.{' Verksamhetsområde: ' + area if area else ''}",
                             case_id=case.id, carried_from=carried.get(f"committee:{case.id}")))
    wanted += _from_cancelled(session, meeting, previous)
    wanted.append(Wanted("standing:other", "other", "Övriga frågor", ""))
    return wanted


def _from_cancelled(session: Session, meeting: Meeting, previous: Meeting | None) -> list[Wanted]:
    """Items added by hand to meetings cancelled since the previous one go to this meeting."""
    query = (select(AgendaItem, Meeting.starts_at).join(Agenda, Agenda.id == AgendaItem.agenda_id)
             .join(Meeting, Meeting.id == Agenda.meeting_id)
             .where(Meeting.series_id == meeting.series_id, Meeting.status == MeetingStatus.cancelled.value,
                    Meeting.starts_at < meeting.starts_at, AgendaItem.manual.is_(True),
                    AgendaItem.state != "removed"))
    if previous is not None:
        query = query.where(Meeting.starts_at > previous.starts_at)
    return [Wanted(f"carried:{item.id}", item.section, item.title, item.body,
                   carried_from=starts.astimezone(STOCKHOLM).date().isoformat())
            for item, starts in session.execute(query.order_by(Meeting.starts_at, AgendaItem.position)).all()]


def _organisation_names(session: Session, case_ids) -> dict[int, list[str]]:
    """Short names of each case's organisations; `case_ids` is a subquery of case ids."""
    result: dict[int, list[str]] = {}
    for case_id, name in session.execute(select(CaseOrganisation.case_id, Organisation.short_name)
                                         .join(Organisation, Organisation.id == CaseOrganisation.organisation_id)
                                         .where(CaseOrganisation.case_id.in_(case_ids))
                                         .order_by(Organisation.short_name)):
        result.setdefault(case_id, []).append(name)
    return result


def _why(session: Session, case_ids) -> dict[int, str]:
    """The reason of the latest level change of each case of the subquery `case_ids` (one query)."""
    latest = (select(CaseEvent.case_id, func.max(CaseEvent.id).label("event_id"))
              .where(CaseEvent.case_id.in_(case_ids), CaseEvent.to_level.is_not(None))
              .group_by(CaseEvent.case_id).subquery())
    rows = session.execute(select(CaseEvent.case_id, CaseEvent.rule, CaseEvent.reason)
                           .join(latest, latest.c.event_id == CaseEvent.id))
    return {case_id: (f"regel {rule}: {reason}" if rule else reason) for case_id, rule, reason in rows}


def _carried_over(session: Session, previous: Meeting | None) -> dict[str, str]:
    """Items of the previous meeting's agenda that got no decision: key -> that meeting's date."""
    if previous is None:
        return {}
    agenda = session.execute(select(Agenda).where(Agenda.meeting_id == previous.id)).scalars().first()
    if agenda is None:
        return {}
    decided = set(session.execute(
        select(MinutesItem.agenda_item_id).join(Minutes, Minutes.id == MinutesItem.minutes_id)
        .where(Minutes.meeting_id == previous.id, Minutes.status == MinutesStatus.approved.value,
               MinutesItem.outcome.not_in(UNDECIDED))).scalars())
    day = previous.starts_at.astimezone(STOCKHOLM).date().isoformat()
    return {item.source_key: day for item in session.execute(
        select(AgendaItem).where(AgendaItem.agenda_id == agenda.id, AgendaItem.case_id.is_not(None),
                                 AgendaItem.state != "removed")).scalars() if item.id not in decided}


def _lock_agenda(session: Session, meeting: Meeting) -> Agenda:
    """The meeting's agenda row, created if missing, locked for this transaction on PostgreSQL
    so two processes generating at once take turns."""
    session.execute(_insert(session)(Agenda).values(meeting_id=meeting.id, status=AgendaStatus.draft.value,
                                                    generation=0, published_version=0, version=1)
                    .on_conflict_do_nothing(index_elements=["meeting_id"]))
    query = select(Agenda).where(Agenda.meeting_id == meeting.id)
    if _is_postgres(session):
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalars().one()


@dataclass
class GenerationResult:
    agenda: Agenda
    added: int
    stale: int
    updated: int
    skipped: bool = False


def generate_agenda(session: Session, meeting: Meeting, *, clock: Clock, working_days: WorkingDays,
                    only_if_new: bool = False) -> GenerationResult:
    """Generate (or regenerate) the meeting's agenda. New items are marked new, items that no
    longer match are marked stale (never dropped), and manual edits (order, added and removed
    items, edited texts) are kept. A published agenda is frozen. Flushes; the caller commits."""
    agenda = _lock_agenda(session, meeting)
    if agenda.status == AgendaStatus.published.value or (only_if_new and agenda.generation > 0):
        return GenerationResult(agenda=agenda, added=0, stale=0, updated=0, skipped=True)
    series = session.get(MeetingSeries, meeting.series_id)
    group = session.get(Group, series.group_id)
    wanted = wanted_items(session, meeting, group, clock=clock, working_days=working_days)
    existing = {i.source_key: i for i in session.execute(
        select(AgendaItem).where(AgendaItem.agenda_id == agenda.id)).scalars()}
    first = agenda.generation == 0
    next_generation = agenda.generation + 1
    added = stale = updated = 0
    positions: dict[str, int] = {}
    for item in existing.values():
        positions[item.section] = max(positions.get(item.section, 0), item.position)
    wanted_keys = set()
    new_rows: list[dict] = []
    for want in wanted:
        wanted_keys.add(want.key)
        item = existing.get(want.key)
        if item is None:
            positions[want.section] = positions.get(want.section, 0) + 10
            new_rows.append(dict(agenda_id=agenda.id, section=want.section, position=positions[want.section],
                                 source_key=want.key, case_id=want.case_id, action_id=want.action_id,
                                 planned_change_id=want.planned_change_id, title=want.title[:300], body=want.body,
                                 state="current" if first else "new", carried_from=want.carried_from,
                                 changed_in_generation=next_generation, removed_reason="", manual=False,
                                 edited=False, moved=False))
            added += 1
            continue
        changed = False
        if item.state == "stale":
            item.state, changed = "current", True
        if not item.edited and (item.title != want.title[:300] or item.body != want.body):
            item.title, item.body, changed = want.title[:300], want.body, True
        if item.carried_from != want.carried_from and want.carried_from:
            item.carried_from, changed = want.carried_from, True
        if changed:
            item.changed_in_generation = next_generation
            session.add(item)
            updated += 1
    for key, item in existing.items():
        if key not in wanted_keys and not item.manual and item.state not in ("stale", "removed"):
            item.state, item.changed_in_generation = "stale", next_generation
            session.add(item)
            stale += 1
    if new_rows:
        # One statement for all new items (their ids are not needed here).
        session.execute(AgendaItem.__table__.insert(), new_rows)
    if first or added or stale or updated:
        agenda.generation = next_generation
        agenda.generated_at = clock.now()
        agenda.version += 1
        session.add(agenda)
    session.flush()
    return GenerationResult(agenda=agenda, added=added, stale=stale, updated=updated)


def due_meetings(session: Session, *, clock: Clock, working_days: WorkingDays) -> list[Meeting]:
    """Planned meetings whose agenda is due (lead time reached) and not yet generated."""
    today = clock.now().astimezone(STOCKHOLM).date()
    # A meeting on day M with lead time L is due once today >= the Lth working day before M.
    horizon = working_days.add(today, 60)
    rows = session.execute(
        select(Meeting, MeetingSeries.lead_time_days).join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .outerjoin(Agenda, Agenda.meeting_id == Meeting.id)
        .where(Meeting.status == MeetingStatus.planned.value, MeetingSeries.active.is_(True),
               Meeting.starts_at >= clock.now(),
               Meeting.starts_at < datetime.combine(horizon + timedelta(days=1), time(0), tzinfo=STOCKHOLM),
               (Agenda.id.is_(None)) | (Agenda.generation == 0))
        .order_by(Meeting.starts_at)).all()
    return [m for m, lead in rows
            if working_days.subtract(m.starts_at.astimezone(STOCKHOLM).date(), lead) <= today]


def generate_due_agendas(session: Session, *, clock: Clock, working_days: WorkingDays) -> list[GenerationResult]:
    """The job: plan the series' meetings, then generate each due agenda once (commit per agenda)."""
    for series in session.execute(select(MeetingSeries).where(MeetingSeries.active.is_(True))).scalars().all():
        plan_meetings(session, series, clock=clock)
    session.commit()
    results = []
    for meeting in due_meetings(session, clock=clock, working_days=working_days):
        result = generate_agenda(session, meeting, clock=clock, working_days=working_days, only_if_new=True)
        session.commit()
        if not result.skipped:
            results.append(result)
    return results


# --- editing an agenda -------------------------------------------------------------------------------

def _editable(session: Session, item: AgendaItem) -> Agenda:
    agenda = session.get(Agenda, item.agenda_id)
    if agenda.status == AgendaStatus.published.value:
        raise ValidationFailed(_l("The agenda is published and can no longer be changed."))
    return agenda


def edit_item(session: Session, item: AgendaItem, *, title: str, body: str) -> None:
    _editable(session, item)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_l("The item was not saved."), errors={"title": [_l("Enter a title.")]})
    item.title, item.body, item.edited = title[:300], (body or "").strip(), True
    session.add(item)
    session.flush()


def add_item(session: Session, agenda: Agenda, *, section: str, title: str, body: str) -> AgendaItem:
    if agenda.status == AgendaStatus.published.value:
        raise ValidationFailed(_l("The agenda is published and can no longer be changed."))
    errors = {}
    if section not in SECTIONS:
        errors["section"] = [_l("Choose a section from the list.")]
    if not (title or "").strip():
        errors["title"] = [_l("Enter a title.")]
    if errors:
        raise ValidationFailed(_l("The item was not added."), errors=errors)
    count = session.execute(select(func.count()).select_from(AgendaItem).where(AgendaItem.agenda_id == agenda.id)).scalar_one()
    last = session.execute(select(func.max(AgendaItem.position)).where(AgendaItem.agenda_id == agenda.id,
                                                                       AgendaItem.section == section)).scalar_one()
    item = AgendaItem(agenda_id=agenda.id, section=section, position=(last or 0) + 10,
                      source_key=f"manual:{count + 1}:{secrets.token_hex(6)}",
                      title=title.strip()[:300], body=(body or "").strip(), state="current", manual=True)
    session.add(item)
    session.flush()
    return item


def remove_item(session: Session, item: AgendaItem, *, reason: str) -> None:
    _editable(session, item)
    if not (reason or "").strip():
        raise ValidationFailed(_l("The item was not removed."), errors={"reason": [_l("Give a reason.")]})
    item.state, item.removed_reason = "removed", reason.strip()[:500]
    session.add(item)
    session.flush()


def restore_item(session: Session, item: AgendaItem) -> None:
    _editable(session, item)
    item.state, item.removed_reason = "current", ""
    session.add(item)
    session.flush()


def move_item(session: Session, item: AgendaItem, *, direction: int) -> None:
    """Swap the item with its neighbour in the section (direction -1 up, +1 down)."""
    _editable(session, item)
    siblings = list(session.execute(select(AgendaItem).where(AgendaItem.agenda_id == item.agenda_id,
                                                             AgendaItem.section == item.section)
                                    .order_by(AgendaItem.position, AgendaItem.id)).scalars())
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position * 10
        session.add(sibling)
    item.moved = True
    session.flush()


def agenda_items(session: Session, agenda: Agenda) -> dict[str, list[AgendaItem]]:
    """The agenda's items by section, in order (one query)."""
    grouped: dict[str, list[AgendaItem]] = {s: [] for s in SECTIONS}
    for item in session.execute(select(AgendaItem).where(AgendaItem.agenda_id == agenda.id)
                                .order_by(AgendaItem.position, AgendaItem.id)).scalars():
        grouped.setdefault(item.section, []).append(item)
    return grouped


def members(session: Session, group_id: int) -> list[User]:
    return list(session.execute(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                .where(GroupMember.group_id == group_id, User.active.is_(True))
                                .order_by(User.name)).scalars())


def publish_agenda(session: Session, agenda: Agenda, *, user_id: int, clock: Clock, base_url: str) -> AgendaVersion:
    """Freeze the agenda as a version, make it visible to the steering role, and tell the
    members (one mail each, once)."""
    # Lock the row and read it again: of two clicks on Publish, the second sees it published.
    query = select(Agenda).where(Agenda.id == agenda.id).execution_options(populate_existing=True)
    if _is_postgres(session):
        query = query.with_for_update()
    agenda = session.execute(query).scalars().one()
    if agenda.status == AgendaStatus.published.value:
        raise ValidationFailed(_l("The agenda is already published."))
    if agenda.generation == 0:
        raise ValidationFailed(_l("Generate the agenda before publishing it."))
    meeting = session.get(Meeting, agenda.meeting_id)
    series = session.get(MeetingSeries, meeting.series_id)
    now = clock.now()
    content = {"meeting": {"id": meeting.id, "starts_at": meeting.starts_at.isoformat(),
                           "ends_at": meeting.ends_at.isoformat(), "place": meeting.place, "series": series.name},
               "sections": {section: [{"id": i.id, "title": i.title, "body": i.body, "case_id": i.case_id,
                                       "state": i.state, "carried_from": i.carried_from}
                                      for i in items if i.state not in ("removed", "stale")]
                            for section, items in agenda_items(session, agenda).items()}}
    agenda.status, agenda.published_at = AgendaStatus.published.value, now
    agenda.published_version += 1
    agenda.version += 1
    session.add(agenda)
    version = AgendaVersion(agenda_id=agenda.id, version=agenda.published_version, published_at=now,
                            published_by_id=user_id, content=content)
    session.add(version)
    session.flush()
    from coordination.notifications.services import Message, notify

    day = meeting.starts_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    notify(session, [(Message(kind="agenda_published", key=f"agenda:{agenda.id}:v{version.version}", case_id=None,
                              text_sv=f"Dagordningen för {series.name} {day} är publicerad.",
                              text_en=f"The agenda of {series.name} {day} is published.",
                              link=f"{base_url.rstrip('/')}/moten/{meeting.id}"),
                      members(session, series.group_id))], now=now)
    return version


def save_series(session: Session, series: MeetingSeries | None, *, name: str, group_id: int | None, rrule: str,
                first_date: date | None, dates_text: str, start_time: time, end_time: time, place: str,
                video_link: str, lead_time_days: int | None, active: bool, clock: Clock) -> MeetingSeries:
    """Create or change a meeting series and plan its meetings for the coming year."""
    dates = [line.strip() for line in (dates_text or "").splitlines() if line.strip()]
    errors = check_series(rrule=(rrule or "").strip(), dates=dates,
                          first_date=first_date.isoformat() if first_date else None,
                          start_time=start_time, end_time=end_time,
                          lead_time_days=lead_time_days if lead_time_days is not None else -1)
    if group_id is None or session.get(Group, group_id) is None:
        errors["group_id"] = [_l("Choose a group from the list.")]
    taken = session.execute(select(MeetingSeries.id).where(func.lower(MeetingSeries.name) == name.strip().lower())).first()
    if taken and (series is None or taken[0] != series.id):
        errors["name"] = [_l("There is already a meeting series with this name.")]
    if errors:
        raise ValidationFailed(_l("Nothing was saved."), errors=errors)
    series = series or MeetingSeries(name="", group_id=group_id, start_time=start_time, end_time=end_time)
    series.name, series.group_id, series.rrule = name.strip(), group_id, (rrule or "").strip()
    series.first_date = first_date.isoformat() if first_date else None
    series.dates, series.start_time, series.end_time = dates, start_time, end_time
    series.place, series.video_link = (place or "").strip(), (video_link or "").strip()
    series.lead_time_days, series.active = lead_time_days, active
    session.add(series)
    session.flush()
    plan_meetings(session, series, clock=clock)
    return series
