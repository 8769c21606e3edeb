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
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from coordination.access import allow, safe_next
from coordination.audit import recording as audit
from coordination.audit.services import LOGOUT, LOGOUT_EVERYWHERE
from coordination.auth import totp
from coordination.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    LanguageForm,
    LoginForm,
    LogoutEverywhereForm,
)
from coordination.auth.models import Role
from coordination.auth.services import (
    change_password,
    end_sessions,
    normalise_email,
    record_login,
    set_locale,
    user_for_session_id,
    verify_password,
)
from coordination.auth.throttle import (
    LoginLocked,
    ThrottlePolicy,
    attempt_succeeded,
    start_attempt,
)
from coordination.db import get_session
from coordination.errors import ValidationFailed
from coordination.extensions import limiter
from coordination.web import clock

bp = Blueprint("auth", __name__)

# Session keys: a login waiting for its code, and a TOTP secret being set up.
PENDING = "login_pending"
TOTP_SETUP = "totp_setup"


def _policy() -> ThrottlePolicy:
    return ThrottlePolicy.from_config(current_app.config)


def _address() -> str:
    return request.remote_addr or "unknown"


def _locked_message(error: LoginLocked) -> str:
    # The same words for an account and an address, and for addresses with or without an account.
    return ngettext("Too many failed attempts. Wait %(num)d minute and try again.",
                    "Too many failed attempts. Wait %(num)d minutes and try again.", error.minutes)


def _start_session(user) -> None:
    """A fresh session for the user: nothing from before carries over but the language."""
    locale = user.locale or session.get("locale")
    session.clear()
    login_user(user)
    if locale:
        session["locale"] = locale


@bp.route("/logga-in", methods=["GET", "POST"])
@allow(public=True)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = get_session()
    pending = _pending_login(db)
    if pending is not None and "email" not in request.form:
        return _code_step(db, *pending)
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status, headers, locked = 200, {}, None
    if form.validate_on_submit():
        now = clock().now()
        try:
            attempt = start_attempt(db, email=normalise_email(form.email.data), address=_address(),
                                    policy=_policy(), now=now)
        except LoginLocked as error:
            db.rollback()
            audit.login_locked(form.email.data, seconds=error.seconds, step="password")
            # Refused before the password is even looked at.
            status, headers, locked = 429, {"Retry-After": str(error.seconds)}, _locked_message(error)
        else:
            db.commit()  # the attempt counts for every worker before the slow check starts
            user = verify_password(db, email=form.email.data, password=form.password.data)
            if user is not None:
                next_url = safe_next(form.next.data, url_for("home.index"))
                if user.totp_enabled:
                    attempt_succeeded(db, attempt, clear_account=False)  # failed codes still count
                    db.commit()
                    locale = session.get("locale")
                    session.clear()
                    session[PENDING] = {"user": user.get_id(), "at": now.timestamp(), "next": next_url}
                    if locale:
                        session["locale"] = locale
                    return redirect(url_for("auth.login"))
                attempt_succeeded(db, attempt, clear_account=True)
                record_login(db, user, now=now)
                audit.login_succeeded(user, second_factor=False)
                db.commit()
                _start_session(user)
                return redirect(next_url)
            audit.login_failed(form.email.data, step="password", locked=attempt.locks_set)
            # Same words whether the e-mail exists or not.
            form.password.errors = [_("Wrong e-mail address or password.")]
            status = 400
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    return render_template("auth/login.html", form=form, locked=locked), status, headers


def _pending_login(db):
    """(user, pending data) of a login waiting for its code, or None. The wait ends after
    LOGIN_CODE_MINUTES, and when the user's sessions were ended meanwhile."""
    data = session.get(PENDING)
    if data is None:
        return None
    now = clock().now().timestamp()
    at = data.get("at") if isinstance(data, dict) else None
    user = user_for_session_id(db, data.get("user")) if isinstance(at, (int, float)) else None
    if user is None or not user.totp_enabled or not at - 60 <= now <= at + current_app.config["LOGIN_CODE_MINUTES"] * 60:
        session.pop(PENDING, None)
        flash(_("The time to enter the code ran out. Log in again."), "info")
        return None
    return user, data


def _code_step(db, user, pending):
    """The second step of a login: the code from the user's app."""
    if request.method == "POST" and "cancel" in request.form:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        now = clock().now()
        try:
            attempt = start_attempt(db, email=user.email, address=_address(), policy=_policy(), now=now)
        except LoginLocked as error:
            db.rollback()
            audit.login_locked(user.email, seconds=error.seconds, step="code")
            session.pop(PENDING, None)
            login_form = LoginForm(formdata=None)
            login_form.email.data = user.email
            return render_template("auth/login.html", form=login_form, locked=_locked_message(error)), 429, \
                {"Retry-After": str(error.seconds)}
        db.commit()
        if totp.check_login_code(db, user, form.code.data, now=now):
            attempt_succeeded(db, attempt, clear_account=True)
            record_login(db, user, now=now)
            audit.login_succeeded(user, second_factor=True)
            db.commit()
            _start_session(user)
            return redirect(safe_next(pending.get("next"), url_for("home.index")))
        db.rollback()  # nothing to keep: the attempt was counted and committed above
        audit.login_failed(user.email, step="code", locked=attempt.locks_set)
        form.code.errors = [_("The code is not right, or it was already used. Enter the code the app shows now.")]
        status = 400
    elif request.method == "POST":
        status = 400
    form.code.data = ""
    return render_template("auth/login_code.html", form=form), status, headers


@bp.route("/logga-ut", methods=["POST"])
@allow()
def logout():
    audit.record(LOGOUT, commit=True, object_type="user", object_id=current_user.id)
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


# --- the user's own account ----------------------------------------------------------------------

def _account_page(*, password_form=None, logout_form=None, code_form=None, status: int = 200, headers=None):
    from coordination.admin.forms import ROLE_LABELS
    from coordination.organisations.models import Organisation

    user = current_user._get_current_object()
    organisation = get_session().get(Organisation, user.organisation_id) if user.organisation_id else None
    return render_template(
        "auth/account.html", account=user, organisation_name=organisation.name if organisation else None,
        role_label=ROLE_LABELS.get(user.role, user.role), may_enrol=totp.may_enrol(user),
        password_form=password_form or ChangePasswordForm(formdata=None),
        logout_form=logout_form or LogoutEverywhereForm(formdata=None),
        code_form=code_form or CodeForm(formdata=None)), status, headers or {}


@bp.route("/konto")
@allow()
def account():
    return _account_page()


@bp.route("/konto/losenord", methods=["POST"])
@allow()
def password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(password_form=form, status=400)
    db, user, now = get_session(), current_user._get_current_object(), clock().now()
    try:
        attempt = start_attempt(db, email=user.email, address=_address(), policy=_policy(), now=now)
    except LoginLocked as error:
        db.rollback()
        form.current_password.errors = [_locked_message(error)]
        return _account_page(password_form=form, status=429, headers={"Retry-After": str(error.seconds)})
    db.commit()  # a wrong current password counts like a failed login
    try:
        change_password(db, user, current=form.current_password.data, new=form.new_password.data)
    except ValidationFailed as error:
        db.rollback()
        if "current_password" not in error.errors:
            attempt_succeeded(db, attempt, clear_account=False)
            db.commit()
        for name, messages in error.errors.items():
            getattr(form, name).errors = list(getattr(form, name).errors) + [str(m) for m in messages]
        return _account_page(password_form=form, status=400)
    attempt_succeeded(db, attempt, clear_account=False)
    db.commit()
    _start_session(user)  # the other sessions ended with the old password; this one goes on
    flash(_("Your password is changed. You are logged out on every other computer and phone."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/konto/logga-ut-overallt", methods=["POST"])
@allow()
def logout_everywhere():
    form = LogoutEverywhereForm()
    if not form.validate_on_submit():
        return _account_page(logout_form=form, status=400)
    db = get_session()
    end_sessions(db, current_user._get_current_object())
    audit.record(LOGOUT_EVERYWHERE, object_type="user", object_id=current_user.id)
    db.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out on every computer and phone."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/tvastegsverifiering", methods=["GET", "POST"])
@allow(Role.admin, Role.coordinator)
def totp_setup():
    user = current_user._get_current_object()
    if user.totp_enabled:
        flash(_("Two-step verification is already on."), "info")
        return redirect(url_for("auth.account"))
    secret = session.get(TOTP_SETUP)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[TOTP_SETUP] = totp.new_secret()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        try:
            totp.enable_totp(db, user, secret=secret, code=form.code.data, now=clock().now())
        except ValidationFailed as error:
            db.rollback()
            form.code.errors = [str(m) for m in error.errors.get("code", [error.message])]
            status = 400
        else:
            end_sessions(db, user)  # sessions that began without the second factor end
            db.commit()
            _start_session(user)
            flash(_("Two-step verification is on. From now on you log in with your password and a code "
                    "from the app. You are logged out on every other computer and phone."), "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    form.code.data = ""
    return render_template("auth/totp_setup.html", form=form, secret=totp.grouped(secret),
                           uri=totp.provisioning_uri(secret, user.email)), status


@bp.route("/konto/tvastegsverifiering/stang-av", methods=["POST"])
@allow()
def totp_disable():
    form = CodeForm()
    if not form.validate_on_submit():
        return _account_page(code_form=form, status=400)
    db, user, now = get_session(), current_user._get_current_object(), clock().now()
    try:
        attempt = start_attempt(db, email=user.email, address=_address(), policy=_policy(), now=now)
    except LoginLocked as error:
        db.rollback()
        form.code.errors = [_locked_message(error)]
        return _account_page(code_form=form, status=429, headers={"Retry-After": str(error.seconds)})
    db.commit()  # a wrong code counts like a failed login
    try:
        totp.disable_totp(db, user, code=form.code.data, now=now)
    except ValidationFailed as error:
        db.rollback()
        if "code" not in error.errors:
            attempt_succeeded(db, attempt, clear_account=False)
            db.commit()
        form.code.errors = [str(m) for m in error.errors.get("code", [error.message])]
        return _account_page(code_form=form, status=400)
    attempt_succeeded(db, attempt, clear_account=False)
    db.commit()
    flash(_("Two-step verification is off. You log in with your password only."), "success")
    return redirect(url_for("auth.account"))
