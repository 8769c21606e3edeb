"""Development projects in or near business areas, and the outreach list of who was told.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:28:14.189354+00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('development_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('planned_change_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['planned_change_id'], ['planned_changes.id'], name=op.f('fk_development_projects_planned_change_id_planned_changes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_projects'))
    )
    op.create_table('outreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('informed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Text(), server_default='', nullable=False),
    sa.Column('informed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_outreach_company_id_companies')),
    sa.ForeignKeyConstraint(['informed_by_id'], ['users.id'], name=op.f('fk_outreach_informed_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['development_projects.id'], name=op.f('fk_outreach_project_id_development_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach')),
    sa.UniqueConstraint('project_id', 'company_id', name=op.f('uq_outreach_project_id_company_id'))
    )
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_project_id'), ['project_id'], unique=False)

    op.create_table('project_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('business_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_area_id'], ['business_areas.id'], name=op.f('fk_project_areas_business_area_id_business_areas')),
    sa.ForeignKeyConstraint(['project_id'], ['development_projects.id'], name=op.f('fk_project_areas_project_id_development_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_areas')),
    sa.UniqueConstraint('project_id', 'business_area_id', name=op.f('uq_project_areas_project_id_business_area_id'))
    )
    with op.batch_alter_table('project_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_areas_business_area_id'), ['business_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_areas_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('project_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_areas_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_areas_business_area_id'))

    op.drop_table('project_areas')
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_project_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_company_id'))

    op.drop_table('outreach')
    op.drop_table('development_projects')
