"""Uploads from outside and inside: case attachments (the public form and the coordinator's
registration) and the company CSV import. Types are decided by content, never by the name or
the browser's word; a name is never a path; sizes are limited with a message and the typed text
kept; a stored file comes back only as a download of a safe type."""

import io
import re
import zipfile
from html import unescape

import pytest
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header

from coordination.cases import attachments as attachments_module
from coordination.cases import services
from coordination.cases.attachments import MAX_NAME, check_files, display_name, sniff
from coordination.cases.models import Attachment, Case
from coordination.companies.models import Company
from tests import factories
from tests.test_intake import (
    JPEG,
    PDF,
    Page,
    docx_bytes,
    fresh,
    png_bytes,
    post,
    sign_in,
    stored_files,
    valid,
)

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
NOT_ALLOWED = "{name} är inte en PDF-, JPG-, PNG- eller DOCX-fil."


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def zip_with_docx_name_only() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("document.xml", "<w:document/>")
    return buffer.getvalue()


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


@pytest.fixture
def coordinator(session):
    row = factories.user(session, "coordinator")
    session.commit()
    return row


def _count(app, model) -> int:
    with fresh(app) as s:
        return len(s.exec(select(model)).all())


# --- the type is the content's ----------------------------------------------------------------

@pytest.mark.parametrize(("data", "expected"), [
    (PDF, "application/pdf"), (png_bytes(), "image/png"), (JPEG, "image/jpeg"),
    (docx_bytes(), attachments_module.DOCX_TYPE),
    (HTML, None), (SVG, None), (b"GIF89a\x01\x00\x01\x00", None), (xlsx_bytes(), None),
    (zip_with_docx_name_only(), None), (b"PK\x03\x04 truncated", None), (b"plain text", None),
    (b" %PDF-1.4 with a space first", None), (b"<html>%PDF-1.4</html>", None),
], ids=["pdf", "png", "jpeg", "docx", "html", "svg", "gif", "xlsx", "zip-without-word", "broken-zip", "text",
        "pdf-not-first", "html-with-pdf-inside"])
def test_the_allowed_types_are_recognised_by_their_bytes(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize(("content", "name"), [
    (HTML, "faktura.pdf"), (HTML, "bild.png"), (SVG, "ritning.png"), (xlsx_bytes(), "budget.docx"),
], ids=["html-as-pdf", "html-as-png", "svg-as-png", "xlsx-as-docx"])
def test_a_file_that_is_not_what_its_name_says_is_refused_and_the_text_kept(app, client, area, attachments_dir,
                                                                             content, name):
    data = valid(area)
    # The browser's word is worth nothing either: it claims the type the name suggests.
    body = dict(data, attachments=[FileStorage(io.BytesIO(content), filename=name,
                                               content_type="application/pdf" if name.endswith(".pdf") else "image/png")])

    response = client.post("/lamna-arende", data=body, content_type="multipart/form-data")

    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.errors == {"attachments": NOT_ALLOWED.format(name=name)}
    assert page.value("title") == data["title"] and page.value("description") == data["description"]
    assert _count(app, Case) == 0 and stored_files(attachments_dir) == []


def test_the_coordinators_registration_refuses_html_named_pdf_too(app, client, coordinator, area, attachments_dir):
    sign_in(client, coordinator)
    data = {"source": "phone", "received_at": "2026-11-23T09:30", "business_area_id": str(area.id),
            "company_name": "Högdalens Bageri AB", "organisation_number": "", "contact_name": "", "contact_email": "",
            "contact_phone": "", "location": "", "title": "Ringde om snöröjning", "description": "Se bilagan."}

    response = client.post("/arenden/ny", data=dict(data, attachments=[(io.BytesIO(HTML), "protokoll.pdf")]),
                           content_type="multipart/form-data")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert NOT_ALLOWED.format(name="protokoll.pdf") in unescape(html)
    assert 'value="Ringde om snöröjning"' in html
    assert _count(app, Case) == 0 and stored_files(attachments_dir) == []


# --- names are shown, never used ----------------------------------------------------------------

LONG = "å" * 300 + ".pdf"
HOSTILE_NAMES = {
    "../../etc/passwd": "passwd",
    "..\\..\\windows\\system32\\x.pdf": "x.pdf",
    "..": "bilaga",
    "a\x00b.pdf": "ab.pdf",
    "faktura\u202efdp.exe": "fakturafdp.exe",
    "zero\u200bwidth\ufeff.pdf": "zerowidth.pdf",
    "<img src=x onerror=alert(1)>.pdf": "img src=x onerror=alert(1).pdf",
    'quote"; filename="evil.html': "quote; filename=evil.html",
    "line\r\nbreak.pdf": "line break.pdf",
    LONG: "å" * (MAX_NAME - 4) + ".pdf",
    "   .hidden.pdf  ": "hidden.pdf",
    "Ritning Årsta hamn.pdf": "Ritning Årsta hamn.pdf",
}


@pytest.mark.parametrize(("raw", "shown"), list(HOSTILE_NAMES.items()), ids=list(range(len(HOSTILE_NAMES))))
def test_a_file_name_is_reduced_to_something_safe_to_show(raw, shown):
    assert display_name(raw) == shown
    assert len(display_name(raw)) <= MAX_NAME


def test_hostile_file_names_are_stored_safely_shown_escaped_and_downloaded_as_attachments(
        app, client, session, area, attachments_dir, tmp_path):
    names = ["../../etc/passwd", "..\\x.pdf", "a\x00b.pdf", LONG, "faktura\u202efdp.exe",
             "<script>alert(1)</script>.pdf"]
    for name in names:
        # Straight to the checker as well, since a client library may tidy a name on the way.
        (checked,), errors = check_files([FileStorage(io.BytesIO(PDF), filename=name)])
        assert errors == [] and checked.filename == display_name(name)
        response = post(client, valid(area, title=f"Bilaga {names.index(name)}"), files=[(PDF, name)])
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    with fresh(app) as s:
        rows = s.exec(select(Attachment).order_by(Attachment.id)).all()
        cases = {c.id: c for c in s.exec(select(Case))}
    assert len(rows) == len(names)
    # On disk: only random keys under the store, nothing the sender named, nothing outside it.
    files = stored_files(attachments_dir)
    assert sorted(f.name for f in files) == sorted(r.storage_key for r in rows)
    assert all(re.fullmatch(r"[0-9a-f]{48}", f.name) and f.parent.parent == attachments_dir for f in files)
    assert not any(p.name in ("passwd", "x.pdf") for p in tmp_path.rglob("*"))
    for row in rows:
        assert row.filename and len(row.filename) <= MAX_NAME
        assert not re.search(r"[\x00-\x1f\u202a-\u202e\u2066-\u2069\u200b<>\"/\\\\]", row.filename), row.filename

    coordinator = factories.user(session, "coordinator")
    session.commit()
    sign_in(client, coordinator)
    for row in rows:
        case = cases[row.case_id]
        slug = services.reference_slug(case.reference)
        page = client.get(f"/arenden/{slug}").get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "\u202e" not in page and "\x00" not in page
        download = client.get(f"/arenden/{slug}/bilagor/{row.id}")
        assert download.status_code == 200 and download.data == PDF
        disposition, options = parse_options_header(download.headers["Content-Disposition"])
        assert disposition == "attachment"
        assert options["filename"] == row.filename
        assert "\r" not in download.headers["Content-Disposition"] and "\n" not in download.headers["Content-Disposition"]
        assert download.mimetype == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download.headers["Content-Security-Policy"]
    shown = {display_name(n) for n in names}
    assert shown == {r.filename for r in rows}


def test_a_stored_file_of_an_unexpected_type_is_served_as_bare_bytes(app, client, session, coordinator,
                                                                     attachments_dir):
    """A row written some other way (an old import, a hand edit) is not trusted either."""
    from coordination.cases.attachments import AttachmentStore
    from coordination.clock import SystemClock
    from tests.factories import case as make_case

    row_case = make_case(session, clock=SystemClock())
    key = AttachmentStore(attachments_dir).save(HTML)
    session.add(Attachment(case_id=row_case.id, filename="sida.html", content_type="text/html", size=len(HTML),
                           sha256="0" * 64, storage_key=key, uploaded_at=row_case.received_at))
    session.commit()
    attachment_id = session.exec(select(Attachment.id)).one()
    sign_in(client, coordinator)

    response = client.get(f"/arenden/{services.reference_slug(row_case.reference)}/bilagor/{attachment_id}")

    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert parse_options_header(response.headers["Content-Disposition"])[0] == "attachment"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- sizes -------------------------------------------------------------------------------------------

def test_an_oversized_file_is_refused_with_a_message_and_the_text_kept(app, client, area, attachments_dir):
    data = valid(area)
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)

    response = post(client, data, files=[(big, "stor.pdf")])

    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.errors == {"attachments": "stor.pdf är större än 10 MB."}
    assert page.value("company_name") == data["company_name"] and page.value("title") == data["title"]
    assert _count(app, Case) == 0 and stored_files(attachments_dir) == []


def test_files_over_the_total_are_refused_with_a_message_and_the_text_kept(app, client, area, attachments_dir,
                                                                           monkeypatch):
    monkeypatch.setattr(attachments_module, "MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    part = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    data = valid(area)

    response = post(client, data, files=[(part, "del1.pdf"), (part, "del2.pdf")])

    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.errors == {"attachments": "Filerna är större än 2 MB tillsammans."}
    assert page.value("description") == data["description"]
    assert _count(app, Case) == 0 and stored_files(attachments_dir) == []


def test_the_total_limit_fits_under_the_request_limit(app):
    """Within the request limit every refusal is a form message; above it, the 413 page."""
    limits = attachments_module
    assert limits.MAX_TOTAL_BYTES <= limits.MAX_FILES * limits.MAX_FILE_BYTES
    assert limits.MAX_TOTAL_BYTES + 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"]


# --- the company CSV import -------------------------------------------------------------------------

HEADER = "namn;organisationsnummer;typ;adress;fastighetsbeteckningar;verksamhetsområden\n"


def upload_csv(client, data: bytes, name="foretag.csv", content_type="text/csv"):
    return client.post("/foretag/import", data={"file": FileStorage(io.BytesIO(data), filename=name,
                                                                    content_type=content_type)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("content", [
    PDF, png_bytes(), JPEG, xlsx_bytes(), docx_bytes(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel",
    HEADER.encode("utf-16"), (HEADER + "Bolaget AB;5566778899;företag;\x00;;\n").encode(),
    b"GIF89a" + HEADER.encode(),
], ids=["pdf", "png", "jpeg", "xlsx", "docx", "xls", "utf-16", "nul-in-text", "gif"])
def test_the_import_refuses_what_is_not_text_whatever_its_name(app, client, coordinator, content):
    sign_in(client, coordinator)

    response = upload_csv(client, content)

    assert response.status_code == 400
    assert "Filen är inte en textfil (CSV)." in unescape(response.get_data(as_text=True))
    assert 'name="token"' not in response.get_data(as_text=True)


def test_the_import_refuses_an_oversized_file_with_a_message_instead_of_cutting_it(app, client, coordinator):
    sign_in(client, coordinator)
    row = "Bolaget AB;556677-8899;företag;Gatan 1;;\n"
    content = (HEADER + row * (10 * 1024 * 1024 // len(row) + 10)).encode()
    assert len(content) > 10 * 1024 * 1024

    response = upload_csv(client, content)

    assert response.status_code == 400
    assert "Filen är större än 10 MB; dela upp den i mindre filer." in unescape(response.get_data(as_text=True))
    assert 'name="token"' not in response.get_data(as_text=True)
    assert _count(app, Company) == 0


def test_hostile_cells_and_file_names_in_the_import_are_shown_escaped(app, client, coordinator):
    sign_in(client, coordinator)
    content = (HEADER + "<script>alert(1)</script>;556677-8899;företag;x\"><img src=x onerror=alert(1)>;;\n"
               + "\"Robert'); DROP TABLE companies;--\";5560160748;båda;;;\n").encode()

    response = upload_csv(client, content, name="../../instance/imports/x.csv")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    assert client.post("/foretag/import", data={"token": token}).status_code == 302
    with fresh(app) as s:
        names = sorted(s.exec(select(Company.name)))
    assert names == ["<script>alert(1)</script>", "Robert'); DROP TABLE companies;--"]
    listing = client.get("/foretag").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
