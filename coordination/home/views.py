"""Each role's start page and the page of an organisation."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from coordination.access import allow, can_view_organisation, case_scope, ensure, scope_organisation
from coordination.auth.models import Role, User
from coordination.cases import services as case_services
from coordination.cases.queue import QueueFilters, list_cases
from coordination.db import get_session
from coordination.organisations import services as org_services
from coordination.organisations.models import Organisation
from coordination.pagecache import cached_page
from coordination.web import clock, working_days

bp = Blueprint("home", __name__)


def _cases(filters: QueueFilters):
    return list_cases(get_session(), filters, scope=case_scope(current_user), clock=clock(),
                      working_days=working_days(), scope_organisation_id=scope_organisation(current_user),
                      whole_cases=False)


# Action items on a department's start page at a time, overdue first (each has its update form).
ACTIONS_PER_PAGE = 25


@bp.route("/")
@allow(public=True)
@cached_page
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
        from coordination.dashboard.services import recent_dashboard
        from coordination.dashboard.views import figures

        dash = recent_dashboard(session, store=current_app.extensions.setdefault("dashboards", {}),
                                key=(role, current_user.organisation_id),
                                max_age=timedelta(seconds=current_app.config["DASHBOARD_MAX_AGE_SECONDS"]),
                                clock=clock(), working_days=working_days(), scope=case_scope(current_user))
        charts = {"dash": dash, "fig": figures(dash)}
    if role == Role.coordinator.value:
        return render_template("home/coordinator.html", groups=groups, organisation=organisation, **charts,
                               summary=case_services.queue_summary(session, clock=clock(),
                                                                   working_days=working_days()),
                               page=_cases(QueueFilters(sort="received_desc", page_size=20)))
    if role == Role.department.value:
        from coordination.actions.services import (
            count_open_actions,
            open_actions,
            today_in_stockholm,
        )

        today = today_in_stockholm(clock())
        total = count_open_actions(session, organisation_id=current_user.organisation_id, today=today)
        pages = max(1, -(-total // ACTIONS_PER_PAGE))
        page = min(max(request.args.get("atgarder", 1, type=int), 1), pages)
        return render_template("home/department.html", groups=groups, organisation=organisation,
                               page=_cases(QueueFilters(sort="received_desc")),
                               actions=open_actions(session, organisation_id=current_user.organisation_id, today=today,
                                                    limit=ACTIONS_PER_PAGE, offset=(page - 1) * ACTIONS_PER_PAGE),
                               actions_page={"page": page, "pages": pages, "total": total,
                                             "first": (page - 1) * ACTIONS_PER_PAGE + 1})
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
