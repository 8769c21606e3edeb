"""Reminders of action items and the daily digest.

An item is reminded before its due date (the organisation's lead, default 3 working days), on the
due date, and then every `pace` working days (default 5) while overdue: to the responsible
person (or, if none is named, the organisation's officials) as each chose, and to the
organisation's contact address. Every reminder has a key (item, step), so sending twice at the
same time, or from two processes, sends once."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem
from coordination.auth.models import Role, User
from coordination.cases.models import Case
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.notifications.models import Notification, NotificationPreference
from coordination.notifications.services import Message, notify
from coordination.organisations.models import Organisation
from coordination.outbox.models import OutboxMessage
from coordination.outbox.services import queue_mail

MAX_LEAD_DAYS = 20


def reminder_step(due: date, today: date, *, before: int, pace: int, working_days: WorkingDays) -> str | None:
    """Which reminder is due today for an item due on `due`, if any."""
    if today < due:
        return "before" if working_days.subtract(due, before) <= today else None
    if today == due:
        return "due"
    # Overdue: once at once (overdue-0), then every `pace` working days.
    return f"overdue-{working_days.between(due, today) // max(pace, 1)}"


@dataclass
class ReminderResult:
    reminders: int
    digests: int


def send_reminders(session: Session, *, clock: Clock, working_days: WorkingDays, base_url: str) -> ReminderResult:
    """Queue today's reminders (notifications and mails) and today's digests. Flushes."""
    from coordination.cases.services import reference_slug

    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    horizon = working_days.add(today, MAX_LEAD_DAYS)
    rows = session.execute(
        select(ActionItem, Case.reference, Organisation)
        .join(Case, Case.id == ActionItem.case_id).join(Organisation, Organisation.id == ActionItem.organisation_id)
        .where(ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_date <= horizon)
        # A fixed order: job processes running at once insert the same keys in the same order, so
        # one waits for the other instead of the two deadlocking on each other's rows.
        .order_by(ActionItem.id)).all()
    due = []
    for action, reference, org in rows:
        step = reminder_step(action.due_date, today, before=org.reminder_before_days, pace=org.reminder_pace_days,
                             working_days=working_days)
        if step:
            due.append((action, reference, org, step))
    if due:
        responsible_ids = {a.responsible_user_id for a, *_ in due if a.responsible_user_id}
        people = {u.id: u for u in session.execute(select(User).where(User.id.in_(responsible_ids),
                                                                      User.active.is_(True))).scalars()} \
            if responsible_ids else {}
        org_ids = {o.id for _a, _r, o, _s in due}
        officials: dict[int, list[User]] = {}
        for user in session.execute(select(User).where(User.organisation_id.in_(org_ids), User.active.is_(True),
                                                       User.role == Role.department.value)
                                    .order_by(User.id)).scalars():
            officials.setdefault(user.organisation_id, []).append(user)
        messages = []
        for action, reference, org, step in due:
            texts = _texts(action, reference, step, today)
            link = f"{base_url.rstrip('/')}/arenden/{reference_slug(reference)}"
            person = people.get(action.responsible_user_id)
            messages.append((Message(kind="reminder", key=f"reminder:{action.id}:{step}", case_id=action.case_id,
                                     text_sv=texts[0], text_en=texts[1], link=link),
                             [person] if person else officials.get(org.id, [])))
            if org.email:
                queue_mail(session, kind="reminder", dedupe_key=f"reminder:{action.id}:{step}:org",
                           recipient=org.email, subject=texts[0][:300], body_text=f"{texts[0]}\n\n{link}\n",
                           body_html=f"<p>{_esc(texts[0])}</p><p><a href=\"{_esc(link)}\">{_esc(link)}</a></p>",
                           now=now,
                           case_id=action.case_id)
        notify(session, messages, now=now)
    digests = send_digests(session, clock=clock, base_url=base_url)
    session.flush()
    return ReminderResult(reminders=len(due), digests=digests)


def _texts(action: ActionItem, reference: str, step: str, today: date) -> tuple[str, str]:
    day = action.due_date.isoformat()
    if step == "before":
        return (f"Påminnelse: åtgärden \"{action.title}\" ({reference}) ska vara klar {day}.",
                f"Reminder: the action item \"{action.title}\" ({reference}) is due on {day}.")
    if step == "due":
        return (f"Idag: åtgärden \"{action.title}\" ({reference}) ska vara klar {day}.",
                f"Today: the action item \"{action.title}\" ({reference}) is due on {day}.")
    return (f"Försenad: åtgärden \"{action.title}\" ({reference}) skulle ha varit klar {day}.",
            f"Overdue: the action item \"{action.title}\" ({reference}) was due on {day}.")


def send_digests(session: Session, *, clock: Clock, base_url: str) -> int:
    """One mail a day per person with the notifications they chose to get as a digest."""
    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    wanted = select(NotificationPreference.user_id, NotificationPreference.kind).where(
        NotificationPreference.mode == "digest").subquery()
    rows = session.execute(select(Notification, User)
                           .join(wanted, (wanted.c.user_id == Notification.user_id) & (wanted.c.kind == Notification.kind))
                           .join(User, User.id == Notification.user_id)
                           .where(Notification.digested_at.is_(None), Notification.created_at <= now,
                                  User.active.is_(True))
                           .order_by(Notification.user_id, Notification.created_at)).all()
    per_user: dict[int, tuple[User, list[Notification]]] = {}
    for note, user in rows:
        per_user.setdefault(user.id, (user, []))[1].append(note)
    # One digest a day: whoever already had today's keeps the rest for tomorrow's.
    keys = {f"digest:{uid}:{today.isoformat()}": uid for uid in per_user}
    sent = set(session.execute(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(keys))))
               .scalars()) if keys else set()
    for key in sent:
        per_user.pop(keys[key])
    from coordination.cases.services import reference_slug

    case_ids = {n.case_id for _u, notes in per_user.values() for n in notes if n.case_id}
    references = dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all()) \
        if case_ids else {}
    base = base_url.rstrip("/")
    queued = 0
    for user, notes in per_user.values():
        english = user.locale == "en"
        lines = [n.text_en if english else n.text_sv for n in notes]
        links = [f"{base}/arenden/{reference_slug(references[n.case_id])}" if n.case_id in references else ""
                 for n in notes]
        subject = (f"Daily summary: {len(notes)} notifications" if english
                   else f"Daglig sammanfattning: {len(notes)} notiser")
        link = f"{base_url.rstrip('/')}/notiser"
        text = "\n".join(f"- {line}" + (f"\n  {url}" if url else "") for line, url in zip(lines, links))
        items = "".join(f"<li><a href=\"{_esc(url)}\">{_esc(line)}</a></li>" if url else f"<li>{_esc(line)}</li>"
                        for line, url in zip(lines, links))
        if not queue_mail(session, kind="digest", dedupe_key=f"digest:{user.id}:{today.isoformat()}",
                          recipient=user.email, subject=subject, body_text=f"{text}\n\n{link}\n",
                          body_html=f"<ul>{items}</ul><p><a href=\"{_esc(link)}\">{_esc(link)}</a></p>", now=now):
            # Another job process queued today's digest meanwhile (from what it had read): ours
            # is not sent, so these stay for tomorrow's rather than being marked as sent.
            continue
        session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                        .values(digested_at=now).execution_options(synchronize_session=False))
        queued += 1
    return queued


def _esc(text: str) -> str:
    import html

    return html.escape(text)
