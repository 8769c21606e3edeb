"""Queue mails with the change that causes them; send them after commit, each once.

Sending claims a batch of due rows with one UPDATE (and SKIP LOCKED on PostgreSQL), so two
job processes never take the same message; each message is marked sent in its own commit right
after the SMTP server accepted it. A failure is retried with growing pauses and, after the last
try, left as failed for an admin to see and retry: nothing is dropped.

One mail can still reach the server twice: a sender that dies (or loses its database) after the
server took a mail and before the row says sent leaves it claimed, and once the claim runs out it
is sent again; no SMTP client can tell "taken" from "lost" there. Every attempt of one row
carries the same Message-ID (`message_id_for`), so such a copy is recognisably the same mail and
mail programs show it once."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from coordination.clock import Clock
from coordination.outbox.mailer import build_message
from coordination.outbox.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300


def queue_mail(session: Session, *, kind: str, dedupe_key: str, recipient: str, subject: str, body_text: str,
               body_html: str, now: datetime, case_id: int | None = None) -> bool:
    """Add a mail to the outbox in the caller's transaction; a second call with the same
    dedupe_key does nothing. True when the mail was queued now."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(insert(OutboxMessage).values(
        kind=kind, dedupe_key=dedupe_key[:200], recipient=recipient, subject=subject[:300], body_text=body_text,
        body_html=body_html, case_id=case_id, status=OutboxStatus.pending.value, attempts=0, created_at=now,
        next_attempt_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id))
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT.
    return result.first() is not None


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _due(now: datetime):
    return (OutboxMessage.status == OutboxStatus.pending.value,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def _claim(session: Session, *, now: datetime, batch: int) -> str:
    """Take up to `batch` due messages for this sender: pick their ids (skipping rows another
    sender has locked on PostgreSQL), then claim exactly those, repeating the due conditions so a
    row claimed meanwhile by someone else is not taken again."""
    token = secrets.token_hex(16)
    candidates = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.execute(candidates).scalars())
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), *_due(now))
                        .values(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                        .execution_options(synchronize_session=False))
    session.commit()
    return token


def _still_mine(session: Session, message_id: int, token: str, clock: Clock) -> bool:
    """Renew this sender's claim on one message just before sending it; False if the claim ran
    out and another sender took it (or it was sent meanwhile)."""
    now = clock.now()
    result = session.execute(update(OutboxMessage)
                             .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
                                    OutboxMessage.status == OutboxStatus.pending.value)
                             .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                             .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def message_id_for(message: OutboxMessage, sender: str) -> str:
    """The Message-ID of an outbox row: the same on every attempt, different for every row."""
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "samordning.invalid"
    cause = f"{message.id}:{message.dedupe_key}:{message.created_at.isoformat()}".encode()
    return f"<outbox.{message.id}.{hashlib.sha256(cause).hexdigest()[:20]}@{domain}>"


def send_due(session: Session, *, mailer, clock: Clock, sender: str, batch: int = 50) -> dict[str, int]:
    """Send what is due now. Returns counts of sent and failed attempts."""
    now = clock.now()
    token = _claim(session, now=now, batch=batch)
    messages = list(session.execute(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                                 .order_by(OutboxMessage.id)).scalars())
    counts = {"sent": 0, "failed": 0}
    for message in messages:
        if not _still_mine(session, message.id, token, clock):
            continue
        session.refresh(message)
        mail = build_message(sender=sender, recipient=message.recipient, subject=message.subject,
                             body_text=message.body_text, body_html=message.body_html)
        mail.replace_header("Message-ID", message_id_for(message, sender))
        try:
            mailer.send(mail)
        except Exception as error:  # SMTP and network errors alike: retry later
            message.attempts += 1
            message.last_error = repr(error)[:2000]
            message.next_attempt_at = clock.now() + backoff(message.attempts)
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.failed.value
            counts["failed"] += 1
        else:
            message.status = OutboxStatus.sent.value
            message.sent_at = clock.now()
            message.attempts += 1
            counts["sent"] += 1
        message.claim_token, message.claimed_until = None, None
        session.add(message)
        session.commit()
    return counts


def retry_failed(session: Session, message_id: int, *, now: datetime) -> bool:
    """Put a mail that gave up back in line; False if there is no such failed mail."""
    result = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                         OutboxMessage.status == OutboxStatus.failed.value)
                             .values(status=OutboxStatus.pending.value, next_attempt_at=now, attempts=0))
    return result.rowcount == 1
