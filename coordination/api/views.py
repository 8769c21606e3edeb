"""The JSON API under /api/v1. Bearer tokens only; the same role and organisation rules as
the web pages (coordination.access); every error a problem object."""

from flask import current_app
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from coordination.access import allow
from coordination.api.problems import Problem
from coordination.db import get_session
from coordination.organisations import services as org_services
from coordination.organisations.models import Organisation

BEARER = {"bearer": []}
PROBLEM_RESPONSES = {401: Problem, 403: Problem, 422: Problem}

api = APIBlueprint("api", __name__, url_prefix="/api/v1", abp_security=[BEARER],
                   abp_responses=PROBLEM_RESPONSES)
meta_tag = Tag(name="meta", description="The API itself and the caller")
reference_tag = Tag(name="reference data", description="Organisations and business areas")


class OrganisationOut(BaseModel):
    id: int
    name: str
    short_name: str
    kind: str = Field(description="department, company, district or external")
    active: bool


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str = Field(description="coordinator, department, steering or admin")
    organisation: OrganisationOut | None
    locale: str | None


class OrganisationList(BaseModel):
    items: list[OrganisationOut]


class BusinessAreaOut(BaseModel):
    id: int
    name: str
    description: str
    committee_id: int | None
    active: bool


class BusinessAreaList(BaseModel):
    items: list[BusinessAreaOut]


def _organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(id=org.id, name=org.name, short_name=org.short_name, kind=org.kind, active=org.active)


@api.get("/me", tags=[meta_tag], responses={200: MeOut}, summary="The caller's own account")
@allow()
def me():
    session = get_session()
    org = session.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    return MeOut(id=current_user.id, email=current_user.email, name=current_user.name, role=current_user.role,
                 organisation=_organisation_out(org) if org else None, locale=current_user.locale).model_dump()


@api.get("/organisations", tags=[reference_tag], responses={200: OrganisationList},
         summary="Organisations (förvaltningar, bolag, stadsdelsförvaltningar, partners)")
@allow()
def organisations():
    rows = org_services.list_organisations(get_session())
    return OrganisationList(items=[_organisation_out(o) for o in rows]).model_dump()


@api.get("/business-areas", tags=[reference_tag], responses={200: BusinessAreaList},
         summary="Business areas (verksamhetsområden)")
@allow()
def business_areas():
    rows = org_services.list_business_areas(get_session())
    return BusinessAreaList(items=[BusinessAreaOut(id=a.id, name=a.name, description=a.description,
                                                   committee_id=a.committee_id, active=a.active)
                                   for a in rows]).model_dump()


def openapi_document():
    return current_app.api_doc
