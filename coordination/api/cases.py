"""The API's cases: list (the queue's filters), read with history, create (coordinator), triage."""

from datetime import date, datetime
from typing import Annotated, Literal

from flask import current_app
from flask_login import current_user
from flask_openapi3 import Tag
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)
from sqlmodel import select

from coordination.access import CASE_READERS, allow, can_view_case, case_scope, scope_organisation
from coordination.api.problems import Problem, problem
from coordination.api.views import api
from coordination.audit import recording as audit
from coordination.auth.models import Role, User
from coordination.cases import services
from coordination.cases.intake import Submission, submit_case
from coordination.cases.models import Case, CaseEvent, CaseOrganisation, CaseStatus
from coordination.cases.orgnr import (
    InvalidOrganisationNumber,
    normalise_organisation_number,
)
from coordination.cases.queue import SORTS, QueueFilters, list_cases
from coordination.db import get_session
from coordination.errors import Conflict, DomainError
from coordination.routing.engine import run_on_change
from coordination.web import clock, working_days

cases_tag = Tag(name="cases", description="Cases (ärenden): the queue, history and triage")
CASE_ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def _text_only(value):
    """Strict dates: a JSON number or boolean is not a time."""
    if not isinstance(value, str):
        raise ValueError("give the time as an ISO 8601 string with a time zone, e.g. 2026-11-23T09:30:00+01:00")
    return value


def _no_controls(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters such as NUL")
    return value


# What the validators refuse, said in the document too, so that a request the document allows is
# accepted (JSON Schema has no other way to say "no control characters" or "years 1900–9998").
NO_CONTROLS = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F]*$"
YEAR_1900_TO_9998 = r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - a type factory
    return Annotated[str, Field(min_length=min_length, max_length=max_length,
                                json_schema_extra={"pattern": NO_CONTROLS}), AfterValidator(_no_controls)]


def _plausible(value: datetime) -> datetime:
    if not 1900 <= value.year <= 9998:
        raise ValueError("give a time between the years 1900 and 9998")
    return value


IsoTime = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_plausible),
                    Field(json_schema_extra={"pattern": YEAR_1900_TO_9998})]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
StrictId = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9998, 12, 31),
                            json_schema_extra={"pattern": YEAR_1900_TO_9998})]
Text200 = Text(200, 1)


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor: str | None = Field(description="The person who acted, or null when a rule or the system did")
    rule: str | None = Field(description="The rule's code, e.g. R2, when a rule acted")
    from_level: int | None
    to_level: int | None
    reason: str
    facts: dict


class CaseOut(BaseModel):
    reference: str
    title: str
    description: str
    source: str
    received_at: datetime
    status: str
    level: int | None
    business_area: int | None
    focus_area: int | None
    category: str | None
    organisations: list[int]
    priority: str
    major_significance: bool
    needs_department_head_decision: bool
    needs_political_decision: bool
    estimated_cost_sek: int | None
    prepared_for_committee: bool
    referred_to_committee: bool
    overdue: bool
    company_name: str
    organisation_number: str | None
    contact_name: str | None = Field(description="Only for coordinators")
    contact_email: str | None = Field(description="Only for coordinators")
    contact_phone: str | None = Field(description="Only for coordinators")
    location: str
    merged_into: str | None
    history: list[EventOut] | None = Field(default=None, description="Newest first; only on a single case")


class CaseList(BaseModel):
    items: list[CaseOut]
    total: int
    page: int
    pages: int


class CaseQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "new", "triaged", "in_progress", "decided", "closed"] | None = "open"
    level: Annotated[int, Field(ge=0, le=3, description="0: not triaged")] | None = None
    business_area: Id | None = None
    focus_area: Annotated[int, Field(ge=1, le=4)] | None = None
    organisation: Id | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    overdue: bool = False
    source: Literal["web", "phone", "email", "meeting", "outreach", "internal"] | None = None
    received_from: Day | None = None
    received_to: Day | None = None
    q: Text(200) = ""
    sort: Literal[tuple(SORTS)] = "received_asc"  # type: ignore[valid-type]
    page: Annotated[int, Field(ge=1, le=100000)] = 1
    page_size: Annotated[int, Field(ge=1, le=200)] = 50


class CasePath(BaseModel):
    ref: Annotated[str, Field(description="The reference as in URLs: SBR-2026-0042", max_length=30)]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text200
    description: Text(5000, 1)
    source: Literal["web", "phone", "email", "meeting", "outreach", "internal"]
    received_at: IsoTime
    business_area: StrictId | None = None
    company_name: Text(200) = ""
    organisation_number: Text(20) | None = None
    contact_name: Text(200) = ""
    contact_email: Text(254) = ""
    contact_phone: Text(40) = ""
    location: Text(300) = ""


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    business_area: StrictId
    focus_area: Annotated[StrictInt, Field(ge=1, le=4)]
    category: Literal["safety", "maintenance", "traffic", "planning", "land", "permits", "skills", "other"]
    organisations: list[StrictId] = Field(default_factory=list, max_length=50)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    major_significance: StrictBool = False
    needs_department_head_decision: StrictBool = False
    needs_political_decision: StrictBool = False
    estimated_cost_sek: Annotated[StrictInt, Field(ge=0, le=10 ** 12)] | None = None
    level: Annotated[StrictInt, Field(ge=1, le=3)] = 1
    version: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] | None = Field(
        default=None, description="The case's version you read; a newer one gives 409")


def _out(cases: list[Case], *, with_history: bool = False) -> list[CaseOut]:
    """Serialise cases in a fixed number of queries (organisations, merges, history)."""
    db = get_session()
    ids = [c.id for c in cases]
    org_ids: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for case_id, org_id in db.exec(select(CaseOrganisation.case_id, CaseOrganisation.organisation_id)
                                       .where(CaseOrganisation.case_id.in_(ids))
                                       .order_by(CaseOrganisation.organisation_id)):
            org_ids[case_id].append(org_id)
    merged_ids = {c.merged_into_id for c in cases if c.merged_into_id}
    merged_refs = dict(db.exec(select(Case.id, Case.reference).where(Case.id.in_(merged_ids))).all()) \
        if merged_ids else {}
    history: dict[int, list[EventOut]] = {i: [] for i in ids}
    if with_history and ids:
        for event, actor in db.exec(select(CaseEvent, User.name).outerjoin(User, User.id == CaseEvent.actor_user_id)
                                    .where(CaseEvent.case_id.in_(ids))
                                    .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())):
            history[event.case_id].append(EventOut(at=event.at, kind=event.kind, actor=actor, rule=event.rule,
                                                   from_level=event.from_level, to_level=event.to_level,
                                                   reason=event.reason, facts=event.facts or {}))
    now = clock().now()
    contacts = current_user.role == Role.coordinator.value
    result = []
    for c in cases:
        overdue = c.overdue or (c.status == CaseStatus.new.value
                                and working_days().is_overdue(c.received_at, services.TRIAGE_DAYS, now))
        result.append(CaseOut(
            reference=c.reference, title=c.title, description=c.description, source=c.source,
            received_at=c.received_at, status=c.status, level=c.level, business_area=c.business_area_id,
            focus_area=c.focus_area_id, category=c.category, organisations=org_ids[c.id], priority=c.priority,
            major_significance=c.major_significance, needs_department_head_decision=c.needs_department_head_decision,
            needs_political_decision=c.needs_political_decision, estimated_cost_sek=c.estimated_cost_sek,
            prepared_for_committee=c.prepared_for_committee, referred_to_committee=c.referred_to_committee,
            overdue=overdue, company_name=c.company_name, organisation_number=c.organisation_number,
            contact_name=c.contact_name if contacts else None, contact_email=c.contact_email if contacts else None,
            contact_phone=c.contact_phone if contacts else None, location=c.location,
            merged_into=merged_refs.get(c.merged_into_id), history=history[c.id] if with_history else None))
    return result


# The services' field names, as the API calls them.
API_FIELDS = {"business_area_id": "business_area", "focus_area_id": "focus_area", "organisation_ids": "organisations",
              "estimated_cost_sek": "estimated_cost_sek"}


def _domain_problem(error: DomainError):
    return problem(error.status, str(error.title), str(error.message),
                   {API_FIELDS.get(k, k): [str(m) for m in v] for k, v in error.errors.items()})


def _find(ref: str):
    """(case, None) or (None, problem response) for a reference in URL form."""
    reference = services.reference_from_slug(ref) or services.parse_reference(ref)
    db = get_session()
    case = db.exec(select(Case).where(Case.reference == reference)).first() if reference else None
    if case is None or not can_view_case(current_user, level=case.level,
                                         organisation_ids=services.case_organisation_ids(db, case.id)):
        # The same answer for "does not exist" and "not yours": references are guessable.
        return None, problem(404, "Not found", f"There is no case {ref} that you may see.")
    return case, None


@api.get("/cases", tags=[cases_tag], responses={200: CaseList, 422: Problem},
         summary="Cases you may see, filtered like the queue, one page at a time")
@allow(*CASE_READERS)
def list_cases_api(query: CaseQuery):
    filters = QueueFilters(status=None if query.status is None else query.status, level=query.level,
                           business_area_id=query.business_area, focus_area_id=query.focus_area,
                           organisation_id=query.organisation, priority=query.priority, overdue=query.overdue,
                           source=query.source, received_from=query.received_from, received_to=query.received_to,
                           q=query.q, sort=query.sort, page=query.page, page_size=query.page_size)
    page = list_cases(get_session(), filters, scope=case_scope(current_user), clock=clock(),
                      working_days=working_days(), scope_organisation_id=scope_organisation(current_user))
    answer = CaseList(items=_out([r.case for r in page.rows]), total=page.total, page=page.page,
                      pages=page.pages).model_dump(mode="json")
    _contacts_read([r.case for r in page.rows], "GET /api/v1/cases")
    return answer


@api.get("/cases/<ref>", tags=[cases_tag], responses={200: CaseOut, **CASE_ERRORS},
         summary="One case with its history")
@allow(*CASE_READERS)
def get_case_api(path: CasePath):
    case, error = _find(path.ref)
    if error:
        return error
    answer = _out([case], with_history=True)[0].model_dump(mode="json")
    _contacts_read([case], "GET /api/v1/cases/{ref}")
    return answer


def _contacts_read(cases, via: str) -> None:
    """The audit log's entry for contact details in an answer (coordinators get them)."""
    if current_user.role == Role.coordinator.value:
        audit.contact_details_read(cases, via=via)


@api.post("/cases", tags=[cases_tag], responses={201: CaseOut, **CASE_ERRORS},
          summary="Register a case (coordinator), e.g. one that came by phone")
@allow(Role.coordinator)
def create_case_api(body: CaseCreate):
    from coordination.intake.views import attachment_store, status_url

    db = get_session()
    number = None
    if body.organisation_number:
        try:
            number = normalise_organisation_number(body.organisation_number)
        except InvalidOrganisationNumber:
            return problem(422, "The input needs correcting", "Check the organisation number.",
                           {"organisation_number": ["10 digits with a valid check digit, e.g. 556677-8899"]})
    submission = Submission(
        submitter=services.Submitter(company_name=body.company_name, organisation_number=number,
                                     contact_name=body.contact_name, contact_email=body.contact_email,
                                     contact_phone=body.contact_phone, location=body.location),
        business_area_id=body.business_area, title=body.title, description=body.description)
    try:
        case, _token = submit_case(db, submission, [], store=attachment_store(), clock=clock(), status_url=status_url,
                                   source=body.source, received_at=body.received_at, actor_user_id=current_user.id)
    except DomainError as error:
        db.rollback()
        return _domain_problem(error)
    db.commit()
    return _out([case], with_history=True)[0].model_dump(mode="json"), 201


@api.post("/cases/<ref>/triage", tags=[cases_tag], responses={200: CaseOut, **CASE_ERRORS},
          summary="Triage a case: area, focus area, category, organisations, flags, starting level")
@allow(Role.coordinator)
def triage_case_api(path: CasePath, body: TriageIn):
    case, error = _find(path.ref)
    if error:
        return error
    db = get_session()
    data = services.TriageInput(
        business_area_id=body.business_area, focus_area_id=body.focus_area, category=body.category,
        organisation_ids=body.organisations, priority=body.priority, major_significance=body.major_significance,
        needs_department_head_decision=body.needs_department_head_decision,
        needs_political_decision=body.needs_political_decision, estimated_cost_sek=body.estimated_cost_sek,
        level=body.level)
    try:
        services.triage_case(db, case, data, actor_user_id=current_user.id, clock=clock(),
                             expected_version=body.version)
        run_on_change(db, case.id, clock=clock(), working_days=working_days(), base_url=current_app.config["BASE_URL"])
    except Conflict as error:
        db.rollback()
        return problem(409, str(error.title), str(error.message), {"version": [f"current version: {case.version}"]})
    except DomainError as error:
        db.rollback()
        return _domain_problem(error)
    db.commit()
    return _out([case], with_history=True)[0].model_dump(mode="json")
