"""Meetings: series per group, meetings, generated agendas with items and published versions,
minutes and their items, per-user calendar tokens, and planned changes reported by organisations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:52:06.619223+00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_tokens_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_tokens_user_id'))
    )
    op.create_table('planned_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('business_area_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_area_id'], ['business_areas.id'], name=op.f('fk_planned_changes_business_area_id_business_areas')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_planned_changes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_planned_changes_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_changes'))
    )
    with op.batch_alter_table('planned_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_changes_business_area_id'), ['business_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_changes_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_changes_reported_at'), ['reported_at'], unique=False)

    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('rrule', sa.String(length=500), server_default='', nullable=False),
    sa.Column('dates', sa.JSON(), nullable=False),
    sa.Column('first_date', sa.String(length=10), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=300), server_default='', nullable=False),
    sa.Column('video_link', sa.String(length=500), server_default='', nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_meeting_series_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('name', name=op.f('uq_meeting_series_name'))
    )
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series_group_id'), ['group_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.String(length=10), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), server_default='', nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=1000), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meetings_series_id_meeting_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('series_id', 'occurrence', name=op.f('uq_meetings_series_id_occurrence'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_series_id_starts_at', ['series_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_starts_at'), ['starts_at'], unique=False)

    op.create_table('agendas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_version', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_agendas_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agendas')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_agendas_meeting_id'))
    )
    op.create_table('minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('correction_reason', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_minutes_approved_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_minutes_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes')),
    sa.UniqueConstraint('meeting_id', 'version', name=op.f('uq_minutes_meeting_id_version'))
    )
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=60), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('planned_change_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('removed_reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('edited', sa.Boolean(), nullable=False),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.Column('carried_from', sa.String(length=10), nullable=True),
    sa.Column('changed_in_generation', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_items.id'], name=op.f('fk_agenda_items_action_id_action_items')),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_agenda_items_agenda_id_agendas')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_agenda_items_case_id_cases')),
    sa.ForeignKeyConstraint(['planned_change_id'], ['planned_changes.id'], name=op.f('fk_agenda_items_planned_change_id_planned_changes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('agenda_id', 'source_key', name=op.f('uq_agenda_items_agenda_id_source_key'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_items_agenda_id_section_position', ['agenda_id', 'section', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_items_case_id'), ['case_id'], unique=False)

    op.create_table('agenda_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_agenda_versions_agenda_id_agendas')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_agenda_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_versions')),
    sa.UniqueConstraint('agenda_id', 'version', name=op.f('uq_agenda_versions_agenda_id_version'))
    )
    with op.batch_alter_table('agenda_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_versions_agenda_id'), ['agenda_id'], unique=False)

    op.create_table('minutes_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Text(), server_default='', nullable=False),
    sa.Column('outcome', sa.String(length=12), server_default='', nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_minutes_items_agenda_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_minutes_items_case_id_cases')),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_minutes_items_minutes_id_minutes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_items')),
    sa.UniqueConstraint('minutes_id', 'agenda_item_id', name=op.f('uq_minutes_items_minutes_id_agenda_item_id'))
    )
    with op.batch_alter_table('minutes_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_minutes_items_minutes_id'), ['minutes_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('minutes_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_items_minutes_id'))
        batch_op.drop_index(batch_op.f('ix_minutes_items_case_id'))

    op.drop_table('minutes_items')
    with op.batch_alter_table('agenda_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_versions_agenda_id'))

    op.drop_table('agenda_versions')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_case_id'))
        batch_op.drop_index('ix_agenda_items_agenda_id_section_position')

    op.drop_table('agenda_items')
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_meeting_id'))

    op.drop_table('minutes')
    op.drop_table('agendas')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_starts_at'))
        batch_op.drop_index('ix_meetings_series_id_starts_at')

    op.drop_table('meetings')
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_series_group_id'))

    op.drop_table('meeting_series')
    with op.batch_alter_table('planned_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_changes_reported_at'))
        batch_op.drop_index(batch_op.f('ix_planned_changes_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_planned_changes_business_area_id'))

    op.drop_table('planned_changes')
    op.drop_table('calendar_tokens')
