"""Minutes (protokoll): a decision and an outcome per agenda item; approving them applies every
outcome to its case in one transaction, with history that points at the meeting."""

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from coordination.actions.models import ActionItem, ActionStatus
from coordination.cases.models import Case, CaseEvent, CaseStatus
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.meetings.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesItem,
    MinutesStatus,
)
from coordination.meetings.services import UNDECIDED
from coordination.organisations.models import Organisation

OUTCOMES = ("delegate", "escalate", "refer", "close", "postpone", "noted")
CASE_OUTCOMES = ("delegate", "escalate", "refer", "close", "postpone")


def current_minutes(session: Session, meeting: Meeting) -> Minutes | None:
    return session.execute(select(Minutes).where(Minutes.meeting_id == meeting.id)
                           .order_by(Minutes.version.desc()).limit(1)).scalars().first()


def start_minutes(session: Session, meeting: Meeting) -> Minutes:
    """The draft minutes of a meeting with a published agenda (created on first use)."""
    agenda = session.execute(select(Agenda).where(Agenda.meeting_id == meeting.id)).scalars().first()
    if agenda is None or agenda.status != AgendaStatus.published.value:
        raise ValidationFailed(_l("Publish the agenda before writing the minutes."))
    minutes = current_minutes(session, meeting)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, version=1, status=MinutesStatus.draft.value, content={})
        session.add(minutes)
        session.flush()
    return minutes


def minutes_items(session: Session, minutes: Minutes) -> dict[int, MinutesItem]:
    return {m.agenda_item_id: m for m in session.execute(
        select(MinutesItem).where(MinutesItem.minutes_id == minutes.id)).scalars()}


def _check_actions(session: Session, actions: list[dict]) -> list[str]:
    problems = []
    if not actions:
        problems.append(_l("Delegating needs at least one action item: organisation, what and due date."))
    ids = {a.get("organisation_id") for a in actions}
    known = set(session.execute(select(Organisation.id).where(Organisation.id.in_([i for i in ids if isinstance(i, int)]),
                                                              Organisation.active.is_(True))).scalars())
    for action in actions:
        if action.get("organisation_id") not in known:
            problems.append(_l("Choose the organisation of each action item from the list."))
        if not str(action.get("title") or "").strip():
            problems.append(_l("Say what each action item is."))
        try:
            date.fromisoformat(str(action.get("due_date")))
        except ValueError:
            problems.append(_l("Give each action item a due date as YYYY-MM-DD."))
    return list(dict.fromkeys(str(p) for p in problems))


def save_item(session: Session, minutes: Minutes, item: AgendaItem, *, decision: str, outcome: str,
              params: dict) -> MinutesItem:
    """Record the decision on one agenda item in the draft minutes."""
    if minutes.status != MinutesStatus.draft.value:
        raise ValidationFailed(_l("Approved minutes are read-only; make a correction to change them."))
    errors: dict = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = [_l("Choose an outcome from the list.")]
    elif outcome in CASE_OUTCOMES and item.case_id is None:
        errors["outcome"] = [_l("This item has no case; choose “noted”.")]
    elif outcome == "delegate":
        problems = _check_actions(session, params.get("actions") or [])
        if problems:
            errors["actions"] = problems
    elif outcome == "escalate" and params.get("to") not in ("steering", "committee"):
        errors["to"] = [_l("Choose whether the case goes to the steering group or is prepared for committee.")]
    elif outcome == "close" and not str(params.get("answer") or "").strip():
        errors["answer"] = [_l("Write the answer to the company; it is shown on their status link.")]
    if outcome != "noted" and not (decision or "").strip():
        errors["decision"] = [_l("Write the decision.")]
    if errors:
        raise ValidationFailed(_l("The decision was not saved."), errors=errors)
    row = session.execute(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id,
                                                    MinutesItem.agenda_item_id == item.id)).scalars().first()
    row = row or MinutesItem(minutes_id=minutes.id, agenda_item_id=item.id, case_id=item.case_id)
    row.decision, row.outcome, row.params = (decision or "").strip(), outcome, params
    session.add(row)
    session.flush()
    return row


def approve_minutes(session: Session, minutes: Minutes, *, user_id: int, clock: Clock, working_days: WorkingDays,
                    base_url: str) -> list[CaseEvent]:
    """Apply every outcome to its case in the caller's transaction and freeze the minutes.
    Cases that were on the agenda for a decision but got none count one more agenda without a
    decision (R6). A correction (version > 1) records the corrected texts without applying the
    outcomes again: they were applied when the first version was approved."""
    from coordination.routing.engine import run_on_change
    from coordination.routing.services import move_case

    if minutes.status != MinutesStatus.draft.value:
        raise ValidationFailed(_l("The minutes are already approved."))
    meeting = session.get(Meeting, minutes.meeting_id)
    series = session.get(MeetingSeries, meeting.series_id)
    agenda = session.execute(select(Agenda).where(Agenda.meeting_id == meeting.id)).scalars().one()
    items = {i.id: i for i in session.execute(select(AgendaItem).where(AgendaItem.agenda_id == agenda.id,
                                                                       AgendaItem.state.not_in(("removed", "stale"))))
             .scalars()}
    decided = minutes_items(session, minutes)
    now = clock.now()
    day = meeting.starts_at.astimezone(STOCKHOLM).date().isoformat()
    base_facts = {"meeting_id": meeting.id, "meeting": f"{series.name} {day}", "minutes_version": minutes.version}
    events: list[CaseEvent] = []
    touched: set[int] = set()
    if minutes.version > 1:
        for row in decided.values():
            if row.case_id:
                events.append(CaseEvent(case_id=row.case_id, at=now, kind="decision_corrected", actor_user_id=user_id,
                                        reason=row.decision, facts=base_facts | {"agenda_item_id": row.agenda_item_id,
                                                                                 "public": True}))
    else:
        for item_id, item in items.items():
            row = decided.get(item_id)
            case = session.get(Case, item.case_id) if item.case_id else None
            if case is None or case.merged_into_id:
                continue
            facts = base_facts | {"agenda_item_id": item_id, "public": True}
            if row is None or row.outcome in UNDECIDED:
                if item.section in ("decisions", "committee"):
                    case.agendas_without_decision += 1
                    case.version += 1
                    session.add(case)
                    touched.add(case.id)
                    events.append(CaseEvent(case_id=case.id, at=now, kind="postponed", actor_user_id=user_id,
                                            reason=row.decision if row else "", facts=facts))
                continue
            touched.add(case.id)
            events += _apply(session, case, row, facts=facts, user_id=user_id, clock=clock,
                             working_days=working_days, move_case=move_case)
    for event in events:
        session.add(event)
    minutes.status, minutes.approved_at, minutes.approved_by_id = MinutesStatus.approved.value, now, user_id
    minutes.content = {"items": {str(k): {"decision": v.decision, "outcome": v.outcome, "params": v.params}
                                 for k, v in decided.items()}}
    session.add(minutes)
    session.flush()
    for case_id in sorted(touched):
        run_on_change(session, case_id, clock=clock, working_days=working_days, base_url=base_url)
    return events


def _apply(session, case: Case, row: MinutesItem, *, facts: dict, user_id: int, clock: Clock,
           working_days: WorkingDays, move_case) -> list[CaseEvent]:
    now = clock.now()
    events = []
    case.agendas_without_decision = 0
    if row.outcome == "delegate":
        for action in row.params.get("actions", []):
            session.add(ActionItem(case_id=case.id, organisation_id=action["organisation_id"], title=action["title"][:200],
                                   description=action.get("description", ""), due_date=date.fromisoformat(action["due_date"]),
                                   status=ActionStatus.planned.value, created_at=now, updated_at=now,
                                   created_by_id=user_id))
        if case.level != 1:
            move_case(session, case, to_level=1, reason=row.decision, actor_user_id=user_id, clock=clock,
                      working_days=working_days, kind="decision", facts=facts | {"outcome": "delegate"})
        else:
            events.append(CaseEvent(case_id=case.id, at=now, kind="decision", actor_user_id=user_id,
                                    reason=row.decision, facts=facts | {"outcome": "delegate"}))
        case.status = CaseStatus.in_progress.value
    elif row.outcome == "escalate" and row.params.get("to") == "steering":
        if (case.level or 0) < 3:
            move_case(session, case, to_level=3, reason=row.decision, actor_user_id=user_id, clock=clock,
                      working_days=working_days, kind="decision", facts=facts | {"outcome": "escalate"})
        else:
            events.append(CaseEvent(case_id=case.id, at=now, kind="decision", actor_user_id=user_id,
                                    reason=row.decision, facts=facts | {"outcome": "escalate"}))
    elif row.outcome == "escalate":
        case.prepared_for_committee = True
        events.append(CaseEvent(case_id=case.id, at=now, kind="decision", actor_user_id=user_id, reason=row.decision,
                                facts=facts | {"outcome": "prepare_committee"}))
    elif row.outcome == "refer":
        case.referred_to_committee, case.status = True, CaseStatus.decided.value
        events.append(CaseEvent(case_id=case.id, at=now, kind="decision", actor_user_id=user_id, reason=row.decision,
                                facts=facts | {"outcome": "refer"}))
    elif row.outcome == "close":
        case.status = CaseStatus.closed.value
        events.append(CaseEvent(case_id=case.id, at=now, kind="closed", actor_user_id=user_id, reason=row.decision,
                                facts=facts | {"outcome": "close", "answer": row.params.get("answer", "")}))
    case.version += 1
    case.updated_at = case.last_progress_at = now
    session.add(case)
    return events


def correct_minutes(session: Session, minutes: Minutes, *, reason: str) -> Minutes:
    """A correction of approved minutes: a new draft version with the same decisions."""
    if minutes.status != MinutesStatus.approved.value:
        raise ValidationFailed(_l("Only approved minutes can be corrected; edit the draft instead."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("The correction was not started."), errors={"reason": [_l("Give a reason.")]})
    latest = session.execute(select(func.max(Minutes.version)).where(Minutes.meeting_id == minutes.meeting_id)).scalar_one()
    correction = Minutes(meeting_id=minutes.meeting_id, version=latest + 1, status=MinutesStatus.draft.value,
                         correction_reason=reason.strip(), content={})
    session.add(correction)
    session.flush()
    for row in minutes_items(session, minutes).values():
        session.add(MinutesItem(minutes_id=correction.id, agenda_item_id=row.agenda_item_id, case_id=row.case_id,
                                decision=row.decision, outcome=row.outcome, params=row.params))
    session.flush()
    return correction
