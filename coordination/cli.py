"""Command line: `flask --app wsgi …` (or `python -m coordination …`). Each command calls a
service; the names are a contract (DESIGN.md, "Interfaces that stay stable")."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlmodel import Session, select

from coordination import migrate
from coordination.clock import parse_now
from coordination.db import get_engine
from coordination.errors import DomainError


def _session() -> Session:
    return Session(get_engine(current_app), expire_on_commit=False)


def _now_option(ctx, param, value):
    """--now as an ISO time; a wrong one is a usage error with a clear message (exit 2)."""
    try:
        parse_now(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time, e.g. 2026-12-22T09:00 or 2026-12-22T09:00+01:00")
    return value


def _fail(error: DomainError) -> None:
    click.echo(f"error: {error.message}", err=True)
    for name, messages in error.errors.items():
        for message in messages:
            click.echo(f"  {name}: {message}", err=True)
    sys.exit(2)


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Migrate the database to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Migrate the database down to REVISION (e.g. base, or -1)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("check")
def db_check():
    """Fail if the models and the migrated database differ (a migration is missing)."""
    migrate.check(current_app.config["DATABASE_URL"])
    click.echo("models and migrations agree")


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load into a database that has no users yet.")
@click.option("--now", default=None, callback=_now_option, help="ISO time to treat as now (default: the real time).")
def demo_load(if_empty, now):
    """Load the demo organisations, areas, groups, users and cases (idempotent)."""
    from coordination.auth.models import User
    from coordination.auth.services import count_users
    from coordination.demo import DEMO_PASSWORD, USERS, load_demo

    with _session() as session:
        if if_empty and count_users(session) > 0:
            click.echo("the database already has users; demo data not loaded")
        else:
            try:
                added = load_demo(session, clock=parse_now(now))
            except DomainError as error:
                _fail(error)
            session.commit()
            click.echo("demo data: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
        present = set(session.exec(select(User.email).where(User.email.in_([u.email for u in USERS]))))
    if present:
        click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for user in USERS:
            if user.email in present:
                click.echo(f"  {user.role.value:<12} {user.email}")


users_cli = AppGroup("users", help="User accounts and API tokens.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["coordinator", "department", "steering", "admin"]))
@click.option("--organisation", default=None, help="Id, short name or name of the organisation.")
@click.option("--password", required=True,
              help="At least 10 characters, not a common password, not containing the e-mail's first part.")
def users_create(email, name, role, organisation, password):
    """Create a user."""
    from coordination.auth.services import create_user
    from coordination.organisations.services import find_organisation

    with _session() as session:
        organisation_id = None
        if organisation:
            found = find_organisation(session, organisation)
            if found is None:
                click.echo(f"error: no organisation {organisation!r}", err=True)
                sys.exit(2)
            organisation_id = found.id
        try:
            user = create_user(session, email=email, name=name, role=role, organisation_id=organisation_id,
                               password=password)
        except DomainError as error:
            _fail(error)
        session.commit()
        click.echo(f"created user {user.id} {user.email} ({user.role})")


@users_cli.command("token")
@click.argument("email")
def users_token(email):
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    from coordination.auth.services import issue_token

    with _session() as session:
        try:
            token = issue_token(session, email=email)
        except DomainError as error:
            _fail(error)
        session.commit()
    click.echo(token)


routing_cli = AppGroup("routing", help="Routing rules.")


@routing_cli.command("sweep")
@click.option("--now", default=None, callback=_now_option, help="ISO time to treat as now (default: the real time).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def routing_sweep(now, dry_run, as_json):
    """Evaluate the time-based routing rules over all open cases (set-based, exactly once)."""
    import json

    from coordination.routing.engine import sweep

    with _session() as session:
        report = sweep(session, clock=parse_now(now), working_days=current_app.extensions["working_days"],
                       base_url=current_app.config["BASE_URL"], dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    label = "would fire" if dry_run else "fired"
    click.echo(f"routing sweep at {report.now.isoformat()}: {len(report.firings)} {label}")
    for firing in report.firings:
        move = f" level {firing.from_level or 0} -> {firing.to_level}" if firing.to_level else ""
        click.echo(f"  {firing.rule} {firing.reference}{move} ({', '.join(firing.actions)}): "
                   f"{'; '.join(firing.facts)}")


agendas_cli = AppGroup("agendas", help="Meeting agendas.")


@agendas_cli.command("generate")
@click.option("--now", default=None, callback=_now_option, help="ISO time to treat as now (default: the real time).")
def agendas_generate(now):
    """Plan the series' meetings and generate every agenda whose lead time has come (once each)."""
    from coordination.meetings.services import generate_due_agendas

    with _session() as session:
        results = generate_due_agendas(session, clock=parse_now(now),
                                       working_days=current_app.extensions["working_days"])
        click.echo(f"agendas generated: {len(results)}")
        for result in results:
            click.echo(f"  meeting {result.agenda.meeting_id}: {result.added} items")


reminders_cli = AppGroup("reminders", help="Reminders of action items and daily digests.")


@reminders_cli.command("send")
@click.option("--now", default=None, callback=_now_option, help="ISO time to treat as now (default: the real time).")
def reminders_send(now):
    """Queue today's reminders and digests (each once; the outbox sends them)."""
    from coordination.actions.reminders import send_reminders

    with _session() as session:
        result = send_reminders(session, clock=parse_now(now), working_days=current_app.extensions["working_days"],
                                base_url=current_app.config["BASE_URL"])
        session.commit()
    click.echo(f"reminders: {result.reminders} action items, digests: {result.digests}")


scheduler_cli = AppGroup("scheduler", help="The background job process.")


@scheduler_cli.command("run")
def scheduler_run():
    """Run the scheduled jobs until stopped (the only process that runs jobs)."""
    from coordination.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("scheduler running; jobs: " + ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


backup_cli = AppGroup("backup", help="Backups of the whole database (SQLite or PostgreSQL).")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
def backup_create(path, overwrite):
    """Write a consistent backup of the database to PATH (safe while the application runs)."""
    from coordination.audit.services import BACKUP_CREATE
    from coordination.system.backup import BackupError, create_backup

    try:
        result = create_backup(current_app.config["DATABASE_URL"], path, overwrite=overwrite)
    except BackupError as error:
        _fail(error)
    click.echo(f"backup of the {result.engine} database written to {result.path} ({result.size} bytes)")
    _audit_backup(BACKUP_CREATE, engine=result.engine, file=str(result.path), size=result.size)


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's contents.")
def backup_restore(path, yes):
    """Replace the database's contents with the backup at PATH (checked first). Stop the web
    and job processes before, and run `db upgrade` after restoring an older backup."""
    from coordination.audit.services import BACKUP_RESTORE
    from coordination.system.backup import BackupError, restore_backup, verify_backup
    from coordination.system.health import check_readiness

    database_url = current_app.config["DATABASE_URL"]
    try:
        verify_backup(database_url, path)
    except BackupError as error:
        _fail(error)
    if not yes:
        click.confirm(f"Replace everything in the database with the backup {path}?", abort=True)
    get_engine(current_app).dispose()  # no pooled connection of ours holds a lock or a stale plan
    try:
        result = restore_backup(database_url, path, verified=True)
    except BackupError as error:
        _fail(error)
    click.echo(f"restored the {result.engine} database from {result.path}")
    # Recorded in the restored database (what it held at the backup, and now this).
    _audit_backup(BACKUP_RESTORE, engine=result.engine, file=str(result.path))
    if result.untouched_tables:
        click.echo("note: tables the backup does not hold were left as they were: "
                   + ", ".join(result.untouched_tables))
    migrations = check_readiness(get_engine(current_app)).migrations
    if migrations == "behind":
        click.echo("note: the backup is from an older version; run `flask --app wsgi db upgrade`")
    elif migrations != "ok":
        click.echo(f"note: the restored database's migrations do not match this version ({migrations})")


def _audit_backup(action: str, **detail) -> None:
    """Record a backup or restore in the audit log, as the system. A database without the log
    (restored from a backup older than it) says so instead. The backup or restore is done by
    now: a database kept busy by another writer (SQLite: one writer at a time) is waited for a
    few seconds, then the command warns rather than hang or fail."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import OperationalError

    from coordination.audit.services import record, system_actor
    from coordination.db import make_engine

    engine = make_engine(current_app.config["DATABASE_URL"])  # its own connection, gone afterwards
    try:
        if "audit_log" not in inspect(engine).get_table_names():
            click.echo("note: not recorded in the audit log, which this database does not have yet "
                       "(run `flask --app wsgi db upgrade`)")
            return
        with Session(engine) as session:
            if engine.dialect.name == "sqlite":
                session.execute(text("PRAGMA busy_timeout = 5000"))
            record(session, actor=system_actor(), action=action, at=current_app.extensions["clock"].now(),
                   object_type="database", detail=detail)
            session.commit()
    except OperationalError as error:
        click.echo(f"warning: done, but not recorded in the audit log: the database stayed busy ({error.orig})",
                   err=True)
    finally:
        engine.dispose()


def register(app: Flask) -> None:
    for group in (db_cli, demo_cli, users_cli, routing_cli, agendas_cli, reminders_cli, scheduler_cli, backup_cli):
        app.cli.add_command(group)
