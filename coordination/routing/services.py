"""Rules as the admin keeps them (with their audit history and a backtest before saving),
people moving cases with a reason, departments asking for escalation, and the answer to
"why is the case here?"."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import get_locale
from sqlalchemy import func, select
from sqlmodel import Session

from coordination import reflists
from coordination.actions.models import ActionItem
from coordination.auth.models import Role, User
from coordination.cases.models import Case, CaseEvent, CaseStatus
from coordination.clock import Clock, WorkingDays
from coordination.errors import NotAllowed, ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.routing.models import (
    EscalationRequest,
    RoutingRule,
    RuleAudit,
    RuleFiring,
)
from coordination.routing.vocabulary import (
    RuleInvalid,
    _holds,
    rule_sql,
    validate_definition,
)

EDITABLE = ("code", "name_sv", "name_en", "description", "enabled", "position", "on_change", "on_sweep", "levels",
            "match", "conditions", "actions", "reason_sv", "reason_en")


def snapshot(rule: RoutingRule) -> dict:
    return {name: getattr(rule, name) for name in EDITABLE} | {"version": rule.version}


def save_rule(session: Session, rule: RoutingRule | None, data: dict, *, user_id: int, clock: Clock) -> RoutingRule:
    """Create or change a rule after checking it against the vocabulary; every save is a new
    version in the rule's audit history. Flushes; the caller commits."""
    errors: dict = {}
    try:
        validate_definition(levels=data["levels"], match=data["match"], conditions=data["conditions"],
                            actions=data["actions"])
    except RuleInvalid as invalid:
        errors.update(invalid.errors)
    for name in ("code", "name_sv", "name_en", "reason_sv", "reason_en"):
        if not str(data.get(name) or "").strip():
            errors.setdefault(name, []).append(_l("This field is required."))
    if not (data.get("on_change") or data.get("on_sweep")):
        errors.setdefault("on_sweep", []).append(_l("Choose when the rule runs: on change, in the sweep, or both."))
    code = str(data.get("code") or "").strip()
    taken = session.execute(select(RoutingRule.id).where(func.lower(RoutingRule.code) == code.lower())).first()
    if taken and (rule is None or taken[0] != rule.id):
        errors.setdefault("code", []).append(_l("Another rule has this code."))
    if errors:
        raise ValidationFailed(_l("The rule was not saved."), errors=errors)
    before = snapshot(rule) if rule else {}
    rule = rule or RoutingRule(code=code, name_sv="", name_en="", reason_sv="", reason_en="", version=0)
    for name in EDITABLE:
        value = data[name]
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.version = (rule.version or 0) + 1
    rule.updated_at, rule.updated_by_id = clock.now(), user_id
    session.add(rule)
    session.flush()
    changed = [name for name in EDITABLE if before.get(name) != getattr(rule, name)]
    session.add(RuleAudit(rule_id=rule.id, version=rule.version, at=clock.now(), user_id=user_id,
                          snapshot=snapshot(rule), summary=", ".join(changed) if before else "created"))
    session.flush()
    return rule


def rule_history(session: Session, rule_id: int):
    return session.execute(select(RuleAudit, User.name).outerjoin(User, User.id == RuleAudit.user_id)
                           .where(RuleAudit.rule_id == rule_id).order_by(RuleAudit.version.desc())).all()


# --- backtest -----------------------------------------------------------------------------------

@dataclass
class Backtest:
    now_total: int
    now_cases: list[Case]
    past_total: int
    past_window_start: datetime


def backtest(session: Session, rule: RoutingRule, *, clock: Clock, working_days: WorkingDays,
             sample: int = 20) -> Backtest:
    """What an (unsaved) rule would do: the open cases it applies to now, and how many cases
    received in the last 12 months it would have acted on, from their recorded history."""
    now = clock.now()
    where = rule_sql(rule, now=now, working_days=working_days)
    total = session.execute(select(func.count()).select_from(Case).where(where)).scalar_one()
    cases = list(session.execute(select(Case).where(where).order_by(Case.received_at).limit(sample)).scalars())
    since = now - timedelta(days=365)
    return Backtest(now_total=total, now_cases=cases, past_window_start=since,
                    past_total=_past_total(session, rule, since=since, now=now, working_days=working_days))


def _past_total(session: Session, rule: RoutingRule, *, since: datetime, now: datetime,
                working_days: WorkingDays) -> int:
    """Replays each case's stays at levels from its history (3 queries) and checks the rule's
    conditions against the longest each wait grew during a stay at one of the rule's levels."""
    from coordination.cases.models import CaseOrganisation

    cases = {c.id: c for c in session.execute(select(Case).where(Case.received_at >= since)).scalars()}
    if not cases:
        return 0
    stays: dict[int, list[tuple[int, datetime, datetime]]] = {}
    events = session.execute(select(CaseEvent.case_id, CaseEvent.at, CaseEvent.to_level, CaseEvent.kind)
                             .where(CaseEvent.case_id.in_(select(Case.id).where(Case.received_at >= since)))
                             .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)).all()
    by_case: dict[int, list] = {}
    for case_id, at, to_level, kind in events:
        by_case.setdefault(case_id, []).append((at, to_level, kind))
    for case_id, case in cases.items():
        level, start, result = 0, case.received_at, []
        for at, to_level, kind in by_case.get(case_id, []):
            if to_level and to_level != level:
                result.append((level, start, at))
                level, start = to_level, at
            if kind in ("closed", "merged"):
                break
        result.append((level, start, case.updated_at if case.status == CaseStatus.closed.value else now))
        stays[case_id] = result
    org_counts = dict(session.execute(select(CaseOrganisation.case_id, func.count())
                                      .where(CaseOrganisation.case_id.in_(list(cases)))
                                      .group_by(CaseOrganisation.case_id)).all())
    actions: dict[int, list[ActionItem]] = {}
    for item in session.execute(select(ActionItem).where(ActionItem.case_id.in_(list(cases)))).scalars():
        actions.setdefault(item.case_id, []).append(item)
    total = 0
    for case_id, case in cases.items():
        for level, start, end in stays[case_id]:
            if rule.levels and level not in rule.levels:
                continue
            values = {
                "status": case.status if level else "new", "priority": case.priority, "category": case.category,
                "business_area": case.business_area_id, "focus_area": case.focus_area_id,
                "major_significance": case.major_significance,
                "needs_department_head_decision": case.needs_department_head_decision,
                "needs_political_decision": case.needs_political_decision,
                "prepared_for_committee": False, "organisations_count": org_counts.get(case_id, 0),
                "estimated_cost_sek": case.estimated_cost_sek,
                "working_days_since_received": working_days.between(case.received_at, end),
                "working_days_at_level": working_days.between(start, end),
                "working_days_since_progress": working_days.between(max(start, case.last_progress_at or start), end),
                "action_overdue_days": max((working_days.between(a.due_date, min(a.completed_at or end, end))
                                            for a in actions.get(case_id, []) if a.due_date < end.date()),
                                           default=None),
                "agendas_without_decision": case.agendas_without_decision,
            }
            results = [_holds(c, values.get(c["field"])) for c in rule.conditions]
            if (all(results) if rule.match == "all" else any(results)):
                total += 1
                break
    return total


# --- people moving cases ---------------------------------------------------------------------------

def move_case(session: Session, case: Case, *, to_level: int, reason: str, actor_user_id: int, clock: Clock,
              working_days: WorkingDays, kind: str = "moved", facts: dict | None = None) -> CaseEvent:
    """A person (or a meeting's decision) puts the case at a level, up or down, with a reason.
    Rules that already match the case at its new level are held back for this stay: a rule
    acts on what changes after a person's decision, it does not undo it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("The case was not moved."), errors={"reason": [_l("Give a reason.")]})
    if to_level not in (1, 2, 3):
        raise ValidationFailed(_l("The case was not moved."),
                               errors={"to_level": [_l("Choose a level: work group, coordination group or steering group.")]})
    if case.status == CaseStatus.closed.value or case.merged_into_id:
        raise ValidationFailed(_l("A closed case cannot be moved."))
    if case.level == to_level:
        raise ValidationFailed(_l("The case was not moved."), errors={"to_level": [_l("The case is already at that level.")]})
    now = clock.now()
    from_level = case.level
    case.level, case.level_seq, case.level_entered_at = to_level, case.level_seq + 1, now
    case.agendas_without_decision = 0
    case.last_progress_at = now
    if case.status == CaseStatus.new.value:
        case.status = CaseStatus.triaged.value
        case.triaged_at, case.triaged_by_id = now, actor_user_id
        case.overdue = False
    case.version += 1
    case.updated_at = now
    session.add(case)
    session.flush()
    held = hold_matching_rules(session, case, clock=clock, working_days=working_days, reason="moved")
    event = CaseEvent(case_id=case.id, at=now, kind=kind, actor_user_id=actor_user_id, from_level=from_level,
                      to_level=to_level, reason=reason, facts=(facts or {}) | {"rules_held": held})
    session.add(event)
    session.flush()
    return event


def hold_matching_rules(session: Session, case: Case, *, clock: Clock, working_days: WorkingDays,
                        reason: str) -> list[str]:
    """Record the rules matching the case now as already fired for its current stay."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    held = []
    # Disabled rules too: one switched on later must not undo this person's decision either.
    rules = session.execute(select(RoutingRule).order_by(RoutingRule.position)).scalars().all()
    key = f"L{case.level or 0}#{case.level_seq}"
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for rule in rules:
        if not any(a["type"] == "escalate" for a in rule.actions):
            continue
        match = session.execute(select(Case.id).where(Case.id == case.id,
                                                      rule_sql(rule, now=clock.now(), working_days=working_days))).first()
        if match:
            session.execute(insert(RuleFiring).values(rule_id=rule.id, case_id=case.id, trigger_key=key,
                                                      run_id=reason[:32], rule_version=rule.version,
                                                      at=clock.now()).on_conflict_do_nothing())
            held.append(rule.code)
    return held


def request_escalation(session: Session, case: Case, *, user: User, to_level: int, reason: str, clock: Clock,
                       base_url: str) -> EscalationRequest:
    """A department official asks for the case of their organisation to go up a level; the
    request lands with the coordinators (notification and mail)."""
    from coordination.cases.services import case_organisation_ids, reference_slug

    if user.role != Role.department.value or user.organisation_id not in case_organisation_ids(session, case.id):
        raise NotAllowed(_l("Only officials of an organisation concerned can ask for escalation."))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_l("Give a reason.")]
    if to_level not in (2, 3) or to_level <= (case.level or 0):
        errors["to_level"] = [_l("Choose a level above the case's current level.")]
    if errors:
        raise ValidationFailed(_l("The request was not sent."), errors=errors)
    open_request = session.execute(select(EscalationRequest.id).where(EscalationRequest.case_id == case.id,
                                                                     EscalationRequest.resolved_at.is_(None))).first()
    if open_request:
        raise ValidationFailed(_l("There is already a request for this case waiting for the coordinator."))
    now = clock.now()
    request = EscalationRequest(case_id=case.id, requested_by_id=user.id, organisation_id=user.organisation_id,
                                to_level=to_level, reason=reason.strip(), at=now)
    session.add(request)
    session.add(CaseEvent(case_id=case.id, at=now, kind="escalation_requested", actor_user_id=user.id,
                          reason=reason.strip(), facts={"to_level": to_level}))
    session.flush()
    from coordination.notifications.services import Message, notify

    coordinators = list(session.execute(select(User).where(User.role == Role.coordinator.value,
                                                           User.active.is_(True))).scalars())
    notify(session, [(Message(kind="escalation_request", key=f"escalation-request:{request.id}", case_id=case.id,
                              text_sv=f"{case.reference}: {user.name} begär lyft till nivå {to_level}: {reason.strip()}",
                              text_en=f"{case.reference}: {user.name} asks for escalation to level {to_level}: "
                                      f"{reason.strip()}",
                              link=f"{base_url.rstrip('/')}/arenden/{reference_slug(case.reference)}"),
                      coordinators)], now=now)
    session.flush()
    return request


def resolve_request(session: Session, request: EscalationRequest, *, accept: bool, answer: str,
                    actor_user_id: int, clock: Clock, working_days: WorkingDays) -> None:
    if request.resolved_at is not None:
        raise ValidationFailed(_l("The request has already been answered."))
    if not accept and not (answer or "").strip():
        raise ValidationFailed(_l("The request was not answered."),
                               errors={"answer": [_l("Say why the request is declined.")]})
    case = session.get(Case, request.case_id)
    now = clock.now()
    if accept and (case.level or 0) >= request.to_level:
        raise ValidationFailed(_l("The case is already at that level or higher; decline the request with an answer."))
    if accept:
        move_case(session, case, to_level=request.to_level,
                  reason=(answer or "").strip() or request.reason, actor_user_id=actor_user_id, clock=clock,
                  working_days=working_days, kind="escalated", facts={"request_id": request.id})
    else:
        session.add(CaseEvent(case_id=case.id, at=now, kind="escalation_declined", actor_user_id=actor_user_id,
                              reason=answer.strip(), facts={"request_id": request.id}))
    request.resolved_at, request.resolved_by_id = now, actor_user_id
    request.outcome, request.answer = ("accepted" if accept else "declined"), (answer or "").strip()
    session.add(request)
    session.flush()


def open_requests(session: Session, *, case_id: int | None = None):
    query = (select(EscalationRequest, User.name, Case.reference, Case.title)
             .join(User, User.id == EscalationRequest.requested_by_id).join(Case, Case.id == EscalationRequest.case_id)
             .where(EscalationRequest.resolved_at.is_(None)).order_by(EscalationRequest.at))
    if case_id is not None:
        query = query.where(EscalationRequest.case_id == case_id)
    return session.execute(query).all()


def rule_names(session: Session) -> list[tuple[str, str]]:
    """(code, name in the page's language) of every rule, for choosing one in a filter."""
    english = str(get_locale()) == "en"
    return [(code, name_en if english else name_sv) for code, name_sv, name_en in reflists.rules(session)]
