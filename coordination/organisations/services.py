"""Reference data the admin keeps: organisations, committees, business areas, groups."""

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from coordination.auth.models import User
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    FocusArea,
    Group,
    GroupKind,
    GroupMember,
    Organisation,
    OrganisationKind,
)


def _unique(session: Session, model: type[SQLModel], column, value, current_id, field: str,
            errors: dict, message) -> None:
    """Record an error when another row already has this value (case-insensitively)."""
    query = select(model.id).where(func.lower(column) == value.lower())
    if current_id is not None:
        query = query.where(model.id != current_id)
    if session.exec(query).first() is not None:
        errors.setdefault(field, []).append(message)


def _exists(session: Session, model: type[SQLModel], row_id: int | None) -> bool:
    return row_id is None or session.get(model, row_id) is not None


def _apply(session: Session, obj: SQLModel, values: dict, errors: dict):
    if errors:
        raise ValidationFailed(_l("Nothing was saved."), errors=errors)
    for key, value in values.items():
        setattr(obj, key, value.strip() if isinstance(value, str) else value)
    session.add(obj)
    session.flush()
    return obj


# --- organisations ---------------------------------------------------------------------------

def save_organisation(session: Session, organisation: Organisation | None, *, name: str, short_name: str,
                      kind: str, email: str | None, active: bool = True, reminder_before_days: int = 3,
                      reminder_pace_days: int = 5) -> Organisation:
    organisation = organisation or Organisation(name="", short_name="", kind=kind)
    errors: dict = {}
    if kind not in {k.value for k in OrganisationKind}:
        errors["kind"] = [_l("Choose a kind from the list.")]
    _unique(session, Organisation, Organisation.name, name.strip(), organisation.id, "name", errors,
            _l("There is already an organisation with this name."))
    _unique(session, Organisation, Organisation.short_name, short_name.strip(), organisation.id,
            "short_name", errors, _l("There is already an organisation with this short name."))
    if not 0 <= (reminder_before_days if reminder_before_days is not None else -1) <= 30:
        errors["reminder_before_days"] = [_l("Between 0 and 30 working days.")]
    if not 1 <= (reminder_pace_days if reminder_pace_days is not None else 0) <= 60:
        errors["reminder_pace_days"] = [_l("Between 1 and 60 working days.")]
    return _apply(session, organisation, {"name": name, "short_name": short_name, "kind": kind,
                                          "email": (email or "").strip() or None, "active": active,
                                          "reminder_before_days": reminder_before_days,
                                          "reminder_pace_days": reminder_pace_days}, errors)


def list_organisations(session: Session, *, active_only: bool = False) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if active_only:
        query = query.where(Organisation.active.is_(True))
    return list(session.exec(query))


def find_organisation(session: Session, key: str) -> Organisation | None:
    """An organisation by id, short name or full name (the CLI accepts any)."""
    key = key.strip()
    if key.isdigit():
        found = session.get(Organisation, int(key))
        if found:
            return found
    return session.exec(select(Organisation).where(
        (func.lower(Organisation.short_name) == key.lower()) | (func.lower(Organisation.name) == key.lower())
    )).first()


# --- committees ------------------------------------------------------------------------------

def save_committee(session: Session, committee: Committee | None, *, name: str, organisation_id: int | None,
                   active: bool = True) -> Committee:
    committee = committee or Committee(name="")
    errors: dict = {}
    _unique(session, Committee, Committee.name, name.strip(), committee.id, "name", errors,
            _l("There is already a committee with this name."))
    if not _exists(session, Organisation, organisation_id):
        errors["organisation_id"] = [_l("Choose an organisation from the list.")]
    return _apply(session, committee, {"name": name, "organisation_id": organisation_id, "active": active},
                  errors)


def list_committees(session: Session) -> list[Committee]:
    return list(session.exec(select(Committee).order_by(Committee.name)))


# --- business areas --------------------------------------------------------------------------

def save_business_area(session: Session, area: BusinessArea | None, *, name: str, description: str,
                       committee_id: int | None, active: bool = True) -> BusinessArea:
    area = area or BusinessArea(name="")
    errors: dict = {}
    _unique(session, BusinessArea, BusinessArea.name, name.strip(), area.id, "name", errors,
            _l("There is already a business area with this name."))
    if not _exists(session, Committee, committee_id):
        errors["committee_id"] = [_l("Choose a committee from the list.")]
    return _apply(session, area, {"name": name, "description": description or "",
                                  "committee_id": committee_id, "active": active}, errors)


def list_business_areas(session: Session, *, active_only: bool = False) -> list[BusinessArea]:
    query = select(BusinessArea).order_by(BusinessArea.name)
    if active_only:
        query = query.where(BusinessArea.active.is_(True))
    return list(session.exec(query))


def list_focus_areas(session: Session) -> list[FocusArea]:
    return list(session.exec(select(FocusArea).order_by(FocusArea.id)))


# --- groups ----------------------------------------------------------------------------------

def save_group(session: Session, group: Group | None, *, name: str, kind: str, business_area_id: int | None,
               member_ids: list[int], chair_id: int | None = None, active: bool = True) -> Group:
    group = group or Group(name="", kind=kind)
    errors: dict = {}
    if kind not in {k.value for k in GroupKind}:
        errors["kind"] = [_l("Choose a kind of group from the list.")]
    elif kind == GroupKind.work_group.value and business_area_id is None:
        errors["business_area_id"] = [_l("A work group belongs to a business area: choose one.")]
    elif kind != GroupKind.work_group.value and business_area_id is not None:
        errors["business_area_id"] = [_l("Only work groups belong to a business area.")]
    if not _exists(session, BusinessArea, business_area_id):
        errors["business_area_id"] = [_l("Choose a business area from the list.")]
    _unique(session, Group, Group.name, name.strip(), group.id, "name", errors,
            _l("There is already a group with this name."))
    member_ids = sorted(set(member_ids))
    if member_ids:
        found = set(session.exec(select(User.id).where(User.id.in_(member_ids))))
        if found != set(member_ids):
            errors["member_ids"] = [_l("Choose members from the list.")]
    if chair_id is not None and chair_id not in member_ids:
        errors["chair_id"] = [_l("The chair must be one of the members.")]
    group = _apply(session, group, {"name": name, "kind": kind, "business_area_id": business_area_id,
                                    "active": active}, errors)
    current = {m.user_id: m for m in session.exec(select(GroupMember).where(GroupMember.group_id == group.id))}
    for user_id, membership in current.items():
        if user_id not in member_ids:
            session.delete(membership)
    for user_id in member_ids:
        membership = current.get(user_id) or GroupMember(group_id=group.id, user_id=user_id)
        membership.chair = user_id == chair_id
        session.add(membership)
    session.flush()
    return group


def group_members(session: Session, group_ids: list[int]) -> dict[int, list[tuple[User, bool]]]:
    """Members (user, is chair) of each group, in one query."""
    result: dict[int, list[tuple[User, bool]]] = {gid: [] for gid in group_ids}
    if not group_ids:
        return result
    rows = session.exec(select(GroupMember, User).join(User, User.id == GroupMember.user_id)
                        .where(GroupMember.group_id.in_(group_ids)).order_by(User.name))
    for membership, user in rows:
        result[membership.group_id].append((user, membership.chair))
    return result


def groups_of_user(session: Session, user_id: int) -> list[Group]:
    return list(session.exec(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                             .where(GroupMember.user_id == user_id, Group.active.is_(True))
                             .order_by(Group.name)))
