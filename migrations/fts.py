"""Full-text search over cases, kept out of the models (autogenerate ignores it, see env.py)
because each database does it its own way. Shared by the revisions that create it and by any
revision that makes SQLite copy the `cases` table (which drops its triggers)."""

from alembic import op

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE cases_fts USING fts5(
        reference, title, description, company_name, location,
        content='cases', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
        INSERT INTO cases_fts(rowid, reference, title, description, company_name, location)
        VALUES (new.id, new.reference, new.title, new.description, new.company_name, new.location);
    END""",
    """CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
        INSERT INTO cases_fts(cases_fts, rowid, reference, title, description, company_name, location)
        VALUES ('delete', old.id, old.reference, old.title, old.description, old.company_name, old.location);
    END""",
    """CREATE TRIGGER cases_fts_update AFTER UPDATE OF reference, title, description, company_name, location
        ON cases BEGIN
        INSERT INTO cases_fts(cases_fts, rowid, reference, title, description, company_name, location)
        VALUES ('delete', old.id, old.reference, old.title, old.description, old.company_name, old.location);
        INSERT INTO cases_fts(rowid, reference, title, description, company_name, location)
        VALUES (new.id, new.reference, new.title, new.description, new.company_name, new.location);
    END""",
    "INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')",
]
POSTGRES_FTS = [
    """ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', replace(reference, '/', ' ')), 'A') ||
        setweight(to_tsvector('swedish', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('swedish', coalesce(company_name, '') || ' ' || coalesce(location, '')), 'B') ||
        setweight(to_tsvector('swedish', coalesce(description, '')), 'C')) STORED""",
    "CREATE INDEX ix_cases_search_vector ON cases USING gin (search_vector)",
]


SQLITE_TRIGGERS = SQLITE_FTS[1:4]


def create_search() -> None:
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def drop_search() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("cases_fts_insert", "cases_fts_delete", "cases_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS cases_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_cases_search_vector")
        op.execute("ALTER TABLE cases DROP COLUMN IF EXISTS search_vector")


def restore_sqlite_triggers() -> None:
    """After a batch operation copied `cases` on SQLite: the triggers again, and the index rebuilt."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("cases_fts_insert", "cases_fts_delete", "cases_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
