"""Audit entries written from a request: who (the logged-in user, or "anonymous"), from where (a
keyed hash of the client address), the request id and the application clock's time. Views call
these; the rules about what an entry may hold are in coordination/audit/services.py."""

import logging
from functools import wraps

from flask import current_app, g, make_response, request
from flask_login import current_user

from coordination.audit import services
from coordination.audit.models import ANONYMOUS
from coordination.auth.models import Role
from coordination.db import get_session
from coordination.frontcache import ContactDetailsRead
from coordination.logconfig import request_id
from coordination.pagecache import ENVIRON_EFFECT
from coordination.web import clock

log = logging.getLogger(__name__)


def hashed(kind: str, value: str) -> str:
    """A keyed hash (the application's secret key) of an e-mail or client address."""
    return services.keyed_hash(current_app.config.get("SECRET_KEY") or "", kind, value)


def actor(user=None) -> services.Actor:
    """`user` (someone being logged in right now), else the logged-in user, else anonymous."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    address = request.remote_addr
    return services.Actor(user_id=user.id if user is not None else None,
                          label=user.email if user is not None else ANONYMOUS,
                          address_hash=hashed("address", address) if address else None,
                          request_id=request_id())


def record(action: str, *, user=None, commit: bool = False, object_type: str | None = None,
           object_id: int | None = None, object_ref: str | None = None, detail: dict | None = None):
    """Add an entry to the request's session. `commit=True` for a read or an export (nothing
    else to commit with); otherwise the view's own commit takes it along with the change."""
    db = get_session()
    entry = services.record(db, actor=actor(user), action=action, at=clock().now(), object_type=object_type,
                            object_id=object_id, object_ref=object_ref, detail=detail)
    g.audit_recorded = True
    if commit:
        db.commit()
    return entry


# --- every change by an administrator ----------------------------------------------------------

CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The administrator's own preferences, not a change to the application's data.
PERSONAL_ENDPOINTS = frozenset({"auth.language"})


def record_unrecorded_admin_change(response):
    """After every request: an administrator's request that changed something (a POST, PUT,
    PATCH or DELETE that was not refused) and that its view did not record gets an entry naming
    the endpoint and the ids in its address, so that "every change by an administrator" holds
    for a view added later too. Written in its own transaction: the view's is over."""
    from sqlmodel import Session

    from coordination.db import get_engine

    if (request.method not in CHANGING_METHODS or response.status_code >= 400 or g.get("audit_recorded")
            or not current_user or not current_user.is_authenticated
            or current_user.role != Role.admin.value or request.endpoint in (None, *PERSONAL_ENDPOINTS)):
        return response
    ids = {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int)}
    # End the view's transaction first: what it did not commit is not kept anyway (the request's
    # session is closed after the request), and a view that tried a write and then refused (an
    # UPDATE that matched no row) still holds SQLite's write lock, which the entry would wait for.
    view_session = get_session()
    if view_session.in_transaction():
        view_session.rollback()
    try:
        with Session(get_engine()) as db:
            services.record(db, actor=actor(), action=services.ADMIN_REQUEST, at=clock().now(),
                            detail={"endpoint": request.endpoint, "method": request.method,
                                    "status": response.status_code, **({"ids": ids} if ids else {})})
            db.commit()
    except Exception:  # the change is made; a missing entry is logged loudly, not turned into a 500
        log.exception("an administrator's change to %s could not be recorded in the audit log", request.endpoint)
    return response


# --- logins ----------------------------------------------------------------------------------

def _account(db, email: str) -> dict:
    """The account an attempt was for: the user, or (no such account) a hash of the address
    typed, so the log never holds an e-mail address someone may have mistyped or made up."""
    from coordination.auth.services import get_user_by_email

    account = get_user_by_email(db, email or "")
    if account is not None:
        return {"object_type": "user", "object_id": account.id}
    return {"object_type": "account", "object_ref": hashed("account", email or "")}


def login_failed(email: str, *, step: str, locked=()) -> None:
    """A wrong password or code (committed at once: the attempt itself was). `locked` names
    what this failure locked ("account", "address")."""
    detail = {"step": step}
    if locked:
        detail["locked"] = sorted(locked)
    record(services.LOGIN_FAILURE, commit=True, detail=detail, **_account(get_session(), email))


def login_locked(email: str, *, seconds: int, step: str) -> None:
    """An attempt refused because the account or address is locked."""
    record(services.LOGIN_LOCKED, commit=True, detail={"step": step, "retry_after_seconds": seconds},
           **_account(get_session(), email))


def login_succeeded(user, *, second_factor: bool) -> None:
    """Added to the login's transaction (the caller commits)."""
    record(services.LOGIN_SUCCESS, user=user, object_type="user", object_id=user.id,
           detail={"second_factor": second_factor})


# --- reads of personal data --------------------------------------------------------------------

def contact_details_read(cases, *, via: str) -> None:
    """Record (one entry, committed at once) that the caller was shown the contact details of
    these cases, e.g. in an API answer; cases without any (none given, or anonymised) are left
    out, and nothing is recorded when none is left."""
    from coordination.companies.services import ANONYMISED

    shown = [c for c in cases
             if c.contact_email or c.contact_phone or (c.contact_name and c.contact_name != ANONYMISED)]
    if not shown:
        return
    detail = {"shown": "contact_details", "via": via}
    if len(shown) == 1:
        record(services.PERSONAL_DATA_READ, commit=True, object_type="case", object_id=shown[0].id,
               object_ref=shown[0].reference, detail=detail)
    else:
        record(services.PERSONAL_DATA_READ, commit=True, object_type="case",
               detail=detail | {"case_ids": [c.id for c in shown], "count": len(shown)})


def records_case_contact_read(view):
    """Record each time the case page shows a coordinator the contact details, also when the
    page comes from the page cache: put this ABOVE `@cached_page` (a cache hit never reaches the
    view body) and below `@allow`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from coordination.cases.services import reference_from_slug

        response = make_response(view(*args, **kwargs))
        reference = reference_from_slug(kwargs.get("slug", ""))
        if response.status_code == 200 and reference and current_user.is_authenticated \
                and current_user.role == Role.coordinator.value:
            db = get_session()
            who = actor()
            case_id = services.record_case_contact_read(db, actor=who, reference=reference, at=clock().now())
            db.commit()
            if case_id is not None:
                # Done again for each answer the page cache's front door gives from this one.
                request.environ[ENVIRON_EFFECT] = ContactDetailsRead(
                    user_id=who.user_id, label=who.label, address_hash=who.address_hash, case_id=case_id,
                    reference=reference)
        return response

    return wrapper
