"""Routing rules as data (with the default rules R1-R7 of DESIGN.md), rule firings, rule
audit, escalation requests, notifications, action items and notes, and the case fields the
rules read (level_entered_at, level_seq, last_progress_at, agendas_without_decision).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:42:48.440361+00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('on_change', sa.Boolean(), nullable=False),
    sa.Column('on_sweep', sa.Boolean(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('match', sa.String(length=3), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('reason_sv', sa.String(length=500), nullable=False),
    sa.Column('reason_en', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_routing_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_routing_rules_code'))
    )
    op.create_table('rule_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['routing_rules.id'], name=op.f('fk_rule_audit_rule_id_routing_rules')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rule_audit_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_audit'))
    )
    with op.batch_alter_table('rule_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_audit_rule_id'), ['rule_id'], unique=False)

    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('work_group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('blocked_reason', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_action_items_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_action_items_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['users.id'], name=op.f('fk_action_items_responsible_user_id_users')),
    sa.ForeignKeyConstraint(['work_group_id'], ['groups.id'], name=op.f('fk_action_items_work_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index('ix_action_items_case_id_status_due_date', ['case_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_action_items_organisation_id_status_due_date', ['organisation_id', 'status', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_responsible_user_id'), ['responsible_user_id'], unique=False)

    op.create_table('escalation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('to_level', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('answer', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_escalation_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_escalation_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_escalation_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_escalation_requests_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_requests'))
    )
    with op.batch_alter_table('escalation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_requests_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_requests_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('text_sv', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notifications_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('rule_firings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('trigger_key', sa.String(length=60), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_rule_firings_case_id_cases')),
    sa.ForeignKeyConstraint(['rule_id'], ['routing_rules.id'], name=op.f('fk_rule_firings_rule_id_routing_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_firings')),
    sa.UniqueConstraint('rule_id', 'case_id', 'trigger_key', name=op.f('uq_rule_firings_rule_id_case_id_trigger_key'))
    )
    with op.batch_alter_table('rule_firings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_firings_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_rule_firings_run_id_rule_id', ['run_id', 'rule_id'], unique=False)

    op.create_table('action_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status_from', sa.String(length=20), nullable=True),
    sa.Column('status_to', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action_items.id'], name=op.f('fk_action_notes_action_id_action_items')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_notes_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_notes'))
    )
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_notes_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level_entered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('level_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_progress_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('agendas_without_decision', sa.Integer(), server_default='0', nullable=False))

    # Cases already at a level: they came there when they were triaged.
    op.execute("UPDATE cases SET level_entered_at = COALESCE(triaged_at, received_at), level_seq = 1 "
               "WHERE level IS NOT NULL")
    op.execute("UPDATE cases SET last_progress_at = COALESCE(triaged_at, received_at)")

    rules = sa.table(
        "routing_rules", sa.column("code", sa.String), sa.column("name_sv", sa.String),
        sa.column("name_en", sa.String), sa.column("description", sa.Text), sa.column("enabled", sa.Boolean),
        sa.column("position", sa.Integer), sa.column("on_change", sa.Boolean), sa.column("on_sweep", sa.Boolean),
        sa.column("levels", sa.JSON), sa.column("match", sa.String), sa.column("conditions", sa.JSON),
        sa.column("actions", sa.JSON), sa.column("reason_sv", sa.String), sa.column("reason_en", sa.String),
        sa.column("version", sa.Integer))
    op.bulk_insert(rules, [dict(rule, enabled=True, version=1) for rule in DEFAULT_RULES])
    op.execute("INSERT INTO rule_audit (rule_id, version, at, user_id, snapshot, summary) "
               "SELECT id, 1, CURRENT_TIMESTAMP, NULL, '{}', 'default policy (DESIGN.md)' FROM routing_rules")


# The default routing policy of DESIGN.md, as data an admin can edit. Thresholds are defaults.
DEFAULT_RULES = [
    {"code": "R1", "position": 10, "name_sv": "Otriagerat för länge", "name_en": "Untriaged too long",
     "description": "Ett ärende som väntat otriagerat i inkorgen mer än 2 arbetsdagar flaggas som försenat "
                    "och samordnaren påminns.",
     "on_change": False, "on_sweep": True, "levels": [0], "match": "all",
     "conditions": [{"field": "status", "op": "in", "value": ["new"]},
                    {"field": "working_days_since_received", "op": "gt", "value": 2}],
     "actions": [{"type": "flag_overdue"}, {"type": "notify", "who": "coordinator"}],
     "reason_sv": "Otriagerat ärende äldre än 2 arbetsdagar",
     "reason_en": "Untriaged case older than 2 working days"},
    {"code": "R2", "position": 20, "name_sv": "Flera organisationer berörs", "name_en": "Several organisations",
     "description": "Ett ärende i arbetsgruppen som berör två eller fler organisationer lyfts till "
                    "samordningsgruppen.",
     "on_change": True, "on_sweep": True, "levels": [1], "match": "all",
     "conditions": [{"field": "organisations_count", "op": "gte", "value": 2}],
     "actions": [{"type": "escalate", "to_level": 2}],
     "reason_sv": "Frågan går över förvaltnings-/bolagsgränser",
     "reason_en": "The matter crosses department or company boundaries"},
    {"code": "R3", "position": 30, "name_sv": "Stannat i arbetsgruppen", "name_en": "Stalled in the work group",
     "description": "Ett ärende i arbetsgruppen med en åtgärd försenad 10 arbetsdagar, eller utan registrerad "
                    "framdrift på 20 arbetsdagar, lyfts till samordningsgruppen.",
     "on_change": False, "on_sweep": True, "levels": [1], "match": "any",
     "conditions": [{"field": "action_overdue_days", "op": "gte", "value": 10},
                    {"field": "working_days_since_progress", "op": "gt", "value": 20}],
     "actions": [{"type": "escalate", "to_level": 2}],
     "reason_sv": "Stannat i arbetsgruppen", "reason_en": "Stalled in the work group"},
    {"code": "R4", "position": 40, "name_sv": "Större dignitet", "name_en": "Major significance",
     "description": "Ett ärende markerat som en fråga av större dignitet lyfts till styrgruppen.",
     "on_change": True, "on_sweep": True, "levels": [1, 2], "match": "all",
     "conditions": [{"field": "major_significance", "op": "is", "value": True}],
     "actions": [{"type": "escalate", "to_level": 3}],
     "reason_sv": "Fråga av betydande vikt", "reason_en": "A matter of significant weight"},
    {"code": "R5", "position": 50, "name_sv": "Över samordningsgruppens mandat",
     "name_en": "Beyond the coordination group's mandate",
     "description": "Ett ärende vars uppskattade kostnad överstiger samordningsgruppens mandat (5 MSEK) eller "
                    "som kräver beslut på förvaltningschefsnivå lyfts till styrgruppen.",
     "on_change": True, "on_sweep": True, "levels": [1, 2], "match": "any",
     "conditions": [{"field": "estimated_cost_sek", "op": "gte", "value": 5000000},
                    {"field": "needs_department_head_decision", "op": "is", "value": True}],
     "actions": [{"type": "escalate", "to_level": 3}],
     "reason_sv": "Kräver beslut på förvaltningschefsnivå",
     "reason_en": "Needs a decision at department-head level"},
    {"code": "R6", "position": 60, "name_sv": "Ej löst i samordningsgruppen",
     "name_en": "Not resolved in the coordination group",
     "description": "Ett ärende som varit på två dagordningar i samordningsgruppen utan beslut lyfts till "
                    "styrgruppen.",
     "on_change": True, "on_sweep": True, "levels": [2], "match": "all",
     "conditions": [{"field": "agendas_without_decision", "op": "gte", "value": 2}],
     "actions": [{"type": "escalate", "to_level": 3}],
     "reason_sv": "Ej löst i samordningsgruppen", "reason_en": "Not resolved in the coordination group"},
    {"code": "R7", "position": 70, "name_sv": "Kräver politiskt beslut", "name_en": "Needs a political decision",
     "description": "Ett ärende som kräver ett formellt politiskt beslut markeras för beredning till nämnd och "
                    "tas upp på nästa dagordning för samordningsgruppen.",
     "on_change": True, "on_sweep": True, "levels": [1, 2, 3], "match": "all",
     "conditions": [{"field": "needs_political_decision", "op": "is", "value": True},
                    {"field": "prepared_for_committee", "op": "is", "value": False}],
     "actions": [{"type": "mark_committee"}, {"type": "notify", "who": "coordinator"}],
     "reason_sv": "Ska beredas till nämnd", "reason_en": "To be prepared for a committee decision"},
]


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35 and PostgreSQL): a batch copy of `cases` on SQLite would
    # drop the full-text triggers of revision 0002.
    for column in ('agendas_without_decision', 'last_progress_at', 'level_seq', 'level_entered_at'):
        op.execute(f"ALTER TABLE cases DROP COLUMN {column}")

    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_notes_action_id'))

    op.drop_table('action_notes')
    with op.batch_alter_table('rule_firings', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_firings_run_id_rule_id')
        batch_op.drop_index(batch_op.f('ix_rule_firings_case_id'))

    op.drop_table('rule_firings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')
        batch_op.drop_index(batch_op.f('ix_notifications_case_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('escalation_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_requests_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_escalation_requests_case_id'))

    op.drop_table('escalation_requests')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_responsible_user_id'))
        batch_op.drop_index('ix_action_items_organisation_id_status_due_date')
        batch_op.drop_index('ix_action_items_case_id_status_due_date')

    op.drop_table('action_items')
    with op.batch_alter_table('rule_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_audit_rule_id'))

    op.drop_table('rule_audit')
    op.drop_table('routing_rules')
