"""The data version's triggers (see coordination/pagecache.py), shared by the revision that
creates them and by any later revision that adds a table or makes SQLite copy one (a batch
copy drops the table's triggers: call `restore_sqlite_triggers(table)` after it)."""

from alembic import op


def _sqlite(table: str) -> list[str]:
    return [f"""CREATE TRIGGER dv_{table}_{short} AFTER {event} ON {table} BEGIN
                UPDATE data_version SET n = n + 1 WHERE id = 1;
            END""" for short, event in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE"))]


def create_function() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Once per transaction: its writes become visible together at commit anyway, and
        # updating one row thousands of times in one transaction (a bulk import, executemany
        # sending a statement per row) gets slower with every update. The marker is a
        # transaction-local setting, so a rolled-back savepoint takes it back with its update.
        # OR REPLACE: migration 0014's downgrade puts this version back.
        op.execute("""CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('samordning.data_version_txid', true) IS DISTINCT FROM txid_current()::text THEN
                    PERFORM set_config('samordning.data_version_txid', txid_current()::text, true);
                    UPDATE data_version SET n = n + 1 WHERE id = 1;
                END IF;
                RETURN NULL;
            END $$""")


def drop_function() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")


def create_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER dv_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")
    else:
        for statement in _sqlite(table):
            op.execute(statement)


def drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS dv_{table} ON {table}")
    else:
        for short in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS dv_{table}_{short}")


def restore_sqlite_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_triggers(table)
        create_triggers(table)
