"""Each role's start page and the page of an organisation."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlmodel import select

from coordination.access import allow, can_view_organisation, case_scope, ensure
from coordination.auth.models import Role, User
from coordination.cases import services as case_services
from coordination.cases.queue import QueueFilters, list_cases
from coordination.db import get_session
from coordination.organisations import services as org_services
from coordination.organisations.models import Organisation
from coordination.web import clock, working_days

bp = Blueprint("home", __name__)


def _cases(filters: QueueFilters):
    return list_cases(get_session(), filters, scope=case_scope(current_user), clock=clock(),
                      working_days=working_days())


@bp.route("/")
@allow(public=True)
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    session = get_session()
    role = current_user.role
    if role == Role.admin.value:
        return redirect(url_for("admin.index"))
    groups = org_services.groups_of_user(session, current_user.id)
    organisation = session.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    if role in (Role.coordinator.value, Role.steering.value):
        from coordination.dashboard.services import dashboard
        from coordination.dashboard.views import figures

        dash = dashboard(session, clock=clock(), working_days=working_days(), scope=case_scope(current_user))
        charts = {"dash": dash, "fig": figures(dash)}
    if role == Role.coordinator.value:
        return render_template("home/coordinator.html", groups=groups, organisation=organisation, **charts,
                               summary=case_services.queue_summary(session, clock=clock(),
                                                                   working_days=working_days()),
                               page=_cases(QueueFilters(sort="received_desc", page_size=20)))
    if role == Role.department.value:
        from coordination.actions.services import open_actions, today_in_stockholm

        return render_template("home/department.html", groups=groups, organisation=organisation,
                               page=_cases(QueueFilters(sort="received_desc")),
                               actions=open_actions(session, organisation_id=current_user.organisation_id,
                                                    today=today_in_stockholm(clock())))
    return render_template("home/steering.html", groups=groups, organisation=organisation, **charts,
                           page=_cases(QueueFilters(level=3, sort="received_desc")))


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
    page = None
    if current_user.role in (Role.coordinator.value, Role.department.value):
        page = _cases(QueueFilters(organisation_id=org.id, sort="received_desc"))
    return render_template("organisations/show.html", organisation=org, members=members, page=page)
