"""Logs: every record carries the id of the request it was written in, one access line per
request, as readable text or as one JSON object per line (`LOG_FORMAT`).

Named `logconfig`, not `logging`: a submodule called `logging` would replace the standard
module's name inside `coordination/__init__.py` the moment it is imported.

What the access line holds is chosen so that no personal data or secret reaches the log: the
path without its query string, with secret tokens (status links, calendar feeds) and anything
that looks like an e-mail address masked; never bodies, cookies or headers other than the
request id.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
FORMATS = ("text", "json")
# An incoming id is kept only when it is short and plain, so it cannot forge log lines or carry
# much; anything else is replaced by a new one.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
_EMAIL = re.compile(r"[^/@\s]+@[^/@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a decoded %0A must not start a forged log line
_MAX_PATH = 300
# The fields the access line adds to a record, in the order the JSON shows them.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")

access_log = logging.getLogger("coordination.access")
# PostgreSQL's own error text repeats the values of the row or key it refused ("DETAIL:  Failing
# row contains (…)", "Key (email)=(…) already exists."): a traceback keeps the message and the
# statement (SQLAlchemy hides the parameters) but not that line.
_DATABASE_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)


def redact_database_detail(text: str) -> str:
    return _DATABASE_DETAIL.sub(r"\1 [hidden: it may hold personal data]", text)


class _RedactingFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return redact_database_detail(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        # Also when another handler formatted the record first and left its traceback text on it.
        return redact_database_detail(super().format(record))


def request_id() -> str | None:
    """The current request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
    return g.request_id


def new_request_id(incoming: str) -> str:
    """The id of a request that came with this X-Request-ID header (or none: "")."""
    return incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def loggable_path() -> str:
    """The request's path as it may be logged: no query string, secret URL parts masked."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and value:
            path = path.replace(str(value), "{" + name + "}")
    path = _EMAIL.sub("{email}", path)
    path = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", path)
    return path if len(path) <= _MAX_PATH else path[:_MAX_PATH] + "…"


class JsonFormatter(_RedactingFormatter):
    """One JSON object per line: time, level, logger, message, request_id (and the access
    line's method, path, status, duration_ms; a traceback as `exception`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = redact_database_detail(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(_RedactingFormatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
                         defaults={"request_id": "-"})


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the record (as logging.lastResort does),
    so a replaced stderr (a test's capture, a reopened stream) is followed."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


class _DropWerkzeugRequestLines(logging.Filter):
    """The development server logs each request line with its query string; the access line
    replaces it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


_record_factory_installed = False


def _install_record_factory() -> None:
    """Stamp every record created during a request with the request's id, whichever logger
    and handler it goes through (records outside a request have no `request_id`)."""
    global _record_factory_installed
    if _record_factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            current = request_id()
        except Exception:  # noqa: BLE001  a log call must never fail for want of an id
            current = None
        if current is not None:
            record.request_id = current
        return record

    logging.setLogRecordFactory(factory)
    _record_factory_installed = True


def configure_logging(app: Flask) -> None:
    """Send the process's logs to stderr in the configured format and give every request an id
    (the `X-Request-ID` header, echoed back) and an access line."""
    from coordination import ConfigurationError

    log_format = str(app.config.get("LOG_FORMAT") or "text").lower()
    if log_format not in FORMATS:
        raise ConfigurationError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    _install_record_factory()

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_samordning", False)]:
        root.removeHandler(handler)  # a second create_app (tests) replaces, never duplicates
    handler = _StderrHandler()
    handler._samordning = True
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    # The application's own records from INFO (the access line); libraries' chatter (Alembic,
    # APScheduler) stays at the root's level (WARNING unless someone set another).
    application = logging.getLogger("coordination")
    if application.level == logging.NOTSET:
        application.setLevel(logging.INFO)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _DropWerkzeugRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(_DropWerkzeugRequestLines())

    @app.before_request
    def start_request():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def finish_request(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        path = loggable_path()
        access_log.info("%s %s %s %sms", request.method, path, response.status_code, duration,
                        extra={"method": request.method, "path": path, "status": response.status_code,
                               "duration_ms": duration})
        return response
