"""The admin's view of the audit log: newest first, 50 to a page, filtered by who, what, kind of
record and dates, and the filtered rows as CSV (which is itself recorded)."""

import csv
import io
import json

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from sqlmodel import select

from coordination.access import allow
from coordination.audit import recording, services
from coordination.audit.forms import ACTION_LABELS, ACTOR_LABELS, OBJECT_LABELS, AuditFilterForm
from coordination.auth.models import Role, User
from coordination.db import get_session
from coordination.forms import small_int
from coordination.spreadsheets import csv_cell

bp = Blueprint("audit", __name__)
bp.after_app_request(recording.record_unrecorded_admin_change)
FILTERS = ("actor", "action", "object_type", "date_from", "date_to")


def _form(db) -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    users = db.execute(select(User.id, User.name, User.email).order_by(User.name, User.id)).all()
    form.actor.choices = [("", _("Everyone"))] + [(key, str(label)) for key, label in ACTOR_LABELS.items()] + [
        (f"user:{user_id}", f"{name} ({email})") for user_id, name, email in users]
    form.action.choices = [("", _("All"))] + [(key, str(label)) for key, label in ACTION_LABELS.items()]
    form.object_type.choices = [("", _("All"))] + [(key, str(label)) for key, label in OBJECT_LABELS.items()]
    return form


def _filters(form: AuditFilterForm, valid: bool) -> services.AuditFilters:
    if not valid:
        return services.AuditFilters()
    actor = form.actor.data or ""
    user_id = small_int(actor.removeprefix("user:")) if actor.startswith("user:") else None
    return services.AuditFilters(actor_user_id=user_id, actor_label=actor if actor in ACTOR_LABELS else None,
                                 action=form.action.data or None, object_type=form.object_type.data or None,
                                 date_from=form.date_from.data, date_to=form.date_to.data)


def _args() -> dict:
    """The filters in the address, for the pager's and the CSV link's addresses."""
    return {k: request.args[k] for k in FILTERS if request.args.get(k)}


def _page(db, form: AuditFilterForm, valid: bool):
    """The log page; with wrong filters, the messages and the newest entries unfiltered."""
    page = services.list_entries(db, _filters(form, valid),
                                 page=(small_int(request.args.get("page")) or 1) if valid else 1)
    return render_template("admin/audit.html", form=form, page=page, rows=[_row(e) for e in page.entries],
                           args=_args() if valid else {}), (200 if valid else 400)


@bp.route("/admin/logg")
@allow(Role.admin)
def index():
    db = get_session()
    form = _form(db)
    return _page(db, form, form.validate())


def _short(value: str | None) -> str:
    """A hash shortened for the page (the CSV has it whole)."""
    if not value:
        return ""
    return value[:12] + "…" if len(value) == 64 else value


def _row(entry) -> dict:
    """One entry as the page shows it: words for the codes, hashes shortened."""
    who = entry.actor_label
    if entry.actor_user_id is None:
        who = str(ACTOR_LABELS.get(who, who))  # "system" and "anonymous" in the page's language
    what = str(OBJECT_LABELS.get(entry.object_type, entry.object_type)) if entry.object_type else ""
    ref = _short(entry.object_ref) or (str(entry.object_id) if entry.object_id is not None else "")
    return {"at": entry.at, "who": who, "action": str(ACTION_LABELS.get(entry.action, entry.action)),
            "object": f"{what} {ref}".strip(), "detail": _detail_text(entry.detail),
            "address": _short(entry.address_hash), "request_id": entry.request_id or ""}


def _detail_text(detail: dict) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


@bp.route("/admin/logg.csv")
@allow(Role.admin)
def export():
    db = get_session()
    form = _form(db)
    if not form.validate():
        return _page(db, form, False)
    entries = services.export_entries(db, _filters(form, True))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Time (UTC)"), _("User id"), _("Who"), _("Event code"), _("What happened"),
                     _("Kind of record"), _("Record id"), _("Record reference"), _("Details"),
                     _("Client address (hash)"), _("Request id")])
    for entry in entries:
        writer.writerow([csv_cell(v) for v in (
            entry.at.isoformat(timespec="seconds"), entry.actor_user_id, entry.actor_label, entry.action,
            ACTION_LABELS.get(entry.action, entry.action), entry.object_type, entry.object_id, entry.object_ref,
            _detail_text(entry.detail), entry.address_hash, entry.request_id)])
    recording.record(services.EXPORT, commit=True, object_type="audit_log",
                     detail={"format": "csv", "rows": len(entries), "filters": _args()})
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename="granskningslogg.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response
