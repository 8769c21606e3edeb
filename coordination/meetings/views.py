"""Meetings: the list, a meeting with its agenda (generate, edit, publish), the minutes, the
printable PDFs, and each person's calendar feeds."""

from datetime import date, timedelta, timezone

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coordination.access import allow, can_view_meeting, ensure
from coordination.audit import recording as audit
from coordination.audit import services as audit_services
from coordination.auth.models import Role
from coordination.clock import STOCKHOLM
from coordination.db import get_session
from coordination.errors import DomainError, ValidationFailed
from coordination.forms import apply_errors, small_int
from coordination.meetings import minutes as minutes_service
from coordination.meetings import services
from coordination.meetings.forms import (
    OUTCOME_LABELS,
    SECTION_LABELS,
    AddItemForm,
    CancelForm,
    CorrectionForm,
    DecisionForm,
    ItemForm,
    MoveMeetingForm,
    RemoveItemForm,
)
from coordination.meetings.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    Meeting,
    MeetingSeries,
    MinutesStatus,
)
from coordination.organisations.models import Group, GroupMember
from coordination.organisations.services import list_organisations
from coordination.pagecache import cached_page
from coordination.web import clock, working_days

bp = Blueprint("meetings", __name__, url_prefix="/moten")


def _member_group_ids(db) -> set[int]:
    return set(db.execute(select(GroupMember.group_id).where(GroupMember.user_id == current_user.id)).scalars())


def _load(meeting_id: int):
    db = get_session()
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    series = db.get(MeetingSeries, meeting.series_id)
    group = db.get(Group, series.group_id)
    agenda = db.execute(select(Agenda).where(Agenda.meeting_id == meeting.id)).scalars().first()
    published = agenda is not None and agenda.status == AgendaStatus.published.value
    ensure(can_view_meeting(current_user, group_kind=group.kind, is_member=group.id in _member_group_ids(db),
                            published=published))
    return db, meeting, series, group, agenda


def _back(meeting_id: int, anchor: str | None = None):
    return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor=anchor))


def _flash_error(error: DomainError) -> None:
    flash(" ".join([str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]), "error")


@bp.route("")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def index():
    db = get_session()
    now = clock().now()
    rows = db.execute(select(Meeting, MeetingSeries, Group, Agenda)
                      .join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
                      .join(Group, Group.id == MeetingSeries.group_id)
                      .outerjoin(Agenda, Agenda.meeting_id == Meeting.id)
                      .where(Meeting.starts_at >= now.replace(hour=0, minute=0) - timedelta(days=60))
                      .order_by(Meeting.starts_at).limit(200)).all()
    member_of = _member_group_ids(db)
    visible = [(m, s, g, a) for m, s, g, a in rows
               if can_view_meeting(current_user, group_kind=g.kind, is_member=g.id in member_of,
                                   published=a is not None and a.status == AgendaStatus.published.value)]
    return render_template("meetings/index.html", rows=visible, now=now)


@bp.route("/<int:meeting_id>")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
@cached_page
def show(meeting_id: int):
    db, meeting, series, group, agenda = _load(meeting_id)
    items = services.agenda_items(db, agenda) if agenda else {}
    minutes = minutes_service.current_minutes(db, meeting)
    return render_template("meetings/show.html", meeting=meeting, series=series, group=group, agenda=agenda,
                           items=items, case_refs=_case_refs(db, items), sections=SECTION_LABELS, minutes=minutes, add_form=AddItemForm(),
                           remove_form=RemoveItemForm(), move_form=MoveMeetingForm(obj=_local_times(meeting)),
                           cancel_form=CancelForm(), editable=_can_edit(agenda))


def _case_refs(db, items: dict) -> dict[int, str]:
    """References of the agenda's cases that this person may open (for the links)."""
    from coordination.access import case_scope
    from coordination.cases.models import Case

    ids = {i.case_id for section in items.values() for i in section if i.case_id}
    if not ids or current_user.role == Role.admin.value:
        return {}
    return dict(db.execute(select(Case.id, Case.reference).where(Case.id.in_(ids), case_scope(current_user))).all())


def _local_times(meeting: Meeting):
    class Values:
        starts_at = meeting.starts_at.astimezone(STOCKHOLM).replace(tzinfo=None)
        ends_at = meeting.ends_at.astimezone(STOCKHOLM).replace(tzinfo=None)
        place = meeting.place
    return Values


def _can_edit(agenda) -> bool:
    return current_user.role == Role.coordinator.value and (agenda is None or agenda.status == AgendaStatus.draft.value)


@bp.route("/<int:meeting_id>/generera", methods=["POST"])
@allow(Role.coordinator)
def generate(meeting_id: int):
    db, meeting, *_rest = _load(meeting_id)
    result = services.generate_agenda(db, meeting, clock=clock(), working_days=working_days())
    db.commit()
    if result.skipped:
        flash(_("The agenda is published and was not changed."), "info")
    else:
        flash(_("The agenda was generated: %(added)s new, %(stale)s no longer current, %(updated)s updated.",
                added=result.added, stale=result.stale, updated=result.updated), "success")
    return _back(meeting_id, "agenda")


def _item(db, meeting_id: int, item_id: int, agenda) -> AgendaItem:
    item = db.get(AgendaItem, item_id)
    if item is None or agenda is None or item.agenda_id != agenda.id:
        abort(404)
    return item


@bp.route("/<int:meeting_id>/punkter", methods=["POST"])
@allow(Role.coordinator)
def add_item(meeting_id: int):
    db, meeting, _s, _g, agenda = _load(meeting_id)
    form = AddItemForm()
    if agenda is None:
        flash(_("Generate the agenda first."), "error")
    elif not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
    else:
        try:
            services.add_item(db, agenda, section=form.section.data, title=form.title.data, body=form.body.data or "")
            db.commit()
            flash(_("The item was added."), "success")
        except DomainError as error:
            db.rollback()
            _flash_error(error)
    return _back(meeting_id, "agenda")


@bp.route("/<int:meeting_id>/punkter/<int:item_id>", methods=["GET", "POST"])
@allow(Role.coordinator)
def edit_item(meeting_id: int, item_id: int):
    db, meeting, series, _g, agenda = _load(meeting_id)
    item = _item(db, meeting_id, item_id, agenda)
    form = ItemForm(obj=item)
    if request.method == "POST":
        if form.validate():
            try:
                services.edit_item(db, item, title=form.title.data, body=form.body.data or "")
                db.commit()
                flash(_("The item was saved."), "success")
                return _back(meeting_id, f"item-{item.id}")
            except ValidationFailed as error:
                db.rollback()
                _flash_error(error)
        return render_template("meetings/item.html", form=form, item=item, meeting=meeting, series=series), 400
    return render_template("meetings/item.html", form=form, item=item, meeting=meeting, series=series)


@bp.route("/<int:meeting_id>/punkter/<int:item_id>/<any('upp','ned','ta-bort','aterstall'):action>", methods=["POST"])
@allow(Role.coordinator)
def change_item(meeting_id: int, item_id: int, action: str):
    db, meeting, _s, _g, agenda = _load(meeting_id)
    item = _item(db, meeting_id, item_id, agenda)
    try:
        if action in ("upp", "ned"):
            services.move_item(db, item, direction=-1 if action == "upp" else 1)
        elif action == "ta-bort":
            form = RemoveItemForm()
            form.validate()
            services.remove_item(db, item, reason=form.reason.data or "")
        else:
            services.restore_item(db, item)
        db.commit()
    except DomainError as error:
        db.rollback()
        _flash_error(error)
    return _back(meeting_id, f"item-{item.id}")


@bp.route("/<int:meeting_id>/publicera", methods=["POST"])
@allow(Role.coordinator)
def publish(meeting_id: int):
    db, meeting, _s, _g, agenda = _load(meeting_id)
    if agenda is None:
        flash(_("Generate the agenda first."), "error")
        return _back(meeting_id)
    try:
        services.publish_agenda(db, agenda, user_id=current_user.id, clock=clock(),
                                base_url=current_app.config["BASE_URL"])
        db.commit()
        flash(_("The agenda is published and the members are notified."), "success")
    except DomainError as error:
        db.rollback()
        _flash_error(error)
    except IntegrityError:
        # Two clicks at once on SQLite: the unique version keeps one; say so instead of an error page.
        db.rollback()
        flash(_("The agenda is already published."), "info")
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/flytta", methods=["POST"])
@allow(Role.coordinator)
def move(meeting_id: int):
    db, meeting, *_rest = _load(meeting_id)
    form = MoveMeetingForm()
    if not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
        return _back(meeting_id)
    try:
        services.move_meeting(db, meeting, starts_at=form.starts_at.data.replace(tzinfo=STOCKHOLM).astimezone(timezone.utc),
                              ends_at=form.ends_at.data.replace(tzinfo=STOCKHOLM).astimezone(timezone.utc),
                              place=form.place.data or "")
        db.commit()
        flash(_("The meeting was moved."), "success")
    except DomainError as error:
        db.rollback()
        _flash_error(error)
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/stall-in", methods=["POST"])
@allow(Role.coordinator)
def cancel(meeting_id: int):
    db, meeting, *_rest = _load(meeting_id)
    form = CancelForm()
    if not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
        return _back(meeting_id)
    services.cancel_meeting(db, meeting, reason=form.reason.data)
    db.commit()
    flash(_("The meeting is cancelled; its matters go to the next meeting."), "success")
    return _back(meeting_id)


# --- printable agenda ------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/dagordning.pdf")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def agenda_pdf(meeting_id: int):
    from coordination.meetings.pdf import render_pdf

    db, meeting, series, group, agenda = _load(meeting_id)
    if agenda is None:
        abort(404)
    html = render_template("meetings/agenda_print.html", meeting=meeting, series=series, group=group, agenda=agenda,
                           items=services.agenda_items(db, agenda), sections=SECTION_LABELS)
    data = render_pdf(html)
    audit.record(audit_services.EXPORT, commit=True, object_type="meeting", object_id=meeting.id,
                 detail={"document": "agenda", "format": "pdf", "agenda_id": agenda.id})
    return _pdf(data, f"dagordning-{meeting.starts_at.astimezone(STOCKHOLM).date().isoformat()}.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=filename)
    return response


# --- minutes --------------------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/protokoll", methods=["GET", "POST"])
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def minutes(meeting_id: int):
    db, meeting, series, group, agenda = _load(meeting_id)
    current = minutes_service.current_minutes(db, meeting)
    if current is None and current_user.role == Role.coordinator.value and request.method == "POST":
        try:
            current = minutes_service.start_minutes(db, meeting)
            db.commit()
        except DomainError as error:
            db.rollback()
            _flash_error(error)
            return _back(meeting_id)
    if current is None:
        if current_user.role != Role.coordinator.value:
            abort(404)
        return render_template("meetings/minutes.html", meeting=meeting, series=series, agenda=agenda, minutes=None,
                               items={}, decisions={}, forms={}, sections=SECTION_LABELS, outcomes=OUTCOME_LABELS)
    if current.status == MinutesStatus.draft.value:
        ensure(current_user.role == Role.coordinator.value)
    items = services.agenda_items(db, agenda)
    decisions = minutes_service.minutes_items(db, current)
    organisations = [("", "–")] + [(o.id, o.name) for o in list_organisations(db, active_only=True)]
    forms = {}
    for section_items in items.values():
        for item in section_items:
            if item.state in ("removed", "stale"):
                continue
            saved = decisions.get(item.id)
            form = DecisionForm(prefix=f"item{item.id}", formdata=None)
            if saved:
                form.decision.data, form.outcome.data = saved.decision, saved.outcome
                form.to.data, form.answer.data = saved.params.get("to", ""), saved.params.get("answer", "")
                for row, action in zip(form.actions.entries, saved.params.get("actions", [])):
                    row.form.organisation_id.data = action.get("organisation_id")
                    row.form.title.data = action.get("title")
                    row.form.due_date.data = date.fromisoformat(action["due_date"]) if action.get("due_date") else None
            for row in form.actions.entries:
                row.form.organisation_id.choices = organisations
            forms[item.id] = form
    status = 200
    if request.method == "POST" and small_int(request.form.get("item_id")) is not None:
        item_id = small_int(request.form["item_id"])
        item = db.get(AgendaItem, item_id)
        if item is None or item.agenda_id != agenda.id:
            abort(404)
        form = DecisionForm(prefix=f"item{item_id}")
        for row in form.actions.entries:
            row.form.organisation_id.choices = organisations
        forms[item_id] = form
        if form.validate():
            params = {"to": form.to.data or None, "answer": (form.answer.data or "").strip(),
                      "actions": [{"organisation_id": r.form.organisation_id.data, "title": (r.form.title.data or "").strip(),
                                   "due_date": r.form.due_date.data.isoformat() if r.form.due_date.data else ""}
                                  for r in form.actions.entries
                                  if r.form.organisation_id.data or (r.form.title.data or "").strip()]}
            try:
                minutes_service.save_item(db, current, item, decision=form.decision.data or "", outcome=form.outcome.data or "",
                                          params=params)
                db.commit()
                flash(_("The decision was saved."), "success")
                return redirect(url_for("meetings.minutes", meeting_id=meeting_id, _anchor=f"decision-{item_id}"))
            except ValidationFailed as error:
                db.rollback()
                for message in apply_errors(form, error, fallback=form.decision):
                    flash(message, "error")
        status = 400
    return render_template("meetings/minutes.html", meeting=meeting, series=series, agenda=agenda, minutes=current,
                           items=items, decisions=decisions, forms=forms, sections=SECTION_LABELS,
                           outcomes=OUTCOME_LABELS, correction_form=CorrectionForm()), status


@bp.route("/<int:meeting_id>/protokoll/justera", methods=["POST"])
@allow(Role.coordinator)
def approve(meeting_id: int):
    db, meeting, *_rest = _load(meeting_id)
    current = minutes_service.current_minutes(db, meeting)
    if current is None:
        abort(404)
    try:
        minutes_service.approve_minutes(db, current, user_id=current_user.id, clock=clock(),
                                        working_days=working_days(), base_url=current_app.config["BASE_URL"])
        db.commit()
        flash(_("The minutes are approved and the decisions applied to the cases."), "success")
    except DomainError as error:
        db.rollback()
        _flash_error(error)
    return redirect(url_for("meetings.minutes", meeting_id=meeting_id))


@bp.route("/<int:meeting_id>/protokoll/rattelse", methods=["POST"])
@allow(Role.coordinator)
def correct(meeting_id: int):
    db, meeting, *_rest = _load(meeting_id)
    current = minutes_service.current_minutes(db, meeting)
    form = CorrectionForm()
    if current is None:
        abort(404)
    try:
        minutes_service.correct_minutes(db, current, reason=form.reason.data or "")
        db.commit()
        flash(_("A correction was started as a new version of the minutes."), "success")
    except DomainError as error:
        db.rollback()
        _flash_error(error)
    return redirect(url_for("meetings.minutes", meeting_id=meeting_id))


@bp.route("/<int:meeting_id>/protokoll.pdf")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def minutes_pdf(meeting_id: int):
    from coordination.meetings.pdf import render_pdf

    db, meeting, series, group, agenda = _load(meeting_id)
    current = minutes_service.current_minutes(db, meeting)
    if current is None or (current.status == MinutesStatus.draft.value and current_user.role != Role.coordinator.value):
        abort(404)
    html = render_template("meetings/minutes_print.html", meeting=meeting, series=series, group=group, minutes=current,
                           items=services.agenda_items(db, agenda), decisions=minutes_service.minutes_items(db, current),
                           sections=SECTION_LABELS, outcomes=OUTCOME_LABELS)
    data = render_pdf(html)
    audit.record(audit_services.EXPORT, commit=True, object_type="meeting", object_id=meeting.id,
                 detail={"document": "minutes", "format": "pdf", "minutes_id": current.id})
    return _pdf(data, f"protokoll-{meeting.starts_at.astimezone(STOCKHOLM).date().isoformat()}.pdf")
