from flask import (
    Blueprint,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from coordination.access import allow, safe_next
from coordination.auth.forms import LanguageForm, LoginForm
from coordination.auth.services import authenticate, set_locale
from coordination.clock import SystemClock
from coordination.db import get_session

bp = Blueprint("auth", __name__)


@bp.route("/logga-in", methods=["GET", "POST"])
@allow(public=True)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        db = get_session()
        user = authenticate(db, email=form.email.data, password=form.password.data,
                            now=SystemClock().now())
        if user is not None:
            db.commit()
            session.clear()  # a fresh session on login: nothing carried over from before
            login_user(user)
            if user.locale:
                session["locale"] = user.locale
            return redirect(safe_next(form.next.data, url_for("home.index")))
        # Same words whether the e-mail exists or not.
        form.password.errors = [_("Wrong e-mail address or password.")]
        status = 400
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    return render_template("auth/login.html", form=form), status


@bp.route("/logga-ut", methods=["POST"])
@allow()
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sprak", methods=["POST"])
@allow(public=True)
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.lang.data
        if current_user.is_authenticated:
            db = get_session()
            set_locale(db, current_user, form.lang.data)
            db.commit()
    target = form.next.data or request.referrer or ""
    # Only our own pages, as a path; a full referrer URL is reduced to its path.
    if target.startswith(request.host_url):
        target = "/" + target[len(request.host_url):]
    return redirect(safe_next(target, url_for("home.index")))


def select_locale():
    if not has_request_context():  # CLI and jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in current_app.config["LANGUAGES"]:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
