"""Factories: each builds one valid row with sensible defaults, flushes, and returns it.
Tests say what matters to them through keyword arguments."""

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session

from coordination.auth.models import Role, User
from coordination.auth.services import create_user
from coordination.cases.models import Case, CaseOrganisation, CaseStatus
from coordination.cases.services import register_case
from coordination.clock import FixedClock
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    Group,
    GroupKind,
    GroupMember,
    Organisation,
)

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def organisation(session: Session, **values) -> Organisation:
    n = next(_seq)
    row = Organisation(**{"name": f"Förvaltning {n}", "short_name": f"F{n}", "kind": "department", **values})
    session.add(row)
    session.flush()
    return row


def committee(session: Session, **values) -> Committee:
    row = Committee(**{"name": f"Nämnd {next(_seq)}", **values})
    session.add(row)
    session.flush()
    return row


def business_area(session: Session, **values) -> BusinessArea:
    row = BusinessArea(**{"name": f"Verksamhetsområde {next(_seq)}", "description": "", **values})
    session.add(row)
    session.flush()
    return row


def user(session: Session, role: Role | str = Role.coordinator, organisation_id: int | None = None,
         **values) -> User:
    role = Role(role).value
    if organisation_id is None and role != Role.admin.value:
        organisation_id = organisation(session).id
    n = next(_seq)
    return create_user(session, email=values.pop("email", f"user{n}@example.se"),
                       name=values.pop("name", f"Användare {n}"), role=role, organisation_id=organisation_id,
                       password=values.pop("password", PASSWORD), **values)


def group(session: Session, kind: GroupKind | str = GroupKind.coordination_group, members=(), **values) -> Group:
    row = Group(**{"name": f"Grupp {next(_seq)}", "kind": GroupKind(kind).value, **values})
    session.add(row)
    session.flush()
    for member in members:
        session.add(GroupMember(group_id=row.id, user_id=member.id))
    session.flush()
    return row


def case(session: Session, *, clock: FixedClock, received_at: datetime | None = None, level: int | None = None,
         organisations=(), status: str | None = None, **values) -> Case:
    row = register_case(session, title=values.pop("title", f"Ärende {next(_seq)}"),
                        description=values.pop("description", "Beskrivning"), source=values.pop("source", "web"),
                        received_at=received_at or clock.now() - timedelta(hours=1), clock=clock, **values)
    if level is not None:
        row.level = level
        row.status = status or CaseStatus.triaged.value
    elif status:
        row.status = status
    session.add(row)
    for org in organisations:
        session.add(CaseOrganisation(case_id=row.id, organisation_id=org.id))
    session.flush()
    return row
