"""Full-text search over cases, kept out of the models (autogenerate ignores it, see env.py)
because each database does it its own way. Shared by the revisions that create or change it and
by any revision that makes SQLite copy the `cases` table (which drops its triggers).

The indexed columns have versions: V1 (revision 0002) and V2 (revision 0009, adds the contact
person so a case can be found, and forgotten, by who raised it). A revision that copies
`cases` on SQLite restores the triggers of the version in force at that revision."""

from alembic import op

V1 = ("reference", "title", "description", "company_name", "location")
V2 = V1 + ("contact_name",)
CURRENT = V2


def _sqlite(columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    return [
        f"""CREATE VIRTUAL TABLE cases_fts USING fts5({cols},
            content='cases', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
        *_sqlite_triggers(columns),
        "INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')",
    ]


def _sqlite_triggers(columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"""CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
            INSERT INTO cases_fts(rowid, {cols}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
            INSERT INTO cases_fts(cases_fts, rowid, {cols}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER cases_fts_update AFTER UPDATE OF {cols} ON cases BEGIN
            INSERT INTO cases_fts(cases_fts, rowid, {cols}) VALUES ('delete', old.id, {old});
            INSERT INTO cases_fts(rowid, {cols}) VALUES (new.id, {new});
        END""",
    ]


def _postgres(columns: tuple[str, ...]) -> list[str]:
    people = " || ' ' || coalesce(contact_name, '')" if "contact_name" in columns else ""
    return [
        f"""ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', replace(reference, '/', ' ')), 'A') ||
            setweight(to_tsvector('swedish', coalesce(title, '')), 'A') ||
            setweight(to_tsvector('swedish', coalesce(company_name, '') || ' ' || coalesce(location, ''){people}), 'B') ||
            setweight(to_tsvector('swedish', coalesce(description, '')), 'C')) STORED""",
        "CREATE INDEX ix_cases_search_vector ON cases USING gin (search_vector)",
    ]


def create_search(columns: tuple[str, ...] = V1) -> None:
    statements = _sqlite(columns) if op.get_bind().dialect.name == "sqlite" else _postgres(columns)
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


def restore_sqlite_triggers(columns: tuple[str, ...] = V1) -> None:
    """After a batch operation copied `cases` on SQLite: the triggers again, and the index rebuilt."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("cases_fts_insert", "cases_fts_delete", "cases_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in _sqlite_triggers(columns):
        op.execute(statement)
    op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
