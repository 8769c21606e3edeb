"""The Content-Security-Policy and the other security headers: strict (no 'unsafe-inline'), on
every HTML page, honoured by the pages themselves (Chromium walks the pages of every role and
records every violation), and kept honest by a scan of the templates for inline script and style."""

import ast
import os
import pathlib
import re
import threading
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import Session, select

from coordination import create_app
from coordination.clock import SystemClock
from tests.conftest import login
from tests.factories import user

ROOT = pathlib.Path(__file__).resolve().parent.parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# Rendered only into PDFs by WeasyPrint (meetings/pdf.py), never sent to a browser as HTML, so
# their <style> is not under the page policy. Any other file with inline style fails below.
PRINT_ONLY = {"meetings/agenda_print.html", "meetings/minutes_print.html", "reports/print.html"}


# --- the header ---------------------------------------------------------------------------------

def _directives(value: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in value.split(";") if part.strip()}


def test_the_policy_is_strict():
    directives = _directives(CSP)
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == ["'self'"], name
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "department", "steering", "admin"])
def test_every_html_page_sends_the_policy_and_the_other_headers(app, client, session, role):
    if role != "anonymous":
        account = user(session, role)
        session.commit()
        login(client, account)
    for path in ("/", "/logga-in", "/lamna-arende", "/arenden", "/moten", "/rapporter", "/finns-inte"):
        response = client.get(path, follow_redirects=True)
        assert response.mimetype == "text/html", path
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        # Only production is served over HTTPS, so only production pins it.
        assert "Strict-Transport-Security" not in response.headers


def test_error_pages_and_json_answers_carry_the_policy_too(client):
    assert client.get("/finns-inte").headers["Content-Security-Policy"] == CSP
    assert client.post("/lamna-arende/kvitto").headers["Content-Security-Policy"] == CSP  # 405
    api = client.get("/api/v1/cases")
    assert api.status_code == 401 and api.headers["Content-Security-Policy"] == CSP
    assert client.get("/api/v1/openapi.json").headers["Content-Security-Policy"] == CSP


def test_production_adds_hsts_and_its_cookies_are_secure(database_url, session):
    account = user(session, "coordinator")
    session.commit()
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "b2" * 32, "DATABASE_URL": database_url,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        client = app.test_client()
        page = client.get("/logga-in", base_url="https://samordning.example")
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert page.headers["Content-Security-Policy"] == CSP
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
        data = {"email": account.email, "password": "correct-horse-battery"}
        if token:
            data["csrf_token"] = token.group(1)
        # Over HTTPS Flask-WTF also wants a same-origin Referer.
        response = client.post("/logga-in", data=data, base_url="https://samordning.example",
                               headers={"Referer": "https://samordning.example/logga-in"})
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        cookies = response.headers.getlist("Set-Cookie")
        session_cookie = [c for c in cookies if c.startswith("session=")]
        assert session_cookie, cookies
        for cookie in cookies:
            attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
            assert {"secure", "httponly"} <= attributes, cookie
    finally:
        app.extensions["db_engine"].dispose()


# --- the templates hold nothing the policy would refuse ------------------------------------------

INLINE = [
    # Attributes inside a tag (Jinja expressions in the tag included), not words in prose.
    (re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"<style[\s>]", re.IGNORECASE), "a <style> block"),
    (re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


def _sources():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path.relative_to(ROOT / "templates").as_posix(), path.read_text(encoding="utf-8")
    # HTML written in Python (charts, mails, flash messages) is held to the same rule: every
    # string literal of the application's modules.
    for path in sorted((ROOT / "coordination").rglob("*.py")):
        if "translations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals = [node.value for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        yield path.relative_to(ROOT).as_posix(), "\n".join(literals)


def test_no_inline_script_style_or_handlers_in_templates_or_python():
    found = []
    for name, text in _sources():
        if name in PRINT_ONLY:
            continue
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{name}: {what}: {text[max(0, match.start() - 30):match.end() + 30]!r}")
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    """The patterns above are not vacuous."""
    samples = ['<p style="color:red">', "<style>p{}</style>", '<a onclick="x()">', "<script>alert(1)</script>",
               '<a href="javascript:alert(1)">']
    assert [any(p.search(s) for p, _what in INLINE) for s in samples] == [True] * len(samples)
    assert [any(p.search(s) for p, _what in INLINE) for s in
            ['<div class="x" {{ attrs }} style="a">', '<button type="submit"\n onclick="go()">']] == [True, True]
    # Prose and script files are not inline code.
    assert not any(p.search(s) for p, _what in INLINE for s in
                   ['<script src="/static/app.js"></script>', "only = one style = two", "<p>Kept online=yes</p>"])


def test_the_print_templates_are_only_rendered_into_pdfs():
    """The files allowed inline style above are used by PDF views alone."""
    uses = {}
    for path in (ROOT / "coordination").rglob("*.py"):
        for name in PRINT_ONLY:
            if f'"{name}"' in path.read_text(encoding="utf-8"):
                uses.setdefault(name, []).append(path)
    assert set(uses) == PRINT_ONLY
    for name, paths in uses.items():
        for path in paths:
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(re.escape(f'"{name}"'), text):
                following = text[match.end():match.end() + 400]
                assert "render_pdf(" in following, f"{name} in {path} is not turned into a PDF"


# --- Chromium: no page of any role breaks the policy ---------------------------------------------

CHROMIUM = "/usr/bin/chromium"
needs_browser = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                   reason=f"browser tests need Debian Chromium at {CHROMIUM}")

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
SKIP = re.compile(r"\.(pdf|docx|xlsx|csv|ics|json)$|^/api/|^/kalender/.+|/bilagor/|^/static/")
PAGES_PER_ROLE = 45


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    from werkzeug.serving import make_server

    from coordination import migrate
    from coordination.cases.attachments import AttachmentStore, CheckedFile
    from coordination.cases.intake import Submission, submit_case
    from coordination.cases.models import Case
    from coordination.cases.services import Submitter
    from coordination.demo import load_demo
    from coordination.meetings import services as meetings
    from coordination.meetings.models import Meeting
    from tests.conftest import PG_URL, reset_postgres

    if PG_URL:
        url = request.getfixturevalue("database_template")
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('csp') / 'csp.db'}"
        migrate.upgrade(url)
    attachments = tmp_path_factory.mktemp("csp-attachments")
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url,
                      "ATTACHMENTS_DIR": str(attachments)})
    clock = SystemClock()
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        load_demo(session, clock=clock)
        # A case from a company with a file, and a meeting with an agenda, so those pages have content.
        with app.test_request_context():
            submit_case(session, Submission(
                submitter=Submitter(company_name="Högdalens Åkeri AB", organisation_number="556677-8899",
                                    contact_name="Karin Svensson", contact_email="karin@example.se",
                                    contact_phone="", location="Sockenvägen 12"),
                business_area_id=None, title="Trasig bom", description="Bommen står öppen.", locale="sv"),
                [CheckedFile(filename="foto.pdf", content_type="application/pdf", data=b"%PDF-1.4\n%%EOF\n")],
                store=AttachmentStore(attachments), clock=clock, status_url=lambda token: f"/status/{token}")
        meeting = session.exec(select(Meeting).order_by(Meeting.starts_at)).first()
        meetings.generate_agenda(session, meeting, clock=clock, working_days=app.extensions["working_days"])
        assert session.exec(select(Case)).first() is not None
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["db_engine"].dispose()
        if PG_URL:
            reset_postgres(url)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _shape(path: str) -> str:
    """Pages of one kind (every case page, every meeting …) are visited once or twice, not all."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def _walk(page, base: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Follow the site's own links breadth first; returns (pages visited, violations)."""
    seen_urls, shapes, visited, violations = set(), {}, [], []
    queue = deque(start)
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen_urls or SKIP.search(path.split("?")[0]) or shapes.get(_shape(path), 0) >= 2:
            continue
        seen_urls.add(path)
        shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = page.goto(base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("load")
        visited.append(f"{response.status} {path}")
        for entry in page.evaluate("window.__cspViolations"):
            violations.append(f"{path}: {entry}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(base + path, href))
            if f"{target.scheme}://{target.netloc}" != base:
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            if local not in seen_urls:
                queue.append(local)
    return visited, violations


@needs_browser
@pytest.mark.browser
@pytest.mark.parametrize("email", [None, "samordnare@demo.stockholm.se", "trafikkontoret@demo.stockholm.se",
                                   "styrgrupp@demo.stockholm.se", "admin@demo.stockholm.se"],
                         ids=["anonymous", "coordinator", "department", "steering", "admin"])
def test_no_page_of_any_role_breaks_the_policy(chromium, live, email):
    from tests.test_browser import log_in

    context = chromium.new_context(locale="sv-SE")
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console, reported = [], []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        if email:
            log_in(page, live, email)
            assert "/logga-in" not in page.url
        start = ["/", "/lamna-arende", "/logga-in"] if email is None else ["/"]
        visited, violations = _walk(page, live, start)
        # The form pages with their error messages shown, too.
        if email is None:
            page.goto(live + "/lamna-arende")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").last.click()
            violations += [f"/lamna-arende (errors): {v}" for v in page.evaluate("window.__cspViolations")]
        # The recorder itself works: markup with inline style added now is reported.
        reported = list(console)
        before = len(page.evaluate("window.__cspViolations"))
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.wait_for_function(f"window.__cspViolations.length > {before}")
    finally:
        context.close()
    print(f"{len(visited)} pages:", *visited, sep="\n  ")
    assert len(visited) >= (3 if email is None else 8), visited
    assert violations == [], "\n".join(violations)
    assert reported == [], "\n".join(reported)
