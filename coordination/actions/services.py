"""Action items of the förvaltningar: created by the coordinator, by a meeting's decision or by
the owning organisation; updated by that organisation's officials with a status and a progress
note in one step; planned changes reported by organisations."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal_column, select, update
from sqlmodel import Session

from coordination.actions.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionNote,
    ActionStatus,
    PlannedChange,
)
from coordination.auth.models import Role, User
from coordination.cases.models import Case, CaseEvent
from coordination.clock import STOCKHOLM, Clock
from coordination.errors import Conflict, NotAllowed, ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import BusinessArea, Organisation

TITLE_MAX = 200
NOTE_MAX = 5000


def may_edit(user, action: ActionItem) -> bool:
    """The coordinator, and the officials of the owning organisation."""
    if user.role == Role.coordinator.value:
        return True
    return user.role == Role.department.value and user.organisation_id == action.organisation_id


def create_action(session: Session, case: Case, *, actor, organisation_id: int | None, title: str, due_date,
                  description: str = "", responsible_user_id: int | None = None, work_group_id: int | None = None,
                  clock: Clock) -> ActionItem:
    errors: dict = {}
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if org is None or not org.active:
        errors["organisation_id"] = [_l("Choose an organisation from the list.")]
    elif actor.role == Role.department.value and actor.organisation_id != org.id:
        raise NotAllowed(_l("You can add action items only for your own organisation."))
    elif actor.role not in (Role.coordinator.value, Role.department.value):
        raise NotAllowed(_l("You can add action items only for your own organisation."))
    if not (title or "").strip():
        errors["title"] = [_l("Say what is to be done.")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [_l("At most %(max)d characters; you wrote more.", max=TITLE_MAX)]
    if not isinstance(due_date, date):
        errors["due_date"] = [_l("Enter the date as YYYY-MM-DD, e.g. 2026-11-23.")]
    if responsible_user_id is not None:
        person = session.get(User, responsible_user_id)
        if person is None or not person.active or (org is not None and person.organisation_id != org.id):
            errors["responsible_user_id"] = [_l("Choose a person of the organisation from the list.")]
    if case.status == "closed":
        errors["title"] = [_l("The case is closed.")]
    if work_group_id is not None:
        from coordination.organisations.models import Group

        group = session.get(Group, work_group_id)
        if group is None or group.kind != "work_group":
            errors["work_group_id"] = [_l("Choose a work group from the list.")]
    if errors:
        raise ValidationFailed(_l("The action item was not saved."), errors=errors)
    now = clock.now()
    # The organisation that owes the item is concerned by the case (and so may open it).
    from coordination.cases.models import CaseOrganisation

    if session.execute(select(CaseOrganisation.id).where(CaseOrganisation.case_id == case.id,
                                                         CaseOrganisation.organisation_id == org.id)).first() is None:
        session.add(CaseOrganisation(case_id=case.id, organisation_id=org.id))
    action = ActionItem(case_id=case.id, organisation_id=org.id, title=title.strip(),
                        description=(description or "").strip(), due_date=due_date,
                        responsible_user_id=responsible_user_id, work_group_id=work_group_id,
                        status=ActionStatus.planned.value,
                        created_at=now, updated_at=now, created_by_id=actor.id)
    session.add(action)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=now, kind="action_added", actor_user_id=actor.id, reason=action.title,
                          facts={"action_id": action.id, "organisation": org.short_name,
                                 "due_date": due_date.isoformat()}))
    session.flush()
    return action


@dataclass
class ActionChange:
    status: str | None
    note: str
    blocked_reason: str = ""


def update_action(session: Session, action: ActionItem, change: ActionChange, *, actor, clock: Clock,
                  expected_version: int | None) -> ActionNote | None:
    """A new status and/or a progress note, in one step. A note (or a change of status) is
    recorded progress on the case (R3). A stale version gives Conflict and changes nothing."""
    if not may_edit(actor, action):
        raise NotAllowed(_l("Only officials of the organisation that owns the action item can update it."))
    conflict = Conflict(_l("Someone else updated the action item while you were writing. Nothing was "
                           "overwritten; the item shows the newer values. Add your note again if it is still needed."))
    if expected_version is not None and expected_version != action.version:
        raise conflict
    errors: dict = {}
    note = (change.note or "").strip()
    status = change.status or action.status
    if status not in {s.value for s in ActionStatus}:
        errors["status"] = [_l("Choose a status from the list.")]
    if status == ActionStatus.blocked.value and not ((change.blocked_reason or "").strip() or note):
        errors["blocked_reason"] = [_l("Say what blocks the action item.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_l("At most %(max)d characters; you wrote more.", max=NOTE_MAX)]
    if status == action.status and not note:
        errors["note"] = [_l("Write a progress note or choose a new status.")]
    if errors:
        raise ValidationFailed(_l("The action item was not updated."), errors=errors)
    # Claim the version in the database itself, so of two saves from the same version only one wins.
    claimed = session.execute(update(ActionItem).where(ActionItem.id == action.id, ActionItem.version == action.version)
                              .values(version=ActionItem.version + 1).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise conflict
    now = clock.now()
    old = action.status
    action.version += 1
    action.status = status
    if status == ActionStatus.blocked.value:
        action.blocked_reason = (change.blocked_reason or note).strip()[:1000]
    elif old == ActionStatus.blocked.value:
        action.blocked_reason = ""
    action.completed_at = now if status == ActionStatus.done.value else None
    action.updated_at = now
    session.add(action)
    entry = ActionNote(action_id=action.id, author_id=actor.id, at=now, body=note or "",
                       status_from=old if old != status else None, status_to=status if old != status else None)
    session.add(entry)
    case = session.get(Case, action.case_id)
    case.last_progress_at = now
    session.add(case)
    session.add(CaseEvent(case_id=case.id, at=now, kind="action_progress", actor_user_id=actor.id, reason=note,
                          facts={"action_id": action.id, "title": action.title, "status_from": old, "status_to": status}))
    session.flush()
    return entry


@dataclass
class ActionRow:
    action: ActionItem
    reference: str
    case_title: str
    organisation: str
    responsible: str | None
    overdue: bool


def open_actions(session: Session, *, organisation_id: int | None = None, case_ids: list[int] | None = None,
                 status: str | None = None, overdue_only: bool = False, today: date, limit: int = 200,
                 offset: int = 0) -> list[ActionRow]:
    """Action items by due date (so the overdue ones first), in one query."""
    query = (select(ActionItem, Case.reference, Case.title, Organisation.short_name, User.name)
             .join(Case, Case.id == ActionItem.case_id).join(Organisation, Organisation.id == ActionItem.organisation_id)
             .outerjoin(User, User.id == ActionItem.responsible_user_id))
    query = _open_action_conditions(query, organisation_id=organisation_id, case_ids=case_ids, status=status,
                                    overdue_only=overdue_only, today=today)
    # Overdue means due before today, so due-date order lists them first; a plain order is one
    # the index of open action items can give without sorting.
    rows = session.execute(query.order_by(ActionItem.due_date, ActionItem.id).offset(offset).limit(limit)).all()
    return [ActionRow(action=a, reference=ref, case_title=title, organisation=org, responsible=person,
                      overdue=a.due_date < today and a.status in OPEN_ACTION_STATUSES)
            for a, ref, title, org, person in rows]


def count_open_actions(session: Session, *, organisation_id: int | None = None, today: date) -> int:
    """How many action items `open_actions` would list without a limit (one query)."""
    query = _open_action_conditions(select(func.count()).select_from(ActionItem), organisation_id=organisation_id,
                                    case_ids=None, status=None, overdue_only=False, today=today)
    return session.execute(query).scalar_one()


def _open_action_conditions(query, *, organisation_id, case_ids, status, overdue_only, today):
    if status:
        query = query.where(ActionItem.status == status)
    else:
        # OPEN_ACTION_STATUSES, written as the open action items' index says it.
        query = query.where(ActionItem.status != literal_column("'done'"))
    if organisation_id is not None:
        query = query.where(ActionItem.organisation_id == organisation_id)
    if case_ids is not None:
        query = query.where(ActionItem.case_id.in_(case_ids))
    if overdue_only:
        query = query.where(ActionItem.due_date < today, ActionItem.status.in_(OPEN_ACTION_STATUSES))
    return query


def case_actions(session: Session, case_ids: list[int]) -> list[tuple[ActionItem, str, list[tuple[ActionNote, str | None]]]]:
    """Every action item of the cases with its organisation and notes (newest first), in one
    statement: an item's row comes once for each of its notes, or once with none."""
    rows = session.execute(select(ActionItem, Organisation.short_name, ActionNote, User.name)
                           .join(Organisation, Organisation.id == ActionItem.organisation_id)
                           .outerjoin(ActionNote, ActionNote.action_id == ActionItem.id)
                           .outerjoin(User, User.id == ActionNote.author_id)
                           .where(ActionItem.case_id.in_(case_ids))
                           .order_by(ActionItem.due_date, ActionItem.id, ActionNote.at.desc(), ActionNote.id.desc()))
    found: dict[int, tuple[ActionItem, str, list]] = {}
    for item, organisation, note, author in rows:
        entry = found.get(item.id)
        if entry is None:
            entry = found[item.id] = (item, organisation, [])
        if note is not None:
            entry[2].append((note, author))
    return list(found.values())


# --- planned changes ---------------------------------------------------------------------------------

def report_change(session: Session, *, actor, organisation_id: int | None, business_area_id: int | None, title: str,
                  description: str, starts_on: date | None, ends_on: date | None, contact: str,
                  clock: Clock) -> PlannedChange:
    errors: dict = {}
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if org is None:
        errors["organisation_id"] = [_l("Choose an organisation from the list.")]
    elif actor.role == Role.department.value and actor.organisation_id != org.id:
        raise NotAllowed(_l("You can report planned changes only for your own organisation."))
    if business_area_id is not None and session.get(BusinessArea, business_area_id) is None:
        errors["business_area_id"] = [_l("Choose a business area from the list.")]
    if not (title or "").strip():
        errors["title"] = [_l("Say what is planned.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_l("The end cannot be before the start.")]
    if errors:
        raise ValidationFailed(_l("The planned change was not saved."), errors=errors)
    change = PlannedChange(organisation_id=org.id, business_area_id=business_area_id, title=title.strip()[:200],
                           description=(description or "").strip(), starts_on=starts_on, ends_on=ends_on,
                           contact=(contact or "").strip()[:300], reported_by_id=actor.id, reported_at=clock.now())
    session.add(change)
    session.flush()
    return change


def planned_changes(session: Session, *, limit: int = 200):
    return session.execute(select(PlannedChange, Organisation.name, BusinessArea.name)
                           .join(Organisation, Organisation.id == PlannedChange.organisation_id)
                           .outerjoin(BusinessArea, BusinessArea.id == PlannedChange.business_area_id)
                           .order_by(PlannedChange.reported_at.desc()).limit(limit)).all()


def today_in_stockholm(clock: Clock) -> date:
    return clock.now().astimezone(STOCKHOLM).date()


def count_overdue(session: Session, organisation_id: int, *, today: date) -> int:
    return session.execute(select(func.count()).select_from(ActionItem)
                           .where(ActionItem.organisation_id == organisation_id,
                                  ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_date < today)).scalar_one()


