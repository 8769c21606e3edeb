"""Backups of the whole database, and restoring one.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`), which copies a consistent
snapshot while the application keeps running, in both directions. PostgreSQL: `pg_dump
--format=custom` and `pg_restore --clean --if-exists --no-owner` in one transaction; the
connection comes from the SQLAlchemy URL and the password goes through PGPASSWORD, never the
command line.

A backup is written to a temporary file beside PATH and moved into place only once it has been
checked, so PATH never holds half a backup. A restore checks the file before it touches the
database.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from coordination.db import normalise_url
from coordination.errors import DomainError

# URL query options that libpq reads from the environment as well (pg_dump takes no URL options).
_LIBPQ_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
              "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT",
              "application_name": "PGAPPNAME", "options": "PGOPTIONS", "gssencmode": "PGGSSENCMODE",
              "target_session_attrs": "PGTARGETSESSIONATTRS", "service": "PGSERVICE"}
_TOC_TABLE = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", re.MULTILINE)
_VERSION_TABLE = "alembic_version"


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str  # "sqlite" or "postgresql"


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    engine: str
    # Tables in the database the backup does not hold: a restore leaves them as they are.
    untouched_tables: tuple[str, ...] = ()


def _url(database_url: str) -> URL:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups work on SQLite and PostgreSQL, not {url.get_backend_name()}.")
    return url


def create_backup(database_url: str, path: Path | str, *, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the whole database to `path`, taken while the application runs."""
    url, path = _url(database_url), Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give the name of the backup file.")
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists; choose a new name (or replace it with --overwrite).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), temporary)
            _verify_sqlite(temporary)
        else:
            _pg_run(url, ["pg_dump", "--format=custom", "--no-password", f"--file={temporary}"],
                    what="pg_dump")
            _verify_pg(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(path=path, size=path.stat().st_size, engine=url.get_backend_name())


def verify_backup(database_url: str, path: Path | str) -> None:
    """Raise BackupError unless `path` is a complete, readable backup of this application for
    the kind of database `database_url` names."""
    url, path = _url(database_url), Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    if url.get_backend_name() == "sqlite":
        _verify_sqlite(path)
    else:
        _verify_pg(path)


def restore_backup(database_url: str, path: Path | str, *, verified: bool = False) -> RestoreResult:
    """Replace the database's contents with the backup's, after checking the backup (unless the
    caller just did, `verified=True`). Stop the web and job processes first: a restore waits for
    their transactions and changes what they see."""
    url, path = _url(database_url), Path(path)
    if not verified:
        verify_backup(database_url, path)
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source=path, target=target, source_readonly=True)
        return RestoreResult(path=path, engine="sqlite")
    archived = set(_pg_archive_tables(path))
    _pg_run(url, ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", "--no-password", str(path)], what="pg_restore")
    present = _pg_tables(url)
    return RestoreResult(path=path, engine="postgresql",
                         untouched_tables=tuple(sorted(t for t in present if t not in archived)))


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("An in-memory SQLite database cannot be backed up; DATABASE_URL must name a file.")
    return Path(url.database)


def _sqlite_connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        return sqlite3.connect(path, timeout=30)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot open the SQLite database {path}: {error}.") from error


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    _sqlite_copy(source=source, target=target, source_readonly=True)
    # A self-contained file: no write-ahead log beside it.
    with closing(_sqlite_connect(target, readonly=False)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def _sqlite_copy(*, source: Path, target: Path, source_readonly: bool) -> None:
    """SQLite's online backup: a consistent snapshot of `source` written page by page into
    `target`, safe while other connections read and write either of them."""
    with closing(_sqlite_connect(source, readonly=source_readonly)) as src, \
            closing(_sqlite_connect(target, readonly=False)) as dst:
        try:
            src.backup(dst)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not copy {source} to {target}: {error}.") from error


def _verify_sqlite(path: Path) -> None:
    with closing(_sqlite_connect(path, readonly=True)) as connection:
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as error:
            raise BackupError(f"{path} is not a readable SQLite backup: {error}.") from error
    if result != ["ok"]:
        raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(result[:5])}.")
    if _VERSION_TABLE not in tables:
        raise BackupError(f"{path} is not a backup of this application (it has no {_VERSION_TABLE} table).")


# --- PostgreSQL -----------------------------------------------------------------------------

def _pg_command(url: URL, program: str) -> tuple[list[str], dict[str, str]]:
    """The connection arguments and environment for a PostgreSQL client program."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} was not found; install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client).")
    args, env = [executable], dict(os.environ)
    query = {key: (value[-1] if isinstance(value, tuple) else value) for key, value in url.query.items()}
    host = url.host or query.get("host")
    if host:
        args.append(f"--host={host}")
    if url.port or query.get("port"):
        args.append(f"--port={url.port or query['port']}")
    if url.username:
        args.append(f"--username={url.username}")
    if url.database:
        args.append(f"--dbname={url.database}")
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    for key, variable in _LIBPQ_ENV.items():
        if key in query:
            env[variable] = str(query[key])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return args, env


def _pg_run(url: URL, command: list[str], *, what: str) -> str:
    program, *rest = command
    args, env = _pg_command(url, program)
    try:
        completed = subprocess.run([*args, *rest], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except OSError as error:
        raise BackupError(f"{what} could not be started: {error}.") from error
    if completed.returncode != 0:
        raise BackupError(f"{what} failed: {_first_lines(completed.stderr)}")
    return completed.stdout


def _pg_read_archive(path: Path, *args: str) -> str:
    executable = shutil.which("pg_restore")
    if executable is None:
        raise BackupError("pg_restore was not found; install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client).")
    completed = subprocess.run([executable, *args, str(path)], capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        raise BackupError(f"{path} is not a readable PostgreSQL backup: {_first_lines(completed.stderr)}")
    return completed.stdout


def _pg_archive_tables(path: Path) -> list[str]:
    toc = _pg_read_archive(path, "--list")
    return [name for schema, name in _TOC_TABLE.findall(toc)]


def _verify_pg(path: Path) -> None:
    """The archive's table of contents lists this application's tables, and every data block
    reads to its end (a truncated file fails here, not halfway through a restore)."""
    if _VERSION_TABLE not in _pg_archive_tables(path):
        raise BackupError(f"{path} is not a backup of this application (it has no {_VERSION_TABLE} table).")
    _pg_read_archive(path, f"--file={os.devnull}")


def _pg_tables(url: URL) -> list[str]:
    from sqlalchemy import inspect

    from coordination.db import make_engine

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _first_lines(text: str, count: int = 5) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " / ".join(lines[:count]) or "no message"
