"""Settings per environment. `create_app` picks one by `SAMORDNING_ENV` (development,
production, testing) and then lets environment variables override single keys."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSECURE_SECRET = "dev-only-not-secret"


class Base:
    SECRET_KEY = INSECURE_SECRET
    DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'samordning.db'}"
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "coordination" / "translations")
    LANGUAGES = ("sv", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a long form must not expire while an official writes it
    # Five attachments of 10 MB each and the form itself.
    MAX_CONTENT_LENGTH = 55 * 1024 * 1024
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "samordning@stockholm.se"
    MAIL_BACKEND = "smtp"  # "console" logs mails instead of sending them
    SCHEDULER_HEARTBEAT_SECONDS = 60
    OUTBOX_SEND_SECONDS = 30
    ROUTING_SWEEP_MINUTES = 15
    AGENDA_JOB_MINUTES = 60
    # Contact details of closed cases are anonymised this many months after closing.
    RETENTION_MONTHS = 36
    # Links in mails sent by jobs (no request to take the host from).
    BASE_URL = "http://127.0.0.1:5000"
    ATTACHMENTS_DIR = str(ROOT / "instance" / "attachments")
    # Per client address; the storage must be shared by all workers in production (Redis).
    INTAKE_RATE_LIMIT = "20 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # Login: a coarse per-client limit on the login POSTs (Flask-Limiter, storage as above), and
    # lockouts counted in the database, which every worker shares: after this many failures
    # within the window an account (or a client address) waits the first back-off, doubled per
    # further failure up to the maximum. The second step (a code) must come within its minutes.
    LOGIN_RATE_LIMIT = "30 per minute"
    LOGIN_ACCOUNT_MAX_FAILURES = 5
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_BACKOFF_FIRST_SECONDS = 60
    LOGIN_BACKOFF_MAX_SECONDS = 3600
    LOGIN_CODE_MINUTES = 5
    PAGE_SIZE = 50
    # Rendered pages (queue, case page, start pages) kept until the data changes, at most this
    # long by the clock and never past midnight; 0 turns the cache off. See coordination/pagecache.py.
    PAGE_CACHE_SECONDS = 60
    PAGE_CACHE_BYTES = 32 * 1024 * 1024
    # Case histories as the case page renders them, kept per worker while the case's events are
    # the same ones (coordination/cases/history.py); any change is seen on the next page.
    HISTORY_CACHE_BYTES = 16 * 1024 * 1024
    # The start pages' twelve-month figures are recomputed at most this often (the page says
    # "as of"); 0 computes them on every view.
    DASHBOARD_MAX_AGE_SECONDS = 300
    PRODUCTION = False
    # "text": readable lines; "json": one JSON object per line for a log collector.
    LOG_FORMAT = "text"


class Development(Base):
    MAIL_BACKEND = "console"


class Testing(Base):
    TESTING = True
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "console"
    INTAKE_RATE_LIMIT = "10000 per hour"
    LOGIN_RATE_LIMIT = "10000 per hour"
    DASHBOARD_MAX_AGE_SECONDS = 0  # tests change data and look at the figures at once


class Production(Base):
    SECRET_KEY = None  # must come from the environment
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PRODUCTION = True


ENVIRONMENTS = {"development": Development, "production": Production, "testing": Testing}

# Keys that may be overridden one by one from the environment, with their types.
ENV_KEYS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "BABEL_DEFAULT_LOCALE": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in ("1", "true", "yes"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_BACKEND": str,
    "SCHEDULER_HEARTBEAT_SECONDS": int,
    "ATTACHMENTS_DIR": str,
    "ROUTING_SWEEP_MINUTES": int,
    "BASE_URL": str,
    "RETENTION_MONTHS": int,
    "INTAKE_RATE_LIMIT": str,
    "RATELIMIT_STORAGE_URI": str,
    "PAGE_CACHE_SECONDS": int,
    "DASHBOARD_MAX_AGE_SECONDS": int,
    "LOGIN_RATE_LIMIT": str,
    "LOGIN_ACCOUNT_MAX_FAILURES": int,
    "LOGIN_ADDRESS_MAX_FAILURES": int,
    "LOG_FORMAT": lambda v: v.strip().lower(),
}


def load(env_name: str | None = None) -> dict:
    name = (env_name or os.environ.get("SAMORDNING_ENV") or "development").lower()
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"SAMORDNING_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    cls = ENVIRONMENTS[name]
    values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    values["ENV_NAME"] = name
    for key, convert in ENV_KEYS.items():
        if key in os.environ and os.environ[key] != "":
            values[key] = convert(os.environ[key])
    return values
