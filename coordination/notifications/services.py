"""Notifications: in the app for everyone concerned, by e-mail (at once or in a daily digest)
as each person chooses per kind."""

import html as _html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as _pg_insert
from sqlalchemy.dialects.sqlite import insert as _sqlite_insert
from sqlmodel import Session

from coordination.cases.models import Case
from coordination.notifications.models import Notification, NotificationPreference
from coordination.outbox.models import OutboxMessage, OutboxStatus


def unread_count(session: Session, user_id: int) -> int:
    return session.execute(select(func.count()).select_from(Notification)
                           .where(Notification.user_id == user_id, Notification.read_at.is_(None))).scalar_one()


def latest(session: Session, user_id: int, *, limit: int = 100):
    return session.execute(select(Notification, Case.reference).outerjoin(Case, Case.id == Notification.case_id)
                           .where(Notification.user_id == user_id)
                           .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_all_read(session: Session, user_id: int, *, now: datetime) -> int:
    result = session.execute(update(Notification).where(Notification.user_id == user_id,
                                                        Notification.read_at.is_(None)).values(read_at=now))
    return result.rowcount


# --- sending notifications ---------------------------------------------------------------------------


KINDS = ("rule", "reminder", "escalation_request", "agenda_published")
MODES = ("email", "digest", "app")


@dataclass
class Message:
    """One notification to several people; texts in Swedish and English."""

    kind: str
    key: str             # the cause; with the person it makes each notification unique
    case_id: int | None
    text_sv: str
    text_en: str
    link: str


def preferences(session: Session, user_ids: list[int]) -> dict[tuple[int, str], str]:
    if not user_ids:
        return {}
    rows = session.execute(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))).scalars()
    return {(p.user_id, p.kind): p.mode for p in rows}


def notify(session: Session, messages: list[tuple[Message, list]], *, now: datetime) -> None:
    """In-app notifications for every (message, person), and a mail to each person who wants
    that kind by e-mail at once; digests pick up the rest. Each at most once (dedupe keys);
    a fixed number of statements whatever the number of people."""
    user_ids = sorted({u.id for _m, users in messages for u in users})
    modes = preferences(session, user_ids)
    notes, mails = [], []
    for message, users in messages:
        for user in {u.id: u for u in users}.values():
            key = f"{message.key}:user:{user.id}"
            notes.append({"user_id": user.id, "kind": message.kind, "dedupe_key": key[:200], "case_id": message.case_id,
                          "text_sv": message.text_sv[:500], "text_en": message.text_en[:500], "created_at": now})
            if modes.get((user.id, message.kind), "email") == "email":
                english = user.locale == "en"
                text = message.text_en if english else message.text_sv
                mails.append({"kind": message.kind, "dedupe_key": key[:200], "recipient": user.email,
                              "case_id": message.case_id, "subject": text[:300],
                              "body_text": f"{text}\n\n{message.link}\n",
                              "body_html": f"<p>{_html.escape(text)}</p><p><a href=\"{_html.escape(message.link)}\">"
                                           f"{_html.escape(message.link)}</a></p>",
                              "status": OutboxStatus.pending.value, "attempts": 0, "created_at": now,
                              "next_attempt_at": now})
    insert = _pg_insert if session.get_bind().dialect.name == "postgresql" else _sqlite_insert
    if notes:
        session.execute(insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"]), notes)
    if mails:
        session.execute(insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]), mails)


def set_preferences(session: Session, user_id: int, choices: dict[str, str]) -> None:
    insert = _pg_insert if session.get_bind().dialect.name == "postgresql" else _sqlite_insert
    for kind, mode in choices.items():
        if kind not in KINDS or mode not in MODES:
            continue
        statement = insert(NotificationPreference).values(user_id=user_id, kind=kind, mode=mode)
        session.execute(statement.on_conflict_do_update(index_elements=["user_id", "kind"], set_={"mode": mode}))
    session.flush()
