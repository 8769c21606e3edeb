from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coordination.access import allow, can_view_meeting
from coordination.db import get_session
from coordination.meetings.calendar import (
    has_calendar_token,
    new_calendar_token,
    series_feed,
    user_for_calendar_token,
)
from coordination.meetings.models import MeetingSeries
from coordination.organisations.models import Group, GroupMember
from coordination.web import clock

bp = Blueprint("calendar", __name__, url_prefix="/kalender")


def _visible_series(db, user):
    member_of = set(db.execute(select(GroupMember.group_id).where(GroupMember.user_id == user.id)).scalars())
    rows = db.execute(select(MeetingSeries, Group).join(Group, Group.id == MeetingSeries.group_id)
                      .where(MeetingSeries.active.is_(True)).order_by(MeetingSeries.name)).all()
    # Times and places of meetings are not drafts: anyone who may see a group's published
    # agendas may have its calendar.
    return [(s, g) for s, g in rows if can_view_meeting(user, group_kind=g.kind, is_member=g.id in member_of,
                                                        published=True)]


@bp.route("")
@allow()
def index():
    db = get_session()
    return render_template("meetings/calendar.html", series=_visible_series(db, current_user),
                           has_token=has_calendar_token(db, current_user.id), token=None)


@bp.route("", methods=["POST"])
@allow()
def create_token():
    db = get_session()
    token = new_calendar_token(db, current_user, now=clock().now())
    db.commit()
    flash(_("Your calendar addresses are below. Earlier addresses no longer work."), "success")
    return render_template("meetings/calendar.html", series=_visible_series(db, current_user), has_token=True,
                           token=token)


@bp.route("/<token>/<int:series_id>.ics")
@allow(public=True)
def feed(token: str, series_id: int):
    db = get_session()
    user = user_for_calendar_token(db, token)
    if user is None:
        abort(404)
    allowed = {s.id for s, _g in _visible_series(db, user)}
    series = db.get(MeetingSeries, series_id)
    if series is None or series.id not in allowed:
        abort(404)
    body = series_feed(db, series, base_url=current_app.config["BASE_URL"], host=request.host.split(":")[0])
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="serie-{series.id}.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
