"""The register of companies and property owners: validation of organisation numbers and
property designations, linking cases to companies, contact persons and the contact log."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from coordination.cases.models import Case
from coordination.cases.orgnr import (
    InvalidOrganisationNumber,
    luhn_ok,
    normalise_organisation_number,
)
from coordination.clock import Clock
from coordination.companies.models import (
    Company,
    CompanyArea,
    CompanyKind,
    ContactKind,
    ContactLogCase,
    ContactLogCompany,
    ContactLogEntry,
    ContactPerson,
)
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import BusinessArea

_PERSONNUMMER_12 = re.compile(r"^(19|20)([0-9]{6})-?([0-9]{4})$")
# "Högdalen 3:14", "Årsta 1:1", "Västberga Gård 2:3", and kvarter with one number: "Sländan 1"
PROPERTY = re.compile(r"^[A-ZÅÄÖ][A-Za-zÅÄÖåäöéü\- ]{1,60} [0-9]{1,4}(:[0-9]{1,4})?$")


def company_number(value: str, *, sole_trader: bool) -> str:
    """A company's number as NNNNNN-NNNN. The 12-digit personnummer form (ÅÅÅÅMMDD-NNNN) is
    accepted only for a sole trader (enskild firma). Raises ValidationFailed with the reason."""
    raw = (value or "").strip().replace(" ", "")
    twelve = _PERSONNUMMER_12.match(raw)
    if twelve:
        if not sole_trader:
            raise ValidationFailed(_l("Check the organisation number."), errors={"organisation_number": [
                _l("That is a personal identity number (12 digits). Only a sole trader (enskild firma) is "
                   "registered with one; tick the box or give the company's organisation number.")]})
        digits = twelve.group(2) + twelve.group(3)
        if not luhn_ok(digits):
            raise ValidationFailed(_l("Check the organisation number."), errors={"organisation_number": [
                _l("Check the organisation number: the last digit does not match the others.")]})
        return f"{digits[:6]}-{digits[6:]}"
    try:
        return normalise_organisation_number(raw)
    except InvalidOrganisationNumber as error:
        message = (_l("Check the organisation number: it has 10 digits, written NNNNNN-NNNN or without the dash.")
                   if error.reason == "form" else
                   _l("Check the organisation number: the last digit does not match the others."))
        raise ValidationFailed(_l("Check the organisation number."), errors={"organisation_number": [message]})


def property_designations(text: str) -> list[str]:
    """One designation per line or comma; each must look like "Högdalen 3:14"."""
    items = [p.strip() for p in re.split(r"[\n,;]", text or "") if p.strip()]
    wrong = [p for p in items if not PROPERTY.match(p)]
    if wrong:
        raise ValidationFailed(_l("Check the property designations."), errors={"properties": [
            _l("Write each property designation as the area's name and the block and unit, e.g. Högdalen 3:14 "
               "(not: %(wrong)s).", wrong=", ".join(wrong[:3]))]})
    return list(dict.fromkeys(items))


@dataclass
class CompanyInput:
    name: str
    organisation_number: str
    kind: str
    sole_trader: bool
    address: str
    properties_text: str
    business_area_ids: list[int]


def save_company(session: Session, company: Company | None, data: CompanyInput, *, clock: Clock) -> Company:
    errors: dict = {}
    number = None
    if (data.organisation_number or "").strip():
        try:
            number = company_number(data.organisation_number, sole_trader=data.sole_trader)
        except ValidationFailed as error:
            errors.update(error.errors)
    try:
        properties = property_designations(data.properties_text)
    except ValidationFailed as error:
        errors.update(error.errors)
        properties = []
    if not (data.name or "").strip():
        errors["name"] = [_l("Enter a name.")]
    if data.kind not in {k.value for k in CompanyKind}:
        errors["kind"] = [_l("Choose a kind from the list.")]
    if number:
        taken = session.execute(select(Company.id).where(Company.organisation_number == number)).first()
        if taken and (company is None or taken[0] != company.id):
            errors.setdefault("organisation_number", []).append(
                _l("There is already a company with this organisation number."))
    area_ids = sorted(set(data.business_area_ids))
    if area_ids and len(session.execute(select(BusinessArea.id).where(BusinessArea.id.in_(area_ids))).all()) != len(area_ids):
        errors["business_area_ids"] = [_l("Choose business areas from the list.")]
    if errors:
        raise ValidationFailed(_l("Nothing was saved."), errors=errors)
    now = clock.now()
    company = company or Company(name="", created_at=now, updated_at=now)
    company.name, company.organisation_number, company.kind = data.name.strip(), number, data.kind
    company.sole_trader, company.address, company.properties = data.sole_trader, (data.address or "").strip(), properties
    company.confirmed, company.updated_at = True, now
    session.add(company)
    session.flush()
    current = {a.business_area_id: a for a in session.execute(
        select(CompanyArea).where(CompanyArea.company_id == company.id)).scalars()}
    for area_id, link in current.items():
        if area_id not in area_ids:
            session.delete(link)
    for area_id in set(area_ids) - set(current):
        session.add(CompanyArea(company_id=company.id, business_area_id=area_id))
    session.flush()
    return company


def link_case_to_company(session: Session, case: Case, *, name: str, organisation_number: str | None,
                         business_area_id: int | None, now: datetime) -> Company | None:
    """A case from outside is linked to the registered company with its organisation number; a
    company not yet in the register is added unconfirmed, for the coordinator to confirm."""
    if not organisation_number:
        return None
    company = session.execute(select(Company).where(Company.organisation_number == organisation_number)).scalars().first()
    if company is None:
        company = Company(name=(name or organisation_number).strip()[:200], organisation_number=organisation_number,
                          kind=CompanyKind.company.value, properties=[], confirmed=False, created_at=now,
                          updated_at=now)
        session.add(company)
        session.flush()
    if business_area_id:
        exists = session.execute(select(CompanyArea.id).where(CompanyArea.company_id == company.id,
                                                              CompanyArea.business_area_id == business_area_id)).first()
        if not exists:
            session.add(CompanyArea(company_id=company.id, business_area_id=business_area_id))
    case.company_id = company.id
    session.add(case)
    session.flush()
    return company


@dataclass
class CompanyListRow:
    company: Company
    areas: list[str]
    open_cases: int


def list_companies(session: Session, *, q: str = "", business_area_id: int | None = None, kind: str | None = None,
                   unconfirmed: bool = False, page: int = 1, page_size: int = 50) -> tuple[list[CompanyListRow], int]:
    """A page of the register (3 queries: count, page, areas and open cases of the page)."""
    from coordination.cases.models import OPEN_STATUSES

    conditions = []
    if q.strip():
        like = f"%{q.strip().lower()}%"
        digits = q.strip().replace("-", "").replace(" ", "")
        # A number typed without the dash finds the number stored with it.
        number = f"%{digits[:6]}-{digits[6:]}%" if digits.isascii() and digits.isdigit() and len(digits) > 6 else like
        conditions.append(or_(func.lower(Company.name).like(like), Company.organisation_number.like(like),
                              Company.organisation_number.like(number), func.lower(Company.address).like(like)))
    if business_area_id:
        conditions.append(Company.id.in_(select(CompanyArea.company_id).where(CompanyArea.business_area_id == business_area_id)))
    if kind:
        conditions.append(Company.kind == kind)
    if unconfirmed:
        conditions.append(Company.confirmed.is_(False))
    total = session.execute(select(func.count()).select_from(Company).where(*conditions)).scalar_one()
    companies = list(session.execute(select(Company).where(*conditions).order_by(Company.name, Company.id)
                                     .offset((max(page, 1) - 1) * page_size).limit(page_size)).scalars())
    ids = [c.id for c in companies]
    areas: dict[int, list[str]] = {i: [] for i in ids}
    counts: dict[int, int] = {}
    if ids:
        for company_id, name in session.execute(select(CompanyArea.company_id, BusinessArea.name)
                                                .join(BusinessArea, BusinessArea.id == CompanyArea.business_area_id)
                                                .where(CompanyArea.company_id.in_(ids)).order_by(BusinessArea.name)):
            areas[company_id].append(name)
        counts = dict(session.execute(select(Case.company_id, func.count()).where(Case.company_id.in_(ids),
                                                                                  Case.status.in_(OPEN_STATUSES))
                                      .group_by(Case.company_id)).all())
    return [CompanyListRow(company=c, areas=areas[c.id], open_cases=counts.get(c.id, 0)) for c in companies], total


# --- contact persons -------------------------------------------------------------------------------

def save_contact(session: Session, company: Company, contact: ContactPerson | None, *, name: str, role: str,
                 email: str, phone: str, clock: Clock) -> ContactPerson:
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_l("Enter a name.")]
    if contact is not None and contact.anonymised_at:
        errors["name"] = [_l("An anonymised contact person cannot be edited.")]
    if errors:
        raise ValidationFailed(_l("Nothing was saved."), errors=errors)
    contact = contact or ContactPerson(company_id=company.id, name="", created_at=clock.now())
    contact.name, contact.role = name.strip()[:200], (role or "").strip()[:200]
    contact.email, contact.phone = (email or "").strip()[:254], (phone or "").strip()[:40]
    session.add(contact)
    session.flush()
    return contact


ANONYMISED = "Anonymiserad"


# --- the contact log ---------------------------------------------------------------------------------

def log_contact(session: Session, *, user_id: int, kind: str, at: datetime, note: str, company_ids: list[int],
                case_ids: list[int]) -> ContactLogEntry:
    errors = {}
    if kind not in {k.value for k in ContactKind}:
        errors["kind"] = [_l("Choose a kind of contact from the list.")]
    if not company_ids:
        errors["company_ids"] = [_l("Choose at least one company.")]
    elif len(session.execute(select(Company.id).where(Company.id.in_(company_ids))).all()) != len(set(company_ids)):
        errors["company_ids"] = [_l("Choose companies from the list.")]
    if case_ids and len(session.execute(select(Case.id).where(Case.id.in_(case_ids))).all()) != len(set(case_ids)):
        errors["case_ids"] = [_l("There is no case with that reference.")]
    if errors:
        raise ValidationFailed(_l("The contact was not logged."), errors=errors)
    entry = ContactLogEntry(at=at, kind=kind, user_id=user_id, note=(note or "").strip())
    session.add(entry)
    session.flush()
    for company_id in sorted(set(company_ids)):
        session.add(ContactLogCompany(entry_id=entry.id, company_id=company_id))
    for case_id in sorted(set(case_ids)):
        session.add(ContactLogCase(entry_id=entry.id, case_id=case_id))
    session.flush()
    return entry
