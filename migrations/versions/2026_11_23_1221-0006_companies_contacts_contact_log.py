"""The register of companies and property owners, their business areas and contact persons,
the contact log, and the link from a case to its company.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:21:54.022413+00:00
"""
from typing import Sequence, Union

from alembic import op

from migrations.fts import restore_sqlite_triggers
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_number', sa.String(length=11), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sole_trader', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=300), server_default='', nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('organisation_number', name=op.f('uq_companies_organisation_number'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_name'), ['name'], unique=False)

    op.create_table('contact_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), server_default='', nullable=False),
    sa.Column('email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('phone', sa.String(length=40), server_default='', nullable=False),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contact_persons_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_persons'))
    )
    with op.batch_alter_table('contact_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_persons_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_persons_email'), ['email'], unique=False)

    op.create_table('contact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_log'))
    )
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.create_index('ix_contact_log_at', ['at'], unique=False)

    op.create_table('company_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('business_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_area_id'], ['business_areas.id'], name=op.f('fk_company_areas_business_area_id_business_areas')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_areas_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_areas')),
    sa.UniqueConstraint('company_id', 'business_area_id', name=op.f('uq_company_areas_company_id_business_area_id'))
    )
    with op.batch_alter_table('company_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_areas_business_area_id'), ['business_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_areas_company_id'), ['company_id'], unique=False)

    op.create_table('contact_log_companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contact_log_companies_company_id_companies')),
    sa.ForeignKeyConstraint(['entry_id'], ['contact_log.id'], name=op.f('fk_contact_log_companies_entry_id_contact_log')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_log_companies')),
    sa.UniqueConstraint('entry_id', 'company_id', name=op.f('uq_contact_log_companies_entry_id_company_id'))
    )
    with op.batch_alter_table('contact_log_companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_companies_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_log_companies_entry_id'), ['entry_id'], unique=False)

    op.create_table('contact_log_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_contact_log_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['entry_id'], ['contact_log.id'], name=op.f('fk_contact_log_cases_entry_id_contact_log')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_log_cases')),
    sa.UniqueConstraint('entry_id', 'case_id', name=op.f('uq_contact_log_cases_entry_id_case_id'))
    )
    with op.batch_alter_table('contact_log_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_cases_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_log_cases_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_company_id'), ['company_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_company_id_companies'), 'companies', ['company_id'], ['id'])
    # SQLite copied `cases` to add the foreign key: its full-text triggers go with the old table.
    restore_sqlite_triggers()



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_company_id_companies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_company_id'))
        batch_op.drop_column('company_id')
    restore_sqlite_triggers()

    with op.batch_alter_table('contact_log_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_cases_entry_id'))
        batch_op.drop_index(batch_op.f('ix_contact_log_cases_case_id'))

    op.drop_table('contact_log_cases')
    with op.batch_alter_table('contact_log_companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_companies_entry_id'))
        batch_op.drop_index(batch_op.f('ix_contact_log_companies_company_id'))

    op.drop_table('contact_log_companies')
    with op.batch_alter_table('company_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_areas_company_id'))
        batch_op.drop_index(batch_op.f('ix_company_areas_business_area_id'))

    op.drop_table('company_areas')
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_log_at')

    op.drop_table('contact_log')
    with op.batch_alter_table('contact_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_persons_email'))
        batch_op.drop_index(batch_op.f('ix_contact_persons_company_id'))

    op.drop_table('contact_persons')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_companies_name'))

    op.drop_table('companies')
