"""Reminders of action items, daily digests and in-app notifications as the officials meet them:
which reminder is due on which day (working days across Christmas and New Year 2026/27, lead and
pace per organisation), `reminders send --now` run twice sending once, who gets what (the
responsible person or the organisation's officials, and the organisation's contact address),
each person's choice per kind (e-mail at once, a daily digest, only in the app), Swedish and
English texts, mails with a plain-text and an HTML part and a link to the case, delivery through a
real SMTP server exactly once, the unread count in the header, and the settings page."""

import html as html_lib
import re
import socket
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from coordination.actions import services
from coordination.actions.models import ActionItem
from coordination.actions.reminders import reminder_step
from coordination.clock import STOCKHOLM, WorkingDays
from coordination.notifications.models import Notification, NotificationPreference
from coordination.notifications.services import Message, notify, set_preferences
from coordination.outbox.mailer import SmtpMailer
from coordination.outbox.models import OutboxMessage
from coordination.outbox.services import send_due
from tests import factories
from tests.conftest import fresh, sign_in

BASE = "https://samordning.example.se"
SENDER = "samordning@stockholm.se"
WD = WorkingDays()

# --- which reminder on which day -----------------------------------------------------------------------
# December 2026 / January 2027 (working days marked *):
#   Mon 21* Tue 22* Wed 23* Thu 24 julafton  Fri 25 juldagen  Sat 26 Sun 27
#   Mon 28* Tue 29* Wed 30* Thu 31 nyårsafton  Fri 1 nyårsdagen  Sat 2 Sun 3
#   Mon 4*  Tue 5*  Wed 6 trettondedag jul  Thu 7* Fri 8*  Mon 11* … Fri 15*  Mon 18*

D = date

STEPS = [
    # due          today        lead pace  step
    (D(2026, 12, 30), D(2026, 12, 22), 3, 5, None),          # 4 working days before
    (D(2026, 12, 30), D(2026, 12, 23), 3, 5, "before"),      # 29, 28, 23: the 3rd working day before
    (D(2026, 12, 30), D(2026, 12, 24), 3, 5, "before"),      # still "before" (one key: sent once)
    (D(2026, 12, 30), D(2026, 12, 29), 3, 5, "before"),
    (D(2026, 12, 30), D(2026, 12, 30), 3, 5, "due"),
    (D(2026, 12, 30), D(2026, 12, 31), 3, 5, "overdue-0"),   # overdue at once, even on nyårsafton
    (D(2026, 12, 30), D(2027, 1, 1), 3, 5, "overdue-0"),
    (D(2026, 12, 30), D(2027, 1, 4), 3, 5, "overdue-0"),     # 1 working day late
    (D(2026, 12, 30), D(2027, 1, 8), 3, 5, "overdue-0"),     # 4 (Jan 6 is a holiday)
    (D(2026, 12, 30), D(2027, 1, 11), 3, 5, "overdue-1"),    # 5 working days late
    (D(2026, 12, 30), D(2027, 1, 15), 3, 5, "overdue-1"),    # 9
    (D(2026, 12, 30), D(2027, 1, 18), 3, 5, "overdue-2"),    # 10
    # Due on the first working day after New Year, one day's lead.
    (D(2027, 1, 4), D(2026, 12, 29), 1, 5, None),
    (D(2027, 1, 4), D(2026, 12, 30), 1, 5, "before"),        # Dec 31 and Jan 1 are days off
    (D(2027, 1, 4), D(2027, 1, 2), 1, 5, "before"),
    (D(2027, 1, 4), D(2027, 1, 4), 1, 5, "due"),
    (D(2027, 1, 4), D(2027, 1, 5), 1, 5, "overdue-0"),
    # Ten days' lead reaches back past Christmas.
    (D(2027, 1, 8), D(2026, 12, 17), 10, 5, None),
    (D(2027, 1, 8), D(2026, 12, 18), 10, 5, "before"),       # 7, 5, 4, 30, 29, 28, 23, 22, 21, 18
    # A pace of two working days.
    (D(2026, 12, 23), D(2026, 12, 24), 3, 2, "overdue-0"),
    (D(2026, 12, 23), D(2026, 12, 28), 3, 2, "overdue-0"),   # 1
    (D(2026, 12, 23), D(2026, 12, 29), 3, 2, "overdue-1"),   # 2
    (D(2026, 12, 23), D(2026, 12, 30), 3, 2, "overdue-1"),   # 3
    (D(2026, 12, 23), D(2027, 1, 4), 3, 2, "overdue-2"),     # 4: Dec 31 and Jan 1 do not count
    (D(2026, 12, 23), D(2027, 1, 7), 3, 2, "overdue-3"),     # 6: Jan 6 does not count
    # No lead: nothing before the due date.
    (D(2026, 12, 30), D(2026, 12, 29), 0, 5, None),
]


@pytest.mark.parametrize("due, today, lead, pace, step", STEPS,
                         ids=[f"due {s[0]} on {s[1]} lead {s[2]} pace {s[3]}" for s in STEPS])
def test_which_reminder_is_due_on_which_day(due, today, lead, pace, step):
    assert reminder_step(due, today, before=lead, pace=pace, working_days=WD) == step


# --- helpers -------------------------------------------------------------------------------------------

def sthlm(y, m, d, hh=7, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def flashes(response) -> list[str]:
    return [html_lib.unescape(m) for m in
            re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', response.get_data(as_text=True))]


def send_reminders_cli(app, now: str) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--now", now])
    assert result.exit_code == 0, result.output
    return result.output


def notifications(app) -> list[Notification]:
    with fresh(app) as s:
        return list(s.exec(select(Notification).order_by(Notification.id)))


def mails(app) -> list[OutboxMessage]:
    with fresh(app) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def who_got(app, users) -> dict[str, list[str]]:
    """In-app notification texts per person's name."""
    names = {u.id: u.name for u in users}
    result: dict[str, list[str]] = {}
    for note in notifications(app):
        result.setdefault(names.get(note.user_id, note.user_id), []).append(note.text_sv)
    return result


def mailed(app) -> dict[str, list[str]]:
    """Subjects per recipient, as queued in the outbox."""
    result: dict[str, list[str]] = {}
    for mail in mails(app):
        result.setdefault(mail.recipient, []).append(mail.subject)
    return result


# --- the world ----------------------------------------------------------------------------------------

@pytest.fixture
def app(make_app, tmp_path):
    return make_app(BASE_URL=BASE, ATTACHMENTS_DIR=str(tmp_path / "bilagor"))


@pytest.fixture
def w(session, clock):
    w = SimpleNamespace()
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK", email="tk-kontakt@example.se")
    w.expl = factories.organisation(session, name="Exploateringskontoret", short_name="EXPL",
                                    reminder_before_days=1, reminder_pace_days=2)
    w.coordinator = factories.user(session, "coordinator", name="Sara Samordnare", email="sara@example.se")
    w.tomas = factories.user(session, "department", organisation_id=w.tk.id, name="Tomas Trafik",
                             email="tomas@example.se")
    w.tina = factories.user(session, "department", organisation_id=w.tk.id, name="Tina Trafik",
                            email="tina@example.se")
    w.eva = factories.user(session, "department", organisation_id=w.expl.id, name="Eva Expl",
                           email="eva@example.se")
    w.steering = factories.user(session, "steering", organisation_id=w.tk.id, name="Stig Styr",
                                email="stig@example.se")
    w.case = factories.case(session, clock=clock, title="Skyltning saknas vid lastkajen", level=1,
                            organisations=[w.tk, w.expl])
    session.commit()
    w.people = [w.coordinator, w.tomas, w.tina, w.eva, w.steering]
    return w


def add_action(session, clock, w, org, *, title, due, responsible=None):
    action = services.create_action(session, w.case, actor=w.coordinator, organisation_id=org.id, title=title,
                                    due_date=due, responsible_user_id=responsible.id if responsible else None,
                                    clock=clock)
    session.commit()
    return action


# --- reminders through the command line -----------------------------------------------------------------

def test_each_organisation_has_its_own_lead_and_pace_across_the_holidays(app, session, clock, w):
    """Run every weekday morning at 07:00 as the job process does, Dec 21 to Jan 15."""
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 12, 30), responsible=w.tomas)
    add_action(session, clock, w, w.expl, title="Markbesked", due=date(2026, 12, 30), responsible=w.eva)
    received: dict[str, list[tuple[date, str]]] = {"Tomas": [], "Eva": []}
    seen = 0
    day = date(2026, 12, 21)
    while day <= date(2027, 1, 15):
        if day.weekday() < 5:
            send_reminders_cli(app, f"{day.isoformat()}T07:00")
            new = notifications(app)[seen:]
            seen += len(new)
            for note in new:
                person = "Tomas" if note.user_id == w.tomas.id else "Eva"
                received[person].append((day, note.text_sv.split(":")[0]))
        day += timedelta(days=1)

    assert received["Tomas"] == [(D(2026, 12, 23), "Påminnelse"), (D(2026, 12, 30), "Idag"),
                                 (D(2026, 12, 31), "Försenad"), (D(2027, 1, 11), "Försenad")]
    assert received["Eva"] == [(D(2026, 12, 29), "Påminnelse"), (D(2026, 12, 30), "Idag"),
                               (D(2026, 12, 31), "Försenad"), (D(2027, 1, 5), "Försenad"),
                               (D(2027, 1, 8), "Försenad"), (D(2027, 1, 12), "Försenad"),
                               (D(2027, 1, 14), "Försenad")]
    # Trafikkontoret's contact address follows Trafikkontoret's pace; Exploateringskontoret has none.
    assert [m.created_at.astimezone(STOCKHOLM).date() for m in mails(app) if m.recipient == "tk-kontakt@example.se"] \
        == [D(2026, 12, 23), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 11)]


def test_reminders_send_twice_at_the_same_now_queues_everything_once(app, session, clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 12, 23), responsible=w.tomas)
    add_action(session, clock, w, w.tk, title="Bommar", due=date(2026, 12, 18))
    add_action(session, clock, w, w.expl, title="Markbesked", due=date(2026, 12, 24))

    first = send_reminders_cli(app, "2026-12-23T07:00")
    notes_after_first = [(n.user_id, n.dedupe_key, n.text_sv) for n in notifications(app)]
    mails_after_first = [(m.recipient, m.dedupe_key, m.subject, m.body_text) for m in mails(app)]
    second = send_reminders_cli(app, "2026-12-23T07:00")

    assert "reminders: 3 action items" in first
    assert [(n.user_id, n.dedupe_key, n.text_sv) for n in notifications(app)] == notes_after_first
    assert [(m.recipient, m.dedupe_key, m.subject, m.body_text) for m in mails(app)] == mails_after_first
    assert "reminders:" in second
    assert len(notes_after_first) == 1 + 2 + 1  # Tomas; Tomas and Tina; Eva
    assert sorted(r for r, *_ in mails_after_first) == \
        sorted(["tomas@example.se", "tomas@example.se", "tina@example.se", "eva@example.se",
                "tk-kontakt@example.se", "tk-kontakt@example.se"])
    # A later run the same day adds nothing either.
    send_reminders_cli(app, "2026-12-23T16:30")
    assert len(notifications(app)) == len(notes_after_first) and len(mails(app)) == len(mails_after_first)


def test_the_responsible_person_or_else_the_organisations_officials_and_its_contact_address(app, session,
                                                                                           clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 30), responsible=w.tina)
    add_action(session, clock, w, w.tk, title="Bommar", due=date(2026, 11, 30))
    add_action(session, clock, w, w.expl, title="Markbesked", due=date(2026, 11, 30))
    done = add_action(session, clock, w, w.tk, title="Redan klart", due=date(2026, 11, 30), responsible=w.tomas)
    services.update_action(session, session.get(ActionItem, done.id), services.ActionChange(status="done", note=""),
                           actor=w.tomas, clock=clock, expected_version=1)
    session.commit()

    send_reminders_cli(app, "2026-11-30T07:00")

    due = 'Idag: åtgärden "{}" (SBR 2026/0001) ska vara klar 2026-11-30.'
    assert who_got(app, w.people) == {
        "Tina Trafik": [due.format("Skyltar"), due.format("Bommar")],
        "Tomas Trafik": [due.format("Bommar")],
        "Eva Expl": [due.format("Markbesked")],
    }
    assert mailed(app) == {
        "tina@example.se": [due.format("Skyltar"), due.format("Bommar")],
        "tomas@example.se": [due.format("Bommar")],
        "eva@example.se": [due.format("Markbesked")],
        "tk-kontakt@example.se": [due.format("Skyltar"), due.format("Bommar")],
    }


def test_a_deactivated_responsible_person_is_replaced_by_the_officials(app, session, clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 30), responsible=w.tina)
    w.tina.active = False
    session.add(w.tina)
    session.commit()

    send_reminders_cli(app, "2026-11-30T07:00")

    assert set(who_got(app, w.people)) == {"Tomas Trafik"}
    assert "tina@example.se" not in mailed(app)


def test_each_person_chooses_email_digest_or_app_per_kind(app, session, clock, w):
    set_preferences(session, w.tina.id, {"reminder": "digest"})
    set_preferences(session, w.eva.id, {"reminder": "app"})
    set_preferences(session, w.tomas.id, {"reminder": "email", "rule": "digest"})
    session.commit()
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 12, 23), responsible=w.tina)
    add_action(session, clock, w, w.tk, title="Bommar", due=date(2026, 12, 23), responsible=w.tomas)
    add_action(session, clock, w, w.expl, title="Markbesked", due=date(2026, 12, 22), responsible=w.eva)

    send_reminders_cli(app, "2026-12-21T07:00")

    # Everyone has the reminder in the app.
    assert {name: len(texts) for name, texts in who_got(app, w.people).items()} == \
        {"Tina Trafik": 1, "Tomas Trafik": 1, "Eva Expl": 1}
    by_kind = {(m.recipient, m.kind) for m in mails(app)}
    # Tomas: a mail at once (reminders by e-mail; his digest choice is for another kind).
    assert ("tomas@example.se", "reminder") in by_kind and ("tomas@example.se", "digest") not in by_kind
    # Eva: only in the app.
    assert not any(r == "eva@example.se" for r, _k in by_kind)
    # Tina: no mail at once, but today's digest lists the reminder.
    assert ("tina@example.se", "reminder") not in by_kind
    [digest] = [m for m in mails(app) if m.recipient == "tina@example.se"]
    assert digest.kind == "digest" and digest.subject == "Daglig sammanfattning: 1 notiser"
    assert '- Påminnelse: åtgärden "Skyltar" (SBR 2026/0001) ska vara klar 2026-12-23.' in digest.body_text
    assert f"{BASE}/notiser" in digest.body_text

    # Later the same day a new item is due today: Tina is notified, but gets no second digest.
    clock.at = sthlm(2026, 12, 21, 11)
    add_action(session, clock, w, w.tk, title="Lampor", due=date(2026, 12, 21), responsible=w.tina)
    send_reminders_cli(app, "2026-12-21T15:00")
    assert len(who_got(app, w.people)["Tina Trafik"]) == 2
    assert [m.kind for m in mails(app) if m.recipient == "tina@example.se"] == ["digest"]

    # The next morning's digest has what waited, and the new reminders of the day.
    send_reminders_cli(app, "2026-12-22T07:00")
    digests = [m for m in mails(app) if m.recipient == "tina@example.se"]
    assert [m.kind for m in digests] == ["digest", "digest"]
    second = digests[1]
    assert second.subject == "Daglig sammanfattning: 2 notiser"
    # Each item with the link to its case under it.
    assert second.body_text.splitlines()[:4] == [
        '- Idag: åtgärden "Lampor" (SBR 2026/0001) ska vara klar 2026-12-21.',
        '  https://samordning.example.se/arenden/SBR-2026-0001',
        '- Försenad: åtgärden "Lampor" (SBR 2026/0001) skulle ha varit klar 2026-12-21.',
        '  https://samordning.example.se/arenden/SBR-2026-0001']
    assert "Skyltar" not in second.body_text  # already in yesterday's digest
    # Run again that morning: still one digest a day.
    send_reminders_cli(app, "2026-12-22T07:05")
    assert len([m for m in mails(app) if m.recipient == "tina@example.se"]) == 2


def test_a_person_who_chose_english_gets_english_mails(app, session, clock, w):
    erik = factories.user(session, "department", organisation_id=w.expl.id, name="Erik English",
                          email="erik@example.se", locale="en")
    set_preferences(session, w.eva.id, {"reminder": "digest"})
    set_preferences(session, erik.id, {"rule": "digest"})
    session.commit()
    add_action(session, clock, w, w.expl, title="Markbesked", due=date(2026, 12, 2))

    send_reminders_cli(app, "2026-12-01T07:00")

    [to_erik] = [m for m in mails(app) if m.recipient == "erik@example.se"]
    assert to_erik.subject == 'Reminder: the action item "Markbesked" (SBR 2026/0001) is due on 2026-12-02.'
    assert to_erik.body_text.startswith('Reminder: the action item "Markbesked"')
    # Eva (Swedish) has it in her digest in Swedish; Erik's digest of rule notifications, in English.
    with fresh(app) as s:
        notify(s, [(Message(kind="rule", key="rule:R2:test", case_id=w.case.id, text_sv="Lyft till nivå 2.",
                            text_en="Moved to level 2.", link=f"{BASE}/arenden/SBR-2026-0001"), [erik])],
               now=sthlm(2026, 12, 1, 9))
        s.commit()
    send_reminders_cli(app, "2026-12-02T07:00")
    [erik_digest] = [m for m in mails(app) if m.recipient == "erik@example.se" and m.kind == "digest"]
    assert erik_digest.subject == "Daily summary: 1 notifications"
    assert "- Moved to level 2." in erik_digest.body_text
    eva_digests = [m for m in mails(app) if m.recipient == "eva@example.se"]
    assert [m.subject for m in eva_digests] == ["Daglig sammanfattning: 1 notiser"] * 2
    assert eva_digests[0].body_text.startswith('- Påminnelse: åtgärden "Markbesked"')
    assert eva_digests[1].body_text.startswith('- Idag: åtgärden "Markbesked"')


def test_a_reminder_mail_has_text_and_html_with_a_link_to_the_case(app, session, clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 30), responsible=w.tomas)

    send_reminders_cli(app, "2026-11-30T07:00")

    link = f"{BASE}/arenden/SBR-2026-0001"
    for mail in mails(app):
        assert mail.subject == 'Idag: åtgärden "Skyltar" (SBR 2026/0001) ska vara klar 2026-11-30.'
        assert link in mail.body_text
        assert f'<a href="{link}">' in mail.body_html
        assert "Skyltar" in mail.body_html and mail.case_id == w.case.id
    assert sorted(m.recipient for m in mails(app)) == ["tk-kontakt@example.se", "tomas@example.se"]


def test_the_organisations_contact_mail_shows_the_title_as_text(app, session, clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar <b>Ågesta</b> & bommar", due=date(2026, 11, 30))

    send_reminders_cli(app, "2026-11-30T07:00")

    [to_org] = [m for m in mails(app) if m.recipient == "tk-kontakt@example.se"]
    assert "Skyltar &lt;b&gt;Ågesta&lt;/b&gt; &amp; bommar" in to_org.body_html
    assert "<b>" not in to_org.body_html


def test_a_digest_links_each_item_to_its_case(app, session, clock, w):
    set_preferences(session, w.tomas.id, {"reminder": "digest"})
    session.commit()
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 30), responsible=w.tomas)

    send_reminders_cli(app, "2026-11-30T07:00")

    [digest] = [m for m in mails(app) if m.recipient == "tomas@example.se"]
    assert f"{BASE}/arenden/SBR-2026-0001" in digest.body_text
    assert f'<a href="{BASE}/arenden/SBR-2026-0001">' in digest.body_html


# --- through a real SMTP server --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def deliver(app, smtp, clock):
    mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, use_tls=False, username=None, password=None, timeout=10)
    with fresh(app) as s:
        return send_due(s, mailer=mailer, clock=clock, sender=SENDER)


def parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_receipt_reminder_and_digest_reach_a_real_smtp_server_once(app, session, clock, w, smtp):
    # A company's receipt.
    response = app.test_client().post("/lamna-arende", data={
        "company_name": "Högdalens Bageri AB", "contact_name": "Åsa Öberg", "contact_email": "asa@bageri.example.se",
        "business_area_id": "", "title": "Snöröjning saknas", "description": "Lastbilar kommer inte fram.",
        "consent": "y"})
    assert response.status_code == 302
    # A reminder to Tomas (at once), and Tina's digest.
    set_preferences(session, w.tina.id, {"reminder": "digest"})
    session.commit()
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 26), responsible=w.tomas)
    add_action(session, clock, w, w.tk, title="Bommar", due=date(2026, 11, 26), responsible=w.tina)
    send_reminders_cli(app, "2026-11-23T07:00")
    clock.at = sthlm(2026, 11, 23, 10, 1)  # the form was sent at 10:00, the reminders at 07:00

    first = deliver(app, smtp, clock)
    second = deliver(app, smtp, clock)
    send_reminders_cli(app, "2026-11-23T07:00")
    third = deliver(app, smtp, clock)

    assert first == {"sent": 5, "failed": 0}
    assert second == third == {"sent": 0, "failed": 0}
    assert sorted(to for _f, to, _m in smtp.messages) == [
        ["asa@bageri.example.se"], ["tina@example.se"], ["tk-kontakt@example.se"], ["tk-kontakt@example.se"],
        ["tomas@example.se"]]
    received = {to[0]: m for _f, to, m in smtp.messages}
    for mail_from, _to, message in smtp.messages:
        assert mail_from == SENDER and message.get_content_type() == "multipart/alternative"

    receipt = received["asa@bageri.example.se"]
    assert receipt["Subject"] == "Vi har tagit emot ert ärende SBR 2026/0002"
    text, html = parts(receipt)
    assert "Diarienummer: SBR 2026/0002" in text and "SBR 2026/0002" in html

    reminder = received["tomas@example.se"]
    assert reminder["Subject"] == 'Påminnelse: åtgärden "Skyltar" (SBR 2026/0001) ska vara klar 2026-11-26.'
    text, html = parts(reminder)
    assert f"{BASE}/arenden/SBR-2026-0001" in text and f'<a href="{BASE}/arenden/SBR-2026-0001">' in html

    digest = received["tina@example.se"]
    assert digest["Subject"] == "Daglig sammanfattning: 1 notiser"
    text, html = parts(digest)
    assert 'Påminnelse: åtgärden "Bommar" (SBR 2026/0001) ska vara klar 2026-11-26.' in text
    assert ('<li><a href="https://samordning.example.se/arenden/SBR-2026-0001">Påminnelse: åtgärden &quot;Bommar&quot; '
            '(SBR 2026/0001) ska vara klar 2026-11-26.</a></li>') in html
    assert {m.status for m in mails(app)} == {"sent"}


# --- in the app -------------------------------------------------------------------------------------------

def test_the_header_shows_the_unread_count_and_reading_all_clears_it(app, session, clock, w):
    add_action(session, clock, w, w.tk, title="Skyltar", due=date(2026, 11, 23), responsible=w.tomas)
    send_reminders_cli(app, "2026-11-23T07:00")
    client = sign_in(app.test_client(), w.tomas)

    home = text_of(client.get("/"))
    assert "Notiser 1 olästa" in home
    page = client.get("/notiser")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/arenden/SBR-2026-0001"' in html
    assert 'Idag: åtgärden "Skyltar" (SBR 2026/0001) ska vara klar 2026-11-23.' in text_of(page)
    # Another person's notifications are not counted or shown.
    other = sign_in(app.test_client(), w.eva)
    assert "olästa" not in text_of(other.get("/")) and "Skyltar" not in text_of(other.get("/notiser"))

    marked = client.post("/notiser/last", follow_redirects=True)

    assert "Alla notiser är markerade som lästa." in flashes(marked)
    assert "olästa" not in text_of(client.get("/"))
    assert all(n.read_at is not None for n in notifications(app))
    assert 'Idag: åtgärden "Skyltar"' in text_of(client.get("/notiser"))  # still listed, as read


def test_the_settings_page_saves_choices_and_refuses_unknown_modes(app, session, w):
    client = sign_in(app.test_client(), w.tina)
    page = client.get("/notiser/installningar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Nothing chosen yet: e-mail at once for every kind.
    assert len(re.findall(r'value="email" checked', html)) == 4

    saved = client.post("/notiser/installningar", data={"rule": "app", "reminder": "digest",
                                                        "escalation_request": "email",
                                                        "agenda_published": "app"}, follow_redirects=True)

    assert "Dina val sparades." in flashes(saved)
    html = saved.get_data(as_text=True)
    assert 'id="reminder-digest" value="digest" checked' in html and 'id="rule-app" value="app" checked' in html
    with fresh(app) as s:
        chosen = {p.kind: p.mode for p in s.exec(select(NotificationPreference)
                                                  .where(NotificationPreference.user_id == w.tina.id))}
    assert chosen == {"rule": "app", "reminder": "digest", "escalation_request": "email",
                      "agenda_published": "app"}

    refused = client.post("/notiser/installningar", data={"rule": "email", "reminder": "weekly",
                                                          "escalation_request": "email",
                                                          "agenda_published": "email"})
    assert refused.status_code in (200, 400)
    assert "Välj ett av alternativen för varje slag." in flashes(refused)
    missing = client.post("/notiser/installningar", data={"reminder": "email"})
    assert "Välj ett av alternativen för varje slag." in flashes(missing)
    with fresh(app) as s:
        after = {p.kind: p.mode for p in s.exec(select(NotificationPreference)
                                                 .where(NotificationPreference.user_id == w.tina.id))}
    assert after == chosen  # nothing of the refused choices stored
    assert app.test_client().get("/notiser/installningar").status_code == 302  # anonymous: to the login
