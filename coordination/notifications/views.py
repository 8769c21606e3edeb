from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import allow
from coordination.db import get_session
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
