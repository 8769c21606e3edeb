from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import allow
from coordination.db import get_session
from coordination.i18n import lazy_gettext as _l
from coordination.notifications import services
from coordination.web import clock

bp = Blueprint("notifications", __name__, url_prefix="/notiser")


@bp.route("")
@allow()
def index():
    rows = services.latest(get_session(), current_user.id)
    return render_template("notifications/index.html", rows=rows)


@bp.route("/last", methods=["POST"])
@allow()
def read_all():
    db = get_session()
    services.mark_all_read(db, current_user.id, now=clock().now())
    db.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


KIND_LABELS = {"rule": _l("A rule moved or flagged a case"), "reminder": _l("Reminders of action items"),
               "escalation_request": _l("Requests for escalation"), "agenda_published": _l("Published agendas")}
MODE_LABELS = {"email": _l("E-mail at once"), "digest": _l("One e-mail a day (digest)"), "app": _l("Only in the app")}


@bp.route("/installningar", methods=["GET", "POST"])
@allow()
def settings():
    db = get_session()
    if request.method == "POST":
        choices = {kind: request.form.get(kind, "") for kind in KIND_LABELS}
        wrong = [kind for kind, mode in choices.items() if mode not in MODE_LABELS]
        if wrong:
            flash(_("Choose one of the options for every kind."), "error")
        else:
            services.set_preferences(db, current_user.id, choices)
            db.commit()
            flash(_("Your choices were saved."), "success")
            return redirect(url_for("notifications.settings"))
    current = services.preferences(db, [current_user.id])
    chosen = {kind: current.get((current_user.id, kind), "email") for kind in KIND_LABELS}
    return render_template("notifications/settings.html", kinds=KIND_LABELS, modes=MODE_LABELS, chosen=chosen)
