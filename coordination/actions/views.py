"""Action items (update in one step from the list, create on a case) and planned changes."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import reflists
from coordination.access import allow, can_view_case, ensure
from coordination.actions import services
from coordination.actions.forms import (
    NewActionForm,
    PlannedChangeForm,
    UpdateActionForm,
)
from coordination.actions.models import ActionItem
from coordination.auth.models import Role
from coordination.cases import services as case_services
from coordination.cases.models import Case
from coordination.db import get_session
from coordination.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from coordination.forms import apply_errors, small_int
from coordination.organisations.services import list_business_areas, list_organisations
from coordination.web import clock

bp = Blueprint("actions", __name__)


def _back_to(default: str) -> str:
    from coordination.access import safe_next

    return safe_next(request.form.get("next"), default)


@bp.route("/atgarder/<int:action_id>", methods=["POST"])
@allow(Role.coordinator, Role.department)
def update(action_id: int):
    db = get_session()
    action = db.get(ActionItem, action_id)
    if action is None:
        abort(404)
    ensure(services.may_edit(current_user, action))
    form = UpdateActionForm()
    back = _back_to(url_for("home.index"))
    if not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
        return redirect(back)
    version = small_int(form.version.data)
    try:
        services.update_action(db, action, services.ActionChange(status=form.status.data, note=form.note.data or "",
                                                                 blocked_reason=form.blocked_reason.data or ""),
                               actor=current_user, clock=clock(), expected_version=version)
    except Conflict as error:
        db.rollback()
        db.refresh(action)
        # Show the newer values, and what this person wrote so nothing they typed is lost.
        return render_template("actions/conflict.html", action=action, message=str(error.message),
                               mine=form, back=back), 409
    except DomainError as error:
        db.rollback()
        flash(" ".join([str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]), "error")
        return redirect(back)
    db.commit()
    flash(_("The action item was updated."), "success")
    return redirect(back)


@bp.route("/arenden/<slug>/atgarder", methods=["POST"])
@allow(Role.coordinator, Role.department)
def create(slug: str):
    db = get_session()
    reference = case_services.reference_from_slug(slug)
    if reference is None:
        abort(404)
    try:
        case = case_services.get_case(db, reference)
    except DomainError:
        abort(404)
    ensure(can_view_case(current_user, level=case.level,
                         organisation_ids=case_services.case_organisation_ids(db, case.id)))
    form = NewActionForm()
    fill_new_action_choices(db, form)
    if form.validate():
        try:
            services.create_action(db, case, actor=current_user, organisation_id=form.organisation_id.data,
                                   title=form.title.data, due_date=form.due_date.data,
                                   description=form.description.data or "",
                                   responsible_user_id=form.responsible_user_id.data,
                                   work_group_id=form.work_group_id.data, clock=clock())
            db.commit()
            flash(_("The action item was added."), "success")
            return redirect(url_for("cases.show", slug=slug, _anchor="actions"))
        except NotAllowed:
            db.rollback()
            abort(403)
        except ValidationFailed as error:
            db.rollback()
            apply_errors(form, error, fallback=form.title)
    # The case page again, with the form as it was filled in and its messages.
    from coordination.cases.forms import CommentForm, LinkForm, MergeForm
    from coordination.cases.views import _case_page

    context = _case_page(db, db.get(Case, case.id))
    context["action_form"] = form
    return render_template("cases/show.html", **context, comment_form=CommentForm(formdata=None),
                           link_form=LinkForm(formdata=None), merge_form=MergeForm(formdata=None),
                           open_actions_form=True), 400


def fill_new_action_choices(db, form: NewActionForm) -> None:
    orgs = reflists.organisations(db, active_only=True)
    if current_user.role == Role.department.value:
        orgs = [o for o in orgs if o.id == current_user.organisation_id]
    form.organisation_id.choices = [("", _("Choose"))] + [(o.id, o.name) for o in orgs]
    people = reflists.people(db, [o.id for o in orgs])
    form.responsible_user_id.choices = [("", _("– none –"))] + [(u.id, u.name) for u in people]
    form.work_group_id.choices = [("", _("– none –"))] + list(reflists.work_groups(db))


@bp.route("/planerade-forandringar", methods=["GET", "POST"])
@allow(Role.coordinator, Role.department, Role.steering)
def planned_changes():
    db = get_session()
    form = PlannedChangeForm()
    orgs = list_organisations(db, active_only=True)
    if current_user.role == Role.department.value:
        orgs = [o for o in orgs if o.id == current_user.organisation_id]
    form.organisation_id.choices = [("", _("Choose"))] + [(o.id, o.name) for o in orgs]
    form.business_area_id.choices = [("", _("Not tied to one area"))] + [
        (a.id, a.name) for a in list_business_areas(db, active_only=True)]
    if request.method == "GET" and current_user.organisation_id:
        form.organisation_id.data = current_user.organisation_id
    status = 200
    if request.method == "POST":
        ensure(current_user.role in (Role.coordinator.value, Role.department.value))
        if form.validate():
            try:
                services.report_change(db, actor=current_user, organisation_id=form.organisation_id.data,
                                       business_area_id=form.business_area_id.data, title=form.title.data,
                                       description=form.description.data or "", starts_on=form.starts_on.data,
                                       ends_on=form.ends_on.data, contact=form.contact.data or "", clock=clock())
                db.commit()
                flash(_("The planned change was reported; it will be on the next coordination-group agenda."),
                      "success")
                return redirect(url_for("actions.planned_changes"))
            except NotAllowed:
                db.rollback()
                abort(403)
            except ValidationFailed as error:
                db.rollback()
                apply_errors(form, error, fallback=form.title)
        status = 400
    return render_template("actions/planned_changes.html", form=form, rows=services.planned_changes(db)), status
