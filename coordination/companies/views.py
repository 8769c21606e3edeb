"""The register of companies and property owners, their contacts, and the contact log."""

from datetime import timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select

from coordination.access import (
    allow,
    can_see_contact_persons,
    can_view_company,
    case_scope,
    ensure,
)
from coordination.audit import recording as audit
from coordination.audit import services as audit_services
from coordination.auth.models import Role, User
from coordination.cases.models import Case
from coordination.cases.services import parse_reference
from coordination.clock import STOCKHOLM
from coordination.companies import outreach, services
from coordination.companies.forms import (
    CONTACT_KIND_LABELS,
    HOW_LABELS,
    KIND_LABELS,
    PROJECT_KIND_LABELS,
    CompanyForm,
    CompanySearchForm,
    ContactForm,
    ContactLogForm,
    ProjectForm,
)
from coordination.companies.models import (
    Company,
    CompanyArea,
    ContactLogCase,
    ContactLogCompany,
    ContactLogEntry,
    ContactPerson,
    DevelopmentProject,
    ProjectArea,
)
from coordination.db import get_session
from coordination.errors import ValidationFailed
from coordination.forms import apply_errors, small_int, strip_controls
from coordination.organisations.models import BusinessArea
from coordination.organisations.services import list_business_areas
from coordination.web import clock

bp = Blueprint("companies", __name__)
REGISTER = (Role.coordinator, Role.admin)


@bp.route("/foretag")
@allow(*REGISTER)
def index():
    db = get_session()
    form = CompanySearchForm(request.args)
    form.business_area_id.choices = [("", _("All"))] + [(a.id, a.name) for a in list_business_areas(db)]
    form.kind.choices = [("", _("All"))] + list(KIND_LABELS.items())
    valid = form.validate()
    page = min(small_int(request.args.get("page")) or 1, 10_000)
    rows, total = services.list_companies(db, q=form.q.data or "" if valid else "",
                                          business_area_id=form.business_area_id.data if valid else None,
                                          kind=(form.kind.data or None) if valid else None,
                                          unconfirmed=bool(form.unconfirmed.data) if valid else False, page=page)
    pages = max(1, -(-total // 50))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("companies/index.html", form=form, rows=rows, total=total, page=min(page, pages),
                           pages=pages, args=args, kinds=KIND_LABELS), (200 if valid else 400)


def _company_form(db, form: CompanyForm) -> CompanyForm:
    form.business_area_ids.choices = [(a.id, a.name) for a in list_business_areas(db)]
    return form


def _save(db, company, form):
    try:
        saved = services.save_company(db, company, services.CompanyInput(
            name=form.name.data or "", organisation_number=form.organisation_number.data or "", kind=form.kind.data,
            sole_trader=bool(form.sole_trader.data), address=form.address.data or "",
            properties_text=form.properties.data or "", business_area_ids=form.business_area_ids.data or []),
            clock=clock())
    except ValidationFailed as error:
        db.rollback()
        for message in apply_errors(form, error):
            flash(message, "error")
        return None
    db.commit()
    flash(_("%(name)s was saved.", name=saved.name), "success")
    return saved


@bp.route("/foretag/ny", methods=["GET", "POST"])
@bp.route("/foretag/<int:company_id>/redigera", methods=["GET", "POST"])
@allow(*REGISTER)
def edit(company_id: int | None = None):
    db = get_session()
    company = db.get(Company, company_id) if company_id else None
    if company_id and company is None:
        abort(404)
    form = _company_form(db, CompanyForm(obj=company) if company and request.method == "GET" else CompanyForm())
    if request.method == "GET" and company:
        form.properties.data = "\n".join(company.properties or [])
        form.business_area_ids.data = list(db.execute(select(CompanyArea.business_area_id)
                                                      .where(CompanyArea.company_id == company.id)).scalars())
    if request.method == "POST":
        if form.validate():
            saved = _save(db, company, form)
            if saved:
                return redirect(url_for("companies.show", company_id=saved.id))
        return render_template("companies/edit.html", form=form, company=company), 400
    return render_template("companies/edit.html", form=form, company=company)


@bp.route("/foretag/<int:company_id>")
@allow(Role.coordinator, Role.admin, Role.department)
def show(company_id: int):
    db = get_session()
    company = db.get(Company, company_id)
    if company is None:
        abort(404)
    via_own = False
    if current_user.role == Role.department.value:
        via_own = db.execute(select(exists().where(Case.company_id == company.id, case_scope(current_user)))).scalar()
    ensure(can_view_company(current_user, via_own_case=via_own))
    return _show(db, company)


def _show(db, company: Company, *, contact_form: ContactForm | None = None):
    cases = db.execute(select(Case).where(Case.company_id == company.id, case_scope(current_user))
                       .order_by(Case.received_at.desc()).limit(100)).scalars().all()
    areas = db.execute(select(BusinessArea.name).join(CompanyArea, CompanyArea.business_area_id == BusinessArea.id)
                       .where(CompanyArea.company_id == company.id).order_by(BusinessArea.name)).scalars().all()
    contacts, log = [], []
    if can_see_contact_persons(current_user):
        contacts = db.execute(select(ContactPerson).where(ContactPerson.company_id == company.id)
                              .order_by(ContactPerson.name)).scalars().all()
        log = db.execute(select(ContactLogEntry, User.name).join(ContactLogCompany, ContactLogCompany.entry_id == ContactLogEntry.id)
                         .outerjoin(User, User.id == ContactLogEntry.user_id)
                         .where(ContactLogCompany.company_id == company.id)
                         .order_by(ContactLogEntry.at.desc()).limit(100)).all()
        shown = [c.id for c in contacts if c.anonymised_at is None]
        if shown:  # which contact persons were shown, never what they hold
            audit.record(audit_services.PERSONAL_DATA_READ, commit=True, object_type="company", object_id=company.id,
                         detail={"shown": "contact_persons", "contact_person_ids": shown[:100],
                                 "count": len(shown)})
    return render_template("companies/show.html", company=company, cases=cases, areas=areas, contacts=contacts,
                           log=log, contact_form=contact_form or ContactForm(formdata=None), kinds=KIND_LABELS,
                           contact_kinds=CONTACT_KIND_LABELS)


@bp.route("/foretag/<int:company_id>/bekrafta", methods=["POST"])
@allow(*REGISTER)
def confirm(company_id: int):
    db = get_session()
    company = db.get(Company, company_id)
    if company is None:
        abort(404)
    company.confirmed = True
    db.add(company)
    db.commit()
    flash(_("%(name)s is confirmed in the register.", name=company.name), "success")
    return redirect(url_for("companies.show", company_id=company.id))


@bp.route("/foretag/<int:company_id>/kontakter", methods=["POST"])
@allow(*REGISTER)
def add_contact(company_id: int):
    db = get_session()
    company = db.get(Company, company_id)
    if company is None:
        abort(404)
    form = ContactForm()
    if form.validate():
        services.save_contact(db, company, None, name=form.name.data, role=form.role.data or "",
                              email=form.email.data or "", phone=form.phone.data or "", clock=clock())
        db.commit()
        flash(_("The contact person was added."), "success")
        return redirect(url_for("companies.show", company_id=company.id, _anchor="contacts"))
    # The company page again with the form as it was filled in.
    return _show(db, company, contact_form=form), 400


@bp.route("/foretag/<int:company_id>/kontakter/<int:contact_id>/anonymisera", methods=["POST"])
@allow(*REGISTER)
def anonymise(company_id: int, contact_id: int):
    db = get_session()
    contact = db.get(ContactPerson, contact_id)
    if contact is None or contact.company_id != company_id:
        abort(404)
    from coordination.companies.privacy import anonymise_contact_everywhere

    counts = anonymise_contact_everywhere(db, contact, clock=clock())
    audit.record(audit_services.ANONYMISE, object_type="contact_person", object_id=contact.id,
                 detail={"company_id": company_id} | counts)
    db.commit()
    flash(_("The contact person was anonymised, also on the cases they raised."), "success")
    return redirect(url_for("companies.show", company_id=company_id, _anchor="contacts"))


@bp.route("/kontaktlogg", methods=["GET", "POST"])
@allow(Role.coordinator)
def contact_log():
    db = get_session()
    form = ContactLogForm()
    form.company_ids.choices = [(c.id, c.name) for c in db.execute(select(Company).order_by(Company.name).limit(2000)).scalars()]
    status = 200
    if request.method == "GET":
        form.at.data = clock().now().astimezone(STOCKHOLM).replace(second=0, microsecond=0, tzinfo=None)
    elif form.validate():
        case_ids, unknown = [], []
        for text in (form.cases.data or "").split(","):
            if not text.strip():
                continue
            reference = parse_reference(text)
            found = db.execute(select(Case.id).where(Case.reference == reference)).scalar() if reference else None
            (case_ids.append(found) if found else unknown.append(text.strip()))
        if unknown:
            form.cases.errors = [_("There is no case with that reference.") + " " + ", ".join(unknown)]
            status = 400
        else:
            try:
                services.log_contact(db, user_id=current_user.id, kind=form.kind.data,
                                     at=form.at.data.replace(tzinfo=STOCKHOLM).astimezone(timezone.utc),
                                     note=form.note.data or "", company_ids=form.company_ids.data or [],
                                     case_ids=case_ids)
                db.commit()
                flash(_("The contact was logged."), "success")
                return redirect(url_for("companies.contact_log"))
            except ValidationFailed as error:
                db.rollback()
                for message in apply_errors(form, error):
                    flash(message, "error")
                status = 400
    else:
        status = 400
    entries = db.execute(select(ContactLogEntry, User.name).outerjoin(User, User.id == ContactLogEntry.user_id)
                         .order_by(ContactLogEntry.at.desc()).limit(100)).all()
    ids = [e.id for e, _n in entries]
    names: dict[int, list[str]] = {i: [] for i in ids}
    refs: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for entry_id, name in db.execute(select(ContactLogCompany.entry_id, Company.name)
                                         .join(Company, Company.id == ContactLogCompany.company_id)
                                         .where(ContactLogCompany.entry_id.in_(ids))):
            names[entry_id].append(name)
        for entry_id, reference in db.execute(select(ContactLogCase.entry_id, Case.reference)
                                              .join(Case, Case.id == ContactLogCase.case_id)
                                              .where(ContactLogCase.entry_id.in_(ids))):
            refs[entry_id].append(reference)
    return render_template("companies/contact_log.html", form=form, entries=entries, names=names, refs=refs,
                           contact_kinds=CONTACT_KIND_LABELS), status


# --- development projects and outreach ----------------------------------------------------------

@bp.route("/projekt")
@allow(*REGISTER)
def projects():
    db = get_session()
    rows = db.execute(select(DevelopmentProject).order_by(DevelopmentProject.created_at.desc()).limit(200)).scalars().all()
    progress = {p.id: outreach.outreach_list(db, p) for p in rows[:50]}
    return render_template("companies/projects.html", projects=rows, progress=progress, kinds=PROJECT_KIND_LABELS)


@bp.route("/projekt/ny", methods=["GET", "POST"])
@bp.route("/projekt/<int:project_id>/redigera", methods=["GET", "POST"])
@allow(*REGISTER)
def edit_project(project_id: int | None = None):
    db = get_session()
    project = db.get(DevelopmentProject, project_id) if project_id else None
    if project_id and project is None:
        abort(404)
    form = ProjectForm(obj=project) if project and request.method == "GET" else ProjectForm()
    form.business_area_ids.choices = [(a.id, a.name) for a in list_business_areas(db)]
    if request.method == "GET":
        if project:
            form.business_area_ids.data = list(db.execute(select(ProjectArea.business_area_id)
                                                          .where(ProjectArea.project_id == project.id)).scalars())
        return render_template("companies/project_edit.html", form=form, project=project)
    if form.validate():
        try:
            saved = outreach.save_project(db, project, name=form.name.data, kind=form.kind.data,
                                          description=form.description.data or "", starts_on=form.starts_on.data,
                                          ends_on=form.ends_on.data, business_area_ids=form.business_area_ids.data or [],
                                          clock=clock())
            db.commit()
            flash(_("%(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("companies.project", project_id=saved.id))
        except ValidationFailed as error:
            db.rollback()
            for message in apply_errors(form, error):
                flash(message, "error")
    return render_template("companies/project_edit.html", form=form, project=project), 400


@bp.route("/projekt/<int:project_id>", methods=["GET", "POST"])
@allow(*REGISTER)
def project(project_id: int):
    db = get_session()
    found = db.get(DevelopmentProject, project_id)
    if found is None:
        abort(404)
    status = 200
    if request.method == "POST":
        ids = [small_int(v) for v in request.form.getlist("company_ids") if small_int(v) is not None]
        try:
            if request.form.get("action") == "mail":
                # Read without a form class, so without its filter: PostgreSQL refuses NUL in text.
                count = outreach.mail_merge(db, found, company_ids=ids,
                                            subject=strip_controls(request.form.get("subject", "")),
                                            body=strip_controls(request.form.get("body", "")),
                                            user_id=current_user.id, clock=clock())
                flash(_("%(n)s mails are on their way through the outbox.", n=count), "success")
            else:
                count = outreach.mark_informed(db, found, company_ids=ids,
                                               how=strip_controls(request.form.get("how", "")),
                                               answer=strip_controls(request.form.get("answer", "")),
                                               user_id=current_user.id, clock=clock())
                flash(_("%(n)s marked as informed.", n=count), "success")
            db.commit()
            return redirect(url_for("companies.project", project_id=found.id))
        except ValidationFailed as error:
            db.rollback()
            flash(" ".join([str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]), "error")
            status = 400
    areas = db.execute(select(BusinessArea.name).join(ProjectArea, ProjectArea.business_area_id == BusinessArea.id)
                       .where(ProjectArea.project_id == found.id).order_by(BusinessArea.name)).scalars().all()
    return render_template("companies/project.html", project=found, areas=areas,
                           outreach=outreach.outreach_list(db, found), kinds=PROJECT_KIND_LABELS, how=HOW_LABELS,
                           form_values=request.form), status


# --- personal data ----------------------------------------------------------------------------------

@bp.route("/personuppgifter", methods=["GET", "POST"])
@allow(*REGISTER)
def personal_data():
    """Registerutdrag (everything held about a person, as JSON) and anonymisation by e-mail."""
    import json

    from flask import Response

    from coordination.companies.privacy import anonymise_person, person_extract

    db = get_session()
    email = strip_controls(request.values.get("email") or "").strip()  # PostgreSQL refuses NUL
    if request.method == "POST" and email:
        if request.form.get("action") == "anonymise":
            counts = anonymise_person(db, email=email, now=clock().now())
            audit.record(audit_services.ANONYMISE, object_type="person", object_ref=audit.hashed("person", email),
                         detail=counts)
            db.commit()
            flash(_("Anonymised: %(contacts)s contact persons, %(cases)s cases, %(mails)s unsent mails.", **counts),
                  "success")
            return redirect(url_for("companies.personal_data"))
        extract = person_extract(db, email=email)
        body = json.dumps(extract, ensure_ascii=False, indent=2)
        # The person by a keyed hash of the address asked for; the cases by reference.
        audit.record(audit_services.EXPORT, commit=True, object_type="person", object_ref=audit.hashed("person", email),
                     detail={"document": "registerutdrag", "format": "json",
                             "contact_persons": len(extract["contact_persons"]),
                             "cases": [c["reference"] for c in extract["cases"]][:50],
                             "contact_log_entries": len(extract["contacts_with_their_companies"]),
                             "mails": len(extract["mails"])})
        response = Response(body, mimetype="application/json")
        response.headers.set("Content-Disposition", "attachment", filename="registerutdrag.json")
        return response
    if request.method == "POST":
        flash(_("Enter the person's e-mail address."), "error")
        return render_template("companies/personal_data.html"), 400
    return render_template("companies/personal_data.html")


# --- import ----------------------------------------------------------------------------------------------

def _import_dir():
    from pathlib import Path

    from flask import current_app

    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/foretag/import", methods=["GET", "POST"])
@allow(*REGISTER)
def import_companies():
    """Upload a CSV, see a verdict per row, then save all rows at once (or nothing)."""
    import secrets

    from coordination.companies import importer

    db = get_session()
    if request.method == "GET":
        return render_template("companies/import.html", preview=None, token=None)
    token = request.form.get("token", "")
    if token:
        if not token.isalnum() or len(token) > 64 or not (_import_dir() / f"{token}.csv").exists():
            flash(_("The uploaded file has expired; upload it again."), "error")
            return render_template("companies/import.html", preview=None, token=None), 400
        text = (_import_dir() / f"{token}.csv").read_text(encoding="utf-8")
        result = importer.preview(db, text)
        try:
            counts = importer.apply(db, result, clock=clock())
        except ValidationFailed as error:
            db.rollback()
            flash(str(error.message), "error")
            return render_template("companies/import.html", preview=result, token=None), 400
        db.commit()
        (_import_dir() / f"{token}.csv").unlink(missing_ok=True)
        flash(_("Imported: %(new)s new, %(update)s updated.", **counts), "success")
        return redirect(url_for("companies.index"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file."), "error")
        return render_template("companies/import.html", preview=None, token=None), 400
    try:
        text = importer.decode(upload.read(importer.MAX_BYTES + 1))
    except ValidationFailed as error:
        flash(str(error.message), "error")
        return render_template("companies/import.html", preview=None, token=None), 400
    result = importer.preview(db, text)
    token = None
    if result.ok:
        token = secrets.token_hex(16)
        (_import_dir() / f"{token}.csv").write_text(text, encoding="utf-8")
    return render_template("companies/import.html", preview=result, token=token), (200 if result.ok else 400)


@bp.route("/planerade-forandringar/<int:change_id>/projekt", methods=["POST"])
@allow(Role.coordinator)
def project_from_change(change_id: int):
    """A reported planned change becomes a project whose outreach list the coordinator works through."""
    from coordination.actions.models import PlannedChange

    db = get_session()
    change = db.get(PlannedChange, change_id)
    if change is None:
        abort(404)
    existing = db.execute(select(DevelopmentProject).where(DevelopmentProject.planned_change_id == change.id)).scalars().first()
    if existing:
        return redirect(url_for("companies.project", project_id=existing.id))
    if change.business_area_id is None:
        flash(_("The planned change is not tied to a business area; create the project by hand and choose the areas."),
              "error")
        return redirect(url_for("companies.edit_project"))
    created = outreach.save_project(db, None, name=change.title, kind="other", description=change.description,
                                    starts_on=change.starts_on, ends_on=change.ends_on,
                                    business_area_ids=[change.business_area_id], clock=clock())
    created.planned_change_id = change.id
    db.add(created)
    db.commit()
    flash(_("%(name)s was saved.", name=created.name), "success")
    return redirect(url_for("companies.project", project_id=created.id))
