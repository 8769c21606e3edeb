"""Follow-up reports: each committee writes its report per period with the facts beside each
focus area; the coordinator returns or approves them and reads the city-wide compilation."""

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coordination.access import allow, ensure
from coordination.audit import recording as audit
from coordination.audit import services as audit_services
from coordination.auth.models import Role
from coordination.db import get_session
from coordination.errors import DomainError, ValidationFailed
from coordination.forms import small_int, strip_controls
from coordination.organisations.models import Committee, FocusArea
from coordination.reports import services
from coordination.reports.models import (
    Report,
    ReportQuestion,
    ReportStatus,
    ReportTemplate,
)
from coordination.spreadsheets import append_row, csv_cell
from coordination.web import clock, working_days

bp = Blueprint("reports", __name__, url_prefix="/rapporter")
PERIODS = ("T1", "T2", "VB")
ANSWER_MAX = 20_000


def _committees(db):
    query = select(Committee).where(Committee.active.is_(True)).order_by(Committee.name)
    if current_user.role == Role.department.value:
        query = query.where(Committee.organisation_id == current_user.organisation_id)
    return db.execute(query).scalars().all()


def _may_read(db, report: Report) -> bool:
    if current_user.role in (Role.coordinator.value, Role.admin.value):
        return True
    if current_user.role == Role.steering.value:
        return report.status in (ReportStatus.submitted.value, ReportStatus.approved.value)
    return services.may_write(current_user, report, db)


@bp.route("")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def index():
    db = get_session()
    year = small_int(request.args.get("ar")) or clock().now().year
    year = min(max(year, 2000), 2100)
    committees = _committees(db)
    reports = {(r.committee_id, r.period): r for r in db.execute(select(Report).where(Report.year == year)).scalars()}
    return render_template("reports/index.html", year=year, committees=committees, reports=reports, periods=PERIODS)


def _load(committee_id: int, year: int, period: str):
    """(session, committee, report or None). The serving organisation's officials start the
    report by opening it; others may only read reports that exist and are theirs to read."""
    db = get_session()
    committee = db.get(Committee, committee_id)
    if committee is None or period not in PERIODS or not 2000 <= year <= 2100:
        abort(404)
    report = db.execute(select(Report).where(Report.committee_id == committee_id, Report.year == year,
                                             Report.period == period)).scalars().first()
    writer = current_user.role == Role.department.value and committee.organisation_id == current_user.organisation_id
    if report is None:
        ensure(writer or current_user.role in (Role.coordinator.value, Role.admin.value, Role.steering.value))
        if not writer:
            return db, committee, None
        try:
            report = services.get_or_create_report(db, committee_id=committee_id, year=year, period=period)
            db.commit()
        except ValidationFailed as error:
            db.rollback()
            flash(str(error.message), "error")
            return db, committee, None
    ensure(_may_read(db, report))
    return db, committee, report


def _page(db, committee, report, *, conflicts=(), status=200, typed=None):
    questions = services.questions_for(db, report.template_id, report.committee_id) if report else []
    answers = services.report_answers(db, report) if report else {}
    focus = {f.id: f for f in db.execute(select(FocusArea)).scalars()}
    facts = _facts(db, report) if report else {}
    editable = report is not None and services.may_write(current_user, report, db) and \
        report.status in (ReportStatus.draft.value, ReportStatus.returned.value)
    return render_template("reports/report.html", committee=committee, report=report, questions=questions,
                           answers=answers, focus=focus, facts=facts, editable=editable, conflicts=conflicts,
                           typed=typed or {}), status


@bp.route("/<int:committee_id>/<int:year>/<period>", methods=["GET", "POST"])
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def report(committee_id: int, year: int, period: str):
    db, committee, found = _load(committee_id, year, period)
    if found is None:
        return render_template("reports/missing.html", committee=committee, year=year, period=period), 404
    if request.method == "GET":
        return _page(db, committee, found)
    ensure(services.may_write(current_user, found, db))
    questions = services.questions_for(db, found.template_id, found.committee_id)
    # Read without a form class, so without its filter: PostgreSQL refuses NUL in text.
    typed = {q.id: strip_controls(request.form.get(f"answer-{q.id}", "")) for q in questions}
    too_long = [q for q in questions if len(typed[q.id]) > ANSWER_MAX]
    if too_long:
        flash(_("An answer may be at most %(max)s characters; shorten it and save again. Nothing was saved.",
                max=f"{ANSWER_MAX:,}".replace(",", " ")), "error")
        return _page(db, committee, found, status=400, typed=typed)
    answers = [services.AnswerInput(question_id=q.id, text=typed[q.id],
                                    version=small_int(request.form.get(f"version-{q.id}"))) for q in questions]
    contact = {k: strip_controls(request.form.get(k, "")) for k in ("contact_name", "contact_phone", "contact_email")}
    try:
        conflicts = services.save_answers(db, found, answers=answers, contact=contact, user_id=current_user.id,
                                          clock=clock())
        if conflicts:
            db.commit()
            return _page(db, committee, db.get(Report, found.id), conflicts=conflicts, status=409, typed=typed)
        if request.form.get("action") == "submit":
            services.submit(db, found, clock=clock(), working_days=working_days())
            db.commit()
            flash(_("The report was submitted."), "success")
        else:
            db.commit()
            flash(_("The report was saved."), "success")
    except DomainError as error:
        db.rollback()
        flash(" ".join([str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]), "error")
        return _page(db, committee, db.get(Report, found.id), status=400, typed=typed)
    return redirect(url_for("reports.report", committee_id=committee_id, year=year, period=period))


@bp.route("/<int:report_id>/<any('aterlamna','godkann'):action>", methods=["POST"])
@allow(Role.coordinator)
def decide(report_id: int, action: str):
    db = get_session()
    found = db.get(Report, report_id)
    if found is None:
        abort(404)
    try:
        if action == "aterlamna":
            services.return_for_completion(db, found, reason=strip_controls(request.form.get("reason", "")))
            flash(_("The report was returned for completion."), "success")
        else:
            services.approve(db, found, clock=clock())
            flash(_("The report was approved."), "success")
        db.commit()
    except DomainError as error:
        db.rollback()
        flash(" ".join([str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]), "error")
    return redirect(url_for("reports.report", committee_id=found.committee_id, year=found.year, period=found.period))


def _document(db, report: Report):
    committee = db.get(Committee, report.committee_id)
    questions = services.questions_for(db, report.template_id, report.committee_id)
    answers = services.report_answers(db, report)
    focus = {f.id: f for f in db.execute(select(FocusArea)).scalars()}
    template = db.get(ReportTemplate, report.template_id)
    return committee, questions, answers, focus, template


@bp.route("/<int:report_id>.pdf")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def pdf(report_id: int):
    from coordination.meetings.pdf import render_pdf

    db = get_session()
    found = db.get(Report, report_id)
    if found is None:
        abort(404)
    ensure(_may_read(db, found))
    committee, questions, answers, focus, template = _document(db, found)
    html = render_template("reports/print.html", report=found, committee=committee, questions=questions,
                           answers=answers, focus=focus, template=template)
    response = Response(render_pdf(html), mimetype="application/pdf")
    _exported(found, "report", "pdf")
    response.headers.set("Content-Disposition", "inline", filename=f"uppfoljning-{found.year}-{found.period}.pdf")
    return response


@bp.route("/<int:report_id>.docx")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def docx(report_id: int):
    from coordination.reports.documents import report_docx

    db = get_session()
    found = db.get(Report, report_id)
    if found is None:
        abort(404)
    ensure(_may_read(db, found))
    committee, questions, answers, focus, template = _document(db, found)
    data = report_docx(report=found, committee=committee, questions=questions, answers=answers, focus=focus,
                       template=template)
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    _exported(found, "report", "docx")
    response.headers.set("Content-Disposition", "attachment", filename=f"uppfoljning-{found.year}-{found.period}.docx")
    return response


def _exported(report: Report, document: str, fmt: str) -> None:
    """Record the export in the audit log (committed on its own: an export changes nothing)."""
    audit.record(audit_services.EXPORT, commit=True, object_type="report", object_id=report.id,
                 detail={"document": document, "format": fmt})


def _facts(db, report: Report) -> dict:
    """The frozen facts of a submitted report, or today's for one still being written."""
    return report.facts or services.compute_facts(db, committee_id=report.committee_id, year=report.year,
                                                  period=report.period, now=clock().now(), working_days=working_days())


def fact_rows(facts: dict):
    """The facts as rows (fact, key, value), with a header: the same for CSV and Excel."""
    yield ["uppgift", "nyckel", "värde"]
    for key, value in facts.items():
        if isinstance(value, dict):
            for sub, number in value.items():
                yield [key, sub, number]
        elif isinstance(value, list):
            for item in value:
                yield [key, "", item if not isinstance(item, dict) else " | ".join(str(v) for v in item.values())]
        else:
            yield [key, "", value]


@bp.route("/<int:report_id>/fakta.csv")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def facts_csv(report_id: int):
    db = get_session()
    found = db.get(Report, report_id)
    if found is None:
        abort(404)
    ensure(_may_read(db, found))
    facts = _facts(db, found)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([csv_cell(value) for value in row] for row in fact_rows(facts))
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    _exported(found, "facts", "csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"fakta-{found.year}-{found.period}.csv")
    return response


@bp.route("/sammanstallning/<int:year>/<period>")
@allow(Role.coordinator, Role.steering, Role.admin)
def compilation(year: int, period: str):
    """All committees' answers for a period, per focus area, for the city management office."""
    db = get_session()
    if period not in PERIODS or not 2000 <= year <= 2100:
        abort(404)
    reports = db.execute(select(Report, Committee.name).join(Committee, Committee.id == Report.committee_id)
                         .where(Report.year == year, Report.period == period,
                                Report.status.in_((ReportStatus.submitted.value, ReportStatus.approved.value)))
                         .order_by(Committee.name)).all()
    template = db.execute(select(ReportTemplate).where(ReportTemplate.year <= year)
                          .order_by(ReportTemplate.year.desc()).limit(1)).scalars().first()
    questions = services.ordered_questions(db, template.id) if template else []
    from coordination.reports.models import ReportAnswer

    ids = [r.id for r, _n in reports]
    answers: dict[tuple[int, int], str] = {}
    if ids:
        for a in db.execute(select(ReportAnswer).where(ReportAnswer.report_id.in_(ids))).scalars():
            answers[(a.report_id, a.question_id)] = a.text
    focus = {f.id: f for f in db.execute(select(FocusArea)).scalars()}
    return render_template("reports/compilation.html", year=year, period=period, reports=reports,
                           questions=questions, answers=answers, focus=focus)


# --- templates (admin) -------------------------------------------------------------------------------------

@bp.route("/mallar", methods=["GET", "POST"])
@allow(Role.admin)
def templates():
    db = get_session()
    if request.method == "POST":
        source = db.get(ReportTemplate, small_int(request.form.get("template_id")) or 0)
        year = small_int(request.form.get("year"))
        if source is None or year is None or not 2000 <= year <= 2100:
            flash(_("Choose a template and a year between 2000 and 2100."), "error")
        else:
            try:
                created = services.copy_template(db, source, year=year)
                audit.record(audit_services.CREATE, object_type="report_template", object_id=created.id,
                             detail={"copied_from": source.id, "year": year})
                db.commit()
                flash(_("The template was copied to %(year)s.", year=year), "success")
                return redirect(url_for("reports.template", template_id=created.id))
            except ValidationFailed as error:
                db.rollback()
                flash(str(error.message), "error")
    rows = db.execute(select(ReportTemplate).order_by(ReportTemplate.year.desc())).scalars().all()
    return render_template("reports/templates.html", templates=rows)


@bp.route("/mallar/<int:template_id>", methods=["GET", "POST"])
@allow(Role.admin)
def template(template_id: int):
    db = get_session()
    found = db.get(ReportTemplate, template_id)
    if found is None:
        abort(404)
    committees = db.execute(select(Committee).order_by(Committee.name)).scalars().all()
    focus = db.execute(select(FocusArea).order_by(FocusArea.id)).scalars().all()
    status = 200
    if request.method == "POST":
        question_id = small_int(request.form.get("question_id"))
        text = strip_controls(request.form.get("text") or "").strip()
        area = small_int(request.form.get("focus_area_id"))
        chosen = [small_int(v) for v in request.form.getlist("committee_ids") if small_int(v) is not None]
        valid_committees = {c.id for c in committees}
        if not text or len(text) > 2000:
            flash(_("Write the question (at most 2 000 characters)."), "error")
            status = 400
        elif area is not None and area not in {f.id for f in focus}:
            flash(_("Choose one of the four focus areas."), "error")
            status = 400
        elif any(c not in valid_committees for c in chosen):
            flash(_("Choose committees from the list."), "error")
            status = 400
        else:
            question = db.get(ReportQuestion, question_id) if question_id else None
            if question_id and (question is None or question.template_id != found.id):
                abort(404)
            before = None if question is None else _question_state(question)
            if question is None:
                last = db.execute(select(ReportQuestion.position).where(ReportQuestion.template_id == found.id)
                                  .order_by(ReportQuestion.position.desc()).limit(1)).scalar() or 0
                question = ReportQuestion(template_id=found.id, position=last + 10, text=text)
            question.text, question.focus_area_id, question.committee_ids = text, area, sorted(set(chosen))
            db.add(question)
            db.flush()
            audit.record(audit_services.CREATE if before is None else audit_services.UPDATE,
                         object_type="report_question", object_id=question.id,
                         detail=audit_services.changes(before, _question_state(question)) | {"template_id": found.id})
            db.commit()
            flash(_("The question was saved."), "success")
            return redirect(url_for("reports.template", template_id=found.id))
    questions = db.execute(select(ReportQuestion).where(ReportQuestion.template_id == found.id)
                           .order_by(ReportQuestion.position)).scalars().all()
    names = {c.id: c.name for c in committees}
    return render_template("reports/template.html", template=found, questions=questions, committees=committees,
                           focus=focus, names=names), status


def _question_state(question: ReportQuestion) -> dict:
    return {"text": question.text, "focus_area_id": question.focus_area_id,
            "committee_ids": sorted(question.committee_ids or [])}


@bp.route("/<int:report_id>/fakta.xlsx")
@allow(Role.coordinator, Role.department, Role.steering, Role.admin)
def facts_xlsx(report_id: int):
    from openpyxl import Workbook

    db = get_session()
    found = db.get(Report, report_id)
    if found is None:
        abort(404)
    ensure(_may_read(db, found))
    facts = _facts(db, found)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{found.year} {found.period}"
    for row in fact_rows(facts):
        append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    response = Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    _exported(found, "facts", "xlsx")
    response.headers.set("Content-Disposition", "attachment", filename=f"fakta-{found.year}-{found.period}.xlsx")
    return response
