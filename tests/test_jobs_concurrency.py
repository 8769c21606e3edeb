"""Jobs and concurrency as an operator running several job processes and web workers against one
PostgreSQL meets them (issue #11, "Jobs" and "Concurrency"):

- three job processes, each the scheduler exactly as `scheduler run` builds it (every job, only run
  every second instead of every few minutes, with a fixed clock), start at the same instant over one
  database with escalations (R1, R2, R3), two agendas, reminders and a digest, and mails due: every
  effect happens once, and every mail reaches a real SMTP server once;
- a job process killed with SIGKILL in the middle of a sweep, in the middle of an SMTP conversation
  before the server took the mail, and just as the server took one: after restarts nothing is lost,
  no case is half-moved, and the only mail that can arrive twice (the one the server had taken when
  the process died; no client can know) carries the same Message-ID both times;
- the sweep's database connection terminated mid-sweep (as a database restart does), once while the
  database takes new connections again at once and once while it still refuses them: the job logs
  the failure, records it when it can, does not raise, and the next run completes the work;
- two people saving the same case triage, or the same action item, at the same instant through the
  web forms: one saves, the other gets the conflict page, nothing is lost or half-saved;
- 100 public submissions at once against a live gunicorn: 100 distinct references, no gaps.

The job-process tests need PostgreSQL (row locks, SKIP LOCKED, pg_terminate_backend) and skip on
SQLite; the others (web forms, job failures, digests, the live server) run on both."""

import asyncio
import http.client
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from coordination.actions import services as action_services
from coordination.actions.models import ActionItem, ActionNote
from coordination.actions.reminders import reminder_step, send_digests
from coordination.auth.models import User
from coordination.cases import services as case_services
from coordination.cases.models import (
    Case,
    CaseEvent,
    CaseOrganisation,
    ReferenceCounter,
)
from coordination.clock import STOCKHOLM, FixedClock, WorkingDays
from coordination.companies.models import Company
from coordination.meetings.models import Agenda, AgendaItem, Meeting, MeetingSeries
from coordination.notifications.models import Notification
from coordination.notifications.services import Message, notify, set_preferences
from coordination.outbox import services as outbox
from coordination.outbox.models import OutboxMessage
from coordination.outbox.services import queue_mail
from coordination.routing.models import RoutingRule, RuleFiring
from coordination.scheduler import routing_sweep_job, run_job
from coordination.system.models import JobHeartbeat
from tests import factories
from tests.conftest import PG_URL, fresh, sign_in

ROOT = Path(__file__).resolve().parent.parent
SENDER = "samordning@stockholm.se"
BASE = "https://samordning.example.se"
WD = WorkingDays()
# Wednesday 10 February 2027, 07:00 in Stockholm: the reminders' hour on an ordinary working day.
NOW = datetime(2027, 2, 10, 7, 0, tzinfo=STOCKHOLM)
TODAY = NOW.date()

postgres_only = pytest.mark.skipif(not PG_URL, reason="several processes on one database at once: "
                                                      "row locks, SKIP LOCKED and pg_terminate_backend need PostgreSQL")

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, interval: float = 0.05, what: str = "the condition", describe=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f": {describe()}" if describe else ""))


def tally(app) -> dict:
    """Cheap counts to poll (the SMTP server shares this process; heavy polling would slow it)."""
    with fresh(app) as s:
        return {
            "mails": s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one(),
            "sent": s.execute(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == "sent")).scalar_one(),
            "events": s.execute(select(func.count()).select_from(CaseEvent)
                                .where(CaseEvent.rule.is_not(None))).scalar_one(),
            "agendas": s.execute(select(func.count()).select_from(Agenda).where(Agenda.generation > 0)).scalar_one(),
        }


def progress(app, expected, smtp) -> dict:
    """What is still missing or extra, for a timeout's message."""
    got = stored_effects(app)
    return {"mails missing": sorted(expected.mails - set(got.outbox))[:5],
            "mails extra": sorted(set(got.outbox) - expected.mails)[:5],
            "mails not sent": Counter((m.status, m.attempts, m.last_error) for m in got.outbox.values()
                                      if m.status != "sent").most_common(5),
            "events missing": len(expected.events - set(got.events)),
            "at the server": len(smtp.accepted)}


# --- a real SMTP server --------------------------------------------------------------------------------

class MailServer:
    """An aiosmtpd handler keeping every mail it accepted (Message-ID, recipients, subject, text).
    `kill_at` = (stage, n, pid): at the n-th RCPT or DATA from now on, SIGKILL the job process
    right there: at RCPT the server has not taken the mail; at DATA it has received all of it and
    takes it (as a real MTA that has the final dot does), but the client never hears the 250."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.accepted: list[dict] = []
        self.kill_at: tuple[str, int, int] | None = None
        self.killed: dict | None = None
        self._seen = {"rcpt": 0, "data": 0}
        self.lock = threading.Lock()

    def arm(self, stage: str, n: int, pid: int) -> None:
        with self.lock:
            self._seen = {"rcpt": 0, "data": 0}
            self.killed = None
            self.kill_at = (stage, n, pid)

    def _maybe_kill(self, stage: str, detail: dict) -> None:
        with self.lock:
            self._seen[stage] += 1
            if self.kill_at and self.kill_at[0] == stage and self._seen[stage] == self.kill_at[1]:
                os.kill(self.kill_at[2], signal.SIGKILL)
                self.killed = {"stage": stage, **detail}
                self.kill_at = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._maybe_kill("rcpt", {"recipient": address})
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default_policy)
        mail = {"message_id": message["Message-ID"], "to": list(envelope.rcpt_tos), "subject": message["Subject"],
                "text": message.get_body(("plain",)).get_content()}
        self.accepted.append(mail)  # the server has the whole mail: it is taken, whatever happens next
        self._maybe_kill("data", {"message_id": mail["message_id"]})
        return "250 Message accepted for delivery"

    def ids(self) -> Counter:
        return Counter(m["message_id"] for m in list(self.accepted))


@pytest.fixture
def smtp():
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


# --- job processes -------------------------------------------------------------------------------------

# Job processes: the scheduler exactly as `flask --app wsgi scheduler run` builds it
# (coordination.scheduler.build_scheduler), with a fixed clock (the command has no --now) and every
# job every second (the outbox every 0.2 s) instead of every few minutes or once a day.
#
# A launcher imports the application once and forks each job process on request (before any
# database connection or thread exists, as a pre-forking server starts its workers), so starting
# seven of them on a busy two-core machine costs one import, not seven. Each job process builds its
# own app, engine and scheduler, writes NAME.pid, and starts its jobs when NAME.go exists (so that
# several start at the same instant). The launcher writes PID.exit with the exit status (negative
# for a signal, as subprocess does) of every process that ends. Everything ends with the test.
LAUNCHER = r"""
import os, signal, sys, threading, time
from datetime import datetime
from pathlib import Path
from coordination import create_app
from coordination.clock import FixedClock
from coordination.scheduler import build_scheduler

control, test_pid = Path(sys.argv[1]), int(sys.argv[2])
create_app({})  # every module imported before the first fork


def job_process(name, now):
    log = os.open(control / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    launcher = os.getppid()
    app = create_app({"CLOCK": FixedClock(datetime.fromisoformat(now))})
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        every = os.environ["OUTBOX_EVERY_SECONDS"] if job.id == "outbox" else os.environ["JOB_EVERY_SECONDS"]
        scheduler.reschedule_job(job.id, trigger="interval", seconds=float(every))

    def orphaned():  # never outlive the launcher
        while os.getppid() == launcher:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=orphaned, daemon=True).start()
    (control / f"{name}.pid.tmp").write_text(str(os.getpid()))
    (control / f"{name}.pid.tmp").rename(control / f"{name}.pid")
    while not (control / f"{name}.go").exists():
        time.sleep(0.005)
    print("jobs:", ", ".join(sorted(job.id for job in scheduler.get_jobs())), flush=True)
    scheduler.start()


children = set()
while os.getppid() == test_pid:
    for request in sorted(control.glob("*.spawn")):
        name, now = request.stem, request.read_text()
        request.unlink()
        pid = os.fork()
        if pid == 0:
            try:
                job_process(name, now)
            finally:
                os._exit(1)
        children.add(pid)
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            break
        children.discard(pid)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        # Written aside and renamed, so that the test never reads a half-written file.
        (control / f"{pid}.exit.tmp").write_text(str(code))
        (control / f"{pid}.exit.tmp").rename(control / f"{pid}.exit")
    time.sleep(0.005)
for pid in children:
    os.kill(pid, signal.SIGKILL)
"""


class JobProcess:
    """One job process forked by the launcher; poll/wait/kill as with subprocess.Popen."""

    def __init__(self, control: Path, name: str, pid: int):
        self.control, self.name, self.pid = control, name, pid
        self.log = control / f"{name}.log"
        self.returncode = None

    def poll(self):
        exit_file = self.control / f"{self.pid}.exit"
        if self.returncode is None and exit_file.exists():
            self.returncode = int(exit_file.read_text())
        return self.returncode

    def wait(self, timeout: float):
        return wait_for(lambda: self.poll() is not None, timeout=timeout, interval=0.01,
                        what=f"job process {self.pid} to end") and self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, number)
            except ProcessLookupError:  # already ended and reaped
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class JobProcesses:
    def __init__(self, tmp_path: Path, database_url: str, smtp_port: int):
        self.control = tmp_path / "jobs"
        self.control.mkdir()
        env = os.environ | {"SAMORDNING_ENV": "testing", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                            "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
                            "MAIL_DEFAULT_SENDER": SENDER, "BASE_URL": BASE, "JOB_EVERY_SECONDS": "1",
                            "OUTBOX_EVERY_SECONDS": "0.2", "LOG_FORMAT": "text"}
        self.launcher_log = self.control / "launcher.log"
        with open(self.launcher_log, "w") as out:
            self.launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(self.control), str(os.getpid())],
                                             cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes: list[JobProcess] = []
        self._round = 0

    def start(self, n: int, *, now: datetime) -> list[JobProcess]:
        """n job processes with their clock at `now`, starting their jobs at the same instant."""
        self._round += 1
        names = [f"p{self._round}-{i}" for i in range(n)]
        for name in names:
            (self.control / f"{name}.tmp").write_text(now.isoformat())
            (self.control / f"{name}.tmp").rename(self.control / f"{name}.spawn")
        started = []
        for name in names:
            marker = self.control / f"{name}.pid"
            wait_for(lambda m=marker: m.exists() or self.launcher.poll() is not None, timeout=90,
                     what="the job processes to start")
            assert self.launcher.poll() is None, self.launcher_log.read_text()[-3000:]
            started.append(JobProcess(self.control, name, int(marker.read_text())))
        self.processes += started
        for name in names:
            (self.control / f"{name}.go").write_text("go")
        return started

    @property
    def logs(self) -> list[Path]:
        return [p.log for p in self.processes]

    def stop_all(self) -> None:
        for process in self.processes:
            process.kill()
        self.launcher.kill()
        self.launcher.wait(timeout=10)

    def failures(self) -> list[str]:
        """Lines in the job processes' logs that tell of a failed job or an uncaught error."""
        bad = re.compile(r"job [a-z_]+ failed|raised an exception|Traceback|could not be recorded")
        return [line for log in [*self.logs, self.launcher_log] for line in log.read_text().splitlines()
                if bad.search(line)]


@pytest.fixture
def jobs(tmp_path, database_url, smtp):
    processes = JobProcesses(tmp_path, database_url, smtp.port)
    try:
        yield processes
    finally:
        processes.stop_all()


# --- the world the jobs work on ---------------------------------------------------------------------------

def sthlm(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def rules(session) -> dict[str, RoutingRule]:
    found = {r.code: r for r in session.execute(select(RoutingRule)).scalars()}
    assert {"R1", "R2", "R3"} <= set(found), "the default routing rules the migration seeds are missing"
    return found


def bulk_cases(session, n: int, *, first: int, received: datetime, level: int | None, org_ids=(),
               **fields) -> list[int]:
    """n cases in a few statements."""
    progress = fields.pop("last_progress_at", received)
    rows = [{"reference": f"SBR 2025/{first + i:06d}", "year": 2025, "number": first + i,
             "title": f"Ärende {first + i}", "description": "Skapat för ett test", "source": "web",
             "received_at": received, "status": "triaged" if level else "new", "level": level,
             "level_seq": 1 if level else 0, "level_entered_at": received if level else None,
             "last_progress_at": progress if level else None, "created_at": received, "updated_at": received,
             "version": 1, **fields} for i in range(n)]
    session.execute(insert(Case), rows)
    ids = list(session.execute(select(Case.id).where(Case.year == 2025, Case.number >= first,
                                                     Case.number < first + n).order_by(Case.id)).scalars())
    if org_ids:
        session.execute(insert(CaseOrganisation), [{"case_id": i, "organisation_id": o} for i in ids for o in org_ids])
    return ids


def build_world(session, *, r1: int, r2: int, r3: int, reminder_items: int = 0, meetings: bool = False,
                queued: int = 0) -> SimpleNamespace:
    """Cases due for R1 (untriaged 7 working days; notifies both coordinators), R2 (two
    organisations at level 1) and R3 (an action item overdue 15 working days at level 1) at NOW;
    action items of Trafikkontoret due around NOW (reminders; Tina takes reminders in a daily
    digest); a coordination-group series with two meetings whose agendas are due and one not yet;
    and mails already waiting in the outbox."""
    w = SimpleNamespace(rules=rules(session))
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK", email="tk-kontakt@example.se")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.expl = factories.organisation(session, name="Exploateringskontoret", short_name="EXPL")  # no officials, no address
    sbr = factories.organisation(session, name="Stockholm Business Region", short_name="SBR")
    w.saga = factories.user(session, "coordinator", organisation_id=sbr.id, name="Saga", email="saga@sbr.example.se")
    w.kim = factories.user(session, "coordinator", organisation_id=sbr.id, name="Kim", email="kim@sbr.example.se")
    w.tomas = factories.user(session, "department", organisation_id=w.tk.id, name="Tomas", email="tomas@tk.example.se")
    w.tina = factories.user(session, "department", organisation_id=w.tk.id, name="Tina", email="tina@tk.example.se")
    set_preferences(session, w.tina.id, {"reminder": "digest"})
    w.coordinators = [w.saga, w.kim]
    w.r1 = bulk_cases(session, r1, first=100000, received=sthlm(2027, 2, 1), level=None)
    w.r2 = bulk_cases(session, r2, first=200000, received=sthlm(2027, 2, 9), level=1, org_ids=[w.tk.id, w.sbk.id])
    w.r3 = bulk_cases(session, r3, first=300000, received=sthlm(2027, 1, 4), level=1, org_ids=[w.expl.id],
                      last_progress_at=sthlm(2027, 2, 8))
    if r3:
        session.execute(insert(ActionItem), [{"case_id": i, "organisation_id": w.expl.id, "title": f"Markbesked {i}",
                                              "description": "", "due_date": date(2027, 1, 20), "status": "planned",
                                              "blocked_reason": "", "created_at": sthlm(2027, 1, 4),
                                              "updated_at": sthlm(2027, 1, 4), "version": 1} for i in w.r3])
    w.items = []
    if reminder_items:
        [case_id] = bulk_cases(session, 1, first=400000, received=sthlm(2027, 1, 11), level=2, org_ids=[w.tk.id])
        people = [w.tomas, w.tina, None]
        for i in range(reminder_items):
            item = ActionItem(case_id=case_id, organisation_id=w.tk.id, title=f"Åtgärd nummer {i:02d}",
                              due_date=TODAY + timedelta(days=i - reminder_items // 2), status="planned",
                              responsible_user_id=people[i % 3].id if people[i % 3] else None,
                              created_at=sthlm(2027, 1, 11), updated_at=sthlm(2027, 1, 11))
            session.add(item)
            w.items.append(item)
    if meetings:
        group = factories.group(session, "coordination_group", members=[w.saga, w.tomas], name="Samordningsgruppen")
        w.series = MeetingSeries(name="Samordningsgruppen", group_id=group.id, rrule="",
                                 dates=["2027-02-12", "2027-02-15", "2027-03-15"], start_time=dtime(9),
                                 end_time=dtime(11), place="Drottninggatan 33", lead_time_days=5)
        session.add(w.series)
    session.flush()
    for i in range(queued):
        queue_mail(session, kind="receipt", dedupe_key=f"queued:{i}", recipient=f"foretag{i}@example.se",
                   subject=f"Väntande meddelande {i}", body_text=f"Hej {i}", body_html=f"<p>Hej {i}</p>",
                   now=NOW - timedelta(minutes=5))
    session.commit()
    return w


def expected_effects(w) -> SimpleNamespace:
    """Every event, notification and mail the jobs must make at NOW, each exactly once."""
    e = SimpleNamespace(events=set(), notifications=set(), mails=set(), tina_titles=[])
    e.events |= {(i, "R1") for i in w.r1} | {(i, "R2") for i in w.r2} | {(i, "R3") for i in w.r3}
    for case_id in w.r1:
        for person in w.coordinators:
            key = f"rule:R1:{case_id}:L0#0:user:{person.id}"
            e.notifications.add(key)
            e.mails.add(key)
    for item in w.items:
        step = reminder_step(item.due_date, TODAY, before=3, pace=5, working_days=WD)
        if not step:
            continue
        e.mails.add(f"reminder:{item.id}:{step}:org")
        for person in [w.tomas] if item.responsible_user_id == w.tomas.id else \
                [w.tina] if item.responsible_user_id == w.tina.id else [w.tomas, w.tina]:
            key = f"reminder:{item.id}:{step}:user:{person.id}"
            e.notifications.add(key)
            if person is w.tina:
                e.tina_titles.append(item.title)
            else:
                e.mails.add(key)
    if e.tina_titles:
        e.mails.add(f"digest:{w.tina.id}:{TODAY.isoformat()}")
    return e


def stored_effects(app) -> SimpleNamespace:
    with fresh(app) as s:
        return SimpleNamespace(
            events=Counter(s.execute(select(CaseEvent.case_id, CaseEvent.rule).where(CaseEvent.rule.is_not(None))).all()),
            escalations=Counter(s.execute(select(CaseEvent.case_id).where(CaseEvent.kind == "escalated")).scalars()),
            firings=Counter(s.execute(select(RoutingRule.code, RuleFiring.case_id, RuleFiring.trigger_key)
                                      .join(RoutingRule, RoutingRule.id == RuleFiring.rule_id)).all()),
            cases={c.id: c for c in s.execute(select(Case)).scalars()},
            notifications=Counter(s.execute(select(Notification.dedupe_key)).scalars()),
            outbox={m.dedupe_key: m for m in s.execute(select(OutboxMessage)).scalars()},
        )


def assert_no_case_half_applied(app, w) -> Counter:
    """Every case's level, level counter and version agree with its history and firings: a rule
    either moved a case and wrote why, or did neither. Returns the escalations per rule."""
    got = stored_effects(app)
    fired = {(case_id, code) for code, case_id, _key in got.firings}
    assert fired == set(got.events), "a rule firing without its history event, or the other way round"
    for case_id in w.r2 + w.r3:
        case = got.cases[case_id]
        moved = got.escalations[case_id]
        assert moved in (0, 1), (case_id, moved)
        assert (case.level, case.level_seq, case.version) == ((2, 2, 2) if moved else (1, 1, 1)), case_id
    for case_id in w.r1:
        case = got.cases[case_id]
        flagged = got.events[(case_id, "R1")]
        assert (case.overdue, case.version) == ((True, 2) if flagged else (False, 1)), case_id
    return Counter(code for _case, code in got.events)


def message_ids(app) -> dict[str, str]:
    """dedupe key -> the Message-ID every attempt of that outbox mail carries."""
    with fresh(app) as s:
        return {m.dedupe_key: outbox.message_id_for(m, SENDER) for m in s.execute(select(OutboxMessage)).scalars()}


# --- 1. three job processes at once ------------------------------------------------------------------------

@postgres_only
def test_three_job_processes_make_every_escalation_agenda_reminder_and_mail_happen_once(app, session, jobs, smtp):
    w = build_world(session, r1=25, r2=150, r3=150, reminder_items=24, meetings=True, queued=25)
    expected = expected_effects(w)
    expected.mails |= {f"queued:{i}" for i in range(25)}
    assert len(expected.mails) > 100 and expected.tina_titles  # enough work for three to share

    processes = jobs.start(3, now=NOW)

    def settled():
        now = tally(app)
        return (now["mails"] == now["sent"] == len(expected.mails) and now["events"] == len(expected.events)
                and now["agendas"] == 2 and len(smtp.accepted) >= len(expected.mails))

    wait_for(settled, timeout=90, interval=0.5, what="the three job processes to finish the work",
             describe=lambda: progress(app, expected, smtp))
    time.sleep(1.5)  # a few more rounds of every job in every process: they must find nothing left to do
    assert [p.poll() for p in processes] == [None, None, None], "a job process died"
    jobs.stop_all()

    assert jobs.failures() == []
    got = stored_effects(app)
    # Escalations: once per case and stay at the level, and the case moved once.
    assert set(got.events) == expected.events and set(got.events.values()) == {1}
    assert set(got.firings.values()) == {1} and len(got.firings) == len(expected.events)
    assert set(got.escalations) == set(w.r2) | set(w.r3) and set(got.escalations.values()) == {1}
    assert_no_case_half_applied(app, w)
    # Reminders and rule notifications: once per person and cause.
    assert set(got.notifications) == expected.notifications and set(got.notifications.values()) == {1}
    # Mails: each row sent in one attempt, and each at the SMTP server exactly once.
    assert set(got.outbox) == expected.mails
    assert {(m.status, m.attempts) for m in got.outbox.values()} == {("sent", 1)}
    ids = message_ids(app)
    delivered = smtp.ids()
    assert set(delivered) == set(ids.values())
    assert {k: n for k, n in delivered.items() if n != 1} == {}
    # Tina's daily digest: one mail holding each of her reminders once.
    digests = [m for m in smtp.accepted if m["to"] == [w.tina.email]]
    assert len(digests) == 1
    assert all(digests[0]["text"].count(f'"{title}"') == 1 for title in expected.tina_titles), digests[0]["text"]
    # Agendas: the two due meetings generated once each; the one in March not yet.
    with fresh(app) as s:
        meetings = {m.occurrence: m.id for m in s.execute(select(Meeting).where(Meeting.series_id == w.series.id))
                    .scalars()}
        agendas = {a.meeting_id: a for a in s.execute(select(Agenda)).scalars()}
        keys = Counter(s.execute(select(AgendaItem.agenda_id, AgendaItem.source_key)).all())
    assert sorted(meetings) == ["2027-02-12", "2027-02-15", "2027-03-15"]
    due = [meetings["2027-02-12"], meetings["2027-02-15"]]
    assert {(m, a.generation, a.version, a.generated_at) for m, a in agendas.items() if a.generation} == \
        {(m, 1, 2, NOW) for m in due}
    assert meetings["2027-03-15"] not in agendas or agendas[meetings["2027-03-15"]].generation == 0
    assert set(keys.values()) == {1}
    for meeting_id in due:
        mine = {key for agenda_id, key in keys if agenda_id == agendas[meeting_id].id}
        assert {"standing:opening", "standing:previous_minutes", "standing:other"} <= mine
    # Each process ran the scheduler with every job, and every job ran many times without an error.
    for log in jobs.logs:
        assert "jobs: agendas, heartbeat, login_throttle, outbox, reminders, retention, routing_sweep" \
            in log.read_text(), log.read_text()[-2000:]
    with fresh(app) as s:
        beats = {b.name: b for b in s.execute(select(JobHeartbeat)).scalars()}
    assert {"outbox", "routing_sweep", "agendas", "reminders", "heartbeat"} <= set(beats)
    assert all(b.runs >= 3 and b.last_error is None for b in beats.values()), \
        {n: (b.runs, b.last_error) for n, b in beats.items()}


# --- 2. SIGKILL mid-run -----------------------------------------------------------------------------------

def _delivered_but_not_marked(app, smtp) -> set[str]:
    """Message-IDs the server has taken whose outbox rows do not say sent: after a kill these
    are the (at most one per killed sender) mails that will go again."""
    ids = message_ids(app)
    with fresh(app) as s:
        unsent = {m.dedupe_key for m in s.execute(select(OutboxMessage).where(OutboxMessage.status != "sent")).scalars()}
    return {ids[k] for k in unsent} & set(smtp.ids())


@postgres_only
def test_a_job_process_killed_mid_sweep_and_mid_smtp_loses_nothing_and_half_applies_nothing(app, session, jobs,
                                                                                            smtp):
    smtp.delay = 0.01  # a slow server: the process spends its time inside SMTP conversations
    w = build_world(session, r1=20, r2=1500, r3=300, queued=60)
    expected = expected_effects(w)
    expected.mails |= {f"queued:{i}" for i in range(60)}
    step = timedelta(seconds=outbox.CLAIM_SECONDS + 1)  # each restart comes after the dead one's claims ran out
    may_repeat: set[str] = set()

    # Kill 1: in the middle of the sweep, as soon as its first rule (R1) has committed.
    [process] = jobs.start(1, now=NOW)
    r1 = w.rules["R1"].id

    def r1_committed():
        assert process.poll() is None, "the job process died by itself"
        with fresh(app) as s:
            return s.execute(select(func.count()).select_from(RuleFiring).where(RuleFiring.rule_id == r1)).scalar_one()

    wait_for(r1_committed, timeout=60, interval=0.005, what="the sweep's first rule")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    moved = assert_no_case_half_applied(app, w)
    assert moved["R1"] == 20 and moved["R2"] in (0, 1500) and moved["R3"] in (0, 300)
    assert (moved["R2"], moved["R3"]) != (1500, 300), "the sweep had finished before the kill"
    may_repeat |= _delivered_but_not_marked(app, smtp)

    # Kill 2: during an SMTP conversation, before the server took the mail (at RCPT).
    [process] = jobs.start(1, now=NOW + step)
    smtp.arm("rcpt", 10, process.pid)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL and smtp.killed["stage"] == "rcpt"
    cut_at_rcpt = smtp.killed["recipient"]
    assert_no_case_half_applied(app, w)
    may_repeat |= _delivered_but_not_marked(app, smtp)

    # Kill 3: just as the server took a mail, before the process heard the 250 and marked it sent.
    [process] = jobs.start(1, now=NOW + 2 * step)
    smtp.arm("data", 10, process.pid)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL and smtp.killed["stage"] == "data"
    taken_at_kill = smtp.killed["message_id"]
    assert_no_case_half_applied(app, w)
    may_repeat |= _delivered_but_not_marked(app, smtp)
    assert taken_at_kill in may_repeat

    # Restart once more and let it finish.
    [process] = jobs.start(1, now=NOW + 3 * step)

    def finished():
        assert process.poll() is None, "the job process died by itself"
        now = tally(app)
        return now["mails"] == now["sent"] == len(expected.mails) and now["events"] == len(expected.events)

    wait_for(finished, timeout=90, interval=0.5, what="the restarted job process to finish the work",
             describe=lambda: progress(app, expected, smtp))
    time.sleep(1)
    jobs.stop_all()

    # Nothing lost: every event, and every mail delivered.
    got = stored_effects(app)
    assert set(got.events) == expected.events and set(got.events.values()) == {1}
    assert set(got.escalations) == set(w.r2) | set(w.r3) and set(got.escalations.values()) == {1}
    assert set(got.notifications) == expected.notifications and set(got.notifications.values()) == {1}
    assert_no_case_half_applied(app, w)
    ids = message_ids(app)
    delivered = smtp.ids()
    assert set(delivered) == set(ids.values())
    # Nothing duplicated but what cannot be helped: the mail the server had taken as the sender
    # died went again (it was not marked sent), with the same Message-ID, so mail programs show
    # it once. At most one such mail per killed process; the mail killed at RCPT arrived once.
    repeated = {mid for mid, n in delivered.items() if n > 1}
    assert repeated <= may_repeat and len(may_repeat) <= 3, (repeated, may_repeat)
    assert delivered[taken_at_kill] == 2
    assert all(n <= 2 for n in delivered.values())
    cut = [k for k, m in got.outbox.items() if m.recipient == cut_at_rcpt]
    assert cut and all(delivered[ids[k]] == 1 for k in cut if ids[k] not in may_repeat)
    assert jobs.failures() == []


# --- 3. the database connection terminated during a sweep --------------------------------------------------

class DatabaseRestart:
    """A TCP hop between the job process and PostgreSQL. `down()` drops every connection at once
    and refuses new ones until `up()`: what a client sees while the database server restarts
    (the shared cluster itself is not restarted; other people use it)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.up()

    def up(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen(16)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _address = server.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def down(self) -> None:
        for listener in (self.server,):
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for end in sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


def _admin_engine(database_url: str):
    return create_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)


def _busy(admin, application_name: str) -> bool:
    """The job's connection is running a statement or holds a transaction open."""
    with admin.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND state <> 'idle'"),
            {"name": application_name}).scalar_one() > 0


def _terminate(admin, application_name: str) -> int:
    with admin.connect() as connection:
        return len(connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": application_name}).all())


@postgres_only
def test_a_sweep_whose_database_connection_dies_is_logged_survived_and_completed_by_the_next_run(
        make_app, app, session, database_url, caplog):
    w = build_world(session, r1=20, r2=1500, r3=1500)
    expected = expected_effects(w)
    name = "samordning-jobs-under-test"
    url = make_url(database_url)
    restart = DatabaseRestart(url.host or "127.0.0.1", url.port or 5432)
    job_url = url.set(host="127.0.0.1", port=restart.port, query={**url.query, "application_name": name})
    job_app = make_app(DATABASE_URL=job_url.render_as_string(hide_password=False), CLOCK=FixedClock(NOW),
                       BASE_URL=BASE)
    work = routing_sweep_job(job_app)
    admin = _admin_engine(database_url)
    ids = {code: rule.id for code, rule in w.rules.items()}

    def count(code) -> int:
        with fresh(app) as s:
            return s.execute(select(func.count()).select_from(RuleFiring)
                             .where(RuleFiring.rule_id == ids[code])).scalar_one()

    def run_in_thread():
        outcome = {}

        def target():
            try:
                run_job(job_app, "routing_sweep", work)
                outcome["returned"] = True
            except BaseException as error:  # noqa: BLE001 - what run_job let out is the finding
                outcome["raised"] = error

        thread = threading.Thread(target=target)
        thread.start()
        return thread, outcome

    def heartbeat() -> JobHeartbeat | None:
        with fresh(app) as s:
            return s.get(JobHeartbeat, "routing_sweep")

    try:
        caplog.set_level(logging.INFO, logger="coordination")
        # A: the sweep's backend is terminated while R2 is applied; new connections work at once.
        thread, outcome = run_in_thread()
        wait_for(lambda: (count("R1") > 0 and _busy(admin, name)) or not thread.is_alive(), timeout=60,
                 interval=0.002, what="R1 committed and the sweep at work on R2")
        assert thread.is_alive(), "the sweep finished before the connection could be cut"
        assert _terminate(admin, name) >= 1
        thread.join(timeout=60)
        assert outcome == {"returned": True}, outcome
        assert "job routing_sweep failed" in caplog.text
        beat = heartbeat()
        assert beat is not None and beat.runs == 1 and "terminat" in (beat.last_error or "").lower(), beat
        moved = assert_no_case_half_applied(app, w)
        assert moved["R1"] == 20 and (moved["R2"], moved["R3"]) != (1500, 1500)

        # B: the database goes away while R3 is applied and refuses connections for a while (a
        # restart in progress): the failure cannot even be recorded; it is logged and the job
        # returns, so the process lives on.
        caplog.clear()
        thread, outcome = run_in_thread()
        wait_for(lambda: (count("R2") == 1500 and _busy(admin, name)) or not thread.is_alive(), timeout=60,
                 interval=0.002, what="R2 committed and the sweep at work on R3")
        assert thread.is_alive(), "the sweep finished before the database went away"
        restart.down()
        thread.join(timeout=60)
        assert outcome == {"returned": True}, outcome
        assert "job routing_sweep failed" in caplog.text
        assert "could not be recorded" in caplog.text
        assert heartbeat().runs == 1  # nothing could be written while the database was away
        moved = assert_no_case_half_applied(app, w)
        assert (moved["R1"], moved["R2"], moved["R3"]) == (20, 1500, 0)

        # C: the database is back; the next run completes the sweep, once.
        restart.up()
        run_job(job_app, "routing_sweep", work)
        beat = heartbeat()
        assert (beat.runs, beat.last_error) == (2, None)
        got = stored_effects(app)
        assert set(got.events) == expected.events and set(got.events.values()) == {1}
        assert set(got.escalations) == set(w.r2) | set(w.r3) and set(got.escalations.values()) == {1}
        assert set(got.notifications) == expected.notifications
        assert_no_case_half_applied(app, w)
    finally:
        restart.down()
        admin.dispose()


def test_a_job_whose_database_is_unreachable_logs_and_returns_instead_of_raising(make_app, caplog):
    """A database that is down (e.g. restarting): the job fails, and so does recording the failure.
    run_job logs both and returns; the scheduler's next run tries again."""
    dead = make_app(DATABASE_URL=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2")
    caplog.set_level(logging.INFO, logger="coordination")

    run_job(dead, "routing_sweep", routing_sweep_job(dead))

    assert "job routing_sweep failed" in caplog.text
    assert "could not be recorded" in caplog.text


# --- the daily digest when two job processes meet ----------------------------------------------------------

def test_two_digest_runs_that_overlap_lose_no_notification(app, session, monkeypatch):
    """Two job processes make Tina's digest at once. A reads her notifications; a new one
    arrives; B reads both; A queues today's digest (with the first) and commits; B finds today's
    digest taken. B must not mark the second as sent in a digest: it waits for tomorrow's."""
    from coordination.actions import reminders

    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    tina = factories.user(session, "department", organisation_id=tk.id, name="Tina", email="tina@tk.example.se")
    set_preferences(session, tina.id, {"reminder": "digest"})
    session.commit()
    clock = FixedClock(NOW)

    def note(key: str, text_sv: str):
        with fresh(app) as s:
            notify(s, [(Message(kind="reminder", key=key, case_id=None, text_sv=text_sv, text_en=text_sv,
                                link=f"{BASE}/notiser"), [s.get(User, tina.id)])], now=NOW - timedelta(hours=1))
            s.commit()

    # Each run stops where it has read the notifications and is about to queue its mail.
    gates: dict[str, tuple[threading.Event, threading.Event]] = {}
    real_queue_mail = reminders.queue_mail

    def gated(*args, **kwargs):
        gate = gates.get(threading.current_thread().name)
        if gate:
            gate[0].set()
            assert gate[1].wait(10)
        return real_queue_mail(*args, **kwargs)

    monkeypatch.setattr(reminders, "queue_mail", gated)

    def digest_run(name: str):
        gates[name] = (threading.Event(), threading.Event())
        outcome: dict = {}

        def target():
            with fresh(app) as s:
                try:
                    outcome["digests"] = send_digests(s, clock=clock, base_url=BASE)
                    s.commit()
                except BaseException as error:  # noqa: BLE001
                    outcome["error"] = error

        thread = threading.Thread(target=target, name=name)
        thread.start()
        assert gates[name][0].wait(10), f"run {name} did not get to its mail"
        return thread, gates[name][1], outcome

    note("first", "Första påminnelsen")
    a, release_a, outcome_a = digest_run("A")      # A has read: the first
    note("second", "Andra påminnelsen")
    b, release_b, outcome_b = digest_run("B")      # B has read: the first and the second
    release_a.set()
    a.join(timeout=30)                             # A queues today's digest with the first, commits
    release_b.set()
    b.join(timeout=30)                             # B finds today's digest taken

    assert outcome_a == {"digests": 1} and "error" not in outcome_b, (outcome_a, outcome_b)
    with fresh(app) as s:
        mails = list(s.execute(select(OutboxMessage)).scalars())
        notes = {n.text_sv: n for n in s.execute(select(Notification)).scalars()}
    assert [m.dedupe_key for m in mails] == [f"digest:{tina.id}:{TODAY.isoformat()}"]
    in_digest = {t for t in notes if t in mails[0].body_text}
    # Every notification is in a digest mail or still waiting for one.
    assert in_digest == {"Första påminnelsen"}
    assert {t for t, n in notes.items() if n.digested_at is not None} == in_digest

    # The next day's digest takes it.
    gates.clear()
    with fresh(app) as s:
        assert send_digests(s, clock=FixedClock(NOW + timedelta(days=1)), base_url=BASE) == 1
        s.commit()
        later = s.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("%2027-02-11"))).scalars().one()
    assert "Andra påminnelsen" in later.body_text and "Första påminnelsen" not in later.body_text


# --- 4a. two people saving the same thing at the same instant ----------------------------------------------

def at_the_same_instant(monkeypatch, module, name: str, parties: int = 2) -> None:
    """Both requests have loaded the row (at the same version) before either writes: the service
    call waits until the other request has reached it too."""
    barrier = threading.Barrier(parties, timeout=10)
    real = getattr(module, name)

    def together(*args, **kwargs):
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, together)


def post_together(requests) -> list:
    """Each (client, url, data) posted in its own thread; the responses in the same order."""
    responses: list = [None] * len(requests)
    errors: list = []

    def one(i, client, url, data):
        try:
            responses[i] = client.post(url, data=data)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return responses


def page_text(response) -> str:
    import html as html_lib

    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.DOTALL)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


@pytest.fixture
def office(app, session, clock):
    w = SimpleNamespace()
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.area = factories.business_area(session, name="Högdalens industriområde")
    w.saga = factories.user(session, "coordinator", name="Saga Samordnare")
    w.kim = factories.user(session, "coordinator", name="Kim Kollega")
    w.tomas = factories.user(session, "department", organisation_id=w.tk.id, name="Tomas Trafik")
    w.tina = factories.user(session, "department", organisation_id=w.tk.id, name="Tina Trafik")
    w.case = factories.case(session, clock=clock, title="Ny bro vid väg 73")
    w.triaged = factories.case(session, clock=clock, title="Skyltar vid lastkajen", level=2, organisations=[w.tk])
    session.commit()
    w.item = action_services.create_action(session, w.triaged, actor=w.saga, organisation_id=w.tk.id,
                                           title="Sätt upp skyltar", due_date=date(2026, 12, 4), clock=clock)
    session.commit()
    return w


def triage_form(w, **changes) -> dict:
    # Level 2, no flags, a cost within the coordination group's mandate: no routing rule acts.
    data = {"business_area_id": str(w.area.id), "focus_area_id": "3", "category": "maintenance",
            "organisation_ids": [str(w.tk.id), str(w.sbk.id)], "priority": "high",
            "estimated_cost_sek": "250 000", "level": "2", "version": "1"}
    return data | changes


def test_two_coordinators_saving_one_triage_at_the_same_instant_one_wins_the_other_is_told(
        app, office, monkeypatch):
    w = office
    at_the_same_instant(monkeypatch, case_services, "triage_case")
    saga, kim = sign_in(app.test_client(), w.saga), sign_in(app.test_client(), w.kim)
    url = f"/arenden/{case_services.reference_slug(w.case.reference)}/triage"
    for client in (saga, kim):  # both open the triage form at version 1
        assert re.search(r'<input[^>]*name="version"[^>]*value="1"', client.get(url).get_data(as_text=True))

    first, second = post_together([(saga, url, triage_form(w, priority="low")),
                                   (kim, url, triage_form(w, priority="urgent"))])

    assert sorted([first.status_code, second.status_code]) == [302, 409], (first.status_code, second.status_code)
    winner, loser = (w.saga, second) if first.status_code == 302 else (w.kim, first)
    won_priority = "low" if winner is w.saga else "urgent"
    assert "Någon annan ändrade ärendet medan du redigerade. Dina ändringar sparades inte" in page_text(loser)
    # The conflict page shows what was saved, with the version to save on top of it.
    assert re.search(rf'<option selected value="{won_priority}"', loser.get_data(as_text=True))
    assert re.search(r'<input[^>]*name="version"[^>]*value="2"', loser.get_data(as_text=True))
    with fresh(app) as s:
        case = s.get(Case, w.case.id)
        events = [e.kind for e in s.execute(select(CaseEvent).where(CaseEvent.case_id == w.case.id)
                                            .order_by(CaseEvent.id)).scalars()]
        orgs = set(s.execute(select(CaseOrganisation.organisation_id).where(CaseOrganisation.case_id == w.case.id))
                   .scalars())
    assert (case.status, case.priority, case.version, case.triaged_by_id, case.level) == \
        ("triaged", won_priority, 2, winner.id, 2)
    assert events == ["received", "triaged"] and orgs == {w.tk.id, w.sbk.id}


def _action_form(item, **values) -> dict:
    return {"status": item.status, "note": "", "blocked_reason": "", "version": str(item.version), "next": "/"} | values


def test_two_officials_saving_one_action_item_at_the_same_instant_one_wins_the_other_keeps_their_text(
        app, office, monkeypatch):
    w = office
    at_the_same_instant(monkeypatch, action_services, "update_action")
    tomas, tina = sign_in(app.test_client(), w.tomas), sign_in(app.test_client(), w.tina)
    url = f"/atgarder/{w.item.id}"

    first, second = post_together([
        (tomas, url, _action_form(w.item, status="done", note="Tomas: skyltarna sitter uppe.")),
        (tina, url, _action_form(w.item, status="blocked", note="Tina: bygglov saknas."))])

    assert sorted([first.status_code, second.status_code]) == [302, 409], (first.status_code, second.status_code)
    won, lost = ("done", "Tina: bygglov saknas.") if first.status_code == 302 else \
        ("blocked", "Tomas: skyltarna sitter uppe.")
    loser = second if first.status_code == 302 else first
    assert "Någon annan hann ändra först" in page_text(loser)
    assert lost in loser.get_data(as_text=True)  # what they typed is on the page to save again
    assert re.search(r'<input type="hidden" name="version" value="2">', loser.get_data(as_text=True))
    with fresh(app) as s:
        item = s.get(ActionItem, w.item.id)
        notes = [n.body for n in s.execute(select(ActionNote).where(ActionNote.action_id == w.item.id)).scalars()]
        progress = s.execute(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == w.triaged.id, CaseEvent.kind == "action_progress")).scalar_one()
    assert (item.status, item.version) == (won, 2)
    assert len(notes) == 1 and notes[0] != lost and progress == 1


def test_two_officials_with_the_page_open_the_second_save_is_refused_and_saving_again_works(app, office):
    """Both have Min förvaltning open (version 1 in the form); one saves, then the other."""
    w = office
    tomas, tina = sign_in(app.test_client(), w.tomas), sign_in(app.test_client(), w.tina)
    versions = []
    for client in (tomas, tina):
        page = client.get("/").get_data(as_text=True)
        form = re.search(rf'action="/atgarder/{w.item.id}".*?</form>', page, re.DOTALL)
        assert form, "the item's form is not on the official's start page"
        versions.append(re.search(r'name="version" value="(\d+)"', form.group(0)).group(1))
    assert versions == ["1", "1"]

    saved = tomas.post(f"/atgarder/{w.item.id}", data=_action_form(w.item, status="in_progress",
                                                                    note="Tomas: beställt.", version=versions[0]))
    refused = tina.post(f"/atgarder/{w.item.id}", data=_action_form(w.item, status="done", note="Tina: klart.",
                                                                     version=versions[1]))

    assert saved.status_code == 302 and refused.status_code == 409
    assert "Tina: klart." in refused.get_data(as_text=True)
    again = tina.post(f"/atgarder/{w.item.id}", data=_action_form(w.item, status="done", note="Tina: klart.",
                                                                   version="2"))
    assert again.status_code == 302
    with fresh(app) as s:
        item = s.get(ActionItem, w.item.id)
        notes = [n.body for n in s.execute(select(ActionNote).where(ActionNote.action_id == w.item.id)
                                           .order_by(ActionNote.id)).scalars()]
    assert (item.status, item.version) == ("done", 3) and notes == ["Tomas: beställt.", "Tina: klart."]


# --- 4b. 100 public submissions at once ----------------------------------------------------------------------

def _organisation_number(n: int) -> str:
    """A valid organisationsnummer (Luhn) for company n."""
    from coordination.cases.orgnr import luhn_ok

    base = f"556{n:06d}"
    digit = next(d for d in range(10) if luhn_ok(base + str(d)))
    return f"{base[:6]}-{base[6:]}{digit}"


def test_a_hundred_public_submissions_at_once_get_a_hundred_references_without_gaps(app, session, database_url,
                                                                                    tmp_path):
    port = free_port()
    env = os.environ | {"SAMORDNING_ENV": "testing", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                        "ATTACHMENTS_DIR": str(tmp_path / "bilagor"), "MAIL_BACKEND": "console"}
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        # Two worker processes of eight threads; --preload imports the app once (it connects to
        # nothing at import, so the workers share no connection).
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "8", "--preload",
                                   "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def ready():
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            except OSError:
                return False

        wait_for(ready, timeout=60, interval=0.2, what="gunicorn to answer")
        barrier = threading.Barrier(100, timeout=30)
        results: list = [None] * 100

        def submit(i):
            body = urllib.parse.urlencode({
                "company_name": f"Företag {i % 10} AB", "organisation_number": _organisation_number(i % 10),
                "contact_name": f"Kontakt {i}", "contact_email": f"kontakt{i}@example.se", "business_area_id": "",
                "title": f"Ärende nummer {i}", "description": "Lastbilar kommer inte fram.", "consent": "y"})
            barrier.wait()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("POST", "/lamna-arende", body=body,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                results[i] = (response.status, response.getheader("Location"))
            except OSError as error:
                results[i] = (None, repr(error))

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(100)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

    assert Counter(status for status, _l in results) == {302: 100}, [r for r in results if r[0] != 302][:5]
    assert all(location.endswith("/lamna-arende/kvitto") for _s, location in results)
    year = datetime.now(STOCKHOLM).year
    with fresh(app) as s:
        cases = list(s.execute(select(Case)).scalars())
        counter = s.get(ReferenceCounter, year)
        receipts = list(s.execute(select(OutboxMessage.dedupe_key, OutboxMessage.recipient)).all())
        companies = list(s.execute(select(Company.organisation_number)).scalars())
    assert len(cases) == 100
    assert sorted(c.number for c in cases) == list(range(1, 101))  # distinct, and no gaps
    assert {c.reference for c in cases} == {f"SBR {year}/{n:04d}" for n in range(1, 101)}
    assert {c.title for c in cases} == {f"Ärende nummer {i}" for i in range(100)}
    assert counter.last_number == 100
    assert sorted(r for _k, r in receipts) == sorted(f"kontakt{i}@example.se" for i in range(100))
    # The ten companies, each registered once and linked to its ten cases.
    assert sorted(companies) == sorted(_organisation_number(n) for n in range(10))
    assert Counter(c.company_id for c in cases).most_common() and \
        sorted(Counter(c.company_id for c in cases).values()) == [10] * 10
    assert "Traceback" not in log.read_text()
