"""iCalendar feeds: one per meeting series, at a secret per-person URL that calendar programs
(Outlook, Apple, Google) can subscribe to without logging in."""

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from sqlalchemy import select
from sqlmodel import Session

from coordination.auth.models import User
from coordination.clock import STOCKHOLM
from coordination.meetings.models import (
    CalendarToken,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(session: Session, user: User, *, now: datetime) -> str:
    """A new secret for the person's feed URLs; the old URLs stop working."""
    token = secrets.token_urlsafe(24)
    row = session.execute(select(CalendarToken).where(CalendarToken.user_id == user.id)).scalars().first()
    row = row or CalendarToken(user_id=user.id, token_hash="", created_at=now)
    row.token_hash, row.created_at = _hash(token), now
    session.add(row)
    session.flush()
    return token


def user_for_calendar_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    return session.execute(select(User).join(CalendarToken, CalendarToken.user_id == User.id)
                           .where(CalendarToken.token_hash == _hash(token), User.active.is_(True))).scalars().first()


def has_calendar_token(session: Session, user_id: int) -> bool:
    return session.execute(select(CalendarToken.id).where(CalendarToken.user_id == user_id)).first() is not None


def _stockholm_timezone() -> Timezone:
    """VTIMEZONE for Europe/Stockholm (CET/CEST, EU rules), so Outlook shows local times."""
    zone = Timezone()
    zone.add("tzid", "Europe/Stockholm")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def series_feed(session: Session, series: MeetingSeries, *, base_url: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Stockholms stad//Samordning//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", series.name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    calendar.add_component(_stockholm_timezone())
    meetings = session.execute(select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)).scalars()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("summary", series.name)
        event.add("dtstart", meeting.starts_at.astimezone(STOCKHOLM))
        event.add("dtend", meeting.ends_at.astimezone(STOCKHOLM))
        event.add("dtstamp", meeting.starts_at)
        if meeting.place:
            event.add("location", meeting.place)
        description = f"{base_url.rstrip('/')}/moten/{meeting.id}"
        if series.video_link:
            description += f"\n{series.video_link}"
        event.add("description", description)
        event.add("url", f"{base_url.rstrip('/')}/moten/{meeting.id}")
        if meeting.status == MeetingStatus.cancelled.value:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
