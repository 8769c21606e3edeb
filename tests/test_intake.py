"""The public intake form as a company or property owner meets it, and what follows from it:
the receipt with its reference and status link, the receipt mail in the outbox, attachments
that are checked by content and stored under random keys, the status link that shows nothing
internal, the rate limit, and references that stay gapless when many people send at once.

Swedish is the default language, so messages are asserted in Swedish."""

import io
import re
import struct
import threading
import zipfile
import zlib
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.http import parse_options_header

from coordination.cases import services
from coordination.cases.models import Attachment, Case, CaseOrganisation
from coordination.cases.orgnr import (
    InvalidOrganisationNumber,
    normalise_organisation_number,
)
from coordination.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import PG_URL, fresh, sign_in

FORM = "/lamna-arende"
RECEIPT = "/lamna-arende/kvitto"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

ENTER_COMPANY = "Ange namnet på företaget eller fastighetsägaren."
ENTER_CONTACT = "Ange kontaktpersonens namn."
ENTER_EMAIL = "Ange en e-postadress så att vi kan svara."
BAD_EMAIL = "Ange en e-postadress i formen namn@exempel.se."
ENTER_SUBJECT = "Ange ett ämne."
DESCRIBE = "Beskriv ärendet."
CONFIRM = "Bekräfta att du har läst hur staden hanterar personuppgifter."
ORGNR_FORM = "Kontrollera organisationsnumret: det har 10 siffror och skrivs NNNNNN-NNNN eller utan bindestreck."
ORGNR_CHECK = "Kontrollera organisationsnumret: sista siffran stämmer inte med de andra."
CHOOSE_AREA = "Välj ett verksamhetsområde i listan, eller \u201dVet ej\u201d."
HONEYPOT = "Lämna det här fältet tomt."
FILES_DROPPED = "Av säkerhetsskäl sparas inte filer när formuläret behöver rättas"
STAGE_RECEIVED = "Mottaget – väntar på att samordnaren går igenom det"
STAGE_LEVEL1 = "Hos arbetsgruppen för området"


def too_long(n):
    return f"Högst {n} tecken; du skrev fler."


# --- files as they really are ------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


# A real 1×1 baseline JPEG (SOI, APP0/JFIF, DQT, SOF0, DHT, SOS, EOI).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b08000100010101"
    "1100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b510000201030302040305"
    "0504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718"
    "191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a8384"
    "85868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8"
    "d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


def docx_bytes() -> bytes:
    """A minimal DOCX: a zip with the content types and the main document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
                         'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                         '</Types>')
        archive.writestr("word/document.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                         'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hej</w:t>'
                         '</w:r></w:p></w:body></w:document>')
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def attachments_dir(tmp_path):
    return tmp_path / "bilagor"


@pytest.fixture
def app(make_app, attachments_dir):
    return make_app(ATTACHMENTS_DIR=str(attachments_dir))


@pytest.fixture
def area(session):
    row = factories.business_area(session, name="Högdalens industriområde")
    session.commit()
    return row


def valid(area=None, **overrides) -> dict:
    data = {
        "company_name": "Högdalens Bageri AB", "organisation_number": "5566778899",
        "contact_name": "Åsa Öberg", "contact_email": "asa.oberg@bageri.example.se", "contact_phone": "08-123 45 67",
        "business_area_id": str(area.id) if area is not None else "", "location": "Magasinsgatan 7, Högdalen",
        "title": "Snöröjning saknas på Magasinsgatan",
        "description": "Lastbilar kommer inte fram till lastkajen sedan tre dagar.", "consent": "y", "website": "",
    }
    data.update(overrides)
    return data


def post(client, data, files=(), **kwargs):
    """The form as a browser sends it (multipart), with files as (bytes, name) pairs."""
    body = dict(data)
    if files:
        body["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(FORM, data=body, content_type="multipart/form-data", **kwargs)


def counts(app) -> tuple[int, int, int]:
    with fresh(app) as s:
        return tuple(s.exec(select(func.count()).select_from(m)).one() for m in (Case, OutboxMessage, Attachment))


def stored_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def assert_nothing_stored(app, attachments_dir):
    assert counts(app) == (0, 0, 0)
    assert stored_files(attachments_dir) == []


def token_from(html: str) -> str:
    match = re.search(r"http://localhost/status/([A-Za-z0-9_\-]+)", html)
    assert match, "the receipt shows no status link"
    return match.group(1)


class Page(HTMLParser):
    """What a person sees of the intake page: the fields with their values, the message under
    each field, and the error summary's links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, dict] = {}
        self.ids: set[str] = set()
        self.errors: dict[str, str] = {}
        self.summary_links: list[tuple[str, str]] = []
        self._textarea = self._select = self._error = self._link = None
        self._in_summary = False
        self.feed(html)

    def value(self, name):
        return self.fields[name]["value"]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "input" and a.get("name"):
            self.fields[a["name"]] = {"type": a.get("type", "text"), "value": a.get("value") or "",
                                      "checked": "checked" in a}
        elif tag == "textarea":
            self._textarea = self.fields[a["name"]] = {"type": "textarea", "value": ""}
        elif tag == "select":
            self._select = self.fields[a["name"]] = {"type": "select", "value": None, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value"))
            if "selected" in a:
                self._select["value"] = a.get("value")
        elif tag == "p" and "error-message" in (a.get("class") or ""):
            self._error = a["id"][: -len("-error")]
            self.errors[self._error] = ""
        elif tag == "div" and "error-summary" in (a.get("class") or ""):
            self._in_summary = True
        elif tag == "a" and self._in_summary:
            self._link = [a.get("href"), ""]

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea is not None and self._textarea["value"].startswith("\r\n"):
                self._textarea["value"] = self._textarea["value"][2:]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "p":
            self._error = None
        elif tag == "a" and self._link is not None:
            self.summary_links.append(tuple(self._link))
            self._link = None
        elif tag == "div" and self._in_summary and self._link is None:
            self._in_summary = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._error is not None:
            self.errors[self._error] += data
        if self._link is not None:
            self._link[1] += data


def assert_kept(page: Page, sent: dict):
    """Every field shows what was sent (the honeypot and the files aside)."""
    for name, value in sent.items():
        if name in ("website", "attachments"):
            continue
        if name == "consent":
            assert page.fields["consent"]["checked"] == bool(value), "consent not kept"
        elif name == "business_area_id":
            # A value that is not in the list cannot be shown as chosen; the list then shows
            # its first choice, "Vet ej".
            options = page.fields[name]["options"]
            assert (page.value(name) or "") == (value if value in options else "")
        elif name == "organisation_number" and value == "5566778899":
            assert page.value(name) == "556677-8899"  # a valid number comes back in its written form
        else:
            assert page.value(name) == value, f"{name} not kept"


# --- organisation numbers ----------------------------------------------------------------------

ORGNR_TABLE = [
    # (typed, normalised or the reason it is refused)
    ("556677-8899", "556677-8899"),
    ("5566778899", "556677-8899"),
    ("212000-0142", "212000-0142"),           # Stockholms stad
    (" 2120000142 ", "212000-0142"),
    ("556677 8899", "556677-8899"),
    ("556677-8898", "check_digit"),
    ("5566778890", "check_digit"),
    ("556677-889", "form"),                   # nine digits
    ("55667788991", "form"),                  # eleven digits
    ("55667A-8899", "form"),                  # a letter
    ("abcdef-ghij", "form"),
    ("16556677-8899", "form"),                # the 12-digit form with century
    ("165566778899", "form"),
    ("556677--8899", "form"),
    ("556677/8899", "form"),
    ("", "form"),
]


@pytest.mark.parametrize(("typed", "expected"), ORGNR_TABLE)
def test_organisation_numbers_are_normalised_or_refused_with_the_reason(typed, expected):
    if expected in ("form", "check_digit"):
        with pytest.raises(InvalidOrganisationNumber) as error:
            normalise_organisation_number(typed)
        assert error.value.reason == expected
    else:
        assert normalise_organisation_number(typed) == expected


@pytest.mark.parametrize("typed", ["５５６６７７-８８９９", "٥٥٦٦٧٧-٨٨٩٩"])
def test_organisation_numbers_in_other_digits_are_stored_in_ascii_or_refused(typed):
    try:
        result = normalise_organisation_number(typed)
    except InvalidOrganisationNumber:
        return
    assert result == "556677-8899"


@pytest.mark.parametrize(("typed", "message", "stored"), [
    ("556677-8899", None, "556677-8899"),
    ("5566778899", None, "556677-8899"),
    ("", None, None),
    ("556677-8898", ORGNR_CHECK, None),
    ("556677-889", ORGNR_FORM, None),
    ("55667A-8899", ORGNR_FORM, None),
    ("165566778899", ORGNR_FORM, None),
])
def test_the_form_checks_the_organisation_number(app, client, area, typed, message, stored):
    response = post(client, valid(area, organisation_number=typed))

    if message is None:
        assert response.status_code == 302
        with fresh(app) as s:
            assert s.exec(select(Case.organisation_number)).one() == stored
    else:
        assert response.status_code == 400
        page = Page(response.get_data(as_text=True))
        assert page.errors == {"organisation_number": message}
        assert page.value("organisation_number") == typed
        assert counts(app) == (0, 0, 0)


# --- the form end to end ------------------------------------------------------------------------

def test_the_form_page_is_in_swedish_with_the_limits_and_dont_know(client, area):
    response = client.get(FORM)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lämna ett ärende till staden" in html
    assert "Högst 200 tecken" in html and "Högst 5 000 tecken" in html
    assert "PDF, JPG, PNG eller DOCX, högst 10 MB styck och 5 filer." in html
    page = Page(html)
    assert page.fields["business_area_id"]["options"] == ["", str(area.id)]
    assert ">Vet ej</option>" in html and "Högdalens industriområde" in html


def test_a_sent_form_gives_a_receipt_a_stored_case_and_a_receipt_mail(app, client, area):
    response = post(client, valid(area))

    assert response.status_code == 302 and response.location.endswith(RECEIPT)
    receipt = client.get(RECEIPT)
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert "Tack, vi har tagit emot ditt ärende" in html
    assert "SBR 2026/0001" in html
    token = token_from(html)
    status_url = f"http://localhost/status/{token}"
    assert f'href="{status_url}"' in html

    with fresh(app) as s:
        case = s.exec(select(Case)).one()
        assert (case.reference, case.year, case.number) == ("SBR 2026/0001", 2026, 1)
        assert (case.company_name, case.organisation_number, case.contact_name, case.contact_email,
                case.contact_phone, case.location, case.business_area_id, case.title, case.description,
                case.source, case.status, case.level) == (
            "Högdalens Bageri AB", "556677-8899", "Åsa Öberg", "asa.oberg@bageri.example.se", "08-123 45 67",
            "Magasinsgatan 7, Högdalen", area.id, "Snöröjning saknas på Magasinsgatan",
            "Lastbilar kommer inte fram till lastkajen sedan tre dagar.", "web", "new", None)
        assert case.status_token_hash and token not in case.status_token_hash  # only a hash is kept
        mail = s.exec(select(OutboxMessage)).one()
    assert (mail.kind, mail.recipient, mail.case_id, mail.status) == (
        "receipt", "asa.oberg@bageri.example.se", case.id, "pending")
    assert mail.subject == "Vi har tagit emot ert ärende SBR 2026/0001"
    assert "Diarienummer: SBR 2026/0001" in mail.body_text
    assert status_url in mail.body_text
    assert "Hej Åsa Öberg" in mail.body_text
    assert f'<a href="{status_url}">' in mail.body_html

    # The receipt is the page of this sending; the status link works without a login.
    status = client.get(f"/status/{token}")
    assert status.status_code == 200 and "SBR 2026/0001" in status.get_data(as_text=True)


def test_the_receipt_without_a_sent_form_leads_to_the_form(client):
    response = client.get(RECEIPT)

    assert response.status_code == 302 and response.location.endswith(FORM)


def test_references_run_per_year(app, client, area, clock):
    post(client, valid(area))
    post(client, valid(area, title="Belysning saknas"))
    clock.advance(timedelta(days=40))  # into 2027

    post(client, valid(area, title="Nytt år"))

    with fresh(app) as s:
        refs = s.exec(select(Case.reference).order_by(Case.id)).all()
    assert refs == ["SBR 2026/0001", "SBR 2026/0002", "SBR 2027/0001"]


def test_the_form_in_english_sends_an_english_receipt(app, client, area):
    switched = client.post("/sprak", data={"lang": "en", "next": FORM})
    assert switched.status_code == 302
    assert "Raise a matter with the city" in client.get(FORM).get_data(as_text=True)

    response = post(client, valid(area))

    assert response.status_code == 302
    html = client.get(RECEIPT).get_data(as_text=True)
    assert "Thank you, we have received your matter" in html
    token = token_from(html)
    with fresh(app) as s:
        mail = s.exec(select(OutboxMessage)).one()
    assert mail.subject == "We have received your matter SBR 2026/0001"
    assert "Reference: SBR 2026/0001" in mail.body_text
    assert f"http://localhost/status/{token}" in mail.body_text
    assert "Diarienummer" not in mail.body_text


def test_a_wrong_form_in_english_answers_in_english(app, client, area):
    client.post("/sprak", data={"lang": "en", "next": FORM})

    response = post(client, valid(area, title="", organisation_number="556677-8898"))

    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.errors == {"title": "Enter a subject.",
                           "organisation_number": "Check the organisation number: the last digit does not match "
                                                  "the others."}
    assert counts(app) == (0, 0, 0)


# --- wrong input -----------------------------------------------------------------------------------

LONG = 10_000
LONG_EMAIL = "a" * (LONG - len("@example.se")) + "@example.se"


def _wrong(case, area):
    """(form data, {field: message it must show}); every other field shows nothing."""
    if case == "empty":
        data = {k: "" for k in valid(area)}
        return data, {"company_name": ENTER_COMPANY, "contact_name": ENTER_CONTACT,
                      "contact_email": ENTER_EMAIL, "title": ENTER_SUBJECT, "description": DESCRIBE,
                      "consent": CONFIRM}
    if case == "blank":  # only spaces is as empty as nothing
        data = {**valid(area), "company_name": "   ", "contact_name": " \t ", "title": "  ", "description": "\n\n"}
        return data, {"company_name": ENTER_COMPANY, "contact_name": ENTER_CONTACT, "title": ENTER_SUBJECT,
                      "description": DESCRIBE}
    if case == "too_long":
        data = {**valid(area), "company_name": "F" * LONG, "organisation_number": "5" * LONG,
                "contact_name": "K" * LONG, "contact_email": LONG_EMAIL, "contact_phone": "0" * LONG,
                "location": "Å" * LONG, "title": "T" * LONG, "description": "B" * LONG}
        return data, {"company_name": too_long(200), "organisation_number": too_long(20),
                      "contact_name": too_long(200), "contact_email": too_long(254), "contact_phone": too_long(40),
                      "location": too_long(300), "title": too_long(200), "description": too_long(5000)}
    if case == "script":
        data = {k: SCRIPT for k in valid(area) if k not in ("business_area_id", "consent", "website")}
        data.update(business_area_id=str(area.id), consent="y", website="")
        return data, {"organisation_number": ORGNR_FORM, "contact_email": BAD_EMAIL}
    if case == "unknown_area":
        return {**valid(area), "business_area_id": "987654"}, {"business_area_id": CHOOSE_AREA}
    if case == "text_area":
        return {**valid(area), "business_area_id": "Högdalen"}, {"business_area_id": CHOOSE_AREA}
    if case == "bad_email":
        return {**valid(area), "contact_email": "asa.oberg(at)bageri.se"}, {"contact_email": BAD_EMAIL}
    raise KeyError(case)


@pytest.mark.parametrize("case", ["empty", "blank", "too_long", "script", "unknown_area", "text_area", "bad_email"])
def test_wrong_input_is_a_400_that_says_what_to_correct_keeps_the_input_and_stores_nothing(
        app, client, area, attachments_dir, case):
    data, expected = _wrong(case, area)

    response = post(client, data)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    page = Page(html)
    assert set(page.errors) == set(expected)
    for name, message in expected.items():
        assert message in page.errors[name], (name, page.errors[name])
    assert_kept(page, data)
    # The summary at the top links to each field that needs correcting.
    assert "Rätta följande" in html
    linked = {href for href, _text in page.summary_links}
    assert linked == {f"#{name}" for name in expected}
    assert all(href[1:] in page.ids for href in linked)
    assert SCRIPT not in html
    assert_nothing_stored(app, attachments_dir)


def test_an_inactive_business_area_is_not_offered_nor_accepted(app, client, session, attachments_dir):
    closed = factories.business_area(session, name="Nedlagt område", active=False)
    session.commit()

    assert "Nedlagt område" not in client.get(FORM).get_data(as_text=True)
    response = post(client, valid(closed))

    assert response.status_code == 400
    assert Page(response.get_data(as_text=True)).errors == {"business_area_id": CHOOSE_AREA}
    assert_nothing_stored(app, attachments_dir)


def test_dont_know_is_a_valid_business_area(app, client):
    response = post(client, valid(None))

    assert response.status_code == 302
    with fresh(app) as s:
        assert s.exec(select(Case.business_area_id)).one() is None


def test_script_tags_are_stored_as_text_and_shown_escaped(app, client, area):
    response = post(client, valid(area, title=SCRIPT, description=SCRIPT, company_name=SCRIPT))

    assert response.status_code == 302
    token = token_from(client.get(RECEIPT).get_data(as_text=True))
    status = client.get(f"/status/{token}").get_data(as_text=True)
    assert SCRIPT not in status and ESCAPED_SCRIPT in status
    with fresh(app) as s:
        assert s.exec(select(Case.title)).one() == SCRIPT
        mail = s.exec(select(OutboxMessage)).one()
    assert SCRIPT not in mail.body_html and ESCAPED_SCRIPT in mail.body_html
    assert SCRIPT in mail.body_text  # plain text is plain


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(app, client, area, attachments_dir):
    data = valid(area, website="http://billiga-klockor.example.com")

    response = post(client, data, files=[(PDF, "ritning.pdf")])

    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    # The field is hidden from people, so the message is in the summary at the top.
    assert [text for _href, text in page.summary_links] == [f"Lämna det här fältet tomt: {HONEYPOT}"]
    assert_kept(page, data)
    assert_nothing_stored(app, attachments_dir)


# --- attachments --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "name", "content_type"), [
    (PDF, "ritning.pdf", "application/pdf"),
    (png_bytes(), "foto.png", "image/png"),
    (JPEG, "foto.jpg", "image/jpeg"),
    (docx_bytes(), "skrivelse.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (PDF, "utan-filändelse", "application/pdf"),  # the content decides, not the name
])
def test_real_files_are_accepted_and_stored_under_a_random_key(app, client, area, attachments_dir, content, name,
                                                               content_type):
    response = post(client, valid(area), files=[(content, name)])

    assert response.status_code == 302
    with fresh(app) as s:
        attachment = s.exec(select(Attachment)).one()
    assert (attachment.filename, attachment.content_type, attachment.size) == (name, content_type, len(content))
    files = stored_files(attachments_dir)
    assert len(files) == 1
    assert files[0].read_bytes() == content
    assert files[0].name == attachment.storage_key and re.fullmatch(r"[0-9a-f]{48}", files[0].name)
    assert name not in str(files[0])


def test_five_files_at_once_are_accepted(app, client, area, attachments_dir):
    files = [(PDF, "a.pdf"), (png_bytes(), "b.png"), (JPEG, "c.jpg"), (docx_bytes(), "d.docx"), (PDF, "e.pdf")]

    response = post(client, valid(area), files=files)

    assert response.status_code == 302
    with fresh(app) as s:
        assert sorted(s.exec(select(Attachment.filename))) == ["a.pdf", "b.png", "c.jpg", "d.docx", "e.pdf"]
    assert len(stored_files(attachments_dir)) == 5


def test_a_file_name_is_never_a_path(app, client, area, attachments_dir, tmp_path):
    response = post(client, valid(area), files=[(PDF, "../../etc/passwd.pdf")])

    assert response.status_code == 302
    with fresh(app) as s:
        attachment = s.exec(select(Attachment)).one()
    assert attachment.filename == "passwd.pdf"
    files = stored_files(attachments_dir)
    assert [f.name for f in files] == [attachment.storage_key]
    assert files[0].parent.parent == attachments_dir
    assert not any(p.name == "passwd.pdf" for p in tmp_path.rglob("*"))
    assert not (tmp_path / "etc").exists() and not (attachments_dir.parent.parent / "etc").exists()


@pytest.mark.parametrize(("files", "message"), [
    ([(EXE, "faktura.pdf")], "faktura.pdf är inte en PDF-, JPG-, PNG- eller DOCX-fil."),
    ([(b"PK\x03\x04 not really a zip", "brev.docx")], "brev.docx är inte en PDF-, JPG-, PNG- eller DOCX-fil."),
    ([(b"", "tom.pdf")], "tom.pdf är tom."),
    ([(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "stor.pdf")], "stor.pdf är större än 10 MB."),
    ([(PDF, f"fil{i}.pdf") for i in range(6)], "Högst 5 filer kan bifogas."),
    # One bad file stops the good one too: nothing half-sent is kept.
    ([(PDF, "bra.pdf"), (EXE, "program.png")], "program.png är inte en PDF-, JPG-, PNG- eller DOCX-fil."),
], ids=["exe-as-pdf", "zip-not-docx", "empty", "over-10-mb", "six-files", "one-good-one-bad"])
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(app, client, area, attachments_dir, files,
                                                                    message):
    data = valid(area)

    response = post(client, data, files=files)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.errors == {"attachments": message}
    assert_kept(page, data)
    assert FILES_DROPPED in html  # the page says the files must be chosen again
    assert_nothing_stored(app, attachments_dir)


def test_a_file_of_exactly_ten_megabytes_is_accepted(app, client, area, attachments_dir):
    content = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - len(b"%PDF-1.4\n"))

    response = post(client, valid(area), files=[(content, "precis-10-mb.pdf")])

    assert response.status_code == 302
    assert [f.stat().st_size for f in stored_files(attachments_dir)] == [10 * 1024 * 1024]


def test_an_upload_over_the_request_limit_gets_the_413_page_not_a_500(make_app, attachments_dir):
    app = make_app(ATTACHMENTS_DIR=str(attachments_dir), PROPAGATE_EXCEPTIONS=False)
    with Session(app.extensions["db_engine"]) as s:
        area = factories.business_area(s)
        s.commit()
        s.refresh(area)
    huge = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)

    response = post(app.test_client(), valid(area), files=[(huge, "stor.pdf")])

    assert response.status_code == 413
    assert "Det du skickade är större än tillåtet." in response.get_data(as_text=True)
    assert_nothing_stored(app, attachments_dir)


def test_files_within_the_stated_limits_are_accepted(app, client, area, attachments_dir):
    nine_mb = b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024)

    response = post(client, valid(area), files=[(nine_mb, f"del{i}.pdf") for i in range(3)])

    assert response.status_code == 302
    assert len(stored_files(attachments_dir)) == 3


def test_a_form_without_files_that_fails_says_nothing_about_files(client, area):
    response = post(client, valid(area, title=""))

    assert response.status_code == 400
    assert FILES_DROPPED not in response.get_data(as_text=True)


@pytest.fixture
def case_with_file(app, client, area):
    """A case sent through the form with one attachment; returns (case, attachment)."""
    response = post(client, valid(area), files=[(PDF, "Ritning Årsta hamn.pdf")])
    assert response.status_code == 302
    with fresh(app) as s:
        return s.exec(select(Case)).one(), s.exec(select(Attachment)).one()


def download_url(case, attachment_id):
    return f"/arenden/{services.reference_slug(case.reference)}/bilagor/{attachment_id}"


def test_a_coordinator_downloads_an_attachment_as_a_download_with_its_name(app, session, case_with_file):
    case, attachment = case_with_file
    coordinator = factories.user(session, "coordinator")
    session.commit()
    client = sign_in(app.test_client(), coordinator)

    response = client.get(download_url(case, attachment.id))

    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert options["filename"] == "Ritning Årsta hamn.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_department_sees_attachments_only_of_cases_concerning_it(app, session, case_with_file):
    case, attachment = case_with_file
    concerned = factories.organisation(session, name="Trafikkontoret")
    unconcerned = factories.organisation(session, name="Fastighetskontoret")
    session.add(CaseOrganisation(case_id=case.id, organisation_id=concerned.id))
    insider = factories.user(session, "department", organisation_id=concerned.id)
    outsider = factories.user(session, "department", organisation_id=unconcerned.id)
    session.commit()

    refused = sign_in(app.test_client(), outsider).get(download_url(case, attachment.id))
    allowed = sign_in(app.test_client(), insider).get(download_url(case, attachment.id))

    assert refused.status_code == 403 and refused.data != PDF
    assert allowed.status_code == 200 and allowed.data == PDF


def test_an_anonymous_visitor_is_sent_to_the_login_for_an_attachment(app, case_with_file):
    case, attachment = case_with_file

    response = app.test_client().get(download_url(case, attachment.id))

    assert response.status_code == 302 and "/logga-in" in response.location
    assert response.data != PDF


def test_an_attachment_is_found_only_under_its_own_case(app, client, session, area, case_with_file):
    case, attachment = case_with_file
    other = factories.case(session, clock=app.extensions["clock"])
    coordinator = factories.user(session, "coordinator")
    session.commit()
    client = sign_in(app.test_client(), coordinator)

    assert client.get(download_url(other, attachment.id)).status_code == 404
    assert client.get(download_url(case, attachment.id + 1000)).status_code == 404


# --- the status link ------------------------------------------------------------------------------------

def test_a_wrong_status_token_is_a_404(client, area):
    post(client, valid(area))

    for token in ("x", "A" * 32, "A" * 500, "%00"):
        assert client.get(f"/status/{token}").status_code == 404


@pytest.fixture
def sent_case(app, client, area):
    """A case sent through the form; returns (case, its status token)."""
    post(client, valid(area, contact_phone="070-111 22 33"))
    token = token_from(client.get(RECEIPT).get_data(as_text=True))
    with fresh(app) as s:
        return s.exec(select(Case)).one(), token


def test_the_status_link_shows_the_stage_in_plain_words_and_nothing_internal(app, session, client, area, clock,
                                                                             sent_case):
    case, token = sent_case
    anonymous = app.test_client()

    first = anonymous.get(f"/status/{token}").get_data(as_text=True)
    assert "SBR 2026/0001" in first and "2026-11-23" in first
    assert STAGE_RECEIVED in first

    organisation = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    coordinator = factories.user(session, "coordinator", name="Siv Samordnare", email="siv@stockholm.se")
    case = session.get(Case, case.id)
    clock.advance(timedelta(days=1))
    services.triage_case(session, case, services.TriageInput(
        business_area_id=area.id, focus_area_id=3, category="maintenance", organisation_ids=[organisation.id],
        priority="urgent", major_significance=False, needs_department_head_decision=False,
        needs_political_decision=False, estimated_cost_sek=1_234_567, level=1),
        actor_user_id=coordinator.id, clock=clock)
    services.add_comment(session, case, author_id=coordinator.id, body="Hemlig intern kommentar om bageriet",
                         clock=clock)
    session.commit()

    html = anonymous.get(f"/status/{token}").get_data(as_text=True)
    assert STAGE_LEVEL1 in html
    assert STAGE_RECEIVED in html  # the history: received, then the work group
    assert "2026-11-24" in html
    for internal in ("asa.oberg@bageri.example.se", "070-111 22 33", "Åsa Öberg", "Hemlig intern kommentar",
                     "Siv Samordnare", "siv@stockholm.se", "1234567", "1 234 567", "Brådskande",
                     "Trafikkontoret"):
        assert internal not in html, internal


def test_the_status_link_of_a_merged_case_shows_the_case_it_went_into(app, session, clock, sent_case):
    case, token = sent_case
    coordinator = factories.user(session, "coordinator", name="Siv Samordnare")
    target = factories.case(session, clock=clock, title="Snöröjning Magasinsgatan, samlat ärende")
    source = session.get(Case, case.id)
    services.merge_cases(session, source, target, actor_user_id=coordinator.id, clock=clock,
                         reason="Samma fråga som ett tidigare ärende")
    session.commit()

    response = app.test_client().get(f"/status/{token}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert target.reference in html and "Snöröjning Magasinsgatan, samlat ärende" in html
    assert "Samma fråga som ett tidigare ärende" not in html and "Siv Samordnare" not in html


# --- rate limit -------------------------------------------------------------------------------------------

def test_the_third_post_within_the_hour_gets_a_429_page(make_app, attachments_dir):
    app = make_app(INTAKE_RATE_LIMIT="2 per hour", ATTACHMENTS_DIR=str(attachments_dir))
    with Session(app.extensions["db_engine"]) as s:
        area = factories.business_area(s)
        s.commit()
        s.refresh(area)
    client = app.test_client()

    answers = [post(client, valid(area, title=f"Ärende {i}")).status_code for i in range(3)]

    assert answers == [302, 302, 429]
    third = post(client, valid(area, title="Fjärde"))
    assert third.status_code == 429
    assert "För många förfrågningar" in third.get_data(as_text=True)
    assert counts(app)[0] == 2
    # The form itself can still be read, and another client has its own allowance.
    assert client.get(FORM).status_code == 200
    other = post(app.test_client(), valid(area, title="Från en annan adress"),
                 environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert other.status_code == 302


# --- many at once --------------------------------------------------------------------------------------------

@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
def test_thirty_simultaneous_submissions_get_thirty_gapless_references(app, area):
    barrier = threading.Barrier(30)
    answers: list[int] = []
    errors: list[BaseException] = []

    def send(i):
        try:
            client = app.test_client()
            barrier.wait(timeout=30)
            answers.append(post(client, valid(area, title=f"Samtidigt ärende {i}")).status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert answers == [302] * 30
    with fresh(app) as s:
        cases = s.exec(select(Case)).all()
        mails = s.exec(select(OutboxMessage)).all()
    assert sorted(c.number for c in cases) == list(range(1, 31))
    assert len({c.reference for c in cases}) == 30
    assert {c.reference for c in cases} == {f"SBR 2026/{n:04d}" for n in range(1, 31)}
    assert len(mails) == 30 and len({m.case_id for m in mails}) == 30


# --- nothing makes a 500 ---------------------------------------------------------------------------------------



@pytest.mark.parametrize("field", ["company_name", "contact_name", "title", "description", "location",
                                   "contact_phone"])
def test_a_nul_character_is_refused_or_stored_without_it_never_a_500(app, client, area, field):
    response = post(client, valid(area, **{field: "Bageri\x00AB"}))

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        with fresh(app) as s:
            assert "\x00" not in getattr(s.exec(select(Case)).one(), field)


FIELDS = list(valid())
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NASTY = st.sampled_from(["\x00", "a\x00b", "5566778899\x00", "\u202eevil", "😀" * 50, "Å" * 6000, " ", "\r\n",
                         "%00", "' OR 1=1 --", "${7*7}", "{{ 7*7 }}", "<img src=x onerror=alert(1)>",
                         "\ufeff", "١٢٣", "0" * 5000, "-1", "9" * 40, "None", "null", "1e3", "0x1"])
# Fields to change (None: leave the field out of the form), the rest stay valid so that odd
# values also reach the database; plus fields nobody asked for.
CHANGES = st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.none(), TEXT, NASTY), min_size=1,
                          max_size=len(FIELDS))
EXTRA = st.dictionaries(st.text(min_size=1, max_size=20), TEXT, max_size=3)


@pytest.mark.parametrize("with_nul", [
    pytest.param(True, id="any-text"),
    # On PostgreSQL the run above stops at the first NUL; this one looks for anything else.
    pytest.param(False, marks=pytest.mark.skipif(not PG_URL, reason="SQLite stores NUL; the run above covers it"),
                 id="without-nul"),
])
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, extra=EXTRA)
@example(changes={"company_name": "Bageri\x00AB"}, extra={})
@example(changes={"title": "Å" * 200, "description": "😀" * 5000, "contact_phone": "+46 (0)8-123 45 67 ankn. 12"},
         extra={})
@example(changes={name: None for name in FIELDS}, extra={"csrf_token": "x"})
def test_no_input_makes_a_500(app, area, with_nul, changes, extra):
    """Any text in any field, fields left out, or fields nobody asked for: a 302 or a 400,
    never a 500."""
    form = valid(area)
    for name, value in changes.items():
        if value is None:
            form.pop(name)
        else:
            form[name] = value if with_nul else value.replace("\x00", "")
    form.update({k: v if with_nul else v.replace("\x00", "") for k, v in extra.items() if k not in form})

    response = post(app.test_client(), form)

    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: how many got stored
    assert response.status_code in (302, 400), response.get_data(as_text=True)[:500]
