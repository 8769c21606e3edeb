"""Each role's start page, and the pages of an organisation and of a case."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlmodel import select

from coordination.access import CASE_READERS, allow, can_view_case, can_view_organisation, ensure
from coordination.auth.models import Role, User
from coordination.cases import services as case_services
from coordination.cases.models import CaseEvent
from coordination.db import get_session
from coordination.errors import NotFound
from coordination.organisations import services as org_services
from coordination.organisations.models import BusinessArea, FocusArea, Organisation
from coordination.web import clock as _clock
from coordination.web import working_days as _working_days

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(public=True)
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    session = get_session()
    clock, days = _clock(), _working_days()
    role = current_user.role
    groups = org_services.groups_of_user(session, current_user.id)
    organisation = session.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    if role == Role.coordinator.value:
        rows = case_services.latest_open_cases(session, clock=clock, working_days=days)
        return render_template("home/coordinator.html", summary=case_services.queue_summary(
            session, clock=clock, working_days=days), rows=rows, groups=groups, organisation=organisation,
            org_names=case_services.organisation_names(session, [r.case.id for r in rows]))
    if role == Role.department.value:
        rows = case_services.open_cases_for_organisation(session, current_user.organisation_id, clock=clock,
                                                         working_days=days)
        return render_template("home/department.html", rows=rows, groups=groups, organisation=organisation,
                               org_names=case_services.organisation_names(session, [r.case.id for r in rows]))
    if role == Role.steering.value:
        rows = case_services.open_cases_at_level(session, 3, clock=clock, working_days=days)
        return render_template("home/steering.html", rows=rows, groups=groups, organisation=organisation,
                               org_names=case_services.organisation_names(session, [r.case.id for r in rows]))
    return redirect(url_for("admin.index"))


@bp.route("/organisationer/<int:organisation_id>")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def organisation(organisation_id: int):
    session = get_session()
    org = session.get(Organisation, organisation_id)
    if org is None:
        abort(404)
    ensure(can_view_organisation(current_user, org.id))
    members = list(session.exec(select(User).where(User.organisation_id == org.id, User.active.is_(True))
                                .order_by(User.name)))
    rows = []
    if current_user.role in CASE_READERS and current_user.role != Role.steering.value:
        rows = case_services.open_cases_for_organisation(session, org.id, clock=_clock(),
                                                         working_days=_working_days())
    return render_template("organisations/show.html", organisation=org, members=members, rows=rows)


@bp.route("/arenden/<slug>")
@allow(*CASE_READERS)
def case(slug: str):
    session = get_session()
    reference = case_services.reference_from_slug(slug)
    if reference is None:
        abort(404)
    try:
        found = case_services.get_case(session, reference)
    except NotFound:
        abort(404)
    org_ids = case_services.case_organisation_ids(session, found.id)
    ensure(can_view_case(current_user, level=found.level, organisation_ids=org_ids))
    organisations = list(session.exec(select(Organisation).where(Organisation.id.in_(org_ids))
                                      .order_by(Organisation.name))) if org_ids else []
    events = session.exec(select(CaseEvent, User.name).outerjoin(User, User.id == CaseEvent.actor_user_id)
                          .where(CaseEvent.case_id == found.id)
                          .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()
    area = session.get(BusinessArea, found.business_area_id) if found.business_area_id else None
    focus = session.get(FocusArea, found.focus_area_id) if found.focus_area_id else None
    return render_template("cases/show.html", case=found, organisations=organisations, events=events,
                           business_area=area, focus_area=focus,
                           age=_working_days().between(found.received_at, _clock().now()))
