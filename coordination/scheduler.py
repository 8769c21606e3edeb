"""The job process (`flask --app wsgi scheduler run`). Web workers never run jobs; only this
process does, and every job's effects are idempotent in the database, so running two job
processes does no harm."""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlmodel import Session

from coordination.db import get_engine
from coordination.system.services import record_heartbeat

log = logging.getLogger(__name__)


def run_job(app: Flask, name: str, work) -> None:
    """Run one job in an app context with its own session; commit once at the end.

    Never raises: a failing job is logged and recorded in its heartbeat for the admins, and when
    even that fails (the database is down or restarting) it is logged; the next run tries again."""
    with app.app_context():
        clock = app.extensions["clock"]
        with Session(get_engine(app), expire_on_commit=False) as session:
            try:
                work(session, clock)
                record_heartbeat(session, name=name, at=clock.now())
                session.commit()
            except Exception as error:  # a failing job is logged and shown to admins, never silent
                log.exception("job %s failed", name)
                try:
                    session.rollback()
                    record_heartbeat(session, name=name, at=clock.now(), error=repr(error))
                    session.commit()
                except Exception:
                    log.exception("job %s: the failure could not be recorded in its heartbeat", name)


def send_mail_job(app: Flask):
    """The outbox sender as a job: the mailer comes from the app's MAIL_* settings."""
    from coordination.outbox.mailer import mailer_from_config
    from coordination.outbox.services import send_due

    mailer = mailer_from_config(app.config)

    def work(session, clock):
        send_due(session, mailer=mailer, clock=clock, sender=app.config["MAIL_DEFAULT_SENDER"])

    return work


def routing_sweep_job(app: Flask):
    from coordination.routing.engine import sweep

    def work(session, clock):
        sweep(session, clock=clock, working_days=app.extensions["working_days"], base_url=app.config["BASE_URL"])

    return work


def agendas_job(app: Flask):
    from coordination.meetings.services import generate_due_agendas

    def work(session, clock):
        generate_due_agendas(session, clock=clock, working_days=app.extensions["working_days"])

    return work


def reminders_job(app: Flask):
    from coordination.actions.reminders import send_reminders

    def work(session, clock):
        send_reminders(session, clock=clock, working_days=app.extensions["working_days"],
                       base_url=app.config["BASE_URL"])

    return work


def retention_job(app: Flask):
    from coordination.companies.privacy import apply_retention

    def work(session, clock):
        apply_retention(session, clock=clock, months=app.config["RETENTION_MONTHS"])

    return work


def login_throttle_job(app: Flask):
    from coordination.auth.throttle import ThrottlePolicy, prune_login_throttle

    def work(session, clock):
        prune_login_throttle(session, policy=ThrottlePolicy.from_config(app.config), now=clock.now())

    return work


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="Europe/Stockholm",
                                  job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    scheduler.add_job(run_job, "interval", seconds=app.config["SCHEDULER_HEARTBEAT_SECONDS"],
                      args=[app, "heartbeat", lambda session, clock: None], id="heartbeat",
                      name="Heartbeat: shows on the admin page that the job process is alive",
                      next_run_time=app.extensions["clock"].now())
    scheduler.add_job(run_job, "interval", seconds=app.config["OUTBOX_SEND_SECONDS"],
                      args=[app, "outbox", send_mail_job(app)], id="outbox",
                      name="Send the mails waiting in the outbox")
    scheduler.add_job(run_job, "interval", minutes=app.config["ROUTING_SWEEP_MINUTES"],
                      args=[app, "routing_sweep", routing_sweep_job(app)], id="routing_sweep",
                      name="Routing sweep: the time-based rules (R1, R3, R6 …)",
                      next_run_time=app.extensions["clock"].now())
    scheduler.add_job(run_job, "interval", minutes=app.config["AGENDA_JOB_MINUTES"],
                      args=[app, "agendas", agendas_job(app)], id="agendas",
                      name="Agendas: plan meetings and generate the agendas that are due",
                      next_run_time=app.extensions["clock"].now())
    # Reminders and digests at 07:00 on weekdays (keys make a rerun harmless).
    scheduler.add_job(run_job, "cron", day_of_week="mon-fri", hour=7, minute=0,
                      args=[app, "reminders", reminders_job(app)], id="reminders",
                      name="Reminders of action items and daily digests")
    scheduler.add_job(run_job, "cron", hour=2, minute=30, args=[app, "retention", retention_job(app)],
                      id="retention", name="Anonymise contact details of cases closed long ago")
    scheduler.add_job(run_job, "cron", hour=3, minute=15, args=[app, "login_throttle", login_throttle_job(app)],
                      id="login_throttle", name="Forget failed-login counts that a quiet window has forgiven")
    return scheduler
