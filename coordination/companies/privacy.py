"""Personal data of contact persons (GDPR): anonymisation everywhere the person's details are
kept, a retention job for closed cases, and the extract of everything held about a person
(registerutdrag)."""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from coordination.cases.models import Case, CaseStatus
from coordination.clock import Clock
from coordination.companies.models import (
    Company,
    ContactLogCompany,
    ContactLogEntry,
    ContactPerson,
)
from coordination.companies.services import ANONYMISED
from coordination.outbox.models import OutboxMessage, OutboxStatus


def anonymise_person(session: Session, *, email: str, now: datetime, extra_names: tuple[str, ...] = ()) -> dict[str, int]:
    """Remove a person (known by e-mail address) from the register and from every case they
    raised, including the search index (the cases' FTS rows follow the update) and unsent mails.
    History keeps that something happened, never who."""
    email = (email or "").strip().lower()
    if not email:
        return {"contacts": 0, "cases": 0, "mails": 0}
    # The names the person went by, to take them out of the mails' texts as well.
    names = {n for n in session.execute(select(ContactPerson.name).where(func.lower(ContactPerson.email) == email))
             .scalars()} | {n for n in session.execute(select(Case.contact_name).where(func.lower(Case.contact_email) == email))
                            .scalars()}
    names = sorted((n for n in names | set(extra_names) if n and n != ANONYMISED), key=len, reverse=True)
    contacts = session.execute(update(ContactPerson).where(func.lower(ContactPerson.email) == email)
                               .values(name=ANONYMISED, role="", email="", phone="", anonymised_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    cases = session.execute(update(Case).where(func.lower(Case.contact_email) == email)
                            .values(contact_name=ANONYMISED, contact_email="", contact_phone="", updated_at=now)
                            .execution_options(synchronize_session=False)).rowcount
    mails = 0
    for mail in session.execute(select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email)).scalars():
        # Unsent mails are stopped; sent ones stay in the history without the person in them.
        if mail.status != OutboxStatus.sent.value:
            mail.status, mail.last_error = OutboxStatus.failed.value, "anonymised before sending"
        mail.recipient = "anonymiserad@invalid"
        for name in names:
            mail.subject = mail.subject.replace(name, ANONYMISED)
            mail.body_text = mail.body_text.replace(name, ANONYMISED)
            mail.body_html = mail.body_html.replace(name, ANONYMISED)
        for text_field in ("body_text", "body_html"):
            setattr(mail, text_field, re.sub(re.escape(email), "anonymiserad@invalid", getattr(mail, text_field),
                                             flags=re.IGNORECASE))
        session.add(mail)
        mails += 1
    session.flush()
    return {"contacts": contacts, "cases": cases, "mails": mails}


def anonymise_contact_everywhere(session: Session, contact: ContactPerson, *, clock: Clock) -> dict[str, int]:
    """Anonymise one contact person and the same person (by e-mail) on cases."""
    email, name = contact.email, contact.name
    contact.name, contact.role, contact.email, contact.phone = ANONYMISED, "", "", ""
    contact.anonymised_at = clock.now()
    session.add(contact)
    session.flush()
    result = anonymise_person(session, email=email, now=clock.now(), extra_names=(name,)) if email \
        else {"contacts": 0, "cases": 0, "mails": 0}
    result["contacts"] += 1
    return result


def apply_retention(session: Session, *, clock: Clock, months: int) -> int:
    """Anonymise the contact details of cases closed more than `months` months ago, and of the
    mails about them (set-based for the cases)."""
    cutoff = clock.now() - timedelta(days=round(months * 30.44))
    due = session.execute(select(Case.id, Case.contact_name, Case.contact_email)
                          .where(Case.status == CaseStatus.closed.value, Case.updated_at < cutoff,
                                 Case.contact_email != "")).all()
    person = {case_id: (name, email) for case_id, name, email in due}
    if person:
        for mail in session.execute(select(OutboxMessage).where(OutboxMessage.case_id.in_(list(person)))).scalars():
            name, email = person[mail.case_id]
            if mail.recipient.lower() == email.lower():
                mail.recipient = "anonymiserad@invalid"
            for text_field in ("subject", "body_text", "body_html"):
                value = getattr(mail, text_field)
                if name and name != ANONYMISED:
                    value = value.replace(name, ANONYMISED)
                setattr(mail, text_field, re.sub(re.escape(email), "anonymiserad@invalid", value, flags=re.IGNORECASE))
            session.add(mail)
    result = session.execute(update(Case).where(Case.status == CaseStatus.closed.value, Case.updated_at < cutoff,
                                                or_(Case.contact_name != ANONYMISED, Case.contact_email != "",
                                                    Case.contact_phone != ""),
                                                or_(Case.contact_name != "", Case.contact_email != "",
                                                    Case.contact_phone != ""))
                             .values(contact_name=ANONYMISED, contact_email="", contact_phone="")
                             .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount


def person_extract(session: Session, *, email: str) -> dict:
    """Everything the system holds about the person with this e-mail address (registerutdrag)."""
    email = (email or "").strip().lower()
    contacts = session.execute(select(ContactPerson, Company.name).join(Company, Company.id == ContactPerson.company_id)
                               .where(func.lower(ContactPerson.email) == email)).all()
    cases = session.execute(select(Case).where(func.lower(Case.contact_email) == email)
                            .order_by(Case.received_at)).scalars().all()
    company_ids = [p.company_id for p, _n in contacts]
    log = session.execute(select(ContactLogEntry).join(ContactLogCompany, ContactLogCompany.entry_id == ContactLogEntry.id)
                          .where(ContactLogCompany.company_id.in_(company_ids))
                          .order_by(ContactLogEntry.at)).scalars().all() if company_ids else []
    mails = session.execute(select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email)
                            .order_by(OutboxMessage.created_at)).scalars().all()
    return {
        "email": email,
        "contact_persons": [{"company": company, "name": p.name, "role": p.role, "email": p.email, "phone": p.phone,
                             "registered": p.created_at.isoformat()} for p, company in contacts],
        "cases": [{"reference": c.reference, "title": c.title, "received_at": c.received_at.isoformat(),
                   "status": c.status, "company_name": c.company_name, "contact_name": c.contact_name,
                   "contact_email": c.contact_email, "contact_phone": c.contact_phone, "location": c.location,
                   "description": c.description} for c in cases],
        "contacts_with_their_companies": [{"at": e.at.isoformat(), "kind": e.kind, "note": e.note} for e in log],
        "mails": [{"at": m.created_at.isoformat(), "subject": m.subject, "status": m.status} for m in mails],
    }
