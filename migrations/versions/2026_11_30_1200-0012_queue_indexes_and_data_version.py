"""Indexes the queues count and sort from (cases that are not merged away; the index of merged
cases only covers the merged ones, so SQLite stops reading every case through it), and the data
version: a one-row counter raised by triggers on every write to the tables pages are made from,
so a rendered page can be kept until something changes (coordination/pagecache.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.dataversion import (
    create_function,
    create_triggers,
    drop_function,
    drop_triggers,
)

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table at this revision but those in pagecache.UNVERSIONED_TABLES.
VERSIONED = (
    "action_items", "action_notes", "agenda_items", "agenda_versions", "agendas", "attachments", "business_areas",
    "case_comments", "case_events", "case_links", "case_organisations", "cases", "committees", "companies",
    "company_areas", "contact_log", "contact_log_cases", "contact_log_companies", "contact_persons",
    "development_projects", "escalation_requests", "focus_areas", "group_members", "groups", "meeting_series",
    "meetings", "minutes", "minutes_items", "notification_preferences", "notifications", "organisations",
    "outreach", "planned_changes", "project_areas", "reference_counters", "report_answers", "report_questions",
    "report_templates", "reports", "routing_rules", "rule_audit", "rule_firings", "users",
)
UNMERGED = sa.text("merged_into_id IS NULL")
MERGED = sa.text("merged_into_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_cases_merged_into_id", table_name="cases")
    op.create_index("ix_cases_merged_into_id", "cases", ["merged_into_id"],
                    postgresql_where=MERGED, sqlite_where=MERGED)
    op.create_index("ix_cases_unmerged_status_received_at", "cases", ["status", "received_at", "id"],
                    postgresql_where=UNMERGED, sqlite_where=UNMERGED)
    op.create_index("ix_cases_unmerged_area_status_received_at", "cases",
                    ["business_area_id", "status", "received_at", "id"],
                    postgresql_where=UNMERGED, sqlite_where=UNMERGED)
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.execute("INSERT INTO data_version (id, n) VALUES (1, 0)")
    create_function()
    for table in VERSIONED:
        create_triggers(table)


def downgrade() -> None:
    for table in VERSIONED:
        drop_triggers(table)
    drop_function()
    op.drop_table('data_version')
    op.drop_index("ix_cases_unmerged_area_status_received_at", table_name="cases")
    op.drop_index("ix_cases_unmerged_status_received_at", table_name="cases")
    op.drop_index("ix_cases_merged_into_id", table_name="cases")
    op.create_index("ix_cases_merged_into_id", "cases", ["merged_into_id"])
