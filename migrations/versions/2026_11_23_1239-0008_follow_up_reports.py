"""Follow-up reports per committee and period, with the 2022 form of the business policy's
follow-up (Uppföljningsrapport näringsliv) seeded verbatim as the first template.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:39:36.083465+00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('report_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_templates')),
    sa.UniqueConstraint('year', name=op.f('uq_report_templates_year'))
    )
    op.create_table('report_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('committee_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_areas.id'], name=op.f('fk_report_questions_focus_area_id_focus_areas')),
    sa.ForeignKeyConstraint(['template_id'], ['report_templates.id'], name=op.f('fk_report_questions_template_id_report_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_questions'))
    )
    with op.batch_alter_table('report_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_questions_template_id'), ['template_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('contact_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False),
    sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('returned_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_reports_committee_id_committees')),
    sa.ForeignKeyConstraint(['template_id'], ['report_templates.id'], name=op.f('fk_reports_template_id_report_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('committee_id', 'year', 'period', name=op.f('uq_reports_committee_id_year_period'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_committee_id'), ['committee_id'], unique=False)

    op.create_table('report_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['report_questions.id'], name=op.f('fk_report_answers_question_id_report_questions')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_answers_report_id_reports')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_report_answers_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_answers')),
    sa.UniqueConstraint('report_id', 'question_id', name=op.f('uq_report_answers_report_id_question_id'))
    )
    with op.batch_alter_table('report_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_answers_report_id'), ['report_id'], unique=False)

    templates = sa.table("report_templates", sa.column("id", sa.Integer), sa.column("year", sa.Integer),
                         sa.column("name", sa.String), sa.column("intro", sa.Text))
    op.bulk_insert(templates, [{"id": 1, "year": 2022, "name": "Uppföljningsrapport näringsliv 2022", "intro": INTRO}])
    questions = sa.table("report_questions", sa.column("template_id", sa.Integer),
                         sa.column("focus_area_id", sa.Integer), sa.column("position", sa.Integer),
                         sa.column("text", sa.Text), sa.column("committee_ids", sa.JSON))
    op.bulk_insert(questions, [{"template_id": 1, "focus_area_id": area, "position": index * 10, "text": text,
                                "committee_ids": []} for index, (area, text) in enumerate(QUESTIONS_2022)])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('report_templates_id_seq', (SELECT max(id) FROM report_templates))")


INTRO = ("Detta underlag utgör ett komplement till ordinarie uppföljningen i ILS. Syftet är att få utförliga svar om "
         "pågående uppdrag, aktiviteter och processer samt vad dessa syftar till. Rubrikerna är satta utifrån "
         "näringslivspolicyns fyra fokusområden som bedöms vara aktuella för respektive nämnd och bolagsstyrelse.")

# The questions of the 2022 form, verbatim from the committees' reports (seeds 000 and 001).
QUESTIONS_2022 = [
    (1, "Beskriv samverkan med det lokala näringslivet inom stadsdelsnämndens geografiska område."),
    (1, 'Beskriv nämndens arbete med "Växla upp Stockholm"'),
    (2, "Hur sker samverkan med socialnämnden, rättsvårdande myndigheter och skatteverket i arbetet mot den svarta "
        "ekonomin och organiserad brottslighet i näringslivet?"),
    (3, "Beskriv nämndens arbete med att utveckla stadens renodlade verksamhetsområden med hänsyn till näringslivet, "
        "beskriv också eventuell samverkan med andra nämnder och bolag i det arbetet."),
    (3, "Hur samverkar och utvecklar nämnden arbetet med platssamverkan och platsaktivering på prioriterade platser "
        "eller områden för att skapa en trygg närmiljö för det lokala näringslivet?"),
    (3, "Hur samverkar nämnden för att underlätta för närvaron av kultur i det offentliga rummet?"),
    (3, "Hur sker samarbetet med att bistå i Stockholm Business Region ABs och arbetsmarknadsnämndens arbete för "
        "ökad hållbar tillväxt och företagande inom stadsdelens geografiska område?"),
    (3, "Hur sker samarbetet med Stockholm Business Region AB att stärka dialogen med företag och branscher om deras "
        "behov och hinder för tillväxt?"),
    (None, "Övriga upplysningar"),
]


def downgrade() -> None:
    with op.batch_alter_table('report_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_answers_report_id'))

    op.drop_table('report_answers')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_committee_id'))

    op.drop_table('reports')
    with op.batch_alter_table('report_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_questions_template_id'))

    op.drop_table('report_questions')
    op.drop_table('report_templates')
