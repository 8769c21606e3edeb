"""The audit log: logins, admins' changes, reads of contact persons' personal data and exports,
append-only in the database itself. Not versioned for the page cache (no page shows it, and
writing it must not make every kept page obsolete: pagecache.UNVERSIONED_TABLES).

PostgreSQL: a statement trigger raises on UPDATE, DELETE and TRUNCATE. TRUNCATE alone is let
through when the transaction has set `samordning.allow_audit_truncate` to 'on' (`SET LOCAL`):
the test suite empties every table between tests that way; the application never sets it.
SQLite: BEFORE UPDATE and BEFORE DELETE triggers abort (SQLite has no TRUNCATE, and a DELETE
without WHERE does not bypass triggers). A later revision that makes SQLite copy this table
(batch mode) drops these triggers with the old table and must create them again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 13:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_log is append-only: entries are never changed or deleted"


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_ref', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_actor_user_id_at', ['actor_user_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object_type_object_id', ['object_type', 'object_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE'
                        AND current_setting('samordning.allow_audit_truncate', true) IS NOT DISTINCT FROM 'on' THEN
                    RETURN NULL;
                END IF;
                RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'restrict_violation';
            END $$""")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
    else:
        for short, event in (("upd", "UPDATE"), ("del", "DELETE")):
            op.execute(f"CREATE TRIGGER audit_log_no_{short} BEFORE {event} ON audit_log BEGIN "
                       f"SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        for short in ("upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{short}")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object_type_object_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_log_actor_user_id_at')
        batch_op.drop_index('ix_audit_log_action_at')

    op.drop_table('audit_log')
