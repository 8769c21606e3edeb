"""Alembic environment: one metadata for every feature, batch mode on SQLite."""

import os
from logging.config import fileConfig

from alembic import context

import coordination.models  # noqa: F401  (registers every table)
from coordination.db import make_engine, metadata, normalise_url

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        from config.settings import load

        url = load()["DATABASE_URL"]
    return normalise_url(url)


def render_item(type_, obj, autogen_context):
    """Render the app's UTC timestamp type as a plain timezone-aware DateTime, so that
    revisions do not import application code."""
    from coordination.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the full-text search structures (kept by hand in the migrations, one kind per
    database) out of autogenerate's comparison."""
    if type_ == "table" and name and name.startswith("cases_fts"):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    if type_ == "index" and name == "ix_cases_search_vector":
        return False
    return True


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"), compare_type=True,
                      render_item=render_item, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      render_item=render_item, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
