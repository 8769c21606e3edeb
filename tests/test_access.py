"""Who reaches what: every URL of the application × every role and anonymous, against one
explicit table of expected answers.

The URL list comes from `app.url_map`, so a route added without a row in EXPECTED fails here
until someone decides who may reach it. The data (users, organisations, cases, admin rows) is
built once for the module; the requests only read it, except the admin toggles, which act on
spare rows nobody else in this module looks at, the outbox retry, which puts a failed mail
nobody else looks at back in line, the regeneration of a spare draft agenda, new calendar
addresses for the signed-in person, marking one's own notifications read, the anonymisation
of a spare contact person, confirming a company that is already confirmed, and saving a draft
report from an empty form (nothing in it, nothing to keep). The other
requests that could change something (moving a case, publishing, approving …) are sent empty
or where they are refused, so they answer and change nothing."""

import re
import shutil
from datetime import date, datetime, time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import func
from sqlmodel import Session, select

from coordination import create_app
from coordination.access import Audience
from coordination.auth import services as auth_services
from coordination.auth.models import User
from coordination.cases.attachments import AttachmentStore
from coordination.cases.models import Attachment
from coordination.cases.services import new_status_token
from coordination.clock import STOCKHOLM, FixedClock
from coordination.meetings.calendar import new_calendar_token
from coordination.meetings.models import (
    Agenda,
    AgendaItem,
    Meeting,
    MeetingSeries,
    Minutes,
)
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    Group,
    GroupMember,
    Organisation,
)
from coordination.outbox.models import OutboxMessage
from coordination.outbox.services import queue_mail
from coordination.routing.models import EscalationRequest, RoutingRule
from tests import factories
from tests.conftest import PG_URL, memo_hash
from tests.test_routing import ensure_default_rules

ANON, COORD, DEPT, STEER, ADMIN = "anonymous", "coordinator", "department", "steering", "admin"
ROLES = (ANON, COORD, DEPT, STEER, ADMIN)

# An expected answer: a status, or (302, path the Location header must have).
LOGIN = (302, "/logga-in")
HOME = (302, "/")


def _row(anon, coord, dept, steer, admin):
    return {ANON: anon, COORD: coord, DEPT: dept, STEER: steer, ADMIN: admin}


ADMIN_PAGE = _row(LOGIN, 403, 403, 403, 200)
ADMIN_MISSING = _row(LOGIN, 403, 403, 403, 404)
API = _row(401, 200, 200, 200, 200)
# Redirects back to the page of the case or meeting the request was about.
CASE_PAGE = (302, "/arenden/{slug}")
MEETING_PAGE = (302, "/moten/{meeting_id}")
MINUTES_PAGE = (302, "/moten/{meeting_id}/protokoll")

# endpoint -> {variant of the URL parameters -> {role -> expected}}. "" = the only variant.
EXPECTED = {
    "auth.login": {"": _row(200, HOME, HOME, HOME, HOME)},
    "auth.logout": {"": _row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "auth.language": {"": _row(HOME, HOME, HOME, HOME, HOME)},
    "home.index": {"": _row(LOGIN, 200, 200, 200, (302, "/admin/"))},
    "home.organisation": {
        "own": _row(LOGIN, 200, 200, 200, 200),
        "other": _row(LOGIN, 200, 403, 200, 200),
        "missing": _row(LOGIN, 404, 404, 404, 404),
    },
    # The public side: the intake form, its receipt (shown once, from the session) and the
    # company's status link (a real token shows the case, anything else is a 404).
    "intake.form": {"": _row(200, 200, 200, 200, 200)},
    "intake.receipt": {"": _row(*[(302, "/lamna-arende")] * 5)},
    "intake.status": {"real": _row(200, 200, 200, 200, 200), "bad": _row(404, 404, 404, 404, 404)},
    "cases.queue": {"": _row(LOGIN, 200, 200, 200, 403)},
    "cases.register": {"": _row(LOGIN, 200, 403, 403, 403)},
    "cases.show": {
        # coordinator: every case; department: cases concerning its organisation;
        # steering: level 3; admin: no cases at all.
        "untriaged": _row(LOGIN, 200, 403, 403, 403),
        "level1-own": _row(LOGIN, 200, 200, 403, 403),
        "level1-other": _row(LOGIN, 200, 403, 403, 403),
        "level2-both": _row(LOGIN, 200, 200, 403, 403),
        "level3-own": _row(LOGIN, 200, 200, 200, 403),
        "level3-other": _row(LOGIN, 200, 403, 200, 403),
        "missing": _row(LOGIN, 404, 404, 404, 403),
        "malformed": _row(LOGIN, 404, 404, 404, 403),
    },
    "cases.attachment": {
        # The file of a case is served to whoever may see the case, and only under that case.
        "level1-own": _row(LOGIN, 200, 200, 403, 403),
        "level3-other": _row(LOGIN, 200, 403, 200, 403),
        "of-another-case": _row(LOGIN, 404, 404, 404, 403),
        "missing": _row(LOGIN, 404, 404, 404, 403),
        "case-missing": _row(LOGIN, 404, 404, 404, 403),
    },
    "cases.triage": {"untriaged": _row(LOGIN, 200, 403, 403, 403),
                     "level1-own": _row(LOGIN, 200, 403, 403, 403),
                     "missing": _row(LOGIN, 404, 403, 403, 403)},
    # The POSTs below send an empty form: reaching the view answers 400 with the form's
    # message, so 400 means "allowed in" and nothing is changed.
    "cases.comment": {"level1-own": _row(LOGIN, 400, 400, 403, 403),
                      "level1-other": _row(LOGIN, 400, 403, 403, 403),
                      "level3-other": _row(LOGIN, 400, 403, 403, 403),
                      "missing": _row(LOGIN, 404, 404, 403, 403)},
    "cases.link": {"untriaged": _row(LOGIN, 400, 403, 403, 403), "level1-own": _row(LOGIN, 400, 403, 403, 403),
                   "missing": _row(LOGIN, 404, 403, 403, 403)},
    "cases.merge": {"untriaged": _row(LOGIN, 400, 403, 403, 403), "level1-own": _row(LOGIN, 400, 403, 403, 403),
                    "missing": _row(LOGIN, 404, 403, 403, 403)},
    "admin.index": {"": ADMIN_PAGE},
    "admin.outbox": {"": ADMIN_PAGE},
    # Retrying answers with the outbox page, also for a mail that is not (or no longer) failed.
    "admin.outbox_retry": {"failed": _row(LOGIN, 403, 403, 403, (302, "/admin/utkorg")),
                           "missing": _row(LOGIN, 403, 403, 403, (302, "/admin/utkorg"))},
    "api.me": {"": API},
    "api.organisations": {"": API},
    "api.business_areas": {"": API},
    "openapi_json": {"": _row(200, 200, 200, 200, 200)},
    "api.list_cases_api": {"": _row(401, 200, 200, 200, 403)},
    "api.get_case_api": {
        # Not visible answers 404, like a case that does not exist: references are guessable.
        "untriaged": _row(401, 200, 404, 404, 403),
        "level1-own": _row(401, 200, 200, 404, 403),
        "level1-other": _row(401, 200, 404, 404, 403),
        "level2-both": _row(401, 200, 200, 404, 403),
        "level3-own": _row(401, 200, 200, 200, 403),
        "level3-other": _row(401, 200, 404, 200, 403),
        "missing": _row(401, 404, 404, 404, 403),
        "malformed": _row(401, 404, 404, 404, 403),
    },
    # An empty body is a 422 problem for the coordinator: allowed in, nothing created.
    "api.create_case_api": {"": _row(401, 422, 403, 403, 403)},
    "api.triage_case_api": {"untriaged": _row(401, 422, 403, 403, 403)},
    # Routing: the rule editor is the admin's; moving a case and answering requests the
    # coordinator's; asking for escalation a department official's, of a concerned organisation.
    # The empty forms are refused with a message on the case page, so the answer is a redirect.
    "routing.rules": {"": ADMIN_PAGE},
    "routing.rule": {"existing": ADMIN_PAGE, "new": ADMIN_PAGE, "missing": ADMIN_MISSING},
    "routing.move": {"level1-own": _row(LOGIN, CASE_PAGE, 403, 403, 403),
                     "missing": _row(LOGIN, 404, 403, 403, 403),
                     "malformed": _row(LOGIN, 404, 403, 403, 403)},
    "routing.request_escalation": {"level1-own": _row(LOGIN, 403, CASE_PAGE, 403, 403),
                                   "level3-own": _row(LOGIN, 403, CASE_PAGE, 403, 403),
                                   "level1-other": _row(LOGIN, 403, 403, 403, 403),
                                   "missing": _row(LOGIN, 403, 404, 403, 403)},
    "routing.resolve": {"open": _row(LOGIN, CASE_PAGE, 403, 403, 403),
                        "of-another-case": _row(LOGIN, 404, 403, 403, 403),
                        "missing": _row(LOGIN, 404, 403, 403, 403)},
    "notifications.index": {"": _row(LOGIN, 200, 200, 200, 200)},
    "notifications.read_all": {"": _row(LOGIN, *[(302, "/notiser")] * 4)},
    "notifications.settings": {"": _row(LOGIN, 200, 200, 200, 200)},
    # Meetings: coordinators and admins see every meeting; steering members the published ones;
    # department officials the published ones of groups they belong to (here the coordination
    # group); drafts only the coordinator and the admin. Changing anything is the coordinator's:
    # the empty or repeated requests below are refused with a message on the meeting page.
    "meetings.index": {"": _row(LOGIN, 200, 200, 200, 200)},
    "meetings.show": {"draft": _row(LOGIN, 200, 403, 403, 200),
                      "published-member": _row(LOGIN, 200, 200, 200, 200),
                      "published-other": _row(LOGIN, 200, 403, 200, 200),
                      "no-agenda": _row(LOGIN, 200, 403, 403, 200),
                      "missing": _row(LOGIN, 404, 404, 404, 404)},
    "meetings.generate": {"spare-draft": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                          "published-member": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                          "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.add_item": {"draft": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                          "published-member": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                          "no-agenda": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                          "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.edit_item": {"draft": _row(LOGIN, 200, 403, 403, 403),
                           "item-of-another-meeting": _row(LOGIN, 404, 403, 403, 403),
                           "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.change_item": {"draft": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                             "published-member": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                             "item-of-another-meeting": _row(LOGIN, 404, 403, 403, 403),
                             "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.publish": {"published-member": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                         "no-agenda": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                         "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.move": {"draft": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                      "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.cancel": {"draft": _row(LOGIN, MEETING_PAGE, 403, 403, 403),
                        "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.agenda_pdf": {"draft": _row(LOGIN, 200, 403, 403, 200),
                            "published-member": _row(LOGIN, 200, 200, 200, 200),
                            "published-other": _row(LOGIN, 200, 403, 200, 200),
                            "no-agenda": _row(LOGIN, 404, 403, 403, 404),
                            "missing": _row(LOGIN, 404, 404, 404, 404)},
    # Minutes: drafts are the coordinator's; approved minutes go with the agenda's visibility.
    "meetings.minutes": {"draft": _row(LOGIN, 200, 403, 403, 404),
                         "published-member": _row(LOGIN, 200, 404, 404, 404),
                         "draft-minutes": _row(LOGIN, 200, 403, 403, 403),
                         "approved-minutes": _row(LOGIN, 200, 200, 200, 200),
                         "approved-minutes-other": _row(LOGIN, 200, 403, 200, 200),
                         "missing": _row(LOGIN, 404, 404, 404, 404)},
    "meetings.approve": {"approved-minutes": _row(LOGIN, MINUTES_PAGE, 403, 403, 403),
                         "published-member": _row(LOGIN, 404, 403, 403, 403),
                         "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.correct": {"approved-minutes": _row(LOGIN, MINUTES_PAGE, 403, 403, 403),
                         "draft-minutes": _row(LOGIN, MINUTES_PAGE, 403, 403, 403),
                         "published-member": _row(LOGIN, 404, 403, 403, 403),
                         "missing": _row(LOGIN, 404, 403, 403, 403)},
    "meetings.minutes_pdf": {"approved-minutes": _row(LOGIN, 200, 200, 200, 200),
                             "approved-minutes-other": _row(LOGIN, 200, 403, 200, 200),
                             "draft-minutes": _row(LOGIN, 200, 404, 404, 404),
                             "published-member": _row(LOGIN, 404, 404, 404, 404),
                             "missing": _row(LOGIN, 404, 404, 404, 404)},
    # Calendar feeds: a page to get one's secret addresses; the feed itself is public, but only
    # with a valid token and for a series the token's owner may see.
    "calendar.index": {"": _row(LOGIN, 200, 200, 200, 200)},
    "calendar.create_token": {"": _row(LOGIN, 200, 200, 200, 200)},
    "calendar.feed": {"valid": _row(200, 200, 200, 200, 200),
                      "bad-token": _row(404, 404, 404, 404, 404),
                      "not-visible-to-its-owner": _row(404, 404, 404, 404, 404),
                      "missing-series": _row(404, 404, 404, 404, 404)},
    "api.list_meetings": {"": API},
    # Not visible answers 404, like a meeting that does not exist.
    "api.get_agenda": {"draft": _row(401, 200, 404, 404, 200),
                       "published-member": _row(401, 200, 200, 200, 200),
                       "published-other": _row(401, 200, 404, 200, 200),
                       "no-agenda": _row(401, 404, 404, 404, 404),
                       "missing": _row(401, 404, 404, 404, 404)},
}
# Action items: the coordinator, and the officials of the organisation that owns the item, update
# one (an empty form is refused with a message back on the start page); the coordinator, and the
# officials of an organisation concerned by the case, add one (an empty form: the case page again,
# 400; a department official only for their own organisation, which the form's choices and the
# service enforce, see test_actions.py). Planned changes: coordinator, department and steering
# read them; coordinator and department report them ("post-…": an empty form, 400).
ACTION_ITEM_ENDPOINTS = {"actions.update", "api.update_action"}
EXPECTED.update({
    "actions.update": {"own": _row(LOGIN, HOME, HOME, 403, 403),
                       "other-visible": _row(LOGIN, HOME, 403, 403, 403),
                       "other-hidden": _row(LOGIN, HOME, 403, 403, 403),
                       "missing": _row(LOGIN, 404, 404, 403, 403)},
    "actions.create": {"level1-own": _row(LOGIN, 400, 400, 403, 403),
                       "level2-both": _row(LOGIN, 400, 400, 403, 403),
                       "level1-other": _row(LOGIN, 400, 403, 403, 403),
                       "level3-other": _row(LOGIN, 400, 403, 403, 403),
                       "missing": _row(LOGIN, 404, 404, 403, 403),
                       "malformed": _row(LOGIN, 404, 404, 403, 403)},
    "actions.planned_changes": {"": _row(LOGIN, 200, 200, 200, 403),
                                "post-empty": _row(LOGIN, 400, 400, 403, 403)},
    # The API: listing for every case reader; creating with an organisation that does not exist
    # (422 once allowed in, nothing created; a case the caller may not see is a 404); updating with
    # an empty body (422: nothing to record; another organisation's item on a case the official
    # sees is a 403, on a case they do not see a 404).
    "api.list_actions": {"": _row(401, 200, 200, 200, 403)},
    "api.create_action": {"level1-own": _row(401, 422, 422, 403, 403),
                          "level1-other": _row(401, 422, 404, 403, 403),
                          "level3-other": _row(401, 422, 404, 403, 403),
                          "missing": _row(401, 404, 404, 403, 403)},
    "api.update_action": {"own": _row(401, 422, 422, 403, 403),
                          "other-visible": _row(401, 422, 403, 403, 403),
                          "other-hidden": _row(401, 422, 404, 403, 403),
                          "missing": _row(401, 404, 404, 403, 403)},
})
# The register of companies, its import, projects and personal data are the coordinator's and the
# admin's; the contact log and turning a planned change into a project the coordinator's alone. A
# department official sees a company's page only through a case that concerns their organisation
# (and never its contact persons); steering members never. Empty forms answer 400; the changes a
# request could make are a confirmation of a company already confirmed, an empty contact form (the
# company page again with the form's messages), the anonymisation of a spare contact person nobody
# else looks at,
# and a planned change without a business area (sent to the project form, nothing created).
REGISTER_PAGE = _row(LOGIN, 200, 403, 403, 200)
REGISTER_EMPTY_FORM = _row(LOGIN, 400, 403, 403, 400)
REGISTER_MISSING = _row(LOGIN, 404, 403, 403, 404)
COMPANY_PAGE = (302, "/foretag/{company_id}")
EXPECTED.update({
    "companies.index": {"": REGISTER_PAGE},
    "companies.edit": {"new": REGISTER_PAGE, "existing": REGISTER_PAGE, "missing": REGISTER_MISSING,
                       "post-new": REGISTER_EMPTY_FORM, "post-existing": REGISTER_EMPTY_FORM},
    "companies.show": {"linked-own": _row(LOGIN, 200, 200, 403, 200),
                       "linked-other": _row(LOGIN, 200, 403, 403, 200),
                       "unlinked": _row(LOGIN, 200, 403, 403, 200),
                       "missing": _row(LOGIN, 404, 404, 403, 404)},
    "companies.confirm": {"unlinked": _row(LOGIN, COMPANY_PAGE, 403, 403, COMPANY_PAGE), "missing": REGISTER_MISSING},
    "companies.add_contact": {"unlinked": REGISTER_EMPTY_FORM, "missing": REGISTER_MISSING},
    "companies.anonymise": {"spare": _row(LOGIN, COMPANY_PAGE, 403, 403, COMPANY_PAGE),
                            "of-another-company": REGISTER_MISSING, "missing": REGISTER_MISSING},
    "companies.contact_log": {"": _row(LOGIN, 200, 403, 403, 403), "post-empty": _row(LOGIN, 400, 403, 403, 403)},
    "companies.projects": {"": REGISTER_PAGE},
    "companies.edit_project": {"new": REGISTER_PAGE, "existing": REGISTER_PAGE, "missing": REGISTER_MISSING,
                               "post-new": REGISTER_EMPTY_FORM},
    "companies.project": {"existing": REGISTER_PAGE, "missing": REGISTER_MISSING,
                          "post-existing": REGISTER_EMPTY_FORM},
    "companies.personal_data": {"": REGISTER_PAGE, "post-empty": REGISTER_EMPTY_FORM},
    "companies.import_companies": {"": REGISTER_PAGE, "post-empty": REGISTER_EMPTY_FORM},
    "companies.project_from_change": {"no-area": _row(LOGIN, (302, "/projekt/ny"), 403, 403, 403),
                                      "missing": _row(LOGIN, 404, 403, 403, 403)},
})
# Follow-up reports. The department official serves the "own" committee (Committee.organisation_id
# is their organisation) and writes its reports; the coordinator and the admin read every report;
# steering members read submitted and approved ones; officials of other organisations nothing.
# A report not started is a 404 page for those who may read (only its writers start it by opening
# it). Returning and approving are the coordinator's: an approval of a draft and a return without
# a reason are refused with a message on the report page. The compilation: coordinator, steering
# and admin. "post-…" sends the report form empty: a draft is saved as it was, a submitted report
# cannot be changed (400).
REPORT_PAGE = (302, "{report_page}")
READ_ANY = _row(LOGIN, 200, 200, 200, 200)
REPORT_READ = {"own-draft": _row(LOGIN, 200, 200, 403, 200),
               "other-submitted": _row(LOGIN, 200, 403, 200, 200),
               "other-draft": _row(LOGIN, 200, 403, 403, 200),
               "missing": _row(LOGIN, 404, 404, 404, 404)}
EXPECTED.update({
    "reports.index": {"": READ_ANY},
    "reports.report": {"own-draft": _row(LOGIN, 200, 200, 403, 200),
                       "own-submitted": READ_ANY,
                       "own-approved": READ_ANY,
                       "own-returned": _row(LOGIN, 200, 200, 403, 200),
                       "other-draft": _row(LOGIN, 200, 403, 403, 200),
                       "other-submitted": _row(LOGIN, 200, 403, 200, 200),
                       "other-not-started": _row(LOGIN, 404, 403, 404, 404),
                       "missing-committee": _row(LOGIN, 404, 404, 404, 404),
                       "bad-period": _row(LOGIN, 404, 404, 404, 404),
                       "post-own-draft": _row(LOGIN, 403, REPORT_PAGE, 403, 403),
                       "post-own-submitted": _row(LOGIN, 403, 400, 403, 403),
                       "post-other-draft": _row(LOGIN, 403, 403, 403, 403),
                       "post-other-submitted": _row(LOGIN, 403, 403, 403, 403)},
    "reports.decide": {"approve-own-draft": _row(LOGIN, REPORT_PAGE, 403, 403, 403),
                       "return-other-submitted": _row(LOGIN, REPORT_PAGE, 403, 403, 403),
                       "missing": _row(LOGIN, 404, 403, 403, 403)},
    "reports.pdf": REPORT_READ,
    "reports.docx": REPORT_READ,
    "reports.facts_csv": REPORT_READ,
    "reports.facts_xlsx": REPORT_READ,
    "reports.compilation": {"": _row(LOGIN, 200, 403, 200, 200), "bad-period": _row(LOGIN, 404, 403, 404, 404)},
    # The templates are the admin's: copying one to a new year, editing and adding questions. An
    # empty copy form is refused with a message on the list (200), an empty question with 400.
    "reports.templates": {"": ADMIN_PAGE, "post-empty": ADMIN_PAGE},
    "reports.template": {"existing": ADMIN_PAGE, "missing": ADMIN_MISSING,
                         "post-existing": _row(LOGIN, 403, 403, 403, 400)},
})
# One's own account: every role reads it; the forms sent empty are refused with the page again (400), so
# nobody's password or sessions change. Setting up two-step verification is for coordinators and admins
# (the page keeps the new key in the session only, until a right code turns it on).
EXPECTED.update({
    "auth.account": {"": _row(LOGIN, 200, 200, 200, 200)},
    "auth.password": {"": _row(LOGIN, 400, 400, 400, 400)},
    "auth.logout_everywhere": {"": _row(LOGIN, 400, 400, 400, 400)},
    "auth.totp_setup": {"": _row(LOGIN, 200, 403, 403, 200), "post-empty": _row(LOGIN, 400, 403, 403, 400)},
    "auth.totp_disable": {"": _row(LOGIN, 400, 400, 400, 400)},
})
# The operators' probes: public, for anyone (a load balancer has no login); the test database is
# migrated to head, so /readyz answers 200.
EXPECTED.update({
    "system.healthz": {"": _row(200, 200, 200, 200, 200)},
    "system.readyz": {"": _row(200, 200, 200, 200, 200)},
})
EXPECTED.update({
    # The audit log and its CSV: administrators only.
    "audit.index": {"": ADMIN_PAGE},
    "audit.export": {"": ADMIN_PAGE},
})
# A refusal that says more precisely why than the general message.
REFUSALS = {("api.update_action", "other-visible", DEPT):
            "Bara tjänstepersoner på organisationen som äger åtgärden kan uppdatera den."}
REPORT_VARIANTS = {"own-draft": ("own", 2026, "T1"), "own-submitted": ("own", 2026, "T2"),
                   "own-approved": ("own", 2025, "VB"), "own-returned": ("own", 2025, "T1"),
                   "other-draft": ("other", 2026, "T1"), "other-submitted": ("other", 2026, "T2")}
REPORT_STATUS = {"own-draft": "draft", "own-submitted": "submitted", "own-approved": "approved",
                 "own-returned": "returned", "other-draft": "draft", "other-submitted": "submitted"}
CASE_ENDPOINTS = {"cases.show", "cases.attachment", "cases.triage", "cases.comment", "cases.link", "cases.merge",
                  "routing.move", "routing.request_escalation", "routing.resolve"}
MEETING_ENDPOINTS = {"meetings.show", "meetings.generate", "meetings.add_item", "meetings.edit_item",
                     "meetings.change_item", "meetings.publish", "meetings.move", "meetings.cancel",
                     "meetings.agenda_pdf", "meetings.minutes", "meetings.approve", "meetings.correct",
                     "meetings.minutes_pdf", "api.get_agenda"}
ADMIN_RESOURCES = {"users": "/admin/anvandare", "organisations": "/admin/organisationer",
                   "committees": "/admin/namnder", "business_areas": "/admin/verksamhetsomraden",
                   "groups": "/admin/grupper", "series": "/admin/motesserier"}
for _key, _path in ADMIN_RESOURCES.items():
    EXPECTED[f"admin.{_key}_list"] = {"": ADMIN_PAGE}
    EXPECTED[f"admin.{_key}_new"] = {"": ADMIN_PAGE}
    EXPECTED[f"admin.{_key}_edit"] = {"existing": ADMIN_PAGE, "missing": ADMIN_MISSING}
    # A toggle answers with the edit page of the row it changed.
    EXPECTED[f"admin.{_key}_toggle"] = {"existing": _row(LOGIN, 403, 403, 403, (302, _path + "/{item_id}")),
                                        "missing": ADMIN_MISSING}

# An administrator turns off a user's two-step verification (it is not on for the user here, so
# the answer is the edit page with a message saying so).
EXPECTED["admin.users_reset_totp"] = {"existing": _row(LOGIN, 403, 403, 403, (302, "/admin/anvandare/{item_id}")),
                                      "missing": ADMIN_MISSING}

# The application as routing sees it, for building the parameter list at collection time.
_ROUTES_APP = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
ENDPOINTS = sorted({rule.endpoint for rule in _ROUTES_APP.url_map.iter_rules()} - {"static"})


def _cases():
    for endpoint in ENDPOINTS:
        # An endpoint missing from EXPECTED still gets a test, which fails and says so.
        for variant in EXPECTED.get(endpoint, {"": None}):
            for role in ROLES:
                yield pytest.param(endpoint, variant, role, id=f"{endpoint}[{variant}]-{role}" if variant
                                   else f"{endpoint}-{role}")


# --- the data, once for the module -------------------------------------------------------------

_memo_hash = memo_hash  # tests/conftest.py: the same password shares one real hash


def _truncate(url: str) -> None:
    """Empty the PostgreSQL test database and put back what the migrations seed."""
    from tests.conftest import reset_postgres

    reset_postgres(url)


class World:
    pass


@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    if PG_URL:
        url = database_template
        _truncate(url)
    else:
        path = tmp_path_factory.mktemp("access") / "access.db"
        shutil.copy(database_template, path)
        url = f"sqlite:///{path}"
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM))
    attachments_dir = tmp_path_factory.mktemp("attachments")
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url, "CLOCK": clock,
                      "ATTACHMENTS_DIR": str(attachments_dir)})
    w = World()
    w.app = app
    w.engine = app.extensions["db_engine"]
    original, auth_services.hash_password = auth_services.hash_password, _memo_hash
    try:
        with Session(w.engine, expire_on_commit=False) as s:
            w.own = factories.organisation(s, name="Trafikkontoret", short_name="TK")
            w.other = factories.organisation(s, name="Exploateringskontoret", short_name="EXPL")
            w.spare_org = factories.organisation(s, name="Reservförvaltningen", short_name="RES")
            sbr = factories.organisation(s, name="Stockholm Business Region", short_name="SBR")
            w.users = {
                COORD: factories.user(s, COORD, organisation_id=sbr.id),
                DEPT: factories.user(s, DEPT, organisation_id=w.own.id),
                STEER: factories.user(s, STEER, organisation_id=w.other.id),
                ADMIN: factories.user(s, ADMIN),
            }
            w.other_user = factories.user(s, DEPT, organisation_id=w.other.id)
            w.spare_user = factories.user(s, DEPT, organisation_id=w.spare_org.id)
            w.tokens = {role: auth_services.issue_token(s, email=u.email) for role, u in w.users.items()}
            w.committee = factories.committee(s, name="Söderorts nämnd", organisation_id=w.other.id)
            w.spare_committee = factories.committee(s, organisation_id=w.spare_org.id)
            w.area = factories.business_area(s, name="Högdalens industriområde", committee_id=w.committee.id)
            w.spare_area = factories.business_area(s)
            w.group = factories.group(s, "work_group", members=[w.other_user], business_area_id=w.area.id)
            w.spare_group = factories.group(s)
            w.cases = {
                "untriaged": factories.case(s, clock=clock),
                "level1-own": factories.case(s, clock=clock, level=1, organisations=[w.own]),
                "level1-other": factories.case(s, clock=clock, level=1, organisations=[w.other]),
                "level2-both": factories.case(s, clock=clock, level=2, organisations=[w.own, w.other]),
                "level3-own": factories.case(s, clock=clock, level=3, organisations=[w.own]),
                "level3-other": factories.case(s, clock=clock, level=3, organisations=[w.other]),
            }
            w.status_token = new_status_token(s, w.cases["untriaged"])
            store = AttachmentStore(attachments_dir)
            w.attachments = {}
            for key in ("level1-own", "level3-other"):
                data = b"%PDF-1.4\n% access test\n%%EOF\n"
                w.attachments[key] = Attachment(case_id=w.cases[key].id, filename="ritning.pdf",
                                                content_type="application/pdf", size=len(data),
                                                sha256="0" * 64, storage_key=store.save(data),
                                                uploaded_at=clock.now())
                s.add(w.attachments[key])
            queue_mail(s, kind="receipt", dedupe_key="access-test", recipient="foretag@example.se",
                       subject="Kvitto", body_text="Hej", body_html="<p>Hej</p>", now=clock.now())
            s.flush()
            w.failed_mail = s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "access-test")).one()
            w.failed_mail.status, w.failed_mail.attempts = "failed", 8
            s.add(w.failed_mail)
            s.commit()
            _routing_and_meetings(w, s, clock)
            s.commit()
            _actions_companies_reports(w, s, clock)
            s.commit()
    finally:
        auth_services.hash_password = original
    w.existing = {"users": w.spare_user.id, "organisations": w.spare_org.id, "committees": w.spare_committee.id,
                  "business_areas": w.spare_area.id, "groups": w.spare_group.id, "series": w.series["spare"].id}
    yield w
    w.engine.dispose()
    if PG_URL:
        _truncate(url)


def _routing_and_meetings(w, s, clock):
    """A rule to edit, a department's open request for escalation, and meetings in every state:
    the coordination group (the department official is a member) and the steering group (not)."""
    ensure_default_rules(s)  # on PostgreSQL the module's data starts from empty tables
    w.rule_id = s.execute(select(RoutingRule.id).order_by(RoutingRule.id)).scalars().first()
    w.request = EscalationRequest(case_id=w.cases["level1-own"].id, requested_by_id=w.users[DEPT].id,
                                  organisation_id=w.own.id, to_level=2, reason="Behöver samordning", at=clock.now())
    s.add(w.request)
    coordination = factories.group(s, "coordination_group", members=[w.users[DEPT]], name="Samordningsgruppen")
    steering = factories.group(s, "steering_group", name="Styrgruppen FC/BC Näringsliv")
    w.series = {}
    for key, group, name in (("coordination", coordination, "Samordningsgruppens möten"),
                             ("steering", steering, "Styrgruppens möten"),
                             ("work", w.group, "Arbetsgruppen i Högdalen"), ("spare", w.spare_group, "Reservserien")):
        w.series[key] = MeetingSeries(group_id=group.id, name=name, dates=[], start_time=time(9), end_time=time(11),
                                      place="Stadshuset")
        s.add(w.series[key])
    s.flush()
    w.meetings, w.items = {}, {}
    for day, (key, series, agenda_status, minutes_status) in enumerate([
            ("draft", "coordination", "draft", None), ("spare-draft", "coordination", "draft", None),
            ("published-member", "coordination", "published", None),
            ("published-other", "steering", "published", None), ("no-agenda", "coordination", None, None),
            ("draft-minutes", "coordination", "published", "draft"),
            ("approved-minutes", "coordination", "published", "approved"),
            ("approved-minutes-other", "steering", "published", "approved")], start=1):
        meeting = Meeting(series_id=w.series[series].id, occurrence=f"2026-12-{day:02d}",
                          starts_at=datetime(2026, 12, day, 9, tzinfo=STOCKHOLM),
                          ends_at=datetime(2026, 12, day, 11, tzinfo=STOCKHOLM), place="Stadshuset")
        s.add(meeting)
        s.flush()
        w.meetings[key] = meeting
        if agenda_status:
            published = agenda_status == "published"
            agenda = Agenda(meeting_id=meeting.id, status=agenda_status, generation=1, generated_at=clock.now(),
                            published_at=clock.now() if published else None, published_version=int(published))
            s.add(agenda)
            s.flush()
            item = AgendaItem(agenda_id=agenda.id, section="other", position=10, source_key="manual:1",
                              title="Övriga frågor", state="current", manual=True)
            s.add(item)
            s.flush()
            w.items[key] = item.id
        if minutes_status:
            s.add(Minutes(meeting_id=meeting.id, version=1, status=minutes_status, content={},
                          approved_at=clock.now() if minutes_status == "approved" else None))
    # The feed's owner: a department official in the work group (and nothing else).
    w.calendar_token = new_calendar_token(s, w.other_user, now=clock.now())
    s.flush()


def _actions_companies_reports(w, s, clock):
    """Action items of three kinds (the official's organisation's; another organisation's on a
    case the official sees; on one they do not), companies linked to cases, a contact person to
    anonymise, a project, a planned change without a business area, and reports in every state
    for a committee the official's organisation serves ("own") and one it does not ("other")."""
    from coordination.actions.models import ActionItem, PlannedChange
    from coordination.companies.models import Company, ContactPerson, DevelopmentProject
    from coordination.reports.models import Report, ReportTemplate

    now = clock.now()
    w.actions = {}
    for key, case_key, org in (("own", "level1-own", w.own), ("other-visible", "level2-both", w.other),
                               ("other-hidden", "level3-other", w.other)):
        w.actions[key] = ActionItem(case_id=w.cases[case_key].id, organisation_id=org.id, title=f"Åtgärd {key}",
                                    due_date=date(2026, 12, 4), created_at=now, updated_at=now)
        s.add(w.actions[key])
    w.companies = {}
    for key, case_key in (("linked-own", "level1-own"), ("linked-other", "level3-other"), ("unlinked", None)):
        w.companies[key] = Company(name=f"Bolaget {key} AB", created_at=now, updated_at=now)
        s.add(w.companies[key])
        s.flush()
        if case_key:
            w.cases[case_key].company_id = w.companies[key].id
            s.add(w.cases[case_key])
    # Contact persons are the register's: never on a department official's company page.
    s.add(ContactPerson(company_id=w.companies["linked-own"].id, name="Kontaktperson Hemlig", email="hemlig@example.se",
                        created_at=now))
    w.spare_contact = ContactPerson(company_id=w.companies["unlinked"].id, name="Reserv Kontakt", created_at=now)
    s.add(w.spare_contact)
    w.project = DevelopmentProject(name="Ny gata i Högdalen", kind="road_works", created_at=now)
    s.add(w.project)
    w.change = PlannedChange(organisation_id=w.own.id, title="Ledningsarbete", reported_at=now)
    s.add(w.change)
    w.own_committee = factories.committee(s, name="Enskede-Årsta-Vantörs stadsdelsnämnd", organisation_id=w.own.id)
    w.report_template = template = s.exec(select(ReportTemplate).where(ReportTemplate.year == 2022)).one()
    w.reports = {}
    for key, (whose, year, period) in REPORT_VARIANTS.items():
        committee = w.own_committee if whose == "own" else w.committee
        status = REPORT_STATUS[key]
        w.reports[key] = Report(template_id=template.id, committee_id=committee.id, year=year, period=period,
                                status=status, facts={} if status == "draft" else {"period": f"{year} {period}"},
                                submitted_at=None if status == "draft" else now,
                                returned_reason="Komplettera fokusområde 3." if status == "returned" else "")
        s.add(w.reports[key])
    s.flush()


def _params(w, endpoint, variant):
    if endpoint == "routing.rule":
        return {"existing": {"rule_id": w.rule_id}, "missing": {"rule_id": 987654}, "new": {}}[variant]
    if endpoint == "routing.resolve":
        case = w.cases["level3-other" if variant == "of-another-case" else "level1-own"]
        return {"slug": case.reference.replace(" ", "-").replace("/", "-"),
                "request_id": 987654 if variant == "missing" else w.request.id}
    if endpoint in MEETING_ENDPOINTS:
        meeting_id = 987654 if variant == "missing" else \
            w.meetings[{"item-of-another-meeting": "draft"}.get(variant, variant)].id
        params = {"id" if endpoint.startswith("api.") else "meeting_id": meeting_id}
        if endpoint in ("meetings.edit_item", "meetings.change_item"):
            params["item_id"] = w.items[{"item-of-another-meeting": "published-member", "missing": "draft"}
                                        .get(variant, variant)]
        if endpoint == "meetings.change_item":
            params["action"] = "ta-bort"  # without a reason: refused, nothing removed
        return params
    if endpoint == "calendar.feed":
        return {"token": "not-a-real-token" if variant == "bad-token" else w.calendar_token,
                "series_id": {"valid": w.series["work"].id, "bad-token": w.series["work"].id,
                              "not-visible-to-its-owner": w.series["steering"].id,
                              "missing-series": 987654}[variant]}
    if endpoint == "home.organisation":
        return {"organisation_id": {"own": w.own.id, "other": w.other.id, "missing": 987654}[variant]}
    if endpoint in ACTION_ITEM_ENDPOINTS:
        key = "action_id" if endpoint == "actions.update" else "id"
        return {key: 987654 if variant == "missing" else w.actions[variant].id}
    if endpoint.startswith("companies."):
        return _company_params(w, endpoint, variant)
    if endpoint.startswith("reports."):
        return _report_params(w, endpoint, variant)
    if endpoint in CASE_ENDPOINTS or endpoint in ("api.get_case_api", "api.triage_case_api", "actions.create",
                                                  "api.create_action"):
        case_variant = {"of-another-case": "level3-own", "missing": "level3-own"}.get(variant, variant) \
            if endpoint == "cases.attachment" else variant
        slug = {"missing": "SBR-2026-9999", "case-missing": "SBR-2026-9999",
                "malformed": "not-a-reference"}.get(case_variant)
        if slug is None:
            slug = w.cases[case_variant].reference.replace(" ", "-").replace("/", "-")
        params = {"ref" if endpoint.startswith("api.") else "slug": slug}
        if endpoint == "cases.attachment":
            params["attachment_id"] = {"level1-own": w.attachments["level1-own"].id,
                                       "level3-other": w.attachments["level3-other"].id,
                                       "of-another-case": w.attachments["level1-own"].id,
                                       "case-missing": w.attachments["level1-own"].id}.get(variant, 987654)
        return params
    if endpoint == "intake.status":
        return {"token": w.status_token if variant == "real" else "not-a-real-token"}
    if endpoint == "admin.outbox_retry":
        return {"message_id": w.failed_mail.id if variant == "failed" else 987654}
    if endpoint.startswith("admin.") and variant:
        resource = _resource(endpoint)
        return {"item_id": w.existing[resource] if variant == "existing" else 987654}
    return {}


def _company_params(w, endpoint, variant):
    variant = variant.removeprefix("post-")
    if endpoint in ("companies.edit", "companies.edit_project") and variant == "new":
        return {}
    if endpoint in ("companies.edit_project", "companies.project"):
        return {"project_id": 987654 if variant == "missing" else w.project.id}
    if endpoint == "companies.project_from_change":
        return {"change_id": 987654 if variant == "missing" else w.change.id}
    if endpoint == "companies.anonymise":
        company = w.companies["linked-own" if variant == "of-another-company" else "unlinked"]
        return {"company_id": company.id, "contact_id": 987654 if variant == "missing" else w.spare_contact.id}
    if endpoint in ("companies.edit", "companies.show", "companies.confirm", "companies.add_contact"):
        return {"company_id": 987654 if variant == "missing" else w.companies[variant if variant != "existing"
                                                                             else "unlinked"].id}
    return {}


def _report_params(w, endpoint, variant):
    if endpoint == "reports.index":
        return {}
    if endpoint == "reports.compilation":
        return {"year": 2026, "period": "T4" if variant == "bad-period" else "T2"}
    if endpoint == "reports.report":
        variant = variant.removeprefix("post-")
        if variant == "other-not-started":
            return {"committee_id": w.committee.id, "year": 2026, "period": "VB"}
        if variant == "missing-committee":
            return {"committee_id": 987654, "year": 2026, "period": "T1"}
        if variant == "bad-period":
            return {"committee_id": w.own_committee.id, "year": 2026, "period": "T4"}
        report = w.reports[variant]
        return {"committee_id": report.committee_id, "year": report.year, "period": report.period}
    if endpoint in ("reports.templates", "reports.template"):
        return {} if endpoint == "reports.templates" else \
            {"template_id": 987654 if variant == "missing" else w.report_template.id}
    if endpoint == "reports.decide":
        action, _sep, key = variant.partition("-")
        return {"report_id": 987654 if variant == "missing" else w.reports[key].id,
                "action": "aterlamna" if action == "return" else "godkann"}
    return {"report_id": 987654 if variant == "missing" else w.reports[variant].id}


def _expected_path(w, endpoint, variant, path):
    values = dict(_params(w, endpoint, variant))
    if endpoint == "reports.decide" and variant != "missing":
        report = w.reports[variant.partition("-")[2]]
        values["report_page"] = f"/rapporter/{report.committee_id}/{report.year}/{report.period}"
    if endpoint == "reports.report" and "post" in variant:
        values["report_page"] = "/rapporter/{committee_id}/{year}/{period}".format(**values)
    return path.format(**values)


def _client(w, role, *, api: bool):
    """A client acting as `role`: signed in through the session for pages, by token for the API."""
    client = w.app.test_client()
    headers = {}
    if role != ANON:
        with client.session_transaction() as sess:
            sess["_user_id"] = str(w.users[role].id)
            sess["_fresh"] = True
        if api:
            headers["Authorization"] = f"Bearer {w.tokens[role]}"
    return client, headers


def _request(w, client, endpoint, url, headers, variant=""):
    methods = next(r.methods for r in w.app.url_map.iter_rules() if r.endpoint == endpoint)
    if endpoint == "api.update_action":
        return client.patch(url, json={}, headers=headers)
    if endpoint == "api.create_action":
        # An organisation that does not exist: refused once the caller is allowed in and sees the case.
        return client.post(url, json={"organisation": 987654, "title": "Sätt upp skyltar", "due_date": "2026-12-04"},
                           headers=headers)
    if "GET" in methods and not variant.startswith("post-"):
        return client.get(url, headers=headers)
    data = {"lang": "sv", "next": "/"} if endpoint == "auth.language" else {}
    return client.post(url, data=data, headers=headers)


@pytest.mark.parametrize(("endpoint", "variant", "role"), list(_cases()))
def test_every_url_answers_every_role_as_the_table_says(world, endpoint, variant, role):
    assert endpoint in EXPECTED, f"{endpoint} has no row in EXPECTED: decide who may reach it"
    expected = EXPECTED[endpoint][variant][role]
    with world.app.test_request_context():
        url = url_for(endpoint, **_params(world, endpoint, variant))
    is_api = url.startswith("/api/")
    client, headers = _client(world, role, api=is_api)

    response = _request(world, client, endpoint, url, headers, variant)

    assert response.status_code < 500, response.data[:500]
    if isinstance(expected, tuple):
        status, path = expected
        path = _expected_path(world, endpoint, variant, path)
        assert (response.status_code, urlsplit(response.location or "").path) == (status, path)
        if path == "/logga-in" and endpoint not in ("home.index", "auth.logout"):
            # The login page sends the user back where they were going.
            assert parse_qs(urlsplit(response.location).query)["next"] == [url]
    else:
        assert response.status_code == expected
    if response.status_code == 403:
        text = response.get_json()["detail"] if is_api else response.get_data(as_text=True)
        assert REFUSALS.get((endpoint, variant, role), "Du har inte behörighet till den här sidan.") in text
    if endpoint == "cases.attachment" and response.status_code == 200:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.data == b"%PDF-1.4\n% access test\n%%EOF\n"
    if endpoint == "companies.show" and variant == "linked-own" and response.status_code == 200:
        # The company's contact persons are the register's, never a department official's.
        assert ("Kontaktperson Hemlig" in response.get_data(as_text=True)) == (role in (COORD, ADMIN))
    if endpoint in ("reports.pdf", "reports.docx", "reports.facts_csv", "reports.facts_xlsx") \
            and response.status_code == 200:
        assert response.mimetype == {"reports.pdf": "application/pdf", "reports.facts_csv": "text/csv"}.get(
            endpoint, response.mimetype) and len(response.data) > 0
    if endpoint == "intake.status" and response.status_code == 200:
        assert world.cases["untriaged"].reference in response.get_data(as_text=True)
    if is_api and response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == response.status_code
    if is_api and response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", [ANON, ADMIN])
def test_a_wrong_method_is_a_405_page_never_a_500(world, role):
    client, _headers = _client(world, role, api=False)
    with world.app.test_request_context():
        for rule in world.app.url_map.iter_rules():
            if rule.endpoint == "static" or rule.rule.startswith("/api/"):
                continue  # the API's 405 is a problem object, see test_api.py
            if rule.endpoint not in EXPECTED:
                continue  # fails in the table test above, saying which row is missing
            url = url_for(rule.endpoint, **_params(world, rule.endpoint, next(iter(EXPECTED[rule.endpoint]))))
            # A method no route at this address answers (/kalender: GET one view, POST another).
            served = set().union(*(r.methods for r in world.app.url_map.iter_rules() if r.rule == rule.rule))
            method = next(m for m in ("POST", "GET", "DELETE") if m not in served)
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, url)
            assert "Det går inte att göra så på den här sidan." in response.get_data(as_text=True)


# Which meetings each role finds in the list (the page and the API): every meeting for the
# coordinator and the admin; the published ones for steering; the published ones of the
# coordination group, where they are a member, for the department official.
PUBLISHED_MEMBER = {"published-member", "draft-minutes", "approved-minutes"}
PUBLISHED = PUBLISHED_MEMBER | {"published-other", "approved-minutes-other"}
SEES_MEETINGS = {COORD: None, ADMIN: None, STEER: PUBLISHED, DEPT: PUBLISHED_MEMBER}


@pytest.mark.parametrize("role", [COORD, DEPT, STEER, ADMIN])
def test_each_role_lists_only_the_meetings_it_may_see(world, role):
    expected = {m.id for key, m in world.meetings.items() if SEES_MEETINGS[role] is None or key in SEES_MEETINGS[role]}
    client, headers = _client(world, role, api=True)

    listed = client.get("/api/v1/meetings", headers=headers)
    page_client, _headers = _client(world, role, api=False)
    page = page_client.get("/moten").get_data(as_text=True)

    assert listed.status_code == 200
    assert {m["id"] for m in listed.get_json()["items"]} == expected
    linked = {int(i) for i in re.findall(r'href="/moten/(\d+)"', page)}
    assert linked & {m.id for m in world.meetings.values()} == expected


def test_the_table_has_no_rows_for_routes_that_no_longer_exist(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()} - {"static"}
    assert set(EXPECTED) - endpoints == set()
    assert endpoints - set(EXPECTED) == set()


def test_every_view_declares_its_audience(world):
    views = {name: view for name, view in world.app.view_functions.items() if name != "static"}
    assert len(views) == len(ENDPOINTS)
    undeclared = sorted(name for name, view in views.items()
                        if not isinstance(getattr(view, "_audience", None), Audience))
    assert undeclared == []
    # Only the login, the language switch, the start page (which redirects), the API
    # description, the intake form with its receipt and status link, and the calendar feeds
    # (a secret token in the address instead of a login), and the operators' probes are public.
    public = sorted(name for name, view in views.items() if view._audience.public)
    assert public == ["auth.language", "auth.login", "calendar.feed", "home.index", "intake.form",
                      "intake.receipt", "intake.status", "openapi_json", "system.healthz", "system.readyz"]


# --- nobody but an admin changes the registers ----------------------------------------------------

def _snapshot(w):
    """Every admin-editable row, as stored."""
    with Session(w.engine) as s:
        rows = {}
        for model in (User, Organisation, Committee, BusinessArea, Group, MeetingSeries):
            rows[model.__name__] = sorted((r.model_dump() for r in s.exec(select(model))), key=lambda r: r["id"])
        rows["GroupMember"] = sorted((m.group_id, m.user_id, m.chair) for m in s.exec(select(GroupMember)))
        rows["counts"] = {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                          for m in (User, Organisation, Committee, BusinessArea, Group, MeetingSeries, Meeting)}
        return rows


def _admin_posts():
    for key in ADMIN_RESOURCES:
        for action in ("new", "edit", "toggle"):
            yield f"admin.{key}_{action}"
    yield "admin.users_reset_totp"


def _resource(endpoint: str) -> str:
    """The register an admin endpoint belongs to: admin.business_areas_edit → business_areas."""
    return next(key for key in ADMIN_RESOURCES if endpoint.startswith(f"admin.{key}_"))


def _hostile_form(w, endpoint, own_row: bool):
    """A valid form that would take over a row of another organisation (or of one's own)."""
    org = w.own if own_row else w.other
    return {
        "users": {"email": "kapad@example.se", "name": "Kapad", "role": "admin", "organisation_id": "",
                  "password": "ett-nytt-losenord-123"},
        "organisations": {"name": "Kapad förvaltning", "short_name": "KAP", "kind": "company", "email": ""},
        "committees": {"name": "Kapad nämnd", "organisation_id": str(org.id)},
        "business_areas": {"name": "Kapat område", "description": "x", "committee_id": ""},
        "groups": {"name": "Kapad grupp", "kind": "steering_group", "business_area_id": "",
                   "member_ids": [str(w.users[DEPT].id)], "chair_id": str(w.users[DEPT].id)},
        "series": {"name": "Kapad serie", "group_id": str(w.group.id), "rrule": "", "first_date": "",
                   "dates": "2026-12-01", "start_time": "09:00", "end_time": "10:00", "place": "", "video_link": "",
                   "lead_time_days": "5"},
    }[_resource(endpoint)]


def _targets(w, resource, role):
    """Rows of another organisation, and for a department official also their own."""
    own_user = w.users[role].id if role != ANON else w.users[DEPT].id
    return {
        "users": [(w.other_user.id, False), (own_user, True)],
        "organisations": [(w.other.id, False), (w.own.id, True)],
        "committees": [(w.committee.id, False)],
        "business_areas": [(w.area.id, False)],
        "groups": [(w.group.id, False)],
        "series": [(w.series["work"].id, False)],
    }[resource]


@pytest.mark.parametrize("role", [DEPT, COORD, STEER, ANON])
@pytest.mark.parametrize("endpoint", list(_admin_posts()))
def test_only_an_admin_can_change_the_registers(world, endpoint, role):
    resource = _resource(endpoint)
    action = endpoint[len(f"admin.{resource}_"):]
    before = _snapshot(world)
    client, headers = _client(world, role, api=False)
    with world.app.test_request_context():
        urls = ([(url_for(endpoint), False)] if action == "new" else
                [(url_for(endpoint, item_id=item_id), own) for item_id, own in _targets(world, resource, role)])

    for url, own in urls:
        response = client.post(url, data=_hostile_form(world, endpoint, own))
        if role == ANON:
            assert response.status_code == 302 and urlsplit(response.location).path == "/logga-in", url
        else:
            assert response.status_code == 403, url
            assert "Du har inte behörighet till den här sidan." in response.get_data(as_text=True)

    assert _snapshot(world) == before


def test_the_refused_requests_in_the_table_changed_nothing(world):
    """Runs after the table: the empty moves, requests, publications and approvals left the cases,
    the request for escalation and the meetings as they were built."""
    from coordination.cases.models import Case, CaseEvent

    with Session(world.engine) as s:
        levels = {key: s.get(Case, case.id).level for key, case in world.cases.items()}
        kinds = set(s.exec(select(CaseEvent.kind)))
        request = s.get(EscalationRequest, world.request.id)
        agendas = {key: s.exec(select(Agenda.status).where(Agenda.meeting_id == m.id)).first()
                   for key, m in world.meetings.items()}
        minutes = {key: s.exec(select(Minutes.status).where(Minutes.meeting_id == m.id)).all()
                   for key, m in world.meetings.items()}
        meetings = {key: s.get(Meeting, m.id).status for key, m in world.meetings.items()}
        items = {key: s.get(AgendaItem, item_id).state for key, item_id in world.items.items()}
    assert levels == {key: case.level for key, case in world.cases.items()}
    assert kinds == {"received"}
    assert (request.resolved_at, request.outcome) == (None, None)
    assert agendas == {"draft": "draft", "spare-draft": "draft", "published-member": "published",
                       "published-other": "published", "no-agenda": None, "draft-minutes": "published",
                       "approved-minutes": "published", "approved-minutes-other": "published"}
    assert minutes == {"draft": [], "spare-draft": [], "published-member": [], "published-other": [],
                       "no-agenda": [], "draft-minutes": ["draft"], "approved-minutes": ["approved"],
                       "approved-minutes-other": ["approved"]}
    assert set(meetings.values()) == {"planned"}
    assert set(items.values()) == {"current"}


def test_the_refused_requests_left_action_items_companies_and_reports_as_they_were(world):
    """Runs after the table: no action item, planned change, project, contact or report was
    added, no item or report changed state, the contact persons other than the spare one keep
    their names, and the draft report keeps no answers from the empty forms."""
    from coordination.actions.models import ActionItem, ActionNote, PlannedChange
    from coordination.companies.models import (
        Company,
        ContactLogEntry,
        ContactPerson,
        DevelopmentProject,
    )
    from coordination.reports.models import (
        Report,
        ReportAnswer,
        ReportQuestion,
        ReportTemplate,
    )

    with Session(world.engine) as s:
        actions = {a.id: (a.status, a.version) for a in s.exec(select(ActionItem))}
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                  for m in (ActionNote, PlannedChange, Company, ContactLogEntry, ContactPerson, DevelopmentProject,
                            Report, ReportAnswer, ReportTemplate, ReportQuestion)}
        reports = {key: s.get(Report, r.id).status for key, r in world.reports.items()}
        names = set(s.exec(select(ContactPerson.name).where(ContactPerson.id != world.spare_contact.id)))
        confirmed = s.get(Company, world.companies["unlinked"].id).confirmed
    assert actions == {a.id: ("planned", 1) for a in world.actions.values()}
    assert counts == {"ActionNote": 0, "PlannedChange": 1, "Company": 3, "ContactLogEntry": 0, "ContactPerson": 2,
                      "DevelopmentProject": 1, "Report": len(world.reports), "ReportAnswer": 0,
                      "ReportTemplate": 1, "ReportQuestion": 9}
    assert reports == REPORT_STATUS
    assert names == {"Kontaktperson Hemlig"}
    assert confirmed is True


# --- the API's own description agrees with the table ---------------------------------------------

def _openapi_rules(w):
    """The OpenAPI document's operations, each with the URL-map rule that serves it:
    {(path, METHOD): (operation, rule or None)}."""
    spec = w.app.test_client().get("/api/v1/openapi.json").get_json()
    by_path: dict[tuple[str, str], object] = {}
    for rule in w.app.url_map.iter_rules():
        # /api/v1/actions/<int:id> is /api/v1/actions/{id} in the document
        templated = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            by_path[(templated, method)] = rule
    operations = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method.lower() in ("get", "put", "post", "patch", "delete"):
                operations[(path, method.upper())] = (operation, by_path.get((path, method.upper())))
    return spec, operations


def test_every_api_operation_has_a_row_and_the_rows_agree_with_its_security(world):
    """An operation added to the API later appears in the OpenAPI document: it must be served by
    a route with a row in EXPECTED, and the row must say what the document says about security
    (an operation behind bearer answers 401 to anonymous callers and never to a signed-in role;
    one without security is public) and answer only statuses the document lists."""
    spec, operations = _openapi_rules(world)
    assert len(operations) >= 10, sorted(operations)
    unserved = sorted(f"{method} {path}" for (path, method), (_op, rule) in operations.items() if rule is None)
    assert unserved == [], f"documented but no route serves them: {unserved}"
    missing = sorted(rule.endpoint for _op, rule in operations.values() if rule.endpoint not in EXPECTED)
    assert missing == [], f"API operations without a row in EXPECTED: {missing}"
    documented = {rule.endpoint for _op, rule in operations.values()}
    undocumented = sorted({rule.endpoint for rule in world.app.url_map.iter_rules()
                           if rule.rule.startswith("/api/")} - documented - {"openapi_json"})
    assert undocumented == [], f"API routes missing from the OpenAPI document: {undocumented}"

    schemes = spec.get("components", {}).get("securitySchemes", {})
    for (path, method), (operation, rule) in sorted(operations.items()):
        security = operation.get("security", spec.get("security", []))
        assert all(set(requirement) <= set(schemes) for requirement in security), (method, path, security)
        # An empty requirement ({}) among the alternatives means "no credentials needed".
        secured = bool(security) and all(requirement for requirement in security)
        view = world.app.view_functions[rule.endpoint]
        assert view._audience.public is not secured, (method, path, "@allow(public=...) disagrees with the document")
        statuses = {int(code) for code in operation["responses"] if code.isdigit()}
        for variant, row in EXPECTED[rule.endpoint].items():
            answers = {role: expected if isinstance(expected, int) else expected[0] for role, expected in row.items()}
            where = (method, path, variant)
            if secured:
                assert answers[ANON] == 401, where
                assert all(answers[role] != 401 for role in ROLES if role != ANON), where
            else:
                assert 401 not in answers.values() and 403 not in answers.values(), where
            undeclared = {role: status for role, status in answers.items() if status not in statuses}
            assert undeclared == {}, f"{where}: answers the OpenAPI document does not list: {undeclared}"
