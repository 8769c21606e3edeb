"""The API's action items: list (own organisation for department officials), create on a case,
update status and notes with optimistic locking."""

from datetime import date
from typing import Annotated, Literal

from flask_login import current_user
from flask_openapi3 import Tag
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt
from sqlalchemy import select

from coordination.access import CASE_READERS, allow, can_view_case, case_scope
from coordination.actions import services
from coordination.actions.models import ActionItem
from coordination.api.cases import YEAR_1900_TO_9998, CasePath, StrictId, Text, _find
from coordination.api.problems import Problem, problem
from coordination.api.views import api
from coordination.auth.models import Role
from coordination.cases import services as case_services
from coordination.cases.models import Case
from coordination.db import get_session
from coordination.errors import Conflict, DomainError, NotAllowed
from coordination.web import clock

actions_tag = Tag(name="action items", description="Åtgärder: tasks of one organisation on one case")
ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def _iso_date(value):
    if not isinstance(value, str):
        raise ValueError("give the date as YYYY-MM-DD")
    return value


class ActionOut(BaseModel):
    id: int
    case: str = Field(description="The case's reference")
    organisation: int
    title: str
    description: str
    due_date: date
    status: Literal["planned", "in_progress", "done", "blocked"]
    blocked_reason: str
    overdue: bool
    responsible_user: int | None
    version: int


class ActionList(BaseModel):
    items: list[ActionOut]


class ActionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    status: Literal["planned", "in_progress", "done", "blocked"] | None = None
    overdue: bool = False


class ActionPath(BaseModel):
    id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: StrictId
    title: Text(200, 1)
    due_date: Annotated[date, BeforeValidator(_iso_date), Field(ge=date(1900, 1, 1), le=date(9998, 12, 31),
                                                                json_schema_extra={"pattern": YEAR_1900_TO_9998})]
    description: Text(5000) = ""
    responsible_user: StrictId | None = None


class ActionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["planned", "in_progress", "done", "blocked"] | None = None
    note: Text(5000) = ""
    blocked_reason: Text(1000) = ""
    version: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] | None = Field(
        default=None, description="The version you read; a newer one gives 409")


def _out(rows: list[tuple[ActionItem, str]]) -> list[ActionOut]:
    today = services.today_in_stockholm(clock())
    return [ActionOut(id=a.id, case=ref, organisation=a.organisation_id, title=a.title, description=a.description,
                      due_date=a.due_date, status=a.status, blocked_reason=a.blocked_reason,
                      overdue=a.status != "done" and a.due_date < today, responsible_user=a.responsible_user_id,
                      version=a.version) for a, ref in rows]


@api.get("/actions", tags=[actions_tag], responses={200: ActionList, **ERRORS},
         summary="Action items of the cases you may see (department officials: their organisation's)")
@allow(*CASE_READERS)
def list_actions(query: ActionQuery):
    db = get_session()
    today = services.today_in_stockholm(clock())
    statement = (select(ActionItem, Case.reference).join(Case, Case.id == ActionItem.case_id)
                 .where(case_scope(current_user)))
    if current_user.role == Role.department.value:
        statement = statement.where(ActionItem.organisation_id == current_user.organisation_id)
    if query.organisation:
        statement = statement.where(ActionItem.organisation_id == query.organisation)
    if query.status:
        statement = statement.where(ActionItem.status == query.status)
    if query.overdue:
        statement = statement.where(ActionItem.due_date < today, ActionItem.status != "done")
    rows = db.execute(statement.order_by(ActionItem.due_date, ActionItem.id).limit(500)).all()
    return ActionList(items=_out(rows)).model_dump(mode="json")


@api.post("/cases/<ref>/actions", tags=[actions_tag], responses={201: ActionOut, **ERRORS},
          summary="Create an action item on a case (coordinator, or the owning organisation's officials)")
@allow(Role.coordinator, Role.department)
def create_action(path: CasePath, body: ActionCreate):
    case, error = _find(path.ref)
    if error:
        return error
    db = get_session()
    try:
        action = services.create_action(db, case, actor=current_user, organisation_id=body.organisation,
                                        title=body.title, due_date=body.due_date, description=body.description,
                                        responsible_user_id=body.responsible_user, clock=clock())
    except DomainError as failure:
        db.rollback()
        return problem(failure.status, str(failure.title), str(failure.message),
                       {k: [str(m) for m in v] for k, v in failure.errors.items()})
    db.commit()
    return _out([(action, case.reference)])[0].model_dump(mode="json"), 201


@api.patch("/actions/<int:id>", tags=[actions_tag], responses={200: ActionOut, **ERRORS},
           summary="Update an action item's status and/or add a progress note")
@allow(Role.coordinator, Role.department)
def update_action(path: ActionPath, body: ActionPatch):
    db = get_session()
    action = db.get(ActionItem, path.id)
    case = db.get(Case, action.case_id) if action else None
    if action is None or not can_view_case(current_user, level=case.level,
                                           organisation_ids=case_services.case_organisation_ids(db, case.id)) \
            and not services.may_edit(current_user, action):
        return problem(404, "Not found", f"There is no action item {path.id} that you may see.")
    try:
        services.update_action(db, action, services.ActionChange(status=body.status, note=body.note,
                                                                 blocked_reason=body.blocked_reason),
                               actor=current_user, clock=clock(), expected_version=body.version)
    except Conflict as failure:
        db.rollback()
        db.refresh(action)
        return problem(409, str(failure.title), str(failure.message),
                       {"version": [f"current version: {action.version}"],
                        "current": [f"status={action.status}; due_date={action.due_date.isoformat()}"]})
    except NotAllowed as failure:
        db.rollback()
        return problem(403, str(failure.title), str(failure.message))
    except DomainError as failure:
        db.rollback()
        return problem(failure.status, str(failure.title), str(failure.message),
                       {k: [str(m) for m in v] for k, v in failure.errors.items()})
    db.commit()
    return _out([(action, case.reference)])[0].model_dump(mode="json")
