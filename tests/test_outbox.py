"""The outbox as the people it serves notice it: a mail is written with the change that causes
it (and not without it), leaves through a real SMTP server once and only once even with two
senders, is retried with growing pauses when the server refuses, and after the last try waits
on the admin page until someone sends it again. Nothing is lost on the way."""

import asyncio
import re
import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func
from sqlmodel import Session, select

from coordination.cases.intake import Submission, submit_case
from coordination.cases.services import Submitter
from coordination.outbox import services as outbox
from coordination.outbox.mailer import SmtpMailer
from coordination.outbox.models import OutboxMessage
from coordination.outbox.services import MAX_ATTEMPTS, queue_mail, send_due
from coordination.scheduler import run_job, send_mail_job
from tests import factories
from tests.conftest import PG_URL, sign_in

SENDER = "samordning@stockholm.se"


# --- a real SMTP server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every accepted message and refuses listed recipients."""

    def __init__(self, delay: float = 0.0):
        self.messages = []
        self.refuse: set[str] = set()
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [m["Subject"] for _f, _t, m in self.messages]


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def mailer_for(port: int) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=port, use_tls=False, username=None, password=None, timeout=10)


@pytest.fixture
def refusing_port():
    """A port nobody listens on: the connection is refused."""
    return free_port()


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(ATTACHMENTS_DIR=str(tmp_path / "bilagor"))


def send(app, mailer, clock, **kwargs):
    """One run of the job process's sender, with its own session as the job has."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        return send_due(s, mailer=mailer, clock=clock, sender=SENDER, **kwargs)


def rows(app) -> list[OutboxMessage]:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue(session, clock, n=1, **values):
    for i in range(n):
        queue_mail(session, **{"kind": "receipt", "dedupe_key": f"test:{i}", "recipient": f"foretag{i}@example.se",
                               "subject": f"Meddelande {i}", "body_text": f"Hej nummer {i}",
                               "body_html": f"<p>Hej nummer {i}</p>", "now": clock.now(), **values})
    session.commit()


# --- written with its cause ---------------------------------------------------------------------

def test_the_same_cause_queued_twice_is_one_mail(app, session, clock):
    queue_mail(session, kind="receipt", dedupe_key="receipt:1", recipient="a@example.se", subject="Första",
               body_text="1", body_html="<p>1</p>", now=clock.now())
    queue_mail(session, kind="receipt", dedupe_key="receipt:1", recipient="a@example.se", subject="Andra",
               body_text="2", body_html="<p>2</p>", now=clock.now())
    session.commit()
    queue_mail(session, kind="receipt", dedupe_key="receipt:1", recipient="b@example.se", subject="Tredje",
               body_text="3", body_html="<p>3</p>", now=clock.now())
    queue_mail(session, kind="receipt", dedupe_key="receipt:2", recipient="a@example.se", subject="Annan orsak",
               body_text="4", body_html="<p>4</p>", now=clock.now())
    session.commit()

    assert [(m.dedupe_key, m.recipient, m.subject, m.status) for m in rows(app)] == [
        ("receipt:1", "a@example.se", "Första", "pending"), ("receipt:2", "a@example.se", "Annan orsak", "pending")]


def test_a_mail_whose_cause_is_rolled_back_is_not_sent(app, session, clock, tmp_path, smtp):
    from coordination.cases.attachments import AttachmentStore
    from coordination.cases.models import Case

    submit_case(session, Submission(submitter=Submitter(company_name="Bageriet AB", contact_name="Åsa",
                                                        contact_email="asa@example.se"),
                                    business_area_id=None, title="Snöröjning", description="Ingen snöröjning"),
                [], store=AttachmentStore(tmp_path), clock=clock, status_url=lambda t: f"http://x/status/{t}")
    session.rollback()

    assert send(app, mailer_for(smtp.port), clock) == {"sent": 0, "failed": 0}
    assert rows(app) == [] and smtp.messages == []
    assert session.exec(select(func.count()).select_from(Case)).one() == 0


# --- sent through SMTP ------------------------------------------------------------------------------

def test_a_receipt_from_the_form_reaches_the_smtp_server_with_text_and_html(make_app, tmp_path, clock, smtp):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path), MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER=SENDER)
    client = app.test_client()
    response = client.post("/lamna-arende", data={
        "company_name": "Högdalens Bageri AB", "contact_name": "Åsa Öberg", "contact_email": "asa@bageri.example.se",
        "business_area_id": "", "title": "Snöröjning saknas", "description": "Lastbilar kommer inte fram.",
        "consent": "y"})
    assert response.status_code == 302
    token = re.search(r"/status/([A-Za-z0-9_\-]+)", client.get("/lamna-arende/kvitto").get_data(as_text=True))[1]
    assert smtp.messages == []  # nothing leaves with the request: the job process sends

    run_job(app, "outbox", send_mail_job(app))

    assert len(smtp.messages) == 1
    mail_from, rcpt_tos, message = smtp.messages[0]
    assert (mail_from, rcpt_tos) == (SENDER, ["asa@bageri.example.se"])
    assert message["Subject"] == "Vi har tagit emot ert ärende SBR 2026/0001"
    assert message["To"] == "asa@bageri.example.se" and message["From"] == SENDER
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    url = f"http://localhost/status/{token}"
    assert "Diarienummer: SBR 2026/0001" in text and url in text
    assert f'<a href="{url}">' in html and "SBR 2026/0001" in html
    [row] = rows(app)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, clock.now(), None)

    # The next run finds nothing to send.
    run_job(app, "outbox", send_mail_job(app))
    assert len(smtp.messages) == 1


def test_two_senders_at_the_same_time_send_each_mail_once(app, session, clock, smtp):
    queue(session, clock, n=3)
    real = mailer_for(smtp.port)
    second_run = {}

    class SecondSenderMidway:
        """While the first sender is talking to the server, a second job process runs."""

        def send(self, message):
            if not second_run:
                second_run["counts"] = send(app, real, clock)
            real.send(message)

    first = send(app, SecondSenderMidway(), clock)

    assert second_run["counts"] == {"sent": 0, "failed": 0}
    assert first == {"sent": 3, "failed": 0}
    assert sorted(smtp.subjects()) == ["Meddelande 0", "Meddelande 1", "Meddelande 2"]
    assert [(m.status, m.attempts) for m in rows(app)] == [("sent", 1)] * 3


def test_a_mail_claimed_by_a_sender_that_died_is_sent_after_the_claim_runs_out(app, session, clock, smtp):
    queue(session, clock, n=1)

    class DiesMidway:
        def send(self, message):
            raise KeyboardInterrupt  # the process is killed: not an SMTP error, nothing is recorded

    with pytest.raises(KeyboardInterrupt):
        send(app, DiesMidway(), clock)
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 0, "failed": 0}  # still claimed

    clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 1, "failed": 0}
    assert smtp.subjects() == ["Meddelande 0"]
    assert rows(app)[0].status == "sent"


def test_one_run_claims_at_most_a_batch_so_another_sender_can_share_the_work(app, session, clock, smtp):
    queue(session, clock, n=5)

    assert send(app, mailer_for(smtp.port), clock, batch=2) == {"sent": 2, "failed": 0}

    assert [m.status for m in rows(app)] == ["sent", "sent", "pending", "pending", "pending"]
    assert [m.claim_token for m in rows(app)][2:] == [None, None, None]  # the rest is free for others
    assert send(app, mailer_for(smtp.port), clock, batch=2) == {"sent": 2, "failed": 0}
    assert len(smtp.messages) == 4


def test_a_sender_slower_than_its_claim_does_not_make_another_send_the_same_mails(app, session, clock, smtp):
    queue(session, clock, n=20)
    real = mailer_for(smtp.port)
    start = clock.now()
    other = {}

    class SlowServer:
        """Each delivery takes 20 seconds; when the claim has run out, the other job process runs."""

        def send(self, message):
            clock.advance(timedelta(seconds=20))
            if not other and clock.now() > start + timedelta(seconds=outbox.CLAIM_SECONDS):
                other["counts"] = send(app, real, clock)
            real.send(message)

    send(app, SlowServer(), clock)

    subjects = smtp.subjects()
    assert sorted(subjects) == sorted(f"Meddelande {i}" for i in range(20)), \
        sorted({s for s in subjects if subjects.count(s) > 1})
    assert {(m.status, m.attempts) for m in rows(app)} == {("sent", 1)}


# --- a server that refuses ----------------------------------------------------------------------

def test_a_refused_connection_is_retried_later_with_growing_pauses(app, session, clock, refusing_port, smtp):
    queue(session, clock, n=1)
    start = clock.now()

    assert send(app, mailer_for(refusing_port), clock) == {"sent": 0, "failed": 1}

    [row] = rows(app)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "ConnectionRefused" in row.last_error
    assert row.next_attempt_at == start + timedelta(minutes=1)
    assert (row.claim_token, row.claimed_until) == (None, None)

    # Not due yet: a run now tries nothing.
    assert send(app, mailer_for(refusing_port), clock) == {"sent": 0, "failed": 0}
    assert rows(app)[0].attempts == 1

    clock.advance(timedelta(minutes=1))
    assert send(app, mailer_for(refusing_port), clock) == {"sent": 0, "failed": 1}
    row = rows(app)[0]
    assert (row.attempts, row.next_attempt_at) == (2, clock.now() + timedelta(minutes=2))

    # The server is back: the next due run delivers it, once.
    clock.advance(timedelta(minutes=2))
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 1, "failed": 0}
    assert smtp.subjects() == ["Meddelande 0"]
    row = rows(app)[0]
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, clock.now())


def test_a_refused_recipient_does_not_hold_up_the_others(app, session, clock, smtp):
    queue(session, clock, n=3)
    smtp.refuse.add("foretag1@example.se")

    assert send(app, mailer_for(smtp.port), clock) == {"sent": 2, "failed": 1}

    assert sorted(smtp.subjects()) == ["Meddelande 0", "Meddelande 2"]
    statuses = [(m.recipient, m.status, m.attempts) for m in rows(app)]
    assert statuses == [("foretag0@example.se", "sent", 1), ("foretag1@example.se", "pending", 1),
                        ("foretag2@example.se", "sent", 1)]
    assert "550" in rows(app)[1].last_error


def test_after_the_last_try_the_mail_waits_on_the_admin_page_until_it_is_sent_again(app, session, clock,
                                                                                   refusing_port, smtp):
    queue(session, clock, n=1, recipient="bageriet@example.se", subject="Vi har tagit emot ert ärende SBR 2026/0007")
    admin = factories.user(session, "admin")
    session.commit()
    pauses = []

    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send(app, mailer_for(refusing_port), clock) == {"sent": 0, "failed": 1}
        row = rows(app)[0]
        assert row.attempts == attempt
        pauses.append(row.next_attempt_at - clock.now())
        clock.at = row.next_attempt_at

    assert pauses == [timedelta(minutes=2 ** n) for n in range(MAX_ATTEMPTS)]  # 1, 2, 4, … minutes
    assert rows(app)[0].status == "failed"
    # A failed mail is not tried again by itself, however long one waits.
    clock.advance(timedelta(days=3))
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 0, "failed": 0}
    assert smtp.messages == []

    client = sign_in(app.test_client(), admin)
    page = client.get("/admin/utkorg")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "bageriet@example.se" in html and "Vi har tagit emot ert ärende SBR 2026/0007" in html
    assert "gav upp" in html and "ConnectionRefused" in html and "Skicka igen" in html
    assert re.search(r'stat-value">1</span> <span class="stat-label">misslyckade', html)

    message_id = rows(app)[0].id
    retried = client.post(f"/admin/utkorg/{message_id}/forsok-igen")

    assert retried.status_code == 302 and retried.location.endswith("/admin/utkorg")
    assert "Meddelandet skickas igen inom en minut." in client.get("/admin/utkorg").get_data(as_text=True)
    row = rows(app)[0]
    assert (row.status, row.attempts) == ("pending", 0)
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 1, "failed": 0}
    assert smtp.subjects() == ["Vi har tagit emot ert ärende SBR 2026/0007"]
    assert rows(app)[0].status == "sent"

    # A mail that did not fail cannot be "sent again" (it would go twice).
    again = client.post(f"/admin/utkorg/{message_id}/forsok-igen", follow_redirects=True)
    assert "Bara misslyckade meddelanden kan skickas igen." in again.get_data(as_text=True)
    assert rows(app)[0].status == "sent"
    assert send(app, mailer_for(smtp.port), clock) == {"sent": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_only_an_admin_sees_and_retries_the_outbox(app, session, clock):
    queue(session, clock, n=1)
    coordinator = factories.user(session, "coordinator")
    session.commit()
    with Session(app.extensions["db_engine"]) as s:
        row = s.exec(select(OutboxMessage)).one()
        row.status, row.attempts = "failed", MAX_ATTEMPTS
        s.add(row)
        s.commit()
        message_id = row.id
    client = sign_in(app.test_client(), coordinator)

    assert client.get("/admin/utkorg").status_code == 403
    assert client.post(f"/admin/utkorg/{message_id}/forsok-igen").status_code == 403
    assert rows(app)[0].status == "failed"


# --- two job processes -----------------------------------------------------------------------------

@pytest.mark.skipif(not PG_URL, reason="two concurrent senders need PostgreSQL")
def test_two_senders_in_parallel_deliver_twenty_mails_each_exactly_once(app, session, clock, smtp):
    smtp.delay = 0.01  # each delivery takes a moment, so the two senders overlap
    queue(session, clock, n=20)
    barrier = threading.Barrier(2)
    totals: list[dict] = []
    errors: list[BaseException] = []

    def job():
        try:
            barrier.wait(timeout=10)
            total = {"sent": 0, "failed": 0}
            while True:
                counts = send(app, mailer_for(smtp.port), clock, batch=3)
                if counts == {"sent": 0, "failed": 0}:
                    break
                total = {k: total[k] + counts[k] for k in total}
            totals.append(total)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(smtp.subjects()) == sorted(f"Meddelande {i}" for i in range(20))
    assert sum(t["sent"] for t in totals) == 20 and all(t["failed"] == 0 for t in totals)
    assert {(m.status, m.attempts) for m in rows(app)} == {("sent", 1)}
