"""Hostile values in every text field of every form, and hostile targets in every redirect.

The forms are not listed by hand: every role (anonymous, coordinator, department, steering,
admin) walks the application over the data of test_access.py — every page of the URL map with
the parameters that table uses, then the links those pages show — and every <form> found is
submitted with each hostile value, first in all its text fields at once, then in one field at a
time with the others left as the page filled them (or a plausible value where the page left them
empty), so a value also gets past validation and is stored and shown. A form added later is
found the same way; a POST route that no page offers a form for fails `test_every_form_route_
was_reached` until someone gives it data or a reason.

For every answer: no 5xx; a 4xx page says what is wrong; no HTML page ever contains a payload
unescaped. Afterwards every page is read again as every role (stored values), the outbox's mails
are read, and the tables are all still there. Redirect targets (`next`, the Referer of the
language switch, any hidden field of that kind a form carries) never leave the site."""

import os
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, inspect, select
from sqlmodel import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound

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

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = {
    "script": SCRIPT,
    "attribute-breakout": IMG,
    "sql-or": "' OR 1=1 --",
    "sql-drop": "Robert'); DROP TABLE cases;--",
    "unicode": "Å Ä Ö å ä ö 😀🏗️ \u202egnp.exe\u202c zero\u200bwidth\u200d\ufeff",
    "nul": "före\x00efter",
    "100k": "Åx" * 50_000,
}
# One field at a time (to get past validation and be stored): the values that can break markup,
# the database or a column's size. The SQL strings go in every field at once above; no query is
# built from text, so one field proves what any would.
ONE_AT_A_TIME = ("script", "attribute-breakout", "unicode", "nul", "100k")
# What must never reach a page as markup.
RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
EVIL_TARGETS = ["//evil.example", "https://evil.example", "http://evil.example/", "/\\evil.example",
                "\\\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example", "/%2F%2Fevil.example",
                "/\t/evil.example", " //evil.example", "https:evil.example", "//evil.example/%2e%2e",
                "/\r\nSet-Cookie: hijacked=1", "\x00//evil.example", "／／evil.example", "https://localhost.evil.example/",
                "https%3A%2F%2Fevil.example", "/%5Cevil.example", "%5C%5Cevil.example"]
REDIRECT_FIELDS = {"next", "back", "redirect", "return_to", "url", "target"}
ROLES_IN_ORDER = (ANON, DEPT, STEER, COORD, ADMIN)  # the admin last: it edits the users themselves
TEXT_TYPES = {"text", "email", "search", "tel", "url", "password", "hidden", "number", "date", "time",
              "datetime-local", "month", "week", "color", "range"}
SKIP_PATHS = re.compile(r"^/api/|^/static/|\.(pdf|docx|xlsx|csv|ics|json)$")
# Forms the walk may see but must not send: logging out ends the walk's session.
NOT_SENT = {"auth.logout"}
# POST routes no page offers a form for with this data, and why; every other POST route must
# have been reached by the walk (see test_every_form_route_was_reached).
UNREACHED: dict[str, str] = {
    # Offered only to someone with two-step verification on; the walk's people sign in without it
    # (turning it on for one would put a code step in front of every page it reads).
    "auth.totp_disable": "no user of the access data has two-step verification on",
    # The administrator's button to turn it off for a user: shown only for a user who has it on.
    "admin.users_reset_totp": "no user of the access data has two-step verification on",
}


@pytest.fixture(scope="module")
def world(request):
    """The users, cases, meetings, companies and reports of test_access.py, built for this module."""
    return request.getfixturevalue("_access_world")


# --- reading forms -------------------------------------------------------------------------------

class Forms(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = self._textarea = self._select = self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                          "multipart": "multipart" in a.get("enctype", ""), "fields": [], "buttons": []}
            return
        if self._form is None or "disabled" in a:
            return
        fields, buttons = self._form["fields"], self._form["buttons"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                buttons.append((a["name"], a.get("value", "")) if a.get("name") else None)
            elif kind not in ("button", "reset"):
                fields.append({"tag": "input", "type": kind, "name": a.get("name"), "value": a.get("value", ""),
                               "checked": "checked" in a, "required": "required" in a})
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            buttons.append((a["name"], a.get("value", "")) if a.get("name") else None)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "type": "textarea", "name": a.get("name"), "value": "",
                              "required": "required" in a}
            fields.append(self._textarea)
        elif tag == "select":
            self._select = {"tag": "select", "type": "select", "name": a.get("name"), "options": [],
                            "multiple": "multiple" in a, "required": "required" in a}
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = self._option = None
        elif tag == "option" and self._option is not None:
            if self._option["value"] is None:
                self._option["value"] = self._option["text"].strip()
            self._option = None


def _plausible(f: dict) -> str:
    """A value that passes a field of this kind, for fields the page leaves empty."""
    name, kind = (f["name"] or "").lower(), f["type"]
    if kind == "hidden":
        return ""
    if kind == "email" or "email" in name:
        return "fientlig.test@example.se"
    if kind == "date" or name.endswith(("_on", "_date", "date")):
        return "2026-12-15"
    if kind == "time" or name.endswith("_time"):
        return "10:00"
    if kind == "datetime-local" or name.endswith("_at"):
        return "2026-12-15T10:00"
    if "organisation_number" in name:
        return "556677-8899"
    if "phone" in name:
        return "08-123 45 67"
    if kind == "password":
        return "ett-langt-hemligt-losenord-42"
    if kind == "url" or "link" in name:
        return "https://example.se/mote"
    if kind == "number" or name in ("year", "lead_time_days", "estimated_cost", "progress"):
        return "3"
    return "Test"


def _is_target(f: dict) -> bool:
    return f["tag"] == "textarea" or (f["tag"] == "input" and f["type"] in TEXT_TYPES
                                      and f["name"] not in (None, "", "csrf_token"))


def _visible_text(form: dict) -> bool:
    return any(_is_target(f) and f["type"] != "hidden" for f in form["fields"])


def _defaults(form: dict, button) -> MultiDict:
    data = MultiDict()
    radios_done = set()
    for f in form["fields"]:
        name = f["name"]
        if not name:
            continue
        if f["tag"] == "select":
            chosen = [o["value"] for o in f["options"] if o["selected"]]
            if not chosen:
                chosen = [o["value"] for o in f["options"] if o["value"]][:1] if not f["multiple"] else []
            for value in chosen:
                data.add(name, value)
        elif f["type"] == "checkbox":
            # A list to choose rows from (company_ids …) gets its rows chosen, so the action runs.
            if f["checked"] or f["required"] or name.endswith("_ids"):
                data.add(name, f["value"] or "y")
        elif f["type"] == "radio":
            if f["checked"]:
                data.setlist(name, [f["value"]])
                radios_done.add(name)
            elif name not in radios_done and name not in data:
                data.setlist(name, [f["value"]])
        elif f["type"] == "file":
            continue
        else:
            data.add(name, f["value"] if f["value"] != "" else _plausible(f))
    if button:
        data.add(*button)
    return data


# --- the walk --------------------------------------------------------------------------------------

@dataclass
class Campaign:
    pages: dict = field(default_factory=dict)           # role -> [paths read]
    forms: dict = field(default_factory=dict)           # (role, endpoint, signature) -> form
    sent: set = field(default_factory=set)              # endpoints that got hostile values
    seen_endpoints: set = field(default_factory=set)    # endpoints some page has a form for
    requests: int = 0
    accepted: int = 0                                   # hostile submissions answered 2xx/3xx
    server_errors: list = field(default_factory=list)
    silent_refusals: list = field(default_factory=list)
    unescaped: list = field(default_factory=list)
    open_redirects: list = field(default_factory=list)
    tables_before: set = field(default_factory=set)


def _endpoint(app, path: str, method: str):
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(path, method=method.upper())[0]
    except (NotFound, MethodNotAllowed):
        return None


def _seeds(w, role) -> list[str]:
    """Every page of the URL map, with the parameters of the access table."""
    paths = []
    with w.app.test_request_context():
        for rule in w.app.url_map.iter_rules():
            if rule.endpoint == "static" or "GET" not in rule.methods or rule.endpoint not in EXPECTED:
                continue
            for variant in EXPECTED[rule.endpoint]:
                if variant.startswith("post-"):
                    continue
                path = url_for(rule.endpoint, **_params(w, rule.endpoint, variant))
                if not SKIP_PATHS.search(path.split("?")[0]):
                    paths.append(path)
    return ["/"] + paths


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def _html(response) -> str | None:
    return response.get_data(as_text=True) if response.mimetype == "text/html" else None


def _has_message(html: str) -> bool:
    """An error summary, a field's message, an error flash, or the error page with its code."""
    return any(marker in html for marker in ('class="error-summary"', 'class="error-message"', "flash-error",
                                             'role="alert"', "notice-warning")) \
        or re.search(r'<p class="muted">[^<]*: 4\d\d</p>', html) is not None


def _check(c: Campaign, where: str, response, client, *, refused_ok: bool = True) -> None:
    """What every answer to a hostile request must satisfy; follows one redirect."""
    c.requests += 1
    status = response.status_code
    html = _html(response)
    if status >= 500:
        c.server_errors.append(f"{where}: {status} {getattr(response, 'error', '')}")
        return
    if html is not None:
        for raw in RAW:
            if raw in html:
                c.unescaped.append(f"{where}: {raw!r} in the answer")
    if 400 <= status < 500:
        if html is not None and not _has_message(html):
            c.silent_refusals.append(f"{where}: {status} without a message")
        return
    c.accepted += 1
    location = response.headers.get("Location")
    if location:
        _check_location(c, where, location)
        target = urlsplit(location)
        if target.netloc in ("", "localhost"):
            followed = _get(client, target.path + (f"?{target.query}" if target.query else ""))
            if followed.status_code >= 500:
                c.server_errors.append(f"{where} → {location}: {followed.status_code} {getattr(followed, 'error', '')}")
            text = _html(followed) or ""
            for raw in RAW:
                if raw in text:
                    c.unescaped.append(f"{where} → {location}: {raw!r}")


def _check_location(c: Campaign, where: str, location: str) -> None:
    target = urlsplit(location)
    if target.netloc not in ("", "localhost") or target.scheme not in ("", "http") \
            or not target.path.startswith("/") or target.path.startswith(("//", "/\\")) or "\\" in location \
            or any(ch in location for ch in "\r\n\t\x00"):
        c.open_redirects.append(f"{where}: Location {location!r}")


def _walk(c: Campaign, w, role) -> list[tuple[str, dict]]:
    """Read every page the role reaches; returns (page path, form) for each distinct form."""
    client, _headers = _client(w, role, api=False)
    seeds = _seeds(w, role)
    queue, seen, shapes, found = deque(seeds), set(), {}, []
    read = c.pages.setdefault(role, [])
    while queue:
        path = queue.popleft()
        # Every page of the URL map is read; of the pages only linked, a few of each kind.
        if path in seen or SKIP_PATHS.search(path.split("?")[0]) \
                or (path not in seeds and shapes.get(_shape(path), 0) >= 3):
            continue
        seen.add(path)
        if path not in seeds:
            shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = _get(client, path)
        if response.status_code >= 500:
            c.server_errors.append(f"GET {path} as {role}: {response.status_code} {getattr(response, 'error', '')}")
        html = _html(response)
        if html is None or response.status_code >= 300:
            continue
        read.append(path)
        for link in re.findall(r'href="(/[^"#]*)', html):
            link = link.replace("&amp;", "&")
            if link not in seen:
                queue.append(link)
        for form in Forms(html).forms:
            action = urlsplit(form["action"] or path)
            endpoint = _endpoint(w.app, action.path, form["method"])
            if endpoint is None:
                c.server_errors.append(f"{path} as {role}: a form posts to {form['action']!r}, which no route answers")
                continue
            c.seen_endpoints.add(endpoint)
            names = tuple(sorted({f["name"] for f in form["fields"] if f["name"]}))
            buttons = tuple(sorted({b for b in form["buttons"] if b}, key=str)) or (None,)
            for button in buttons:
                key = (role, endpoint, names, button)
                if key not in c.forms:
                    c.forms[key] = dict(form, path=action.path, query=action.query, page=path, button=button,
                                        endpoint=endpoint)
                    found.append((path, c.forms[key]))
    return found


class Crashed:
    """What a request that raised stands for (testing propagates exceptions): a 500, with its cause."""

    status_code = 500
    mimetype = "text/plain"

    def __init__(self, error: Exception):
        self.headers: dict = {}
        self.error = f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"

    def get_data(self, as_text=False):
        return self.error


def _get(client, path):
    try:
        return client.get(path)
    except Exception as error:  # noqa: BLE001
        return Crashed(error)


def _send(w, role, form, data):
    client, _headers = _client(w, role, api=False)
    try:
        if form["method"] == "get":
            return client, client.get(form["path"], query_string=data)
        return client, client.post(form["path"] + (f"?{form['query']}" if form["query"] else ""), data=data,
                                   content_type="multipart/form-data" if form["multipart"] else None)
    except Exception as error:  # noqa: BLE001  (any exception is the 500 a user would get)
        return client, Crashed(error)


def _attack(c: Campaign, w, role, form) -> None:
    endpoint = form["endpoint"]
    if endpoint in NOT_SENT:
        return
    targets = [f["name"] for f in form["fields"] if _is_target(f)]
    redirects = [n for n in targets if n.lower() in REDIRECT_FIELDS]
    if not _visible_text(form) and not redirects:
        return  # buttons only (publish, approve, toggle …): nothing typed to be hostile
    base = _defaults(form, form["button"])
    where = f"{form['method'].upper()} {form['path']} ({endpoint}, from {form['page']}) as {role}"
    c.sent.add(endpoint)
    for name, value in PAYLOADS.items():
        every = MultiDict(base)
        for target in targets:
            every.setlist(target, [value])
        client, response = _send(w, role, form, every)
        _check(c, f"{where}, {name} in every field", response, client)
        if name not in ONE_AT_A_TIME:
            continue
        for target in targets:
            one = MultiDict(base)
            one.setlist(target, [value])
            client, response = _send(w, role, form, one)
            _check(c, f"{where}, {name} in {target}", response, client)
    for target in redirects:
        for evil in EVIL_TARGETS:
            one = MultiDict(base)
            one.setlist(target, [evil])
            client, response = _send(w, role, form, one)
            c.requests += 1
            if response.status_code >= 500:
                c.server_errors.append(f"{where}, {evil!r} in {target}: {response.status_code} "
                                       f"{getattr(response, 'error', '')}")
            elif response.headers.get("Location"):
                _check_location(c, f"{where}, {evil!r} in {target}", response.headers["Location"])


def _more_data(w) -> None:
    """What the access table's data lacks for some forms to be shown: a company not yet confirmed,
    a project whose area has a company with a contact to mail, and an unread notification each."""
    from coordination.companies.models import (
        Company,
        CompanyArea,
        ContactPerson,
        ProjectArea,
    )
    from coordination.notifications.models import Notification

    with Session(w.engine) as s:
        now = w.app.extensions["clock"].now()
        s.add(Company(name="Obekräftade Bolaget AB", confirmed=False, created_at=now, updated_at=now))
        s.add(ProjectArea(project_id=w.project.id, business_area_id=w.area.id))
        s.add(CompanyArea(company_id=w.companies["unlinked"].id, business_area_id=w.area.id))
        s.add(ContactPerson(company_id=w.companies["unlinked"].id, name="Post Mottagare", email="post@example.se",
                            created_at=now))
        for role, account in w.users.items():
            s.add(Notification(user_id=account.id, kind="rule", dedupe_key=f"hostile-{role}",
                               text_sv="Ett ärende lyftes.", text_en="A case was escalated.", created_at=now))
        s.commit()


@pytest.fixture(scope="module")
def campaign(world):
    _more_data(world)
    c = Campaign()
    c.tables_before = set(inspect(world.engine).get_table_names())
    for role in ROLES_IN_ORDER:
        for _page, form in _walk(c, world, role):
            _attack(c, world, role, form)
    # Everything stored is shown somewhere: read every page again, as every role.
    for role in ROLES_IN_ORDER:
        client, _headers = _client(world, role, api=False)
        for path in c.pages.get(role, []):
            response = _get(client, path)
            if response.status_code >= 500:
                c.server_errors.append(f"GET {path} as {role} afterwards: {response.status_code} "
                                       f"{getattr(response, 'error', '')}")
            for raw in RAW:
                if raw in (_html(response) or ""):
                    c.unescaped.append(f"GET {path} as {role} afterwards: {raw!r}")
    # The assertions below show the first 60 findings; HOSTILE_REPORT=path writes them all.
    if os.environ.get("HOSTILE_REPORT"):
        with open(os.environ["HOSTILE_REPORT"], "w", encoding="utf-8") as out:
            for name in ("server_errors", "silent_refusals", "unescaped", "open_redirects"):
                out.writelines([f"== {name}\n", *(f"{line}\n" for line in getattr(c, name))])
            out.write(f"== sent\n{sorted(c.sent)}\n")
    print(f"\nhostile input: {len(c.forms)} forms on {sum(len(p) for p in c.pages.values())} pages, "
          f"{len(c.sent)} routes, {c.requests} requests, {c.accepted} accepted")
    return c


# --- one state change the walk can make only once ---------------------------------------------------

def test_a_report_returned_with_control_characters_in_the_reason(world):
    """Returning a report succeeds once, so the walk's first value uses it up: the NUL case here.
    (PostgreSQL refuses NUL in text; the reason is read without a form class.)"""
    from coordination.reports.models import Report

    report = world.reports["other-submitted"]
    client, _headers = _client(world, COORD, api=False)
    with world.app.test_request_context():
        url = url_for("reports.decide", report_id=report.id, action="aterlamna")

    response = client.post(url, data={"reason": "Komplettera\x00 fokusområde 2."})

    assert response.status_code == 302
    with Session(world.engine) as s:
        stored = s.get(Report, report.id)
        assert (stored.status, stored.returned_reason) == ("returned", "Komplettera fokusområde 2.")
    # Back as it was for the walk below.
    with Session(world.engine) as s:
        stored = s.get(Report, report.id)
        stored.status, stored.returned_reason = "submitted", ""
        s.add(stored)
        s.commit()


# --- the verdicts -------------------------------------------------------------------------------------

def test_no_hostile_value_gives_a_server_error(campaign):
    assert campaign.server_errors == [], "\n".join(campaign.server_errors[:60])


def test_every_refusal_says_what_is_wrong(campaign):
    assert campaign.silent_refusals == [], "\n".join(campaign.silent_refusals[:60])


def test_no_page_shows_a_hostile_value_as_markup(campaign):
    assert campaign.unescaped == [], "\n".join(campaign.unescaped[:60])


def test_no_form_redirects_off_the_site(campaign):
    assert campaign.open_redirects == [], "\n".join(campaign.open_redirects[:60])


def test_hostile_values_got_past_validation_and_were_stored_somewhere(campaign, world):
    """The walk is not only refused forms: values were saved and shown again."""
    assert campaign.accepted > 100
    from coordination.cases.models import CaseComment

    with Session(world.engine) as s:
        stored = s.execute(select(func.count()).select_from(CaseComment)
                           .where(CaseComment.body.contains("<script>alert(1)</script>"))).scalar_one()
    assert stored > 0


def test_every_form_route_was_reached(campaign, world):
    """Every route that takes a POST (outside the API) is offered as a form on some page the walk
    read, and got hostile values if the form has anything to type in."""
    posts = {rule.endpoint for rule in world.app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "static"}
    unreached = posts - campaign.seen_endpoints
    assert unreached == set(UNREACHED), f"no page offers a form for {sorted(unreached - set(UNREACHED))}"
    assert len(campaign.sent) >= 20, sorted(campaign.sent)


def test_the_tables_are_all_still_there(campaign, world):
    from coordination.auth.models import User
    from coordination.cases.models import Case

    assert set(inspect(world.engine).get_table_names()) == campaign.tables_before
    with Session(world.engine) as s:
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() >= len(world.cases)
        assert s.execute(select(func.count()).select_from(User)).scalar_one() >= len(world.users)


def test_mails_written_from_hostile_values_are_escaped(campaign, world):
    from coordination.outbox.models import OutboxMessage

    with Session(world.engine) as s:
        bodies = [m.body_html for m in s.execute(select(OutboxMessage)).scalars()]
    assert bodies
    assert [b for b in bodies if any(raw in (b or "") for raw in RAW)] == []


# --- open redirects, one by one --------------------------------------------------------------------

@pytest.fixture
def person(session):
    from tests.factories import user

    account = user(session, "coordinator")
    session.commit()
    return account


def _local(location: str) -> bool:
    target = urlsplit(location)
    return (target.netloc in ("", "localhost") and target.scheme in ("", "http") and target.path.startswith("/")
            and not target.path.startswith(("//", "/\\")) and "\\" not in location
            and not any(ch in location for ch in "\r\n\t\x00"))


@pytest.mark.parametrize("evil", EVIL_TARGETS, ids=range(len(EVIL_TARGETS)))
def test_login_never_sends_anyone_off_the_site(client, person, evil):
    # An address of its own: the walk above (same PostgreSQL database) may have tripped the
    # login throttle for the usual one.
    client.environ_base["REMOTE_ADDR"] = f"10.11.12.{EVIL_TARGETS.index(evil) + 1}"
    page = client.get("/logga-in", query_string={"next": evil})
    assert page.status_code == 200
    assert "evil.example\" " not in page.get_data(as_text=True)
    response = client.post("/logga-in", data={"email": person.email, "password": "correct-horse-battery",
                                              "next": evil})
    assert response.status_code == 302
    assert _local(response.location), response.location


def test_login_still_follows_a_local_next(client, person):
    client.environ_base["REMOTE_ADDR"] = "10.11.13.1"
    response = client.post("/logga-in", data={"email": person.email, "password": "correct-horse-battery",
                                              "next": "/moten?x=1"})
    assert response.status_code == 302 and response.location == "/moten?x=1"


@pytest.mark.parametrize("evil", EVIL_TARGETS, ids=range(len(EVIL_TARGETS)))
def test_the_language_switch_never_sends_anyone_off_the_site(client, evil):
    response = client.post("/sprak", data={"lang": "en", "next": evil})
    assert response.status_code == 302 and _local(response.location), response.location
    if "\n" in evil:
        return  # no HTTP header can carry a line break
    # With no next, the Referer is the target: a foreign one is not followed either.
    response = client.post("/sprak", data={"lang": "sv"}, headers={"Referer": evil})
    assert response.status_code == 302 and _local(response.location), response.location


def test_the_language_switch_returns_to_the_page_it_came_from(client):
    assert client.post("/sprak", data={"lang": "en", "next": "/lamna-arende"}).location == "/lamna-arende"
    response = client.post("/sprak", data={"lang": "sv"}, headers={"Referer": "http://localhost/lamna-arende?a=1"})
    assert response.location == "/lamna-arende?a=1"


@pytest.mark.parametrize("evil", EVIL_TARGETS, ids=range(len(EVIL_TARGETS)))
def test_an_action_item_update_never_sends_anyone_off_the_site(app, client, session, clock, evil):
    from datetime import date

    from coordination.actions.models import ActionItem
    from tests import factories

    org = factories.organisation(session)
    official = factories.user(session, "department", organisation_id=org.id)
    case = factories.case(session, clock=clock, level=1, organisations=[org])
    item = ActionItem(case_id=case.id, organisation_id=org.id, title="Skylta om", due_date=date(2026, 12, 4),
                      created_at=clock.now(), updated_at=clock.now())
    session.add(item)
    session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(official.id)
        sess["_fresh"] = True

    response = client.post(f"/atgarder/{item.id}", data={"status": "in_progress", "note": "", "progress": "",
                                                         "version": str(item.version), "next": evil})

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _local(response.location), response.location
