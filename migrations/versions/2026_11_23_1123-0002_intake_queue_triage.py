"""Intake, queue and triage: the case's triage fields and submitter, comments, links,
attachments, the outbox, and full-text search (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:23:58.708198+00:00
"""
from typing import Sequence, Union

from alembic import op

from migrations.fts import create_search, drop_search
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)

    op.create_table('case_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_comments_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_comments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_comments'))
    )
    with op.batch_alter_table('case_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_comments_case_id'), ['case_id'], unique=False)

    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('other_case_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_links_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['other_case_id'], ['cases.id'], name=op.f('fk_case_links_other_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('case_id', 'other_case_id', name=op.f('uq_case_links_case_id_other_case_id'))
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_other_case_id'), ['other_case_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_claim_token'), ['claim_token'], unique=False)
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('organisation_number', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('location', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('category', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('priority', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.add_column(sa.Column('major_significance', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('needs_department_head_decision', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('needs_political_decision', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('estimated_cost_sek', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prepared_for_committee', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('referred_to_committee', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('overdue', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('triaged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index(batch_op.f('ix_cases_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_organisation_number'), ['organisation_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_source'), ['source'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_cases_status_token_hash'), ['status_token_hash'])
        batch_op.create_foreign_key(batch_op.f('fk_cases_merged_into_id_cases'), 'cases', ['merged_into_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_cases_triaged_by_id_users'), 'users', ['triaged_by_id'], ['id'])

    create_search()


def downgrade() -> None:
    drop_search()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_triaged_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_cases_merged_into_id_cases'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_cases_status_token_hash'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_cases_source'))
        batch_op.drop_index(batch_op.f('ix_cases_priority'))
        batch_op.drop_index(batch_op.f('ix_cases_organisation_number'))
        batch_op.drop_index(batch_op.f('ix_cases_merged_into_id'))
        batch_op.drop_column('version')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('status_token_hash')
        batch_op.drop_column('triaged_by_id')
        batch_op.drop_column('triaged_at')
        batch_op.drop_column('overdue')
        batch_op.drop_column('referred_to_committee')
        batch_op.drop_column('prepared_for_committee')
        batch_op.drop_column('estimated_cost_sek')
        batch_op.drop_column('needs_political_decision')
        batch_op.drop_column('needs_department_head_decision')
        batch_op.drop_column('major_significance')
        batch_op.drop_column('priority')
        batch_op.drop_column('category')
        batch_op.drop_column('location')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('organisation_number')
        batch_op.drop_column('company_name')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_claim_token'))
        batch_op.drop_index(batch_op.f('ix_outbox_case_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_links_other_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_links_case_id'))

    op.drop_table('case_links')
    with op.batch_alter_table('case_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_comments_case_id'))

    op.drop_table('case_comments')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_case_id'))

    op.drop_table('attachments')
