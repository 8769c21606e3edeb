"""Writing the audit log and reading it back for the admin page.

Entries are added in the transaction of the change they record (the caller commits both
together); a read of personal data or an export has no change, so its entry is committed on its
own. What goes in `detail` says which records and fields were touched, never what they hold:
keys that name secrets or contact details are refused, so a careless call fails in the tests
instead of leaking into the log."""

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, BigInteger, Integer, String, and_, bindparam, func, insert, literal, or_, select
from sqlmodel import Session

from coordination.audit.models import ANONYMOUS, SYSTEM, AuditEntry
from coordination.clock import STOCKHOLM
from coordination.db import UTCDateTime

# Action codes (labels for people are in coordination/audit/forms.py).
LOGIN_SUCCESS = "login.success"
LOGIN_FAILURE = "login.failure"
LOGIN_LOCKED = "login.locked"
LOGOUT = "logout"
LOGOUT_EVERYWHERE = "logout.everywhere"
CREATE = "create"
UPDATE = "update"
ACTIVATE = "activate"
DEACTIVATE = "deactivate"
PERSONAL_DATA_READ = "personal_data.read"
ANONYMISE = "personal_data.anonymise"
EXPORT = "export"
BACKUP_CREATE = "backup.create"
BACKUP_RESTORE = "backup.restore"
# An administrator's change that no view recorded more precisely (the safety net in recording.py).
ADMIN_REQUEST = "admin.request"
ACTIONS = (LOGIN_SUCCESS, LOGIN_FAILURE, LOGIN_LOCKED, LOGOUT, LOGOUT_EVERYWHERE, CREATE, UPDATE, ACTIVATE,
           DEACTIVATE, PERSONAL_DATA_READ, ANONYMISE, EXPORT, BACKUP_CREATE, BACKUP_RESTORE, ADMIN_REQUEST)

# Object types.
OBJECT_TYPES = ("user", "account", "organisation", "committee", "business_area", "group", "meeting_series",
                "routing_rule", "report_template", "report_question", "report", "meeting", "company",
                "contact_person", "case", "person", "audit_log", "database")

PER_PAGE = 50
MAX_PAGE = 10_000
EXPORT_LIMIT = 10_000
MAX_DETAIL_CHARS = 4000
# Substrings of detail keys that would name a secret or a person's contact details.
FORBIDDEN_KEY_PARTS = ("password", "token", "secret", "email", "phone", "mail_address")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    address_hash: str | None = None
    request_id: str | None = None


def system_actor() -> Actor:
    return Actor(user_id=None, label=SYSTEM)


def keyed_hash(secret: str, kind: str, value: str) -> str:
    """A keyed SHA-256 of a normalised value (an e-mail or client address): the same value gives
    the same hash, but the hash cannot be turned back into the value by trying a list of them
    without the key."""
    message = f"{kind}:{(value or '').strip().lower()}".encode("utf-8")
    return hmac.new(str(secret or "").encode("utf-8"), message, hashlib.sha256).hexdigest()


def _check_detail(detail: dict) -> dict:
    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if any(part in str(k).lower() for part in FORBIDDEN_KEY_PARTS):
                    raise ValueError(f"audit detail key {k!r} would name a secret or personal data")
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(detail)
    if len(json.dumps(detail, default=str)) > MAX_DETAIL_CHARS:
        raise ValueError("audit detail is too long; name the records, do not copy them")
    return detail


def record(session: Session, *, actor: Actor, action: str, at: datetime, object_type: str | None = None,
           object_id: int | None = None, object_ref: str | None = None, detail: dict | None = None) -> AuditEntry:
    """Add one entry. Flushes; the caller commits (with the change it records, if any)."""
    entry = AuditEntry(at=at, actor_user_id=actor.user_id, actor_label=(actor.label or ANONYMOUS)[:254],
                       action=action, object_type=object_type, object_id=object_id,
                       object_ref=object_ref[:100] if object_ref else None, detail=_check_detail(dict(detail or {})),
                       address_hash=actor.address_hash, request_id=actor.request_id)
    session.add(entry)
    session.flush()
    return entry


CASE_CONTACT_READ = {"shown": "contact_details", "page": "case"}


def record_case_contact_read(session: Session, *, actor: Actor, reference: str, at: datetime) -> int | None:
    """Record that the case `reference`'s contact details were shown, in one statement (the case
    page may have come from the page cache: it should stay cheap). Nothing is recorded for a case
    without contact details (none given, or anonymised). Returns the case's id when an entry was
    added, else None. Flushes nothing; the caller commits."""
    from coordination.cases.models import Case
    from coordination.companies.services import ANONYMISED

    detail = _check_detail(dict(CASE_CONTACT_READ))
    # Typed literals: psycopg is told each value's type (PostgreSQL would take a bare NULL for
    # text); SQLite needs no CAST (and would turn a timestamp into a number with one).
    values = select(
        literal(at, UTCDateTime()), literal(actor.user_id, Integer()), literal(actor.label[:254], String()),
        literal(PERSONAL_DATA_READ, String()), literal("case", String()), Case.id, Case.reference,
        literal(detail, JSON()), literal(actor.address_hash, String()), literal(actor.request_id, String()),
    ).where(Case.reference == reference, Case.merged_into_id.is_(None),
            or_(Case.contact_email != "", Case.contact_phone != "",
                and_(Case.contact_name != "", Case.contact_name != ANONYMISED)))
    table = AuditEntry.__table__
    result = session.execute(insert(table).from_select(
        ["at", "actor_user_id", "actor_label", "action", "object_type", "object_id", "object_ref", "detail",
         "address_hash", "request_id"], values).returning(table.c.object_id))
    return result.scalar()


def record_known_case_contact_read(execute, *, actor: Actor, case_id: int, reference: str, at: datetime,
                                   data_version: int) -> bool:
    """The entry record_case_contact_read adds, for a case already known to have contact details,
    added only while the data version is still `data_version` (the page cache's front door: the
    page it answers with was made at that version, so the case is as it was when the first entry
    was added). One statement, which is also the front door's version check: True when the entry
    was added (the version is the same), False when nothing was (the page is out of date).
    `execute(statement, values)` runs it and returns its result (`Connection.execute`, or the
    front door's kept connection with the statement compiled once)."""
    result = execute(_known_contact_read_statement(), {
        "at": at, "actor_user_id": actor.user_id, "actor_label": actor.label[:254], "case_id": case_id,
        "object_ref": reference[:100], "address_hash": actor.address_hash, "request_id": actor.request_id,
        "data_version": data_version})
    return result.rowcount == 1


@functools.cache
def _known_contact_read_statement():
    """INSERT … SELECT <the entry's values> FROM data_version WHERE id = 1 AND n = :data_version,
    built once (the front door runs it on every answer of a coordinator's case page).

    Whether it added the entry is its row count, not a RETURNING row: SQLite commits an
    autocommit statement when it is done, and one with RETURNING is done only when its row has
    been fetched, so the database's one write lock was held while Python went from the execute
    to the fetch. Under load (four workers answering the case page) that doubled the case page's
    99th percentile on SQLite (bench/README.md)."""
    from coordination.pagecache import DataVersion

    version = DataVersion.__table__
    values = select(
        bindparam("at", type_=UTCDateTime()), bindparam("actor_user_id", type_=Integer()),
        bindparam("actor_label", type_=String()), literal(PERSONAL_DATA_READ, String()),
        literal("case", String()), bindparam("case_id", type_=Integer()), bindparam("object_ref", type_=String()),
        literal(_check_detail(dict(CASE_CONTACT_READ)), JSON()), bindparam("address_hash", type_=String()),
        bindparam("request_id", type_=String()),
    ).where(version.c.id == 1, version.c.n == bindparam("data_version", type_=BigInteger()))
    return insert(AuditEntry.__table__).from_select(
        ["at", "actor_user_id", "actor_label", "action", "object_type", "object_id", "object_ref", "detail",
         "address_hash", "request_id"], values)


# Columns that change as a side effect of saving, not because someone chose a new value.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "session_epoch", "last_login_at", "totp_last_step",
                         "version", "updated_by_id"})
# Fields whose old and new values are kept (codes and ids, never text about or from a person).
VALUE_FIELDS = frozenset({"role", "active", "organisation_id", "committee_id", "business_area_id", "group_id",
                          "kind", "chair_id", "lead_time_days", "reminder_before_days", "reminder_pace_days",
                          "focus_area_id", "enabled", "position"})
FIELD_ALIASES = {"password_hash": "password", "totp_secret": "two_step_verification"}


def model_state(obj) -> dict:
    """A row's columns as they are now, under the names the log uses (for `changes`)."""
    state = {}
    for column in obj.__table__.columns:
        if column.key in BOOKKEEPING:
            continue
        value = getattr(obj, column.key)
        state[FIELD_ALIASES.get(column.key, column.key)] = list(value) if isinstance(value, list) else value
    return state


def changes(before: dict | None, after: dict) -> dict:
    """The names of the fields that changed from `before` to `after` (for a new record,
    `before` is None: the fields that got a value), and for code-like fields the values."""
    if before is None:
        names = sorted(k for k, v in after.items() if v not in (None, "", [], {}, False))
    else:
        names = sorted(k for k in after if before.get(k) != after.get(k))
    detail: dict = {"fields": names}
    values = {k: [None if before is None else _plain(before.get(k)), _plain(after.get(k))]
              for k in names if k in VALUE_FIELDS}
    if values:
        detail["values"] = values
    return detail


def _plain(value):
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


# --- reading the log -----------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilters:
    actor_user_id: int | None = None
    actor_label: str | None = None  # "anonymous" or "system"
    action: str | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool
    first: int  # position of the first entry shown, from 1


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM)


def _query(filters: AuditFilters):
    query = select(AuditEntry)
    if filters.actor_user_id is not None:
        query = query.where(AuditEntry.actor_user_id == filters.actor_user_id)
    if filters.actor_label:
        query = query.where(AuditEntry.actor_user_id.is_(None), AuditEntry.actor_label == filters.actor_label)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.date_from:
        query = query.where(AuditEntry.at >= _day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _day_start(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def list_entries(session: Session, filters: AuditFilters, *, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the entries that match, newest first, in one query (one row more than a page
    says whether there is a next one; nothing counts the whole log)."""
    page = max(1, min(page, MAX_PAGE))
    rows = list(session.execute(_query(filters).offset((page - 1) * per_page).limit(per_page + 1)).scalars())
    return AuditPage(entries=rows[:per_page], page=page, has_next=len(rows) > per_page,
                     first=(page - 1) * per_page + 1)


def export_entries(session: Session, filters: AuditFilters, *, limit: int = EXPORT_LIMIT) -> list[AuditEntry]:
    """The entries that match, newest first, at most `limit` of them."""
    return list(session.execute(_query(filters).limit(limit)).scalars())


def count_entries(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
