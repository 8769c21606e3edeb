"""A person's in-app notifications."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from coordination.cases.models import Case
from coordination.notifications.models import Notification


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
