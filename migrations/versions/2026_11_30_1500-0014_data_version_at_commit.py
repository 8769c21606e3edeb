"""The data version is raised as a writing transaction commits, not at its first write.

Before, a transaction's first write to a versioned table updated the version's one row and so
held its lock until the end of the transaction: on PostgreSQL every other writer waited for the
whole of it (a sweep's long transaction held back every save), and two transactions writing the
same rows in opposite orders could deadlock over the version (one locks case A and the version,
the other case B and waits for the version, the first then wants B). Now the first write adds a
row for its transaction to `data_version_bumps`, which has a DEFERRABLE INITIALLY DEFERRED
constraint trigger: at commit it raises the version and removes the row. The version's lock is
taken last and held only while the transaction commits, and the new version becomes visible
with the data, as before. A rolled-back savepoint takes its row (and the once-per-transaction
marker) back with it.

SQLite is unchanged: it has one writer at a time, and its triggers raise the version at once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 15:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.dataversion import create_function

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statement trigger on every versioned table (migration 0012) calls bump_data_version().
MARK_TRANSACTION = """CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('samordning.data_version_txid', true) IS DISTINCT FROM txid_current()::text THEN
            PERFORM set_config('samordning.data_version_txid', txid_current()::text, true);
            INSERT INTO data_version_bumps (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$"""


def upgrade() -> None:
    op.create_table('data_version_bumps',
    sa.Column('txid', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('txid', name=op.f('pk_data_version_bumps'))
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE FUNCTION raise_data_version_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE data_version SET n = n + 1 WHERE id = 1;
            DELETE FROM data_version_bumps WHERE txid = NEW.txid;
            RETURN NULL;
        END $$""")
    op.execute("CREATE CONSTRAINT TRIGGER data_version_at_commit AFTER INSERT ON data_version_bumps "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_version_at_commit()")
    op.execute(MARK_TRANSACTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_function()  # migration 0012's: raise the version at the first write
        op.execute("DROP TRIGGER IF EXISTS data_version_at_commit ON data_version_bumps")
        op.execute("DROP FUNCTION IF EXISTS raise_data_version_at_commit()")
    op.drop_table('data_version_bumps')
