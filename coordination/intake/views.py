"""The public side: the intake form for companies and property owners, its receipt, and the
status link. The only pages anonymous users reach."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from coordination.access import allow
from coordination.cases.attachments import AttachmentStore, check_files
from coordination.cases.forms import IntakeForm
from coordination.cases.intake import Submission, public_status, submit_case
from coordination.cases.services import Submitter, case_for_status_token
from coordination.db import get_session
from coordination.extensions import limiter
from coordination.organisations.services import list_business_areas
from coordination.web import clock

bp = Blueprint("intake", __name__)


def attachment_store() -> AttachmentStore:
    return AttachmentStore(current_app.config["ATTACHMENTS_DIR"])


def status_url(token: str) -> str:
    return url_for("intake.status", token=token, _external=True)


@bp.route("/lamna-arende", methods=["GET", "POST"])
@allow(public=True)
@limiter.limit(lambda: current_app.config["INTAKE_RATE_LIMIT"], methods=["POST"])
def form():
    db = get_session()
    intake = IntakeForm()
    intake.business_area_id.choices = [("", _("Don't know"))] + [
        (a.id, a.name) for a in list_business_areas(db, active_only=True)]
    file_errors: list[str] = []
    if request.method == "POST":
        valid = intake.validate()
        if intake.website.data:
            intake.website.errors = [_("Leave this field empty.")]
            valid = False
        files, file_errors = check_files(request.files.getlist(intake.attachments.name))
        if file_errors:
            intake.attachments.errors = list(file_errors)
            valid = False
        if valid:
            submission = Submission(
                submitter=Submitter(company_name=intake.company_name.data,
                                    organisation_number=intake.organisation_number.data or None,
                                    contact_name=intake.contact_name.data, contact_email=intake.contact_email.data,
                                    contact_phone=intake.contact_phone.data or "", location=intake.location.data or ""),
                business_area_id=intake.business_area_id.data, title=intake.title.data,
                description=intake.description.data, locale=str(get_locale()))
            case, token = submit_case(db, submission, files, store=attachment_store(), clock=clock(),
                                      status_url=status_url)
            db.commit()
            # The receipt is shown once through the session, so reloading it does not resend anything.
            session["receipt"] = {"reference": case.reference, "token": token}
            return redirect(url_for("intake.receipt"))
        had_files = any(f.filename for f in request.files.getlist(intake.attachments.name))
        return render_template("intake/form.html", form=intake, files_dropped=had_files), 400
    return render_template("intake/form.html", form=intake, files_dropped=False)


@bp.route("/lamna-arende/kvitto")
@allow(public=True)
def receipt():
    data = session.get("receipt")
    if not data:
        return redirect(url_for("intake.form"))
    return render_template("intake/receipt.html", reference=data["reference"],
                           url=url_for("intake.status", token=data["token"], _external=True))


@bp.route("/status/<token>")
@allow(public=True)
def status(token: str):
    db = get_session()
    case = case_for_status_token(db, token)
    if case is None:
        abort(404)
    return render_template("intake/status.html", status=public_status(db, case, now=clock().now()))
