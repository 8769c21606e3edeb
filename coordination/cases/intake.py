"""Cases in from outside: the public form's submission with its attachments and receipt mail,
and what the company's status link may show (nothing internal)."""

import html
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from coordination.cases.attachments import AttachmentStore, CheckedFile
from coordination.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSource,
    CaseStatus,
)
from coordination.cases.services import Submitter, new_status_token, register_case
from coordination.clock import STOCKHOLM, Clock
from coordination.organisations.models import BusinessArea
from coordination.outbox.services import queue_mail


@dataclass
class Submission:
    submitter: Submitter
    business_area_id: int | None
    title: str
    description: str
    locale: str = "sv"


def submit_case(session: Session, submission: Submission, files: list[CheckedFile], *, store: AttachmentStore,
                clock: Clock, status_url, source: str = CaseSource.web.value,
                received_at: datetime | None = None, actor_user_id: int | None = None) -> tuple[Case, str]:
    """Register a case from a company (web form, API or the coordinator on its behalf), store its
    attachments, and queue the receipt mail with the status link. Returns (case, status token).
    Flushes; the caller commits. Files written before a failure are removed again."""
    now = clock.now()
    case = register_case(session, title=submission.title, description=submission.description, source=source,
                         received_at=received_at or now, clock=clock, actor_user_id=actor_user_id,
                         business_area_id=submission.business_area_id, submitter=submission.submitter)
    token = new_status_token(session, case)
    from coordination.companies.services import link_case_to_company

    link_case_to_company(session, case, name=submission.submitter.company_name,
                         organisation_number=submission.submitter.organisation_number,
                         business_area_id=submission.business_area_id, now=now)
    written: list[str] = []
    try:
        for upload in files:
            key = store.save(upload.data)
            written.append(key)
            session.add(Attachment(case_id=case.id, filename=upload.filename, content_type=upload.content_type,
                                   size=len(upload.data), sha256=upload.sha256, storage_key=key, uploaded_at=now))
        session.flush()
        if submission.submitter.contact_email:
            subject, text, body_html = receipt_mail(case, status_url(token), submission.locale)
            queue_mail(session, kind="receipt", dedupe_key=f"receipt:{case.id}",
                       recipient=submission.submitter.contact_email, subject=subject, body_text=text,
                       body_html=body_html, now=now, case_id=case.id)
    except Exception:
        for key in written:
            store.delete(key)
        raise
    return case, token


RECEIPT = {
    "sv": {
        "subject": "Vi har tagit emot ert ärende {reference}",
        "body": ("Hej {name},\n\nStockholms stad har tagit emot ert ärende \"{title}\" den {date}.\n"
                 "Diarienummer: {reference}\n\n"
                 "Stockholm Business Regions samordnare går igenom nya ärenden inom två arbetsdagar och "
                 "skickar dem vidare till de förvaltningar som berörs.\n\n"
                 "Här kan ni följa ärendet utan att logga in:\n{url}\n\n"
                 "Spara länken; den är personlig för ert ärende.\n\n"
                 "Med vänliga hälsningar\nStockholm Business Region, Stockholms stad\n"),
    },
    "en": {
        "subject": "We have received your matter {reference}",
        "body": ("Hello {name},\n\nThe City of Stockholm received your matter \"{title}\" on {date}.\n"
                 "Reference: {reference}\n\n"
                 "Stockholm Business Region's coordinator reviews new matters within two working days and "
                 "passes them on to the departments concerned.\n\n"
                 "Follow the matter here, no login needed:\n{url}\n\n"
                 "Keep the link; it is personal to your matter.\n\n"
                 "Kind regards\nStockholm Business Region, City of Stockholm\n"),
    },
}


def receipt_mail(case: Case, url: str, locale: str) -> tuple[str, str, str]:
    words = RECEIPT.get(locale, RECEIPT["sv"])
    values = {"reference": case.reference, "title": case.title, "name": case.contact_name or case.company_name,
              "date": case.received_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d"), "url": url}
    text = words["body"].format(**values)
    escaped = {k: html.escape(str(v)) for k, v in values.items()}
    paragraphs = words["body"].format(**escaped).split("\n\n")
    body_html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())
    body_html = body_html.replace(escaped["url"], f'<a href="{escaped["url"]}">{escaped["url"]}</a>')
    return words["subject"].format(**values), text, f"<!doctype html><html><body>{body_html}</body></html>"


# --- the status link ---------------------------------------------------------------------------

PUBLIC_EVENT_KINDS = ("received", "triaged", "updated", "escalated", "moved", "closed", "merged_in")


@dataclass
class PublicStep:
    at: datetime
    stage: str          # "received", "level1", "level2", "level3", "committee", "closed"


@dataclass
class PublicDecision:
    at: datetime
    text: str
    answer: str


@dataclass
class PublicStatus:
    reference: str
    title: str
    received_at: datetime
    stage: str
    business_area: str | None
    steps: list[PublicStep]
    decisions: list[PublicDecision]
    next_meeting: datetime | None


def stage_of(case: Case) -> str:
    if case.status == CaseStatus.closed.value:
        return "closed"
    if case.prepared_for_committee or case.referred_to_committee:
        return "committee"
    if case.level in (1, 2, 3):
        return f"level{case.level}"
    return "received"


PUBLIC_DECISION_KINDS = ("decision", "closed", "decision_corrected", "moved", "postponed")


def public_status(session: Session, case: Case, *, now: datetime) -> PublicStatus:
    """What the company sees: reference, title, received date, the stage now and the dates the
    stage changed. No names of officials, comments, reasons or internal fields."""
    area = session.get(BusinessArea, case.business_area_id) if case.business_area_id else None
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                  CaseEvent.kind.in_(PUBLIC_EVENT_KINDS))
                          .order_by(CaseEvent.at, CaseEvent.id)).all()
    steps: list[PublicStep] = []
    for event in events:
        if event.kind == "received":
            stage = "received"
        elif event.kind == "closed":
            stage = "closed"
        elif event.to_level in (1, 2, 3):
            stage = f"level{event.to_level}"
        else:
            continue
        if not steps or steps[-1].stage != stage:
            steps.append(PublicStep(at=event.at, stage=stage))
    decisions = [PublicDecision(at=e.at, text=e.reason, answer=(e.facts or {}).get("answer", ""))
                 for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                               CaseEvent.kind.in_(PUBLIC_DECISION_KINDS))
                                       .order_by(CaseEvent.at, CaseEvent.id)).all()
                 if (e.facts or {}).get("public")]
    return PublicStatus(reference=case.reference, title=case.title, received_at=case.received_at,
                        stage=stage_of(case), business_area=area.name if area else None, steps=steps,
                        decisions=decisions, next_meeting=_next_meeting(session, case, now=now))


def _next_meeting(session: Session, case: Case, *, now: datetime) -> datetime | None:
    """When the case is next on a meeting's agenda (the company sees the date, nothing more)."""
    from sqlalchemy import func

    from coordination.meetings.models import Agenda, AgendaItem, Meeting, MeetingStatus

    return session.exec(select(func.min(Meeting.starts_at)).join(Agenda, Agenda.meeting_id == Meeting.id)
                        .join(AgendaItem, AgendaItem.agenda_id == Agenda.id)
                        .where(AgendaItem.case_id == case.id, AgendaItem.state.not_in(("removed", "stale")),
                               Meeting.status == MeetingStatus.planned.value, Meeting.starts_at >= now)).one()
