"""Backups: `backup create PATH` and `backup restore PATH` bring back every table exactly as it
was (a checksum of each table's rows), on SQLite (online backup API) and PostgreSQL
(pg_dump/pg_restore); a backup is consistent while the application writes; a restore checks
the file first and asks before it replaces anything."""

import hashlib
import os
import shutil
import stat
import sys

import pytest
from sqlalchemy import inspect, text, update
from sqlmodel import Session

from coordination import migrate
from coordination.auth.models import ApiToken, User
from coordination.auth.services import issue_token
from coordination.cases.models import CaseComment
from coordination.db import make_engine
from coordination.demo import load_demo
from coordination.system.backup import BackupError, create_backup
from tests import factories
from tests.conftest import PG_URL

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres_only, pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")]),
]


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, also when the rest of the suite runs on PostgreSQL."""
    path = tmp_path_factory.mktemp("backup-template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def live(request, make_app, sqlite_template, tmp_path):
    """The application on the database under test, with data in most tables."""
    if request.param == "sqlite":
        path = tmp_path / "live.db"
        shutil.copy(sqlite_template, path)
        app = make_app(DATABASE_URL=f"sqlite:///{path}")
    else:
        app = make_app()  # TEST_DATABASE_URL: emptied and re-seeded after the test
    return app


def fill(app, clock) -> None:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        load_demo(session, clock=clock)
        coordinator = factories.user(session, "coordinator", email="samordnare.backup@example.se", name="Åsa Öberg")
        issue_token(session, email=coordinator.email)
        factories.case(session, clock=clock, title="Belysning på Cykelvägen", description="Mörkt ”hela” vintern\n")
        session.commit()


def checksums(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table of the database (the FTS index and alembic_version too) but the audit log: its
    row count and a sha256 over its rows in a fixed order. The audit log gains an entry for the
    backup and for the restore itself (tests/test_audit.py checks those)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            result = {}
            for name in inspect(connection).get_table_names():
                if name == "audit_log":
                    continue
                rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
                digest = hashlib.sha256()
                for line in sorted(repr(tuple(row)) for row in rows):
                    digest.update(line.encode() + b"\n")
                result[name] = (len(rows), digest.hexdigest())
            return result
    finally:
        engine.dispose()


def change_everything(app, clock) -> None:
    """Rows added, changed and deleted across several tables, as a day's work would."""
    with Session(app.extensions["db_engine"]) as session:
        factories.organisation(session, name="Ny förvaltning efter backupen")
        factories.case(session, clock=clock, title="Ärende efter backupen")
        session.exec(update(User).values(name="Ändrat namn"))
        session.exec(ApiToken.__table__.delete())
        session.exec(CaseComment.__table__.delete())
        session.commit()


def invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def url_of(app) -> str:
    return app.config["DATABASE_URL"]


def test_a_restored_backup_has_every_table_exactly_as_it_was(live, clock, tmp_path):
    fill(live, clock)
    before = checksums(url_of(live))
    assert before["users"][0] >= 6 and before["cases"][0] >= 6 and before["api_tokens"][0] == 1
    backup = tmp_path / "samordning.backup"

    created = invoke(live, "backup", "create", str(backup))
    assert created.exit_code == 0, created.output
    assert "written to" in created.output and backup.is_file()
    assert stat.S_IMODE(backup.stat().st_mode) & 0o077 == 0  # personal data: the owner's alone

    change_everything(live, clock)
    changed = checksums(url_of(live))
    assert {name for name in before if changed.get(name) != before[name]} >= {"users", "api_tokens", "cases",
                                                                              "organisations"}

    restored = invoke(live, "backup", "restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output and "note:" not in restored.output
    assert checksums(url_of(live)) == before

    # The application works on the restored database: ready, and the old token is valid again.
    client = live.test_client()
    assert client.get("/readyz").status_code == 200
    with Session(live.extensions["db_engine"]) as session:
        token = issue_token(session, email="samordnare.backup@example.se")
        session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["name"] == "Åsa Öberg"


def test_a_backup_taken_during_a_write_holds_only_what_was_committed(live, clock, tmp_path):
    fill(live, clock)
    before = checksums(url_of(live))
    backup = tmp_path / "online.backup"
    writer = make_engine(url_of(live))
    try:
        with writer.connect() as connection:
            transaction = connection.begin()
            connection.execute(text("UPDATE users SET name = 'Halvvägs'"))
            connection.execute(text("DELETE FROM api_tokens"))
            # The application is in the middle of a write: the backup neither waits for it nor sees it.
            created = invoke(live, "backup", "create", str(backup))
            assert created.exit_code == 0, created.output
            transaction.commit()
    finally:
        writer.dispose()
    assert checksums(url_of(live)) != before

    restored = invoke(live, "backup", "restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert checksums(url_of(live)) == before


def test_restore_asks_first_and_changes_nothing_when_told_no(live, clock, tmp_path):
    fill(live, clock)
    backup = tmp_path / "ask.backup"
    assert invoke(live, "backup", "create", str(backup)).exit_code == 0
    change_everything(live, clock)
    changed = checksums(url_of(live))

    for answer in ("n\n", "", None):  # no, just Enter, no input at all (a cron job without --yes)
        refused = invoke(live, "backup", "restore", str(backup), input=answer)
        assert refused.exit_code != 0
        assert "Replace everything in the database" in refused.output
        assert checksums(url_of(live)) == changed

    accepted = invoke(live, "backup", "restore", str(backup), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert checksums(url_of(live)) != changed


@pytest.mark.parametrize("damage", ["text", "truncated", "empty", "missing", "other-kind"])
def test_restore_refuses_a_damaged_or_foreign_file_before_touching_the_database(live, clock, tmp_path, damage,
                                                                                  sqlite_template):
    fill(live, clock)
    good = tmp_path / "good.backup"
    assert invoke(live, "backup", "create", str(good)).exit_code == 0
    bad = tmp_path / "bad.backup"
    if damage == "text":
        bad.write_text("this is not a backup\n")
    elif damage == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[:len(data) // 2])
    elif damage == "empty":
        bad.write_bytes(b"")
    elif damage == "other-kind":
        # An SQLite backup given to PostgreSQL and the other way round: an SQLite file of another
        # program (no alembic_version) stands in for "not ours" on SQLite.
        if live.config["DATABASE_URL"].startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(bad) as other:
                other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        else:
            shutil.copy(sqlite_template, bad)
    change_everything(live, clock)
    changed = checksums(url_of(live))

    result = invoke(live, "backup", "restore", str(bad), "--yes")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    assert str(bad) in result.output
    assert checksums(url_of(live)) == changed


def test_create_never_overwrites_by_accident_and_leaves_no_partial_file(live, clock, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "kept.backup"
    backup.write_text("an older backup")
    result = invoke(live, "backup", "create", str(backup))
    assert result.exit_code == 2 and "already exists" in result.output
    assert backup.read_text() == "an older backup"

    replaced = invoke(live, "backup", "create", str(backup), "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert backup.read_bytes() != b"an older backup"

    assert invoke(live, "backup", "create", str(folder / "no-such-folder" / "x.backup")).exit_code == 2
    assert invoke(live, "backup", "create", str(folder)).exit_code == 2
    assert sorted(p.name for p in folder.iterdir()) == ["kept.backup"]


def test_an_in_memory_or_unsupported_database_is_refused_clearly(tmp_path):
    with pytest.raises(BackupError, match="in-memory"):
        create_backup("sqlite://", tmp_path / "x.backup")
    with pytest.raises(BackupError, match="not mysql"):
        create_backup("mysql://u@h/db", tmp_path / "x.backup")
    with pytest.raises(BackupError, match="no SQLite database"):
        create_backup(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "x.backup")
    assert list(tmp_path.iterdir()) == []


# --- PostgreSQL connection: the password never on the command line ---------------------------

FAKE_CLIENT = """#!{python}
import json, os, sys
env = {{k: v for k, v in os.environ.items() if k.startswith("PG")}}
with open(os.environ["FAKE_RECORD"], "a") as f:
    f.write(json.dumps({{"argv": sys.argv, "env": env}}) + "\\n")
print("pg_dump: error: connection to server failed: FATAL: nope", file=sys.stderr)
sys.exit(1)
"""


def test_pg_dump_gets_the_password_through_the_environment_only(tmp_path, monkeypatch):
    """A stand-in pg_dump records how it was called: host, port, user and database as arguments,
    the password and the URL's SSL options through libpq's environment variables."""
    import json

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(FAKE_CLIENT.format(python=sys.executable))
    fake.chmod(0o755)
    record = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_RECORD", str(record))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    out = tmp_path / "out"
    out.mkdir()

    url = "postgresql://samordning:p%40ss%20w0rd-hemligt@db.internal:6543/stadens_db?sslmode=verify-full"
    with pytest.raises(BackupError, match="pg_dump failed: pg_dump: error: connection to server failed"):
        create_backup(url, out / "x.backup")

    (call,) = [json.loads(line) for line in record.read_text().splitlines()]
    argv = call["argv"]
    assert not any("hemligt" in arg for arg in argv)
    assert {"--host=db.internal", "--port=6543", "--username=samordning", "--dbname=stadens_db",
            "--format=custom", "--no-password"} <= set(argv[1:])
    assert call["env"]["PGPASSWORD"] == "p@ss w0rd-hemligt"
    assert call["env"]["PGSSLMODE"] == "verify-full"
    assert list(out.iterdir()) == []  # nothing half-written left behind


def test_the_cli_lists_the_backup_commands(make_app):
    app = make_app()
    result = invoke(app, "backup", "--help")
    assert result.exit_code == 0
    assert "create" in result.output and "restore" in result.output
    restore_help = invoke(app, "backup", "restore", "--help").output
    assert "--yes" in restore_help

