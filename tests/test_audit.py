"""The audit log (issue 11): logins (right, wrong, unknown account, locked), logouts, every change
on the admin pages, every read of contact persons' personal data (also a case page served from
the page cache) and every export each leave exactly one entry naming who, what and which record;
nothing secret or personal is in any entry; the database refuses to change or delete entries;
the admin page filters and pages, exports CSV (itself recorded), and is the admin's alone."""

import csv
import io
import re
import shutil
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from coordination.audit import services as audit
from coordination.audit.forms import ACTION_LABELS, OBJECT_LABELS
from coordination.audit.models import AuditEntry
from coordination.auth import services as auth_services
from coordination.auth.models import User
from coordination.cases.services import Submitter, reference_slug
from coordination.clock import STOCKHOLM
from coordination.companies.models import Company, ContactPerson
from coordination.meetings.models import Agenda, Meeting, MeetingSeries, Minutes
from coordination.organisations.models import BusinessArea, Committee, Group, Organisation
from coordination.reports.models import Report, ReportQuestion, ReportTemplate
from coordination.routing.models import RoutingRule
from tests import factories
from tests.conftest import PG_URL, fresh, login, sign_in
from tests.test_login_security import code, with_totp
from tests.test_routing import ensure_default_rules
from tests.test_rules_admin import rule_form

PASSWORD = factories.PASSWORD
NEW_PASSWORD = "ett-helt-nytt-losenord-7"
CONTACT_NAME = "Kerstin Kontaktsson"
CONTACT_EMAIL = "kerstin.kontakt@bageri.example.se"
CONTACT_PHONE = "08-555 12 34"
CLIENT_ADDRESS = "198.51.100.7"
UNKNOWN_EMAIL = "hemlig.gissning@example.se"

@pytest.fixture
def w(session, clock):
    w = SimpleNamespace()
    now = clock.now()
    w.org = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.admin = factories.user(session, "admin", email="ada.admin@stockholm.se", name="Ada Admin")
    w.coordinator = factories.user(session, "coordinator", organisation_id=w.org.id,
                                   email="saga.samordnare@stockholm.se", name="Saga Samordnare")
    w.official = factories.user(session, "department", organisation_id=w.org.id, email="tore.trafik@stockholm.se",
                                name="Tore Trafik")
    w.steering = factories.user(session, "steering", email="stina.styrgrupp@stockholm.se", name="Stina Styrgrupp")
    w.company = Company(name="Högdalens Bageri AB", created_at=now, updated_at=now)
    session.add(w.company)
    session.flush()
    w.contact = ContactPerson(company_id=w.company.id, name=CONTACT_NAME, role="VD", email=CONTACT_EMAIL,
                              phone=CONTACT_PHONE, created_at=now)
    session.add(w.contact)
    w.case = factories.case(session, clock=clock, title="Belysning vid lastkajen", level=1, organisations=[w.org],
                            submitter=Submitter(company_name="Högdalens Bageri AB", contact_name=CONTACT_NAME,
                                                contact_email=CONTACT_EMAIL, contact_phone=CONTACT_PHONE))
    w.case.company_id = w.company.id
    session.add(w.case)
    w.bare_case = factories.case(session, clock=clock, title="Skyltar saknas", level=1, organisations=[w.org])
    session.commit()
    return w


# --- helpers ------------------------------------------------------------------------------------

def entries(app, **where) -> list[AuditEntry]:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(s.exec(query))


def everything_in_the_log(app) -> str:
    """Every column of every entry, as one text to search for what must not be there."""
    return repr([e.model_dump() for e in entries(app)]).lower()


def is_hash(value) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{64}", value or ""))


# --- logins and logouts ---------------------------------------------------------------------------

def test_a_login_is_one_entry_with_who_from_where_and_the_request(app, client, w):
    response = client.post("/logga-in", data={"email": w.coordinator.email, "password": PASSWORD},
                           headers={"X-Request-ID": "inloggning-1"}, environ_base={"REMOTE_ADDR": CLIENT_ADDRESS})

    assert response.status_code == 302
    [entry] = entries(app)
    assert (entry.action, entry.actor_user_id, entry.actor_label) == (audit.LOGIN_SUCCESS, w.coordinator.id,
                                                                       w.coordinator.email)
    assert (entry.object_type, entry.object_id, entry.detail) == ("user", w.coordinator.id, {"second_factor": False})
    assert entry.request_id == "inloggning-1" and entry.at == app.extensions["clock"].now()
    assert is_hash(entry.address_hash) and CLIENT_ADDRESS not in everything_in_the_log(app)
    assert PASSWORD not in everything_in_the_log(app)


def test_failed_logins_name_the_account_hash_an_unknown_one_and_show_the_lock(app, client, w):
    for attempt in range(5):
        assert client.post("/logga-in", data={"email": w.coordinator.email,
                                              "password": f"fel-losenord-{attempt}"}).status_code == 400
    assert client.post("/logga-in", data={"email": w.coordinator.email, "password": PASSWORD}).status_code == 429
    assert client.post("/logga-in", data={"email": UNKNOWN_EMAIL, "password": "gissning"}).status_code == 400

    failures = entries(app, action=audit.LOGIN_FAILURE)
    assert [(e.actor_user_id, e.actor_label, e.object_type, e.object_id) for e in failures[:5]] == \
        [(None, "anonymous", "user", w.coordinator.id)] * 5
    assert [e.detail for e in failures[:5]] == [{"step": "password"}] * 4 + [{"step": "password",
                                                                              "locked": ["account"]}]
    [locked] = entries(app, action=audit.LOGIN_LOCKED)
    assert (locked.object_type, locked.object_id, locked.detail["step"]) == ("user", w.coordinator.id, "password")
    assert locked.detail["retry_after_seconds"] == 60
    unknown = failures[5]
    assert len(failures) == 6 and (unknown.object_type, unknown.object_id) == ("account", None)
    assert is_hash(unknown.object_ref)
    assert entries(app, action=audit.LOGIN_SUCCESS) == []
    log = everything_in_the_log(app)
    assert "hemlig" not in log and "gissning" not in log and "fel-losenord" not in log and PASSWORD not in log


def test_the_second_factor_step_is_recorded_too(app, client, w, clock):
    secret = with_totp(app, w.coordinator, clock)

    client.post("/logga-in", data={"email": w.coordinator.email, "password": PASSWORD})
    assert entries(app) == []  # the password alone is no login
    assert client.post("/logga-in", data={"code": code(secret, clock, steps=5)}).status_code == 400
    assert client.post("/logga-in", data={"code": code(secret, clock)}).status_code == 302

    assert [(e.action, e.actor_label, e.object_id, e.detail) for e in entries(app)] == [
        (audit.LOGIN_FAILURE, "anonymous", w.coordinator.id, {"step": "code"}),
        (audit.LOGIN_SUCCESS, w.coordinator.email, w.coordinator.id, {"second_factor": True})]
    assert secret.lower() not in everything_in_the_log(app)


def test_logout_and_logout_everywhere_are_one_entry_each(app, client, w):
    login(client, w.official)
    client.post("/logga-ut")
    login(client, w.official)
    assert client.post("/konto/logga-ut-overallt", data={"confirm": "y"}).status_code == 302

    assert [(e.action, e.actor_user_id, e.object_type, e.object_id) for e in entries(app)] == [
        (audit.LOGIN_SUCCESS, w.official.id, "user", w.official.id),
        (audit.LOGOUT, w.official.id, "user", w.official.id),
        (audit.LOGIN_SUCCESS, w.official.id, "user", w.official.id),
        (audit.LOGOUT_EVERYWHERE, w.official.id, "user", w.official.id)]


# --- changes on the admin pages -------------------------------------------------------------------

def test_a_user_created_changed_and_deactivated_by_an_admin_names_the_fields_not_the_values(app, client, w):
    sign_in(client, w.admin)
    created = client.post("/admin/anvandare/ny", data={
        "email": "nina.ny@stockholm.se", "name": "Nina Nyström", "role": "department",
        "organisation_id": str(w.org.id), "password": NEW_PASSWORD})
    assert created.status_code == 302, created.data.decode()[:2000]
    with fresh(app) as s:
        nina = s.exec(select(User).where(User.email == "nina.ny@stockholm.se")).one()

    [entry] = entries(app)
    assert (entry.action, entry.actor_user_id, entry.actor_label) == (audit.CREATE, w.admin.id, w.admin.email)
    assert (entry.object_type, entry.object_id) == ("user", nina.id)
    assert {"email", "name", "password", "role", "organisation_id"} <= set(entry.detail["fields"])
    assert entry.detail["values"]["role"] == [None, "department"]

    changed = client.post(f"/admin/anvandare/{nina.id}", data={
        "email": "nina.ny@stockholm.se", "name": "Nina Nyström", "role": "steering",
        "organisation_id": str(w.org.id), "password": "ett-annat-nytt-losenord-8"})
    assert changed.status_code == 302
    assert client.post(f"/admin/anvandare/{nina.id}/aktiv").status_code == 302
    assert client.post(f"/admin/anvandare/{nina.id}/aktiv").status_code == 302

    update, deactivate, activate = entries(app)[1:]
    assert (update.action, update.object_id, update.detail) == (
        audit.UPDATE, nina.id, {"fields": ["password", "role"], "values": {"role": ["department", "steering"]}})
    assert [(e.action, e.object_type, e.object_id) for e in (deactivate, activate)] == [
        (audit.DEACTIVATE, "user", nina.id), (audit.ACTIVATE, "user", nina.id)]
    log = everything_in_the_log(app)
    assert "nina" not in log and NEW_PASSWORD not in log and "ett-annat-nytt" not in log and "argon2" not in log


def test_a_refused_admin_form_records_nothing(app, client, w):
    sign_in(client, w.admin)
    assert client.post("/admin/organisationer/ny", data={"name": "", "short_name": "X",
                                                        "kind": "department"}).status_code == 400
    assert entries(app) == []


def _group_data(w, session):
    return {"name": "Samordningsgrupp Högdalen", "kind": "coordination_group", "business_area_id": "",
            "member_ids": [str(w.coordinator.id), str(w.official.id)], "chair_id": str(w.coordinator.id)}


def _series_data(w, session):
    group = factories.group(session, name="Arbetsgrupp Högdalen")
    session.commit()
    return {"name": "Arbetsgruppens möten", "group_id": str(group.id), "rrule": "", "first_date": "",
            "dates": "2026-12-10\n2027-01-14", "start_time": "09:00", "end_time": "11:00", "place": "Stadshuset",
            "video_link": "", "lead_time_days": "5"}


ADMIN_RESOURCES = [
    ("organisationer", "organisation", Organisation,
     lambda w, s: {"name": "Miljöförvaltningen", "short_name": "MF", "kind": "department", "email": ""}),
    ("namnder", "committee", Committee, lambda w, s: {"name": "Miljö- och hälsoskyddsnämnden",
                                                      "organisation_id": str(w.org.id)}),
    ("verksamhetsomraden", "business_area", BusinessArea,
     lambda w, s: {"name": "Årsta Partihallar", "description": "Livsmedel", "committee_id": ""}),
    ("grupper", "group", Group, _group_data),
    ("motesserier", "meeting_series", MeetingSeries, _series_data),
]


@pytest.mark.parametrize(("path", "object_type", "model", "data"), ADMIN_RESOURCES,
                         ids=[r[1] for r in ADMIN_RESOURCES])
def test_every_admin_register_records_create_change_and_deactivate(app, client, session, w, path, object_type,
                                                                    model, data):
    form = data(w, session)
    sign_in(client, w.admin)
    assert client.post(f"/admin/{path}/ny", data=form).status_code == 302
    with fresh(app) as s:
        row = s.exec(select(model).where(model.name == form["name"])).one()
    assert client.post(f"/admin/{path}/{row.id}", data={**form, "name": form["name"] + " (ny)"}).status_code == 302
    assert client.post(f"/admin/{path}/{row.id}/aktiv").status_code == 302

    found = entries(app)
    assert [(e.action, e.object_type, e.object_id, e.actor_user_id) for e in found] == [
        (audit.CREATE, object_type, row.id, w.admin.id), (audit.UPDATE, object_type, row.id, w.admin.id),
        (audit.DEACTIVATE, object_type, row.id, w.admin.id)]
    assert "name" in found[0].detail["fields"] and found[1].detail == {"fields": ["name"]}
    if object_type == "group":
        assert {"member_ids", "chair_id"} <= set(found[0].detail["fields"])


def test_a_routing_rule_save_and_a_report_question_edit_are_recorded(app, client, session, w):
    rules = ensure_default_rules(session)
    session.commit()
    rule = rules["R6"]
    sign_in(client, w.admin)
    assert client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, reason_sv="Fastnat länge")).status_code == 302
    with fresh(app) as s:
        template = s.exec(select(ReportTemplate).where(ReportTemplate.year == 2022)).one()
        question = s.exec(select(ReportQuestion).where(ReportQuestion.template_id == template.id)
                          .order_by(ReportQuestion.position)).first()
    assert client.post(f"/rapporter/mallar/{template.id}", data={
        "question_id": str(question.id), "text": question.text + " Beskriv gärna med exempel.",
        "focus_area_id": str(question.focus_area_id or ""),
        "committee_ids": [str(c) for c in question.committee_ids or []]}).status_code == 302
    assert client.post("/rapporter/mallar", data={"template_id": str(template.id), "year": "2027"}).status_code == 302

    rule_entry, question_entry, copy_entry = entries(app)
    assert (rule_entry.action, rule_entry.object_type, rule_entry.object_id, rule_entry.object_ref) == (
        audit.UPDATE, "routing_rule", rule.id, "R6")
    assert rule_entry.detail == {"fields": ["reason_sv"], "version": 2}
    assert (question_entry.action, question_entry.object_type, question_entry.object_id) == (
        audit.UPDATE, "report_question", question.id)
    assert question_entry.detail == {"fields": ["text"], "template_id": template.id}
    with fresh(app) as s:
        copied = s.exec(select(ReportTemplate).where(ReportTemplate.year == 2027)).one()
    assert (copy_entry.action, copy_entry.object_type, copy_entry.object_id, copy_entry.detail) == (
        audit.CREATE, "report_template", copied.id, {"copied_from": template.id, "year": 2027})


def test_a_new_routing_rule_is_recorded_as_created(app, client, session, w):
    rules = ensure_default_rules(session)
    session.commit()
    sign_in(client, w.admin)
    data = rule_form(rules["R6"], code="R8", name_sv="Ny regel", name_en="New rule")
    assert client.post("/admin/regler/ny", data=data).status_code == 302
    with fresh(app) as s:
        created = s.exec(select(RoutingRule).where(RoutingRule.code == "R8")).one()
    [entry] = entries(app)
    assert (entry.action, entry.object_type, entry.object_id, entry.object_ref) == (
        audit.CREATE, "routing_rule", created.id, "R8")
    assert entry.detail["version"] == 1 and "conditions" in entry.detail["fields"]


# --- reads of personal data ---------------------------------------------------------------------------

def test_every_view_of_a_company_page_with_contact_persons_is_a_read(app, client, w):
    sign_in(client, w.coordinator)
    assert client.get(f"/foretag/{w.company.id}").status_code == 200
    assert client.get(f"/foretag/{w.company.id}").status_code == 200
    official = sign_in(app.test_client(), w.official)  # sees the company through a case, never its contacts
    assert official.get(f"/foretag/{w.company.id}").status_code == 200

    reads = entries(app)
    assert [(e.action, e.actor_user_id, e.object_type, e.object_id) for e in reads] == [
        (audit.PERSONAL_DATA_READ, w.coordinator.id, "company", w.company.id)] * 2
    assert reads[0].detail == {"shown": "contact_persons", "contact_person_ids": [w.contact.id], "count": 1}


def test_each_view_of_a_case_page_records_the_read_also_when_served_from_the_cache(app, client, w):
    sign_in(client, w.coordinator)
    client.get("/moten")  # the session's first page makes its CSRF secret (a page made then is not kept)
    url = f"/arenden/{reference_slug(w.case.reference)}"
    answers = [client.get(url) for _ in range(3)]

    assert [a.headers["X-Page-Cache"] for a in answers] == ["miss", "hit", "hit"]
    reads = entries(app)
    assert [(e.action, e.actor_user_id, e.object_type, e.object_id, e.object_ref) for e in reads] == [
        (audit.PERSONAL_DATA_READ, w.coordinator.id, "case", w.case.id, w.case.reference)] * 3
    assert reads[0].detail == {"shown": "contact_details", "page": "case"}
    assert all(e.request_id for e in reads) and len({e.request_id for e in reads}) == 3

    # No contact details shown: a department official's view, a case without them.
    official = sign_in(app.test_client(), w.official)
    assert official.get(url).status_code == 200
    assert client.get(f"/arenden/{reference_slug(w.bare_case.reference)}").status_code == 200
    assert client.get("/arenden/SBR-2026-9999").status_code == 404
    assert len(entries(app)) == 3


# --- exports --------------------------------------------------------------------------------------------

@pytest.fixture
def documents(session, clock, w):
    """A report of a committee, and a meeting with a published agenda and approved minutes."""
    template = session.exec(select(ReportTemplate).where(ReportTemplate.year == 2022)).one()
    committee = factories.committee(session, name="Enskede-Årsta-Vantörs stadsdelsnämnd", organisation_id=w.org.id)
    report = Report(template_id=template.id, committee_id=committee.id, year=2026, period="T1")
    group = factories.group(session, members=[w.coordinator])
    series = MeetingSeries(group_id=group.id, name="Samordningsgruppen", dates=[], start_time=time(9),
                           end_time=time(11), place="Stadshuset")
    session.add_all([report, series])
    session.flush()
    meeting = Meeting(series_id=series.id, occurrence="2026-12-02", place="Stadshuset",
                      starts_at=datetime(2026, 12, 2, 9, tzinfo=STOCKHOLM),
                      ends_at=datetime(2026, 12, 2, 11, tzinfo=STOCKHOLM))
    session.add(meeting)
    session.flush()
    agenda = Agenda(meeting_id=meeting.id, status="published", generation=1, generated_at=clock.now(),
                    published_at=clock.now(), published_version=1)
    minutes = Minutes(meeting_id=meeting.id, version=1, status="approved", content={}, approved_at=clock.now())
    session.add_all([agenda, minutes])
    session.commit()
    return SimpleNamespace(report=report, meeting=meeting, agenda=agenda, minutes=minutes)


def test_every_export_is_one_entry(app, client, w, documents, monkeypatch):
    import coordination.meetings.pdf

    monkeypatch.setattr(coordination.meetings.pdf, "render_pdf", lambda html: b"%PDF-1.7 (test)")
    sign_in(client, w.coordinator)
    report_id, meeting_id = documents.report.id, documents.meeting.id
    for url in (f"/rapporter/{report_id}.pdf", f"/rapporter/{report_id}.docx", f"/rapporter/{report_id}/fakta.csv",
                f"/rapporter/{report_id}/fakta.xlsx", f"/moten/{meeting_id}/dagordning.pdf",
                f"/moten/{meeting_id}/protokoll.pdf"):
        assert client.get(url).status_code == 200, url
    extract = client.post("/personuppgifter", data={"email": CONTACT_EMAIL.upper(), "action": "extract"})
    assert extract.status_code == 200 and CONTACT_PHONE in extract.get_data(as_text=True)

    found = entries(app)
    assert all(e.action == audit.EXPORT and e.actor_user_id == w.coordinator.id for e in found)
    assert [(e.object_type, e.object_id, e.detail.get("document"), e.detail.get("format")) for e in found] == [
        ("report", report_id, "report", "pdf"), ("report", report_id, "report", "docx"),
        ("report", report_id, "facts", "csv"), ("report", report_id, "facts", "xlsx"),
        ("meeting", meeting_id, "agenda", "pdf"), ("meeting", meeting_id, "minutes", "pdf"),
        ("person", None, "registerutdrag", "json")]
    person = found[-1]
    assert is_hash(person.object_ref)
    assert person.detail == {"document": "registerutdrag", "format": "json", "contact_persons": 1,
                             "cases": [w.case.reference], "contact_log_entries": 0, "mails": 0}


def test_anonymising_a_person_is_recorded_by_hash_in_the_same_transaction(app, client, w):
    sign_in(client, w.coordinator)
    client.post("/personuppgifter", data={"email": CONTACT_EMAIL, "action": "extract"})
    assert client.post("/personuppgifter", data={"email": CONTACT_EMAIL, "action": "anonymise"}).status_code == 302

    extract, anonymised = entries(app)
    assert (anonymised.action, anonymised.object_type) == (audit.ANONYMISE, "person")
    assert anonymised.object_ref == extract.object_ref  # the same person, by the same keyed hash
    assert anonymised.detail == {"contacts": 1, "cases": 1, "mails": 0}
    with fresh(app) as s:
        assert s.get(ContactPerson, w.contact.id).email == ""


def test_backup_create_and_restore_are_recorded_as_the_system(app, tmp_path):
    if PG_URL and not shutil.which("pg_dump"):
        pytest.skip("the PostgreSQL client tools are not installed")
    runner = app.test_cli_runner()
    backup = tmp_path / "samordning.backup"

    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    [created] = entries(app)
    assert (created.action, created.actor_user_id, created.actor_label, created.object_type) == (
        audit.BACKUP_CREATE, None, "system", "database")
    assert created.detail["file"] == str(backup) and created.request_id is None and created.address_hash is None

    restored = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    # The database is as it was when the backup began (before its own entry), and then restored.
    assert [(e.action, e.actor_label) for e in entries(app)] == [(audit.BACKUP_RESTORE, "system")]


# --- nothing secret ------------------------------------------------------------------------------------

def test_no_password_token_or_contact_detail_is_in_any_entry(app, client, session, w, clock):
    token = auth_services.issue_token(session, email=w.coordinator.email)
    session.commit()
    client.post("/logga-in", data={"email": w.coordinator.email, "password": "fel-" + PASSWORD},
                environ_base={"REMOTE_ADDR": CLIENT_ADDRESS})
    login(client, w.coordinator)
    client.get(f"/foretag/{w.company.id}")
    client.get(f"/arenden/{reference_slug(w.case.reference)}")
    client.post("/personuppgifter", data={"email": CONTACT_EMAIL, "action": "extract"})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    admin = sign_in(app.test_client(), w.admin)
    admin.post(f"/admin/anvandare/{w.official.id}", data={
        "email": w.official.email, "name": w.official.name, "role": "department", "organisation_id": str(w.org.id),
        "password": NEW_PASSWORD})
    admin.get("/admin/logg.csv")

    assert {e.action for e in entries(app)} >= {audit.LOGIN_FAILURE, audit.LOGIN_SUCCESS, audit.PERSONAL_DATA_READ,
                                                 audit.EXPORT, audit.UPDATE}
    log = everything_in_the_log(app)
    for secret in (PASSWORD, NEW_PASSWORD, token, token[4:], CONTACT_EMAIL, CONTACT_PHONE, CONTACT_NAME,
                   CONTACT_PHONE.replace(" ", ""), "kerstin", CLIENT_ADDRESS, w.official.email):
        assert secret.lower() not in log, secret


def test_a_detail_that_would_name_a_secret_or_contact_detail_is_refused(session, clock):
    for detail in ({"password": "x"}, {"contact_email": "x"}, {"nested": [{"api_token": "x"}]}, {"phone": "1"},
                   {"ids": list(range(2000))}):
        with pytest.raises(ValueError):
            audit.record(session, actor=audit.system_actor(), action=audit.EXPORT, at=clock.now(), detail=detail)


# --- append-only ---------------------------------------------------------------------------------------

def test_the_database_refuses_to_change_or_delete_an_entry(app, session, clock):
    audit.record(session, actor=audit.system_actor(), action=audit.BACKUP_CREATE, at=clock.now(),
                 object_type="database", detail={"file": "a.backup"})
    session.commit()
    statements = ["UPDATE audit_log SET action = 'login.success'", "DELETE FROM audit_log",
                  "UPDATE audit_log SET detail = '{}' WHERE id > 0", "DELETE FROM audit_log WHERE id > 0"]
    if app.extensions["db_engine"].dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()

    [entry] = entries(app)
    assert (entry.action, entry.detail) == (audit.BACKUP_CREATE, {"file": "a.backup"})


def test_on_postgresql_truncate_passes_only_when_the_transaction_says_so(app, session, clock):
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    audit.record(session, actor=audit.system_actor(), action=audit.BACKUP_CREATE, at=clock.now())
    session.commit()
    session.execute(text("SET LOCAL samordning.allow_audit_truncate = 'on'"))
    session.execute(text("TRUNCATE audit_log"))
    session.commit()
    assert entries(app) == []
    with pytest.raises(DBAPIError, match="append-only"):  # SET LOCAL ended with its transaction
        session.execute(text("TRUNCATE audit_log"))
    session.rollback()


# --- the admin page ----------------------------------------------------------------------------------

@pytest.fixture
def log(session, clock, w):
    """130 entries over three days: logins by the coordinator, exports by the official, changes by
    the admin, backups by the system."""
    start = clock.now() - timedelta(days=2)
    kinds = [(w.coordinator, audit.LOGIN_SUCCESS, "user"), (w.official, audit.EXPORT, "report"),
             (w.admin, audit.UPDATE, "organisation"), (None, audit.BACKUP_CREATE, "database")]
    for i in range(130):
        user, action, object_type = kinds[i % 4]
        actor = audit.Actor(user.id, user.email) if user else audit.system_actor()
        audit.record(session, actor=actor, action=action, at=start + timedelta(minutes=30 * i), object_type=object_type,
                     object_id=i, detail={"n": i})
    session.commit()
    return start


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


def test_the_log_page_shows_50_a_page_newest_first_with_swedish_labels(app, client, w, log):
    sign_in(client, w.admin)
    page = client.get("/admin/logg")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    rows = table_rows(html)
    assert len(rows) == 50 and "&#34;n&#34;: 129" in rows[0] and "&#34;n&#34;: 80" in rows[-1]
    assert "<caption>Granskningsloggens händelser, nyaste först</caption>" in html
    assert '<th scope="col">Vem</th>' in html and '<th scope="col">Händelse</th>' in html
    assert "Säkerhetskopia tagen" in rows[2] and "Systemet (kommandorad och jobb)" in rows[2]
    assert "Inloggning" in rows[1] and w.coordinator.email in rows[1]
    # A plain GET form and plain links to the other pages: nothing needs JavaScript.
    assert '<form method="get"' in html and 'rel="next"' in html and 'rel="prev"' not in html

    last = client.get("/admin/logg?page=3").get_data(as_text=True)
    assert len(table_rows(last)) == 30 and 'rel="next"' not in last and 'rel="prev"' in last
    assert "&#34;n&#34;: 0}" in table_rows(last)[-1]
    assert "Granskningslogg" in client.get("/admin/").get_data(as_text=True)


def test_the_filters_narrow_the_entries_and_the_pages_keep_them(app, client, w, log, clock):
    sign_in(client, w.admin)

    def shown(query: str) -> int:
        found, page = 0, 1
        while True:
            html = client.get(f"/admin/logg?{query}&page={page}").get_data(as_text=True)
            found += len(table_rows(html))
            if 'rel="next"' not in html:
                return found
            assert f"page={page + 1}" in html
            page += 1

    assert shown(f"actor=user:{w.coordinator.id}") == 33
    assert shown("actor=system") == 32
    assert shown("action=export") == 33
    assert shown("object_type=organisation") == 32
    assert shown(f"actor=user:{w.admin.id}&action=update&object_type=organisation") == 32
    assert shown(f"actor=user:{w.admin.id}&action=export") == 0
    today = clock.now().astimezone(STOCKHOLM).date()
    # The first entry is at 10:00 two days ago, one every 30 minutes: 28 fall on that day, 48 on the
    # next, 48 today and the last 6 after midnight.
    assert shown(f"date_from={today - timedelta(days=2)}&date_to={today - timedelta(days=2)}") == 28
    assert shown(f"date_from={today - timedelta(days=1)}") == 130 - 28
    assert shown(f"date_to={today - timedelta(days=1)}") == 28 + 48
    assert "Inga händelser matchar filtren." in client.get(
        f"/admin/logg?date_from={today + timedelta(days=2)}").get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("date_from=2026-13-01", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
    ("date_from=2026-11-23&date_to=2026-11-01", "Till-datumet är före från-datumet."),
    ("action=drop_table", "Välj en händelse i listan."),
    ("actor=user:987654", "Välj en person i listan."),
    ("object_type=%3Cscript%3E", "Välj en typ av post i listan."),
])
def test_a_wrong_filter_says_what_is_wrong(app, client, w, log, query, message):
    sign_in(client, w.admin)
    for url in ("/admin/logg", "/admin/logg.csv"):
        response = client.get(f"{url}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, url
    assert entries(app, action=audit.EXPORT, object_type="audit_log") == []


def test_the_csv_holds_the_filtered_entries_and_is_itself_recorded(app, client, w, log):
    sign_in(client, w.admin)
    response = client.get(f"/admin/logg.csv?actor=user:{w.official.id}&action=export")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "granskningslogg.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Tid (UTC)", "Användar-id", "Vem", "Händelsekod", "Händelse"]
    assert len(rows) == 1 + 33
    assert {(r[1], r[2], r[3], r[4]) for r in rows[1:]} == {(str(w.official.id), w.official.email, "export", "Export")}
    assert rows[1][8] == '{"n": 129}' and rows[-1][8] == '{"n": 1}'  # newest first
    [recorded] = entries(app, object_type="audit_log")
    assert (recorded.action, recorded.actor_user_id) == (audit.EXPORT, w.admin.id)
    assert recorded.detail == {"format": "csv", "rows": 33,
                               "filters": {"actor": f"user:{w.official.id}", "action": "export"}}


def test_a_csv_cell_is_never_a_formula(app, client, session, w, clock):
    audit.record(session, actor=audit.Actor(None, "=HYPERLINK(\"http://evil\")"), action=audit.LOGIN_FAILURE,
                 at=clock.now(), object_type="account", object_ref="@SUM(A1)")
    session.commit()
    sign_in(client, w.admin)
    rows = list(csv.reader(io.StringIO(client.get("/admin/logg.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[1][2].startswith("'=") and rows[1][7] == "'@SUM(A1)"


def test_the_page_costs_the_same_statements_with_few_or_many_entries(app, client, session, w, clock):
    sign_in(client, w.admin)
    client.get("/admin/logg")  # warm up

    def count(url):
        seen = []
        engine = app.extensions["db_engine"]
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    def add(n):
        for i in range(n):
            audit.record(session, actor=audit.system_actor(), action=audit.EXPORT, at=clock.now(), detail={"i": i})
        session.commit()

    add(60)
    few = [count("/admin/logg"), count("/admin/logg?page=2&action=export")]
    add(600)
    many = [count("/admin/logg"), count("/admin/logg?page=2&action=export")]
    assert few == many and max(many) <= 6


@pytest.mark.parametrize("role", ["coordinator", "official", "steering"])
def test_only_admins_reach_the_log(app, client, w, role):
    sign_in(client, getattr(w, role))
    assert client.get("/admin/logg").status_code == 403
    assert client.get("/admin/logg.csv").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/admin/logg").status_code == 302
    assert entries(app) == []


def test_every_code_has_a_label():
    assert set(ACTION_LABELS) == set(audit.ACTIONS) and set(OBJECT_LABELS) == set(audit.OBJECT_TYPES)


# --- every change by an administrator, also one no view records itself -------------------------------

def _failed_mail(app, clock) -> int:
    from coordination.outbox.models import OutboxMessage
    from coordination.outbox.services import queue_mail

    with fresh(app) as s:
        queue_mail(s, kind="receipt", dedupe_key="audit-safety-net", recipient="mottagare@example.se",
                   subject="Kvitto", body_text="Hej", body_html="<p>Hej</p>", now=clock.now())
        s.flush()
        mail = s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "audit-safety-net")).one()
        mail.status, mail.attempts = "failed", 8
        s.add(mail)
        s.commit()
        return mail.id


def test_an_admins_change_that_no_view_records_still_gets_an_entry(app, client, w, clock):
    mail_id = _failed_mail(app, clock)
    sign_in(client, w.admin)

    answer = client.post(f"/admin/utkorg/{mail_id}/forsok-igen")

    assert answer.status_code == 302
    [entry] = entries(app, action=audit.ADMIN_REQUEST)
    assert entry.actor_user_id == w.admin.id and entry.actor_label == w.admin.email
    assert entry.detail == {"endpoint": "admin.outbox_retry", "method": "POST", "status": 302,
                            "ids": {"message_id": mail_id}}
    assert is_hash(entry.address_hash) and entry.request_id
    page = client.get("/admin/logg").get_data(as_text=True)
    assert "Annan ändring av en administratör" in page and "admin.outbox_retry" in page


def test_a_refused_admin_change_whose_view_tried_a_write_is_recorded_without_waiting(app, client, w, clock):
    """Sending again a mail that did not fail: the view's UPDATE matched no row and it flashed
    a refusal without committing. On SQLite that UPDATE still holds the write lock; the safety
    entry's own transaction waited 30 s for it and was then lost ("database is locked")."""
    import time as clock_time

    from coordination.outbox.services import queue_mail

    with fresh(app) as s:
        queue_mail(s, kind="receipt", dedupe_key="not-failed", recipient="mottagare@example.se",
                   subject="Kvitto", body_text="Hej", body_html="<p>Hej</p>", now=clock.now())
        s.commit()
        [mail_id] = s.execute(text("SELECT id FROM outbox")).scalars().all()
    sign_in(client, w.admin)

    started = clock_time.monotonic()
    answer = client.post(f"/admin/utkorg/{mail_id}/forsok-igen")

    assert answer.status_code == 302 and clock_time.monotonic() - started < 10
    [entry] = entries(app, action=audit.ADMIN_REQUEST)
    assert entry.detail["endpoint"] == "admin.outbox_retry" and entry.detail["ids"] == {"message_id": mail_id}


def test_a_change_its_view_records_is_not_recorded_twice(app, client, w):
    sign_in(client, w.admin)

    answer = client.post(f"/admin/organisationer/{w.org.id}/aktiv")

    assert answer.status_code == 302
    assert [e.action for e in entries(app)] == [audit.DEACTIVATE]


def test_no_safety_entry_for_a_refused_request_a_read_another_role_or_the_admins_own_language(app, client, w, clock):
    mail_id = _failed_mail(app, clock)
    sign_in(client, w.admin)
    assert client.post("/admin/anvandare/ny", data={"email": "", "name": ""}).status_code == 400
    assert client.get("/admin/utkorg").status_code == 200
    assert client.post("/sprak", data={"lang": "en", "next": "/"}).status_code == 302
    coordinator = sign_in(app.test_client(), w.coordinator)
    assert coordinator.post(f"/admin/utkorg/{mail_id}/forsok-igen").status_code == 403
    assert coordinator.post(f"/arenden/{reference_slug(w.case.reference)}/kommentarer",
                            data={"body": "En intern kommentar"}).status_code in (302, 303)

    assert entries(app, action=audit.ADMIN_REQUEST) == []


# --- contact details in the API's answers -------------------------------------------------------------

def _bearer(session, user) -> dict:
    return {"Authorization": f"Bearer {auth_services.issue_token(session, email=user.email)}"}


def test_the_apis_contact_details_are_recorded_like_the_case_pages(app, session, client, w, clock):
    headers = _bearer(session, w.coordinator)
    second = factories.case(session, clock=clock, title="Lastzon saknas", level=1, organisations=[w.org],
                            submitter=Submitter(company_name="Annat AB", contact_name="Per Person"))
    session.commit()
    slug = reference_slug(w.case.reference)

    one = client.get(f"/api/v1/cases/{slug}", headers=headers)
    listed = client.get("/api/v1/cases?page_size=50", headers=headers)
    bare = client.get(f"/api/v1/cases/{reference_slug(w.bare_case.reference)}", headers=headers)

    assert one.status_code == listed.status_code == bare.status_code == 200
    assert one.get_json()["contact_email"] == CONTACT_EMAIL
    reads = entries(app, action=audit.PERSONAL_DATA_READ)
    assert len(reads) == 2  # none for the case without contact details
    single, page = reads
    assert (single.object_type, single.object_id, single.object_ref) == ("case", w.case.id, w.case.reference)
    assert single.actor_user_id == w.coordinator.id
    assert single.detail == {"shown": "contact_details", "via": "GET /api/v1/cases/{ref}"}
    assert page.object_id is None and page.detail["via"] == "GET /api/v1/cases"
    assert sorted(page.detail["case_ids"]) == sorted([w.case.id, second.id]) and page.detail["count"] == 2
    assert CONTACT_EMAIL not in everything_in_the_log(app) and CONTACT_PHONE not in everything_in_the_log(app)


def test_no_contact_read_is_recorded_for_those_the_api_shows_none(app, session, client, w):
    headers = _bearer(session, w.official)
    session.commit()

    answer = client.get(f"/api/v1/cases/{reference_slug(w.case.reference)}", headers=headers)

    assert answer.status_code == 200 and answer.get_json()["contact_email"] is None
    assert entries(app, action=audit.PERSONAL_DATA_READ) == []
