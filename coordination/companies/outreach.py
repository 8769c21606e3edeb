"""Outreach (uppsökande arbete): a development project in or near business areas produces the
list of companies and property owners to inform, and tracks who has been told, when and how."""

import html
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlmodel import Session

from coordination.clock import Clock
from coordination.companies.models import (
    Company,
    CompanyArea,
    ContactPerson,
    DevelopmentProject,
    OutreachEntry,
    ProjectArea,
    ProjectKind,
)
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import BusinessArea
from coordination.outbox.services import queue_mail

HOW = ("meeting", "call", "visit", "mail", "letter")


def save_project(session: Session, project: DevelopmentProject | None, *, name: str, kind: str, description: str,
                 starts_on: date | None, ends_on: date | None, business_area_ids: list[int],
                 clock: Clock) -> DevelopmentProject:
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_l("Enter a name.")]
    if kind not in {k.value for k in ProjectKind}:
        errors["kind"] = [_l("Choose a kind from the list.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_l("The end cannot be before the start.")]
    ids = sorted(set(business_area_ids))
    if not ids:
        errors["business_area_ids"] = [_l("Choose the business areas the project affects.")]
    elif len(session.execute(select(BusinessArea.id).where(BusinessArea.id.in_(ids))).all()) != len(ids):
        errors["business_area_ids"] = [_l("Choose business areas from the list.")]
    if errors:
        raise ValidationFailed(_l("Nothing was saved."), errors=errors)
    project = project or DevelopmentProject(name="", kind=kind, created_at=clock.now())
    project.name, project.kind, project.description = name.strip()[:200], kind, (description or "").strip()
    project.starts_on, project.ends_on = starts_on, ends_on
    session.add(project)
    session.flush()
    current = {a.business_area_id: a for a in session.execute(select(ProjectArea).where(ProjectArea.project_id == project.id)).scalars()}
    for area_id, link in current.items():
        if area_id not in ids:
            session.delete(link)
    for area_id in set(ids) - set(current):
        session.add(ProjectArea(project_id=project.id, business_area_id=area_id))
    session.flush()
    return project


@dataclass
class OutreachRow:
    company: Company
    entry: OutreachEntry | None
    contacts: int


@dataclass
class OutreachList:
    rows: list[OutreachRow]
    informed: int
    total: int


def outreach_list(session: Session, project: DevelopmentProject) -> OutreachList:
    """The companies and property owners of the project's areas, with whether each was told
    (3 queries whatever the number of companies)."""
    in_areas = select(CompanyArea.company_id).join(ProjectArea, ProjectArea.business_area_id == CompanyArea.business_area_id) \
        .where(ProjectArea.project_id == project.id)
    rows = session.execute(select(Company, OutreachEntry)
                           .outerjoin(OutreachEntry, and_(OutreachEntry.company_id == Company.id,
                                                          OutreachEntry.project_id == project.id))
                           .where(Company.id.in_(in_areas)).order_by(Company.name, Company.id)).all()
    ids = [c.id for c, _e in rows]
    contacts = dict(session.execute(select(ContactPerson.company_id, func.count())
                                    .where(ContactPerson.company_id.in_(ids), ContactPerson.anonymised_at.is_(None),
                                           ContactPerson.email != "")
                                    .group_by(ContactPerson.company_id)).all()) if ids else {}
    result = [OutreachRow(company=c, entry=e, contacts=contacts.get(c.id, 0)) for c, e in rows]
    return OutreachList(rows=result, informed=sum(1 for r in result if r.entry), total=len(result))


def mark_informed(session: Session, project: DevelopmentProject, *, company_ids: list[int], how: str, answer: str,
                  user_id: int, clock: Clock) -> int:
    """Record that these companies were told (again: the latest time and way count)."""
    if how not in HOW:
        raise ValidationFailed(_l("Nothing was saved."), errors={"how": [_l("Choose how they were told.")]})
    allowed = {r.company.id for r in outreach_list(session, project).rows}
    chosen = [i for i in dict.fromkeys(company_ids) if i in allowed]
    if not chosen:
        raise ValidationFailed(_l("Nothing was saved."), errors={"company_ids": [_l("Choose at least one company.")]})
    existing = {e.company_id: e for e in session.execute(select(OutreachEntry).where(
        OutreachEntry.project_id == project.id, OutreachEntry.company_id.in_(chosen))).scalars()}
    now = clock.now()
    for company_id in chosen:
        entry = existing.get(company_id) or OutreachEntry(project_id=project.id, company_id=company_id,
                                                          informed_at=now, how=how)
        entry.informed_at, entry.how, entry.informed_by_id = now, how, user_id
        if (answer or "").strip():
            entry.answer = answer.strip()
        session.add(entry)
    session.flush()
    return len(chosen)


def mail_merge(session: Session, project: DevelopmentProject, *, company_ids: list[int], subject: str, body: str,
               user_id: int, clock: Clock) -> int:
    """One mail per contact person of the chosen companies through the outbox ({company} and
    {name} are filled in), each at most once per project; the companies count as informed by mail."""
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = [_l("Write a subject.")]
    if not (body or "").strip():
        errors["body"] = [_l("Write the message.")]
    if errors:
        raise ValidationFailed(_l("Nothing was sent."), errors=errors)
    allowed = {r.company.id for r in outreach_list(session, project).rows}
    chosen = [i for i in dict.fromkeys(company_ids) if i in allowed]
    rows = session.execute(select(ContactPerson, Company.name).join(Company, Company.id == ContactPerson.company_id)
                           .where(ContactPerson.company_id.in_(chosen), ContactPerson.anonymised_at.is_(None),
                                  ContactPerson.email != "")).all()
    if not rows:
        raise ValidationFailed(_l("Nothing was sent."), errors={"company_ids": [
            _l("None of the chosen companies has a contact person with an e-mail address.")]})
    now = clock.now()
    queued = 0
    for person, company in rows:
        text = body.replace("{company}", company).replace("{name}", person.name)
        queued += queue_mail(session, kind="outreach", dedupe_key=f"outreach:{project.id}:contact:{person.id}",
                             recipient=person.email, subject=subject.strip()[:300], body_text=text, now=now,
                             body_html="".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n")))
    mark_informed(session, project, company_ids=sorted({p.company_id for p, _c in rows}), how="mail", answer="",
                  user_id=user_id, clock=clock)
    return queued
