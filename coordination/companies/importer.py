"""Import of companies and property owners from a CSV file (e.g. an export of the city's or
Bolagsverket's data): a preview with a verdict per row before anything is saved, then one
transaction. Idempotent on the organisation number: a known company is updated, not doubled.

Columns (a header row; Swedish or English names; `;` or `,` between fields):
namn/name, organisationsnummer/organisation_number, typ/kind (företag, fastighetsägare, båda),
adress/address, fastighetsbeteckningar/properties (separated by `|`), verksamhetsområden/business_areas
(names separated by `|`)."""

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from coordination.clock import Clock
from coordination.companies.models import Company, CompanyArea
from coordination.companies.services import company_number, property_designations
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import BusinessArea

MAX_ROWS = 20_000
COLUMNS = {
    "namn": "name", "name": "name",
    "organisationsnummer": "organisation_number", "organisation_number": "organisation_number", "orgnr": "organisation_number",
    "typ": "kind", "kind": "kind",
    "adress": "address", "address": "address",
    "fastighetsbeteckningar": "properties", "properties": "properties",
    "verksamhetsområden": "business_areas", "verksamhetsomraden": "business_areas", "business_areas": "business_areas",
}
KINDS = {"företag": "company", "foretag": "company", "company": "company", "fastighetsägare": "property_owner",
         "fastighetsagare": "property_owner", "property_owner": "property_owner", "båda": "both", "bada": "both",
         "both": "both", "": "company"}


@dataclass
class ImportRow:
    line: int
    name: str
    organisation_number: str | None
    kind: str
    address: str
    properties: list[str]
    area_ids: list[int]
    action: str = ""            # "new", "update" or "error"
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[ImportRow]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.action != "error" for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


MAX_BYTES = 10 * 1024 * 1024
# Files that are something else under a .csv name: PDF, PNG, JPEG, GIF, ZIP (XLSX, DOCX), OLE (XLS, DOC).
BINARY_STARTS = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """The text of an uploaded CSV file: at most MAX_BYTES, UTF-8 (with or without BOM) or
    Windows-1252 (Excel's Swedish export), and text by its content: a spreadsheet, PDF or image
    under a .csv name, or anything with control characters in it, is refused."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_l("The file is larger than %(mb)s MB; split it into smaller files.",
                                  mb=MAX_BYTES // (1024 * 1024)))
    if data.startswith(BINARY_STARTS):
        raise ValidationFailed(_l("The file is not a text (CSV) file."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break
        return text
    raise ValidationFailed(_l("The file is not a text (CSV) file."))


def preview(session: Session, text: str) -> Preview:
    """Read and check every row against the register (a fixed number of queries)."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return Preview(rows=[], problems=[str(_l("The file is empty."))])
    names = [COLUMNS.get(h.strip().lower()) for h in header]
    if "name" not in names or "organisation_number" not in names:
        return Preview(rows=[], problems=[str(_l("The file needs the columns namn and organisationsnummer in its first row."))])
    areas = {a.name.lower(): a.id for a in session.execute(select(BusinessArea)).scalars()}
    rows: list[ImportRow] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            return Preview(rows=[], problems=[str(_l("At most %(n)s rows can be imported at a time.", n=MAX_ROWS))])
        record = {key: (values[i].strip() if i < len(values) else "") for i, key in enumerate(names) if key}
        row = ImportRow(line=line, name=record.get("name", "")[:200], organisation_number=None,
                        kind=KINDS.get(record.get("kind", "").lower(), ""), address=record.get("address", "")[:300],
                        properties=[], area_ids=[])
        if not row.name:
            row.errors.append(str(_l("The name is missing.")))
        if not row.kind:
            row.errors.append(str(_l("The kind must be företag, fastighetsägare or båda.")))
        try:
            row.organisation_number = company_number(record.get("organisation_number", ""), sole_trader=False)
        except ValidationFailed as error:
            row.errors += [str(m) for m in error.errors.get("organisation_number", [])]
        try:
            row.properties = property_designations(record.get("properties", "").replace("|", "\n"))
        except ValidationFailed as error:
            row.errors += [str(m) for m in error.errors.get("properties", [])]
        for area in [a.strip() for a in record.get("business_areas", "").split("|") if a.strip()]:
            if area.lower() in areas:
                row.area_ids.append(areas[area.lower()])
            else:
                row.errors.append(str(_l("Unknown business area: %(area)s.", area=area)))
        rows.append(row)
    seen: dict[str, int] = {}
    for row in rows:
        if row.organisation_number:
            if row.organisation_number in seen:
                row.errors.append(str(_l("The same organisation number as row %(line)s.", line=seen[row.organisation_number])))
            seen.setdefault(row.organisation_number, row.line)
    known = set(session.execute(select(Company.organisation_number)
                                .where(Company.organisation_number.in_(list(seen)))).scalars()) if seen else set()
    for row in rows:
        row.action = "error" if row.errors else ("update" if row.organisation_number in known else "new")
    return Preview(rows=rows, problems=[] if rows else [str(_l("The file has no rows to import."))])


def apply(session: Session, result: Preview, *, clock: Clock) -> dict[str, int]:
    """Save a preview without errors in the caller's transaction."""
    if not result.ok:
        raise ValidationFailed(_l("The file has rows with errors; nothing was saved."))
    now = clock.now()
    numbers = [r.organisation_number for r in result.rows]
    existing = {c.organisation_number: c for c in session.execute(
        select(Company).where(Company.organisation_number.in_(numbers))).scalars()}
    companies = []
    for row in result.rows:
        company = existing.get(row.organisation_number) or Company(
            name=row.name, organisation_number=row.organisation_number, created_at=now, updated_at=now)
        company.name, company.kind, company.updated_at, company.confirmed = row.name, row.kind, now, True
        if row.address:
            company.address = row.address
        if row.properties:
            company.properties = sorted(set(company.properties or []) | set(row.properties))
        session.add(company)
        companies.append((company, row))
    session.flush()
    links = set(session.execute(select(CompanyArea.company_id, CompanyArea.business_area_id)
                                .where(CompanyArea.company_id.in_([c.id for c, _r in companies]))).all())
    new_links = [{"company_id": c.id, "business_area_id": a} for c, r in companies for a in set(r.area_ids)
                 if (c.id, a) not in links]
    if new_links:
        session.execute(CompanyArea.__table__.insert(), new_links)
    session.flush()
    return {"new": result.count("new"), "update": result.count("update")}


