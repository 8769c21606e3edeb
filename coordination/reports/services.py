"""Follow-up reports: which questions a committee answers, saving answers without ever losing
text, the report's life (draft → submitted → returned for completion → approved), and the facts
the data already knows, computed for the committee's business areas and the period."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import func, literal_column, select, update
from sqlmodel import Session

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem
from coordination.cases.models import Case, CaseEvent
from coordination.clock import STOCKHOLM, Clock, WorkingDays
from coordination.companies.models import CompanyArea, OutreachEntry
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.meetings.models import Meeting, MeetingSeries, MeetingStatus
from coordination.organisations.models import BusinessArea, Committee, Group
from coordination.reports.models import (
    Report,
    ReportAnswer,
    ReportQuestion,
    ReportStatus,
    ReportTemplate,
)

PERIOD_MONTHS = {"T1": (1, 4), "T2": (5, 8), "VB": (1, 12)}


def period_bounds(year: int, period: str) -> tuple[datetime, datetime]:
    """[start, end) of a reporting period in Stockholm time."""
    first, last = PERIOD_MONTHS[period]
    start = datetime.combine(date(year, first, 1), time(0), tzinfo=STOCKHOLM)
    end = datetime.combine(date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1), time(0), tzinfo=STOCKHOLM)
    return start, end


def ordered_questions(session: Session, template_id: int) -> list[ReportQuestion]:
    """A template's questions by focus area (other information last), then position."""
    return list(session.execute(select(ReportQuestion).where(ReportQuestion.template_id == template_id)
                                .order_by(func.coalesce(ReportQuestion.focus_area_id, 99), ReportQuestion.position,
                                          ReportQuestion.id)).scalars())


def questions_for(session: Session, template_id: int, committee_id: int) -> list[ReportQuestion]:
    return [q for q in ordered_questions(session, template_id)
            if not q.committee_ids or committee_id in q.committee_ids]


def get_or_create_report(session: Session, *, committee_id: int, year: int, period: str) -> Report:
    if period not in PERIOD_MONTHS:
        raise ValidationFailed(_l("Choose T1, T2 or VB."))
    template = session.execute(select(ReportTemplate).where(ReportTemplate.year <= year)
                               .order_by(ReportTemplate.year.desc()).limit(1)).scalars().first()
    if template is None:
        raise ValidationFailed(_l("There is no report template for %(year)s.", year=year))
    report = session.execute(select(Report).where(Report.committee_id == committee_id, Report.year == year,
                                                  Report.period == period)).scalars().first()
    if report is None:
        report = Report(template_id=template.id, committee_id=committee_id, year=year, period=period, facts={})
        session.add(report)
        session.flush()
    return report


def may_write(user, report: Report, session: Session) -> bool:
    """The officials of the organisation serving the committee write its report."""
    committee = session.get(Committee, report.committee_id)
    return user.role == "department" and committee is not None and committee.organisation_id == user.organisation_id


@dataclass
class AnswerInput:
    question_id: int
    text: str
    version: int | None


@dataclass
class AnswerConflict:
    question: ReportQuestion
    mine: str
    theirs: str


def save_answers(session: Session, report: Report, *, answers: list[AnswerInput], contact: dict, user_id: int,
                 clock: Clock) -> list[AnswerConflict]:
    """Save the answers that did not change underneath; return the ones someone else saved
    meanwhile (both texts, nothing overwritten)."""
    if report.status not in (ReportStatus.draft.value, ReportStatus.returned.value):
        raise ValidationFailed(_l("The report is submitted; it can be changed only when it is returned."))
    limits = {"contact_name": 200, "contact_phone": 100, "contact_email": 254}
    too_long = {key: [_l("At most %(max)d characters; you wrote more.", max=limit)]
                for key, limit in limits.items() if len((contact.get(key) or "").strip()) > limit}
    if too_long:
        raise ValidationFailed(_l("Nothing was saved."), errors=too_long)
    questions = {q.id: q for q in questions_for(session, report.template_id, report.committee_id)}
    current = {a.question_id: a for a in session.execute(select(ReportAnswer).where(ReportAnswer.report_id == report.id))
               .scalars()}
    conflicts = []
    now = clock.now()
    for item in answers:
        if item.question_id not in questions:
            continue
        text = (item.text or "").strip()
        existing = current.get(item.question_id)
        if existing is None:
            if text:
                session.add(ReportAnswer(report_id=report.id, question_id=item.question_id, text=text, version=1,
                                         updated_at=now, updated_by_id=user_id))
            continue
        if existing.text == text:
            continue
        claimed = session.execute(update(ReportAnswer).where(ReportAnswer.id == existing.id,
                                                             ReportAnswer.version == (item.version or 0))
                                  .values(text=text, version=ReportAnswer.version + 1, updated_at=now,
                                          updated_by_id=user_id).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            conflicts.append(AnswerConflict(question=questions[item.question_id], mine=text, theirs=existing.text))
    for key in ("contact_name", "contact_phone", "contact_email"):
        if key in contact:
            setattr(report, key, (contact[key] or "").strip())
    session.add(report)
    session.flush()
    session.expire_all()
    return conflicts


def submit(session: Session, report: Report, *, clock: Clock, working_days: WorkingDays) -> None:
    if report.status not in (ReportStatus.draft.value, ReportStatus.returned.value):
        raise ValidationFailed(_l("The report is already submitted."))
    if not (report.contact_name and (report.contact_email or report.contact_phone)):
        raise ValidationFailed(_l("The report was not submitted."), errors={"contact_name": [
            _l("Give a contact person with a phone number or an e-mail address.")]})
    report.facts = compute_facts(session, committee_id=report.committee_id, year=report.year, period=report.period,
                                 now=clock.now(), working_days=working_days)
    report.status, report.submitted_at, report.returned_reason = ReportStatus.submitted.value, clock.now(), ""
    report.version += 1
    session.add(report)
    session.flush()


def return_for_completion(session: Session, report: Report, *, reason: str) -> None:
    if report.status != ReportStatus.submitted.value:
        raise ValidationFailed(_l("Only a submitted report can be returned."))
    if not (reason or "").strip():
        raise ValidationFailed(_l("The report was not returned."), errors={"reason": [_l("Say what needs completing.")]})
    report.status, report.returned_reason = ReportStatus.returned.value, reason.strip()
    report.version += 1
    session.add(report)
    session.flush()


def approve(session: Session, report: Report, *, clock: Clock) -> None:
    if report.status != ReportStatus.submitted.value:
        raise ValidationFailed(_l("Only a submitted report can be approved."))
    report.status, report.approved_at = ReportStatus.approved.value, clock.now()
    report.version += 1
    session.add(report)
    session.flush()


def copy_template(session: Session, template: ReportTemplate, *, year: int) -> ReportTemplate:
    if session.execute(select(ReportTemplate.id).where(ReportTemplate.year == year)).first():
        raise ValidationFailed(_l("There is already a template for %(year)s.", year=year))
    new = ReportTemplate(year=year, name=template.name.replace(str(template.year), str(year)), intro=template.intro)
    session.add(new)
    session.flush()
    for q in session.execute(select(ReportQuestion).where(ReportQuestion.template_id == template.id)).scalars().all():
        session.add(ReportQuestion(template_id=new.id, focus_area_id=q.focus_area_id, position=q.position, text=q.text,
                                   committee_ids=list(q.committee_ids)))
    session.flush()
    return new


# --- facts ----------------------------------------------------------------------------------------------

def compute_facts(session: Session, *, committee_id: int, year: int, period: str, now: datetime,
                  working_days: WorkingDays) -> dict:
    """What the data knows for the committee's business areas and the period, in a fixed number
    of aggregate queries (medians of working days are taken over the period's few cases)."""
    start, end = period_bounds(year, period)
    area_ids = list(session.execute(select(BusinessArea.id).where(BusinessArea.committee_id == committee_id)).scalars())
    in_areas = Case.business_area_id.in_(area_ids)
    # One expression object for SELECT and GROUP BY: PostgreSQL must see them as the same.
    focus = func.coalesce(Case.focus_area_id, literal_column("0"))
    received = dict(session.execute(select(focus, func.count())
                                    .where(in_areas, Case.received_at >= start, Case.received_at < end,
                                           Case.merged_into_id.is_(None))
                                    .group_by(focus)).all())
    closed = dict(session.execute(select(focus, func.count(func.distinct(Case.id)))
                                  .join(CaseEvent, CaseEvent.case_id == Case.id)
                                  .where(in_areas, CaseEvent.kind == "closed", CaseEvent.at >= start, CaseEvent.at < end)
                                  .group_by(focus)).all())
    triage_pairs = session.execute(select(Case.received_at, Case.triaged_at)
                                   .where(in_areas, Case.triaged_at >= start, Case.triaged_at < end)).all()
    decision_pairs = session.execute(select(Case.received_at, func.min(CaseEvent.at))
                                     .join(CaseEvent, CaseEvent.case_id == Case.id)
                                     .where(in_areas, CaseEvent.kind.in_(("decision", "closed")),
                                            CaseEvent.at >= start, CaseEvent.at < end)
                                     .group_by(Case.id, Case.received_at)).all()
    escalations = dict(session.execute(select(CaseEvent.to_level, func.count()).join(Case, Case.id == CaseEvent.case_id)
                                       .where(in_areas, CaseEvent.kind == "escalated", CaseEvent.at >= start,
                                              CaseEvent.at < end).group_by(CaseEvent.to_level)).all())
    cutoff = min(end, now).astimezone(STOCKHOLM).date()
    overdue = session.execute(select(func.count()).select_from(ActionItem).join(Case, Case.id == ActionItem.case_id)
                              .where(in_areas, ActionItem.status.in_(OPEN_ACTION_STATUSES),
                                     ActionItem.due_date < cutoff)).scalar_one()
    outreach = session.execute(select(func.count(func.distinct(OutreachEntry.company_id)))
                               .where(OutreachEntry.company_id.in_(select(CompanyArea.company_id)
                                                                   .where(CompanyArea.business_area_id.in_(area_ids))),
                                      OutreachEntry.informed_at >= start, OutreachEntry.informed_at < end)).scalar_one()
    meetings = session.execute(select(func.count()).select_from(Meeting)
                               .join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
                               .join(Group, Group.id == MeetingSeries.group_id)
                               .where(Group.business_area_id.in_(area_ids), Meeting.status == MeetingStatus.planned.value,
                                      Meeting.starts_at >= start, Meeting.starts_at < min(end, now))).scalar_one()
    notable = session.execute(select(Case.reference, Case.title, CaseEvent.reason, CaseEvent.at)
                              .join(CaseEvent, CaseEvent.case_id == Case.id)
                              .where(in_areas, CaseEvent.kind.in_(("decision", "closed")), CaseEvent.at >= start,
                                     CaseEvent.at < end).order_by(CaseEvent.at.desc()).limit(10)).all()

    def med(pairs):
        values = [working_days.between(a, b) for a, b in pairs if a and b]
        return median(values) if values else None

    return {
        "period": f"{year} {period}", "from": start.date().isoformat(),
        "to": (end.date() - timedelta(days=1)).isoformat(),
        "business_areas": list(session.execute(select(BusinessArea.name).where(BusinessArea.id.in_(area_ids))
                                               .order_by(BusinessArea.name)).scalars()),
        "received_by_focus_area": {str(k): v for k, v in received.items()},
        "closed_by_focus_area": {str(k): v for k, v in closed.items()},
        "median_working_days_to_triage": med(triage_pairs),
        "median_working_days_to_decision": med(decision_pairs),
        "escalations_by_level": {str(k): v for k, v in escalations.items() if k},
        "overdue_action_items": overdue,
        "companies_informed": outreach,
        "meetings_held": meetings,
        "notable_decisions": [{"reference": r, "title": t, "decision": d, "at": a.isoformat()} for r, t, d, a in notable],
    }


def report_answers(session: Session, report: Report) -> dict[int, ReportAnswer]:
    return {a.question_id: a for a in session.execute(select(ReportAnswer).where(ReportAnswer.report_id == report.id))
            .scalars()}


