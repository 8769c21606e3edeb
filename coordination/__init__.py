"""Samordning: case management for the City of Stockholm's coordination model."""

import logging
from datetime import date, datetime
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_openapi3 import Info, OpenAPI
from werkzeug.exceptions import HTTPException

from config.settings import INSECURE_SECRET, load
from coordination import db, frontcache, i18n, pagecache, reflists
from coordination.clock import SystemClock, WorkingDays, in_stockholm
from coordination.logconfig import configure_logging, loggable_path

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    pass


def create_app(config: dict | None = None) -> Flask:
    """Build the application. `config` overrides the environment's settings (tests)."""
    settings = load((config or {}).get("ENV_NAME"))
    settings.update(config or {})
    if settings.get("PRODUCTION") and (not settings.get("SECRET_KEY") or settings["SECRET_KEY"] == INSECURE_SECRET
                                       or len(settings["SECRET_KEY"]) < 32):
        raise ConfigurationError("SECRET_KEY must be set to a random value of at least 32 characters in "
                                 "production (e.g. python -c 'import secrets; print(secrets.token_hex(32))').")

    from coordination.api.problems import validation_problem

    app = OpenAPI(
        __name__,
        info=Info(title="Samordning API", version="1",
                  description="Cases, organisations and meetings of the City of Stockholm's coordination "
                              "model for its dedicated business areas."),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer",
                                     "description": "A token from `flask --app wsgi users token EMAIL`"}},
        doc_ui=False,
        validation_error_status=422,
        validation_error_callback=validation_problem,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(settings)
    configure_logging(app)  # first, so the request id and access line wrap every other hook
    app.extensions["clock"] = settings.get("CLOCK") or SystemClock()
    app.extensions["working_days"] = WorkingDays()

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from coordination.auth.usercache import UserCache
    from coordination.auth.views import select_locale
    from coordination.cases import history
    from coordination.extensions import babel, csrf, limiter, login_manager

    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Stockholm")
    i18n.install(app)
    limiter.init_app(app)
    pagecache.init_app(app)
    reflists.init_app(app)
    history.init_app(app)
    frontcache.init_app(app)
    app.extensions["user_cache"] = UserCache()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str):
        from coordination.auth.services import user_for_session_id

        # "id:epoch": a session ended by "log out everywhere" (or by an admin) loads nobody.
        return user_for_session_id(db.get_session(), user_id, cache=app.extensions["user_cache"])


def register_blueprints(app: Flask) -> None:
    from coordination.access import allow, check_request
    from coordination.actions.views import bp as actions_bp
    from coordination.admin.views import bp as admin_bp
    from coordination.api import actions as _api_actions  # noqa: F401
    from coordination.api import cases as _api_cases  # noqa: F401  (registers the case operations)
    from coordination.api import meetings as _api_meetings  # noqa: F401
    from coordination.api.views import api, openapi_document
    from coordination.audit.views import bp as audit_bp
    from coordination.auth.views import bp as auth_bp
    from coordination.cases.views import bp as cases_bp
    from coordination.companies.views import bp as companies_bp
    from coordination.extensions import csrf
    from coordination.home.views import bp as home_bp
    from coordination.intake.views import bp as intake_bp
    from coordination.meetings.calendar_views import bp as calendar_bp
    from coordination.meetings.views import bp as meetings_bp
    from coordination.notifications.views import bp as notifications_bp
    from coordination.reports.views import bp as reports_bp
    from coordination.routing.views import bp as routing_bp
    from coordination.system.views import bp as system_bp

    app.before_request(check_request)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(system_bp)
    app.register_blueprint(audit_bp)
    app.register_api(api)
    # The API authenticates by bearer token only, never by cookie, so it needs no CSRF token.
    csrf.exempt(api)
    app.add_url_rule("/api/v1/openapi.json", "openapi_json", allow(public=True)(openapi_document))

    @app.after_request
    def security_headers(response):
        # No inline script or style anywhere (templates/ holds none; tests/test_csp.py keeps it so);
        # the dashboard's SVG charts are data: images. A PDF gets only frame-ancestors: Chrome's
        # built-in viewer is an <embed> under the PDF's own policy, which object-src 'none' and
        # style-src 'self' would blank out (crbug.com/271452).
        if response.mimetype == "application/pdf":
            response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        else:
            response.headers.setdefault("Content-Security-Policy",
                                        "default-src 'self'; script-src 'self'; style-src 'self'; "
                                        "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                        "form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("PRODUCTION"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def register_errorhandlers(app: Flask) -> None:
    from coordination.access import is_api_request
    from coordination.api.problems import problem

    messages = {
        400: (lambda: _("Bad request"), lambda: _("The request could not be understood. Go back and try again.")),
        401: (lambda: _("Not logged in"), lambda: _("Log in to continue.")),
        403: (lambda: _("Not allowed"), lambda: _("You do not have access to this page.")),
        404: (lambda: _("Page not found"), lambda: _("There is no page at this address.")),
        405: (lambda: _("Not allowed"), lambda: _("That action is not possible on this page.")),
        413: (lambda: _("Too large"), lambda: _("What you sent is larger than allowed.")),
        429: (lambda: _("Too many requests"), lambda: _("Wait a moment and try again.")),
    }

    def render_error(status: int, description: str | None = None, headers=None):
        title, detail = messages.get(status, (lambda: _("Error"), lambda: _("Something went wrong.")))
        if is_api_request():
            return problem(status, title(), description or detail(), headers=dict(headers or {}))
        return render_template("errors/error.html", status=status, title=title(), detail=detail()), status, \
            dict(headers or {})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # A response the library prepared (e.g. flask-openapi3) is passed on as it is.
        if error.response is not None:
            return error.response
        status = error.code or 500
        headers = [h for h in error.get_headers() if h[0].lower() not in ("content-type", "content-length")]
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="samordning"'))
        if status >= 500:
            return _server_error(error)
        return render_error(status, None, headers)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():
            return problem(400, _("Bad request"), error.description)
        return render_template("errors/error.html", status=400, title=_("The form had expired"),
                               detail=_("Go back, reload the page and send the form again. "
                                        "Copy your text first if it is long.")), 400

    @app.errorhandler(Exception)
    def _server_error(error):
        log.exception("unhandled error on %s %s", request.method, loggable_path())
        if is_api_request():
            return problem(500, "Internal error", "Something went wrong on our side; it has been logged.")
        return render_template("errors/error.html", status=500, title=_("Something went wrong"),
                               detail=_("Something went wrong on our side. It has been logged; try again later.")), 500


def register_template_helpers(app: Flask) -> None:
    from coordination.auth.forms import LanguageForm
    from coordination.forms import form_field
    from coordination.labels import template_globals
    from coordination.web import case_url

    app.jinja_env.globals.update(template_globals())
    app.jinja_env.globals["field"] = form_field
    app.jinja_env.globals["case_url"] = case_url

    # Times in Stockholm. The all-digit patterns the templates use read the same in every
    # language, so they are formatted directly (Babel's pattern formatting was a fifth of a
    # 50-row list's rendering); any other pattern goes to Babel.
    numeric = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S", "HH:mm": "%H:%M"}

    @app.template_filter("localtime")
    def localtime(value, fmt="yyyy-MM-dd HH:mm"):
        if value is None:
            return ""
        if fmt in numeric and isinstance(value, datetime):
            return in_stockholm(value).strftime(numeric[fmt])
        return format_datetime(value, fmt)

    @app.template_filter("localdate")
    def localdate(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = in_stockholm(value).date()
        if isinstance(value, date):
            return value.isoformat()
        return format_date(value, "yyyy-MM-dd")

    @app.context_processor
    def layout_context():
        form = LanguageForm(formdata=None)  # never re-read the body: error pages render this too
        form.next.data = request.full_path.rstrip("?") if request.method == "GET" else request.path
        form.lang.data = "en" if str(get_locale()) == "sv" else "sv"
        unread = 0
        if current_user.is_authenticated and request.blueprint != "api":
            from coordination.db import get_session
            from coordination.notifications.services import unread_count

            # Every page shows it: kept per data version, as the reference lists (notifications
            # are a versioned table: a new one or one read raises the version).
            user_id = current_user.id
            unread = reflists.kept(get_session(), ("unread_notifications", user_id),
                                   lambda db: unread_count(db, user_id))
        return {"language_form": form, "current_locale": str(get_locale()), "user": current_user,
                "unread_notifications": unread}


def register_commands(app: Flask) -> None:
    from coordination.cli import register

    register(app)
