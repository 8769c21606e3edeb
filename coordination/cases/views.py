"""The coordinator's queue, registration, triage, and the case page."""

from datetime import UTC

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
from sqlalchemy import literal, union_all
from sqlmodel import select

from coordination import reflists
from coordination.access import CASE_READERS, allow, can_view_case, case_scope, ensure, scope_organisation
from coordination.audit.recording import records_case_contact_read
from coordination.auth.models import Role, User
from coordination.cases import services
from coordination.cases.attachments import SAFE_TYPES, check_files, display_name
from coordination.cases.forms import (
    CommentForm,
    LinkForm,
    MergeForm,
    QueueForm,
    RegisterForm,
    TriageForm,
)
from coordination.cases.history import case_history
from coordination.cases.intake import Submission, submit_case
from coordination.cases.models import (
    Attachment,
    Case,
    CaseComment,
    CaseLink,
    CaseSource,
    CaseStatus,
    Category,
    Priority,
)
from coordination.cases.queue import MANUAL_ESCALATION, SORTS, QueueFilters, list_cases
from coordination.clock import STOCKHOLM
from coordination.db import get_session
from coordination.errors import Conflict, NotFound, ValidationFailed
from coordination.forms import apply_errors, small_int
from coordination.intake.views import attachment_store, status_url
from coordination.labels import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    PRIORITY_LABELS,
    SORT_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    focus_area_label,
    level_name,
)
from coordination.organisations.services import (
    list_business_areas,
    list_focus_areas,
    list_organisations,
)
from coordination.pagecache import cached_page
from coordination.routing.engine import run_on_change
from coordination.routing.services import rule_names
from coordination.web import clock, working_days

bp = Blueprint("cases", __name__, url_prefix="/arenden")

LEVEL_CHOICES = lambda: [(level, level_name(level)) for level in LEVEL_LABELS]


def _load(slug: str) -> Case:
    """The case at this address, or 404; the caller checks access."""
    reference = services.reference_from_slug(slug)
    if reference is None:
        abort(404)
    try:
        return services.get_case(get_session(), reference)
    except NotFound:
        abort(404)


def _visible(case: Case) -> set[int]:
    """Refuse unless the current user may see the case; the ids of its organisations (which the
    check reads) for the page."""
    organisation_ids = services.case_organisation_ids(get_session(), case.id)
    ensure(can_view_case(current_user, level=case.level, organisation_ids=organisation_ids))
    return organisation_ids


def _apply_errors(form, error: ValidationFailed) -> None:
    for message in apply_errors(form, error):
        flash(message, "error")


# --- the queue -----------------------------------------------------------------------------------

def _fill_queue_choices(form: QueueForm, db) -> None:
    any_ = ("", _("All"))
    form.status.choices = [("open", _("Open")), ("", _("All, also closed"))] + list(STATUS_LABELS.items())
    form.level.choices = [any_, (0, _("Not triaged"))] + LEVEL_CHOICES()
    form.business_area_id.choices = [any_, (0, _("Not set"))] + [(a.id, a.name) for a in reflists.business_areas(db)]
    form.focus_area_id.choices = [any_] + [(f.id, focus_area_label(f)) for f in reflists.focus_areas(db)]
    form.organisation_id.choices = [any_] + [(o.id, o.name) for o in reflists.organisations(db)]
    form.priority.choices = [any_] + list(PRIORITY_LABELS.items())
    form.source.choices = [any_] + list(SOURCE_LABELS.items())
    form.sort.choices = [(k, SORT_LABELS[k]) for k in SORTS]
    form.escalated_by.choices = [any_, (MANUAL_ESCALATION, _("By a person (no rule)"))] + [
        (code, f"{code} {name}") for code, name in rule_names(db)]


@bp.route("")
@allow(*CASE_READERS)
@cached_page
def queue():
    db = get_session()
    form = QueueForm(request.args)
    _fill_queue_choices(form, db)
    if not request.args.get("status") and "status" not in request.args:
        form.status.data = "open"
    if not form.sort.data:
        form.sort.data = "received_asc"
    valid = form.validate()
    filters = QueueFilters()
    if valid:
        filters = QueueFilters(
            status=form.status.data or None, level=form.level.data, business_area_id=form.business_area_id.data,
            focus_area_id=form.focus_area_id.data, organisation_id=form.organisation_id.data,
            priority=form.priority.data or None, overdue=bool(form.overdue.data), source=form.source.data or None,
            received_from=form.received_from.data, received_to=form.received_to.data, q=form.q.data or "",
            escalated_by=form.escalated_by.data or None, escalated_from=form.escalated_from.data,
            sort=form.sort.data, page=form.page.data or 1)
    page = list_cases(db, filters, scope=case_scope(current_user), clock=clock(), working_days=working_days(),
                      scope_organisation_id=scope_organisation(current_user), whole_cases=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/queue.html", form=form, page=page, args=args), (200 if valid else 400)


# --- registration by the coordinator -----------------------------------------------------------

@bp.route("/ny", methods=["GET", "POST"])
@allow(Role.coordinator)
def register():
    db = get_session()
    form = RegisterForm()
    form.source.choices = [(k, v) for k, v in SOURCE_LABELS.items() if k != CaseSource.web.value]
    form.business_area_id.choices = [("", _("Not known yet"))] + [
        (a.id, a.name) for a in list_business_areas(db, active_only=True)]
    if request.method == "GET":
        form.received_at.data = clock().now().astimezone(STOCKHOLM).replace(second=0, microsecond=0, tzinfo=None)
        return render_template("cases/register.html", form=form, files_dropped=False)
    valid = form.validate()
    files, file_errors = check_files(request.files.getlist(form.attachments.name))
    if file_errors:
        form.attachments.errors = file_errors
        valid = False
    if valid and not 1900 <= form.received_at.data.year <= 9998:
        form.received_at.errors = [_("Enter a date between 1900 and 9998.")]
        valid = False
    if valid:
        received = form.received_at.data.replace(tzinfo=STOCKHOLM).astimezone(UTC)
        submission = Submission(
            submitter=services.Submitter(
                company_name=form.company_name.data, organisation_number=form.organisation_number.data or None,
                contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
                contact_phone=form.contact_phone.data or "", location=form.location.data or ""),
            business_area_id=form.business_area_id.data, title=form.title.data,
            description=form.description.data, locale="sv")
        try:
            case, _token = submit_case(db, submission, files, store=attachment_store(), clock=clock(),
                                       status_url=status_url, source=form.source.data, received_at=received,
                                       actor_user_id=current_user.id)
        except ValidationFailed as error:
            db.rollback()
            _apply_errors(form, error)
        else:
            db.commit()
            flash(_("Case %(reference)s was registered.", reference=case.reference), "success")
            return redirect(url_for("cases.show", slug=services.reference_slug(case.reference)))
    had_files = any(f.filename for f in request.files.getlist(form.attachments.name))
    return render_template("cases/register.html", form=form, files_dropped=had_files), 400


# --- the case page -------------------------------------------------------------------------------

@bp.route("/<slug>")
@allow(*CASE_READERS)
@records_case_contact_read  # above the cache: a page served from it shows the contact details too
@cached_page
def show(slug: str):
    db = get_session()
    case = _load(slug)
    if case.merged_into_id:
        _visible(case)
        target = db.get(Case, case.merged_into_id)
        flash(_("%(old)s was merged into %(new)s.", old=case.reference, new=target.reference), "info")
        return redirect(url_for("cases.show", slug=services.reference_slug(target.reference)))
    org_ids = _visible(case)
    return render_template("cases/show.html", **_case_page(db, case, organisation_ids=org_ids),
                           comment_form=CommentForm(), link_form=LinkForm(), merge_form=MergeForm())


def _case_page(db, case: Case, *, organisation_ids: set[int] | None = None) -> dict:
    """Everything the case page shows, in a fixed number of queries (`organisation_ids`: the
    case's organisations, when the access check has read them)."""
    # The cases merged into this one and those linked with it, in one statement: reference and
    # title are all the page shows of them.
    related = db.execute(union_all(
        select(Case.id, Case.reference, Case.title, literal("merged").label("kind"))
        .where(Case.merged_into_id == case.id),
        select(Case.id, Case.reference, Case.title, literal("linked").label("kind"))
        .join(CaseLink, CaseLink.other_case_id == Case.id).where(CaseLink.case_id == case.id),
        select(Case.id, Case.reference, Case.title, literal("linked").label("kind"))
        .join(CaseLink, CaseLink.case_id == Case.id).where(CaseLink.other_case_id == case.id),
    ).order_by("id")).all()
    merged = [r for r in related if r.kind == "merged"]
    links = [r for r in related if r.kind == "linked"]
    family = [case.id] + [m.id for m in merged]
    org_ids = services.case_organisation_ids(db, case.id) if organisation_ids is None else organisation_ids
    organisations = [o for o in reflists.organisations(db) if o.id in org_ids]
    history = case_history(db, case, family)
    comments = db.exec(select(CaseComment, User.name).join(User, User.id == CaseComment.author_id)
                       .where(CaseComment.case_id.in_(family)).order_by(CaseComment.at.desc())).all()
    attachments = list(db.exec(select(Attachment).where(Attachment.case_id.in_(family)).order_by(Attachment.id)))
    area = next((a for a in reflists.business_areas(db) if a.id == case.business_area_id), None)
    focus = next((f for f in reflists.focus_areas(db) if f.id == case.focus_area_id), None)
    now = clock().now()
    age = working_days().between(case.received_at, now)
    overdue = case.overdue or (case.status == CaseStatus.new.value
                               and working_days().is_overdue(case.received_at, services.TRIAGE_DAYS, now))
    from coordination.routing import services as routing
    from coordination.routing.forms import (
        MoveForm,
        RequestEscalationForm,
        ResolveRequestForm,
    )

    move_form = MoveForm()
    move_form.to_level.data = None
    from coordination.actions.forms import NewActionForm
    from coordination.actions.services import case_actions
    from coordination.actions.views import fill_new_action_choices

    action_form = NewActionForm(formdata=None)
    fill_new_action_choices(db, action_form)
    return {"actions": case_actions(db, family), "action_form": action_form,
            "today": clock().now().astimezone(STOCKHOLM).date(), "why": history.why_here(case), "requests": routing.open_requests(db, case_id=case.id),
            "move_form": move_form, "request_form": RequestEscalationForm(), "resolve_form": ResolveRequestForm(),
            "case": case, "organisations": organisations, "history": history.html,
            "comments": comments,
            "attachments": attachments, "links": links, "merged": merged, "business_area": area,
            "focus_area": focus, "age": age, "overdue": overdue,
            "triage_due": working_days().due_date(case.received_at, services.TRIAGE_DAYS)}


@bp.route("/<slug>/bilagor/<int:attachment_id>")
@allow(*CASE_READERS)
def attachment(slug: str, attachment_id: int):
    db = get_session()
    case = _load(slug)
    _visible(case)
    found = db.get(Attachment, attachment_id)
    family = {case.id} | set(db.exec(select(Case.id).where(Case.merged_into_id == case.id)))
    if found is None or found.case_id not in family:
        abort(404)
    try:
        data = attachment_store().read(found.storage_key)
    except (OSError, ValueError):
        abort(404)
    # Always a download, as a type sniffing allowed (never the sender's word, never text/html),
    # and sandboxed should a browser render it anyway.
    response = Response(data, mimetype=found.content_type if found.content_type in SAFE_TYPES
                        else "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=display_name(found.filename))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    return response


# --- triage --------------------------------------------------------------------------------------

def _fill_triage_choices(form: TriageForm, db) -> None:
    form.business_area_id.choices = [("", _("Choose"))] + [(a.id, a.name) for a in list_business_areas(db, active_only=True)]
    form.focus_area_id.choices = [("", _("Choose"))] + [(f.id, focus_area_label(f)) for f in list_focus_areas(db)]
    form.category.choices = list(CATEGORY_LABELS.items())
    form.organisation_ids.choices = [(o.id, o.name) for o in list_organisations(db, active_only=True)]
    form.priority.choices = list(PRIORITY_LABELS.items())
    form.level.choices = LEVEL_CHOICES()


@bp.route("/<slug>/triage", methods=["GET", "POST"])
@allow(Role.coordinator)
def triage(slug: str):
    db = get_session()
    case = _load(slug)
    if case.merged_into_id:
        return redirect(url_for("cases.show", slug=slug))
    form = TriageForm(obj=case if request.method == "GET" else None)
    _fill_triage_choices(form, db)
    if request.method == "GET":
        form.organisation_ids.data = sorted(services.case_organisation_ids(db, case.id))
        form.level.data = case.level or 1
        form.priority.data = case.priority or Priority.normal.value
        form.category.data = case.category or Category.other.value
        form.version.data = str(case.version)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            data = services.TriageInput(
                business_area_id=form.business_area_id.data, focus_area_id=form.focus_area_id.data,
                category=form.category.data, organisation_ids=form.organisation_ids.data or [],
                priority=form.priority.data, major_significance=form.major_significance.data,
                needs_department_head_decision=form.needs_department_head_decision.data,
                needs_political_decision=form.needs_political_decision.data,
                estimated_cost_sek=form.estimated_cost_sek.data, level=form.level.data or 1)
            version = small_int(form.version.data)
            try:
                services.triage_case(db, case, data, actor_user_id=current_user.id, clock=clock(),
                                     expected_version=version)
                # The on-change rules (R2, R4, R5, R7 …) act in the same transaction.
                run_on_change(db, case.id, clock=clock(), working_days=working_days(),
                              base_url=current_app.config["BASE_URL"])
            except Conflict:
                db.rollback()
                # Show the values saved by the other person, with the version they carry, so
                # that saving again works; the notice says nothing of this person's was saved.
                current = db.get(Case, case.id)
                fresh = TriageForm(formdata=None, obj=current)
                _fill_triage_choices(fresh, db)
                fresh.organisation_ids.data = sorted(services.case_organisation_ids(db, current.id))
                fresh.version.data = str(current.version)
                return render_template("cases/triage.html", form=fresh, conflict=True,
                                       **_triage_context(db, current)), 409
            except ValidationFailed as error:
                db.rollback()
                _apply_errors(form, error)
            else:
                db.commit()
                flash(_("The triage of %(reference)s was saved.", reference=case.reference), "success")
                return redirect(url_for("cases.show", slug=slug))
    return render_template("cases/triage.html", form=form, conflict=False, **_triage_context(db, case)), status


def _triage_context(db, case: Case) -> dict:
    from coordination.cases.similar import similar_cases

    return {"case": db.get(Case, case.id), "similar": similar_cases(db, case, clock=clock()),
            "link_form": LinkForm(), "merge_form": MergeForm()}


# --- comments, links and merge ---------------------------------------------------------------------

@bp.route("/<slug>/kommentarer", methods=["POST"])
@allow(Role.coordinator, Role.department)
def comment(slug: str):
    db = get_session()
    case = _load(slug)
    _visible(case)
    form = CommentForm()
    if form.validate():
        services.add_comment(db, case, author_id=current_user.id, body=form.body.data, clock=clock())
        db.commit()
        flash(_("The comment was saved."), "success")
        return redirect(url_for("cases.show", slug=slug, _anchor="comments"))
    return render_template("cases/show.html", **_case_page(db, case), comment_form=form, link_form=LinkForm(),
                           merge_form=MergeForm()), 400


def _other_case(db, text: str) -> Case | None:
    reference = services.parse_reference(text)
    if reference is None:
        return None
    return db.exec(select(Case).where(Case.reference == reference)).first()


@bp.route("/<slug>/lankar", methods=["POST"])
@allow(Role.coordinator)
def link(slug: str):
    db = get_session()
    case = _load(slug)
    form = LinkForm()
    if form.validate():
        other = _other_case(db, form.other.data)
        if other is None:
            form.other.errors = [_("There is no case with that reference.")]
        else:
            try:
                added = services.link_cases(db, case, other, actor_user_id=current_user.id, clock=clock())
            except ValidationFailed as error:
                db.rollback()
                form.other.errors = [str(error.message)]
            else:
                db.commit()
                flash(_("%(a)s and %(b)s are linked.", a=case.reference, b=other.reference) if added
                      else _("The cases were already linked."), "success")
                return redirect(request.form.get("back") == "triage" and url_for("cases.triage", slug=slug)
                                or url_for("cases.show", slug=slug))
    return render_template("cases/show.html", **_case_page(db, case), comment_form=CommentForm(), link_form=form,
                           merge_form=MergeForm()), 400


@bp.route("/<slug>/sammanfoga", methods=["POST"])
@allow(Role.coordinator)
def merge(slug: str):
    db = get_session()
    case = _load(slug)
    form = MergeForm()
    if form.validate():
        target = _other_case(db, form.target.data)
        if target is None:
            form.target.errors = [_("There is no case with that reference.")]
        else:
            try:
                services.merge_cases(db, case, target, actor_user_id=current_user.id, clock=clock(),
                                     reason=form.reason.data)
                run_on_change(db, target.id, clock=clock(), working_days=working_days(),
                              base_url=current_app.config["BASE_URL"])
            except ValidationFailed as error:
                db.rollback()
                form.target.errors = [str(error.message)]
            else:
                db.commit()
                flash(_("%(old)s was merged into %(new)s.", old=case.reference, new=target.reference), "success")
                return redirect(url_for("cases.show", slug=services.reference_slug(target.reference)))
    return render_template("cases/show.html", **_case_page(db, case), comment_form=CommentForm(),
                           link_form=LinkForm(), merge_form=form), 400
