"""Admin pages for the reference data: one list/create/edit/deactivate set of views per
resource, configured below; the rules live in the services they call."""

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from coordination.access import allow
from coordination.admin import forms
from coordination.audit import recording as audit
from coordination.audit import services as audit_services
from coordination.auth import services as auth_services
from coordination.auth import totp
from coordination.auth.models import Role, User
from coordination.db import get_session
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.meetings.models import MeetingSeries
from coordination.organisations import services as org_services
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    Group,
    Organisation,
)
from coordination.system.models import JobHeartbeat

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _options(rows, current=None, label=lambda r: r.name, empty: bool = True):
    """Choices of the active rows, and of the value already chosen even if since deactivated,
    so that editing a row does not silently drop its link."""
    choices = [(r.id, label(r)) for r in rows if r.active or r.id == current]
    return ([("", _("– none –"))] + choices) if empty else choices


@dataclass
class Resource:
    key: str
    audit_type: str  # the object type in the audit log
    path: str
    plural: Any
    singular: Any
    model: type[SQLModel]
    form: type
    new_form: type | None
    columns: list[tuple[Any, Callable]]
    fill_choices: Callable[[Session, Any], None]
    save: Callable[[Session, Any, Any], SQLModel]
    initial: Callable[[Session, Any], dict] = field(default=lambda s, obj: {})
    order_by: Any = None
    lookups: Callable[[Session], dict] = field(default=lambda s: {})


# --- per-resource configuration ---------------------------------------------------------------

def _user_choices(session, form):
    form.organisation_id.choices = _options(org_services.list_organisations(session), form.organisation_id.data)


def _save_user(session, obj, form):
    if obj is None:
        return auth_services.create_user(session, email=form.email.data, name=form.name.data,
                                         role=form.role.data, organisation_id=form.organisation_id.data,
                                         password=form.password.data)
    return auth_services.update_user(session, obj, email=form.email.data, name=form.name.data,
                                     role=form.role.data, organisation_id=form.organisation_id.data,
                                     active=obj.active, password=form.password.data or None)


def _save_organisation(session, obj, form):
    return org_services.save_organisation(session, obj, name=form.name.data, short_name=form.short_name.data,
                                          kind=form.kind.data, email=form.email.data,
                                          active=obj.active if obj else True,
                                          reminder_before_days=_or(form.reminder_before_days.data, 3),
                                          reminder_pace_days=_or(form.reminder_pace_days.data, 5))


def _or(value, default):
    return default if value is None else value


def _committee_choices(session, form):
    form.organisation_id.choices = _options(org_services.list_organisations(session), form.organisation_id.data)


def _save_committee(session, obj, form):
    return org_services.save_committee(session, obj, name=form.name.data,
                                       organisation_id=form.organisation_id.data,
                                       active=obj.active if obj else True)


def _area_choices(session, form):
    form.committee_id.choices = _options(org_services.list_committees(session), form.committee_id.data)


def _save_area(session, obj, form):
    return org_services.save_business_area(session, obj, name=form.name.data,
                                           description=form.description.data or "",
                                           committee_id=form.committee_id.data,
                                           active=obj.active if obj else True)


def _group_choices(session, form):
    current = set(form.member_ids.data or []) | {form.chair_id.data}
    users = [u for u in session.exec(select(User).order_by(User.name)) if u.active or u.id in current]
    form.business_area_id.choices = _options(org_services.list_business_areas(session), form.business_area_id.data)
    form.member_ids.choices = [(u.id, f"{u.name} ({u.email})") for u in users]
    form.chair_id.choices = _options(users, form.chair_id.data)


def _save_group(session, obj, form):
    return org_services.save_group(session, obj, name=form.name.data, kind=form.kind.data,
                                   business_area_id=form.business_area_id.data,
                                   member_ids=form.member_ids.data or [], chair_id=form.chair_id.data,
                                   active=obj.active if obj else True)


def _group_initial(session, group):
    members = org_services.group_members(session, [group.id])[group.id]
    chair = next((u.id for u, is_chair in members if is_chair), None)
    return {"member_ids": [u.id for u, _c in members], "chair_id": chair}


def _names(model):
    return lambda session: {row.id: row.name for row in session.exec(select(model))}


def _label(mapping):
    return lambda value: str(mapping.get(value, value))


def _series_choices(session, form):
    groups = list(session.exec(select(Group).order_by(Group.name)))
    form.group_id.choices = _options(groups, form.group_id.data)


def _save_series(session, obj, form):
    from coordination.meetings.services import save_series
    from coordination.web import clock

    return save_series(session, obj, name=form.name.data, group_id=form.group_id.data, rrule=form.rrule.data or "",
                       first_date=form.first_date.data, dates_text=form.dates.data or "",
                       start_time=form.start_time.data, end_time=form.end_time.data, place=form.place.data or "",
                       video_link=form.video_link.data or "", lead_time_days=form.lead_time_days.data,
                       active=obj.active if obj else True, clock=clock())


def _series_initial(session, series):
    from datetime import date as date_type

    return {"dates": "\n".join(series.dates or []),
            "first_date": date_type.fromisoformat(series.first_date) if series.first_date else None}


def _series_form():
    from coordination.meetings.forms import SeriesForm

    return SeriesForm


RESOURCES = [
    Resource(
        key="users", path="anvandare", plural=_l("Users"), singular=_l("user"), model=User,
        form=forms.UserForm, new_form=forms.NewUserForm, audit_type="user",
        columns=[(_l("Name"), lambda r, l: r.name), (_l("E-mail address"), lambda r, l: r.email),
                 (_l("Role"), lambda r, l: _label(forms.ROLE_LABELS)(r.role)),
                 (_l("Organisation"), lambda r, l: l.get(r.organisation_id, ""))],
        fill_choices=_user_choices, save=_save_user, order_by=User.name, lookups=_names(Organisation)),
    Resource(
        key="organisations", path="organisationer", plural=_l("Organisations"), singular=_l("organisation"),
        model=Organisation, form=forms.OrganisationForm, new_form=None, audit_type="organisation",
        columns=[(_l("Name"), lambda r, l: r.name), (_l("Short name"), lambda r, l: r.short_name),
                 (_l("Kind"), lambda r, l: _label(forms.ORGANISATION_KIND_LABELS)(r.kind))],
        fill_choices=lambda s, f: None, save=_save_organisation, order_by=Organisation.name),
    Resource(
        key="committees", path="namnder", plural=_l("Committees"), singular=_l("committee"),
        model=Committee, form=forms.CommitteeForm, new_form=None, audit_type="committee",
        columns=[(_l("Name"), lambda r, l: r.name),
                 (_l("Serving organisation"), lambda r, l: l.get(r.organisation_id, ""))],
        fill_choices=_committee_choices, save=_save_committee, order_by=Committee.name,
        lookups=_names(Organisation)),
    Resource(
        key="business_areas", path="verksamhetsomraden", plural=_l("Business areas"),
        singular=_l("business area"), model=BusinessArea, form=forms.BusinessAreaForm, new_form=None,
        audit_type="business_area",
        columns=[(_l("Name"), lambda r, l: r.name),
                 (_l("Responsible committee"), lambda r, l: l.get(r.committee_id, ""))],
        fill_choices=_area_choices, save=_save_area, order_by=BusinessArea.name, lookups=_names(Committee)),
    Resource(
        key="groups", path="grupper", plural=_l("Groups"), singular=_l("group"), model=Group,
        form=forms.GroupForm, new_form=None, audit_type="group",
        columns=[(_l("Name"), lambda r, l: r.name),
                 (_l("Kind of group"), lambda r, l: _label(forms.GROUP_KIND_LABELS)(r.kind)),
                 (_l("Business area"), lambda r, l: l.get(r.business_area_id, ""))],
        fill_choices=_group_choices, save=_save_group, initial=_group_initial, order_by=Group.name,
        lookups=_names(BusinessArea)),
    Resource(
        key="series", path="motesserier", plural=_l("Meeting series"), singular=_l("meeting series"),
        model=MeetingSeries, form=_series_form(), new_form=None, audit_type="meeting_series",
        columns=[(_l("Name"), lambda r, l: r.name), (_l("Group"), lambda r, l: l.get(r.group_id, "")),
                 (_l("Recurrence"), lambda r, l: r.rrule or ", ".join(r.dates[:3]) + (" …" if len(r.dates) > 3 else "")),
                 (_l("Agenda lead time (working days)"), lambda r, l: r.lead_time_days)],
        fill_choices=_series_choices, save=_save_series, initial=_series_initial, order_by=MeetingSeries.name,
        lookups=_names(Group)),
]


# --- the views, made once per resource --------------------------------------------------------

def _form_page(resource: Resource, form, obj, status: int = 200):
    return render_template("admin/form.html", resource=resource, form=form, obj=obj), status


def _register(resource: Resource) -> None:
    def list_view():
        session = get_session()
        rows = list(session.exec(select(resource.model).order_by(resource.order_by)))
        lookups = resource.lookups(session)
        table = [(row, [getter(row, lookups) for _label_, getter in resource.columns]) for row in rows]
        return render_template("admin/list.html", resource=resource, table=table)

    def new_view():
        session = get_session()
        form = (resource.new_form or resource.form)()
        resource.fill_choices(session, form)
        return _save(resource, session, form, None)

    def edit_view(item_id: int):
        session = get_session()
        obj = session.get(resource.model, item_id)
        if obj is None:
            abort(404)
        form = resource.form(obj=obj)
        if request.method == "GET":
            for key, value in resource.initial(session, obj).items():
                getattr(form, key).data = value
        resource.fill_choices(session, form)
        return _save(resource, session, form, obj)

    def toggle_view(item_id: int):
        session = get_session()
        obj = session.get(resource.model, item_id)
        if obj is None:
            abort(404)
        if isinstance(obj, User):  # a deactivated user's sessions end, and stay ended if reactivated
            auth_services.set_user_active(session, obj, active=not obj.active)
        else:
            obj.active = not obj.active
            session.add(obj)
        audit.record(audit_services.ACTIVATE if obj.active else audit_services.DEACTIVATE,
                     object_type=resource.audit_type, object_id=obj.id)
        session.commit()
        flash(_("%(name)s is active again.", name=obj.name) if obj.active
              else _("%(name)s is deactivated.", name=obj.name), "success")
        return redirect(url_for(f"admin.{resource.key}_edit", item_id=obj.id))

    admin_only = allow(Role.admin)
    if resource.model is User:
        bp.add_url_rule(f"/{resource.path}/<int:item_id>/tvastegsverifiering", "users_reset_totp",
                        admin_only(_reset_totp), methods=["POST"])
    bp.add_url_rule(f"/{resource.path}", f"{resource.key}_list", admin_only(list_view))
    bp.add_url_rule(f"/{resource.path}/ny", f"{resource.key}_new", admin_only(new_view), methods=["GET", "POST"])
    bp.add_url_rule(f"/{resource.path}/<int:item_id>", f"{resource.key}_edit", admin_only(edit_view),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"/{resource.path}/<int:item_id>/aktiv", f"{resource.key}_toggle", admin_only(toggle_view),
                    methods=["POST"])


def _reset_totp(item_id: int):
    """Turn off a user's two-step verification (a lost phone); their sessions end with it."""
    session = get_session()
    user = session.get(User, item_id)
    if user is None:
        abort(404)
    try:
        totp.reset_totp(session, user)
    except ValidationFailed as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.users_edit", item_id=item_id))
    audit.record(audit_services.UPDATE, object_type="user", object_id=user.id,
                 detail={"fields": ["totp_enabled_at", "totp_secret", "session_epoch"],
                         "reason": "two_step_verification_reset"})
    session.commit()
    flash(_("Two-step verification is off for %(name)s, and they are logged out everywhere. They log in with "
            "their password alone and can set it up again under My account.", name=user.name), "success")
    return redirect(url_for("admin.users_edit", item_id=item_id))


def _audit_state(resource: Resource, session: Session, obj) -> dict:
    """What the audit log compares before and after a save: the row's columns and what the
    form edits beside them (a group's members and chair)."""
    state = audit_services.model_state(obj)
    state.update({k: sorted(v) if isinstance(v, list) else v
                  for k, v in resource.initial(session, obj).items() if k not in state})
    return state


def _save(resource: Resource, session: Session, form, obj):
    if request.method == "GET":
        return _form_page(resource, form, obj)
    if not form.validate():
        return _form_page(resource, form, obj, 400)
    before = _audit_state(resource, session, obj) if obj is not None else None
    try:
        saved = resource.save(session, obj, form)
    except ValidationFailed as error:
        session.rollback()
        for name, messages in error.errors.items():
            getattr(form, name).errors = list(getattr(form, name).errors) + [str(m) for m in messages]
        return _form_page(resource, form, obj, 400)
    audit.record(audit_services.CREATE if obj is None else audit_services.UPDATE, object_type=resource.audit_type,
                 object_id=saved.id, detail=audit_services.changes(before, _audit_state(resource, session, saved)))
    session.commit()
    flash(_("%(name)s was saved.", name=saved.name), "success")
    return redirect(url_for(f"admin.{resource.key}_list"))


for _resource in RESOURCES:
    _register(_resource)


@bp.route("/")
@allow(Role.admin)
def index():
    session = get_session()
    heartbeats = list(session.exec(select(JobHeartbeat).order_by(JobHeartbeat.name)))
    counts = {r.key: session.exec(select(func.count()).select_from(r.model)).one() for r in RESOURCES}
    return render_template("admin/index.html", resources=RESOURCES, counts=counts, heartbeats=heartbeats)


@bp.route("/utkorg")
@allow(Role.admin)
def outbox():
    from coordination.outbox.models import OutboxMessage, OutboxStatus

    session = get_session()
    counts = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    problems = list(session.exec(select(OutboxMessage)
                                 .where(OutboxMessage.status != OutboxStatus.sent.value,
                                        OutboxMessage.attempts > 0)
                                 .order_by(OutboxMessage.id.desc()).limit(100)))
    recent = list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)))
    return render_template("admin/outbox.html", counts=counts, problems=problems, recent=recent)


@bp.route("/utkorg/<int:message_id>/forsok-igen", methods=["POST"])
@allow(Role.admin)
def outbox_retry(message_id: int):
    from coordination.outbox.services import retry_failed
    from coordination.web import clock

    session = get_session()
    if retry_failed(session, message_id, now=clock().now()):
        session.commit()
        flash(_("The mail will be sent again within a minute."), "success")
    else:
        flash(_("Only mails that failed can be sent again."), "error")
    return redirect(url_for("admin.outbox"))
