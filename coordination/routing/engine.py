"""Evaluating routing rules, set-based: for each rule, one INSERT … SELECT claims the cases it
fires on (the unique key on rule/case/trigger makes each firing happen once, whichever process
gets there first), then a handful of statements apply its actions to exactly those cases and
write their history. The number of statements per rule does not depend on the number of cases.

Sweeps commit per rule, so a sweep killed midway leaves whole rules applied and the rest for the
next run. Changes of a case (triage, edits) run the on-change rules in the caller's transaction.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from coordination.actions.models import OPEN_ACTION_STATUSES, ActionItem
from coordination.auth.models import Role, User
from coordination.cases.models import Case, CaseEvent, CaseOrganisation
from coordination.clock import Clock, WorkingDays
from coordination.organisations.models import (
    Group,
    GroupKind,
    GroupMember,
    Organisation,
)
from coordination.routing.models import RoutingRule, RuleFiring
from coordination.routing.vocabulary import describe, rule_sql, trigger_key_sql

EVENT_KIND = {"escalate": "escalated", "mark_committee": "committee_prepared", "flag_overdue": "flagged_overdue",
              "notify": "notified"}


@dataclass
class Firing:
    rule: str
    reference: str
    from_level: int | None
    to_level: int | None
    actions: list[str]
    facts: list[str]


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    firings: list[Firing] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for firing in self.firings:
            result[firing.rule] = result.get(firing.rule, 0) + 1
        return result

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "dry_run": self.dry_run, "counts": self.counts(),
                "firings": [f.__dict__ for f in self.firings]}


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def enabled_rules(session: Session, *, trigger: str) -> list[RoutingRule]:
    column = RoutingRule.on_change if trigger == "change" else RoutingRule.on_sweep
    return list(session.execute(select(RoutingRule).where(RoutingRule.enabled.is_(True), column.is_(True))
                                .order_by(RoutingRule.position, RoutingRule.id)).scalars())


def apply_rule(session: Session, rule: RoutingRule, *, clock: Clock, working_days: WorkingDays,
               base_url: str, case_ids: list[int] | None = None) -> list[Firing]:
    """Fire `rule` on every case it applies to now (or only on `case_ids`); flush only."""
    now = clock.now()
    run_id = secrets.token_hex(16)
    where = rule_sql(rule, now=now, working_days=working_days)
    escalate_to = max((a["to_level"] for a in rule.actions if a["type"] == "escalate"), default=None)
    if escalate_to:
        # A case already at or above the level is no business of an escalating rule.
        where = where & (func.coalesce(Case.level, 0) < escalate_to)
    candidates = select(literal(rule.id), Case.id, trigger_key_sql(), literal(run_id), literal(rule.version),
                        literal(now, type_=RuleFiring.__table__.c.at.type)).where(where)
    if case_ids is not None:
        candidates = candidates.where(Case.id.in_(case_ids))
    already = select(RuleFiring.id).where(RuleFiring.rule_id == rule.id, RuleFiring.case_id == Case.id,
                                          RuleFiring.trigger_key == trigger_key_sql())
    candidates = candidates.where(~already.exists())
    if session.get_bind().dialect.name == "postgresql":
        # Cases another transaction is changing right now are left for the next sweep.
        candidates = candidates.with_for_update(of=Case, skip_locked=True)
    session.execute(
        _insert(session)(RuleFiring)
        .from_select(["rule_id", "case_id", "trigger_key", "run_id", "rule_version", "at"], candidates)
        .on_conflict_do_nothing(index_elements=["rule_id", "case_id", "trigger_key"]))
    won = select(RuleFiring.case_id).where(RuleFiring.run_id == run_id, RuleFiring.rule_id == rule.id)
    cases = list(session.execute(select(Case).where(Case.id.in_(won)).order_by(Case.id)).scalars())
    if not cases:
        return []
    ids = [c.id for c in cases]
    values = _facts_values(session, rule, cases, now=now, working_days=working_days)
    before = {c.id: c.level for c in cases}

    changes: dict = {}
    if escalate_to:
        # A new level: its agendas without a decision are counted afresh (R6).
        changes.update(level=escalate_to, level_seq=Case.level_seq + 1, level_entered_at=now,
                       agendas_without_decision=0)
    if any(a["type"] == "mark_committee" for a in rule.actions):
        changes["prepared_for_committee"] = True
    if any(a["type"] == "flag_overdue" for a in rule.actions):
        changes["overdue"] = True
    if changes:
        target = Case.id.in_(ids)
        if escalate_to:
            # Never down: a case already at or above the level keeps its level.
            session.execute(update(Case).where(target, func.coalesce(Case.level, 0) < escalate_to)
                            .values(**changes, version=Case.version + 1, updated_at=now)
                            .execution_options(synchronize_session=False))
        else:
            session.execute(update(Case).where(target).values(**changes, version=Case.version + 1, updated_at=now)
                            .execution_options(synchronize_session=False))
    firings, events = [], []
    kinds = [a["type"] for a in rule.actions]
    main_kind = EVENT_KIND[next((k for k in ("escalate", "mark_committee", "flag_overdue", "notify") if k in kinds))]
    for case in cases:
        facts = [f for f in (describe(c, values[case.id]) for c in rule.conditions) if f]
        to_level = escalate_to if escalate_to and (before[case.id] or 0) < escalate_to else None
        events.append({
            "case_id": case.id, "at": now, "kind": main_kind, "actor_user_id": None, "rule": rule.code,
            "from_level": before[case.id] if to_level else None, "to_level": to_level, "reason": rule.reason_sv,
            "facts": {"rule_id": rule.id, "rule_name": rule.name_sv, "rule_name_en": rule.name_en,
                      "rule_version": rule.version, "reason_en": rule.reason_en, "conditions": facts,
                      "actions": kinds}})
        firings.append(Firing(rule=rule.code, reference=case.reference, from_level=before[case.id],
                              to_level=to_level, actions=kinds, facts=[f["text_sv"] for f in facts]))
    session.execute(CaseEvent.__table__.insert(), events)
    for action in rule.actions:
        if action["type"] == "notify":
            _notify(session, rule, action["who"], cases, now=now, base_url=base_url)
    session.expire_all()  # the ORM's copies of these cases are stale after the set-based update
    return firings


def _facts_values(session: Session, rule: RoutingRule, cases: list[Case], *, now: datetime,
                  working_days: WorkingDays) -> dict[int, dict]:
    """What each condition looked at, per case, in at most two queries."""
    ids = [c.id for c in cases]
    fields = {c["field"] for c in rule.conditions}
    names: dict[int, list[str]] = {i: [] for i in ids}
    if "organisations_count" in fields:
        for case_id, name in session.execute(
                select(CaseOrganisation.case_id, Organisation.name)
                .join(Organisation, Organisation.id == CaseOrganisation.organisation_id)
                .where(CaseOrganisation.case_id.in_(ids)).order_by(Organisation.name)):
            names[case_id].append(name)
    overdue: dict[int, tuple[str, int]] = {}
    if "action_overdue_days" in fields:
        for case_id, title, due in session.execute(
                select(ActionItem.case_id, ActionItem.title, ActionItem.due_date)
                .where(ActionItem.case_id.in_(ids), ActionItem.status.in_(OPEN_ACTION_STATUSES))
                .order_by(ActionItem.due_date)):
            if case_id not in overdue:
                overdue[case_id] = (title, working_days.between(due, now))
    result = {}
    for case in cases:
        result[case.id] = {
            "status": case.status, "priority": case.priority, "category": case.category,
            "business_area": case.business_area_id, "focus_area": case.focus_area_id,
            "major_significance": case.major_significance,
            "needs_department_head_decision": case.needs_department_head_decision,
            "needs_political_decision": case.needs_political_decision,
            "prepared_for_committee": case.prepared_for_committee,
            "organisations_count": len(names[case.id]) if "organisations_count" in fields else None,
            "organisation_names": names[case.id],
            "estimated_cost_sek": case.estimated_cost_sek,
            "working_days_since_received": working_days.between(case.received_at, now),
            "working_days_at_level": working_days.between(case.level_entered_at or case.received_at, now),
            "working_days_since_progress": working_days.between(case.last_progress_at or case.received_at, now),
            "action_overdue_days": overdue[case.id][1] if case.id in overdue else None,
            "overdue_action_title": overdue[case.id][0] if case.id in overdue else "",
            "agendas_without_decision": case.agendas_without_decision,
        }
    return result


def _recipients(session: Session, who: str, cases: list[Case]) -> dict[int, list[User]]:
    ids = [c.id for c in cases]
    result: dict[int, list[User]] = {i: [] for i in ids}
    if who == "coordinator":
        coordinators = list(session.execute(select(User).where(User.role == Role.coordinator.value,
                                                               User.active.is_(True))).scalars())
        return {i: coordinators for i in ids}
    if who == "organisations":
        rows = session.execute(select(CaseOrganisation.case_id, User)
                               .join(User, User.organisation_id == CaseOrganisation.organisation_id)
                               .where(CaseOrganisation.case_id.in_(ids), User.active.is_(True),
                                      User.role == Role.department.value))
        for case_id, user in rows:
            result[case_id].append(user)
        return result
    # The group at the case's level: its area's work group, or the coordination/steering group.
    kind_for = {1: GroupKind.work_group.value, 2: GroupKind.coordination_group.value,
                3: GroupKind.steering_group.value}
    rows = session.execute(select(Group, User).join(GroupMember, GroupMember.group_id == Group.id)
                           .join(User, User.id == GroupMember.user_id)
                           .where(Group.active.is_(True), User.active.is_(True)))
    members: dict[tuple[str, int | None], list[User]] = {}
    for group, user in rows:
        members.setdefault((group.kind, group.business_area_id if group.kind == "work_group" else None),
                           []).append(user)
    for case in cases:
        kind = kind_for.get(case.level or 0)
        if kind:
            result[case.id] = members.get((kind, case.business_area_id if kind == "work_group" else None), [])
    return result


def _notify(session: Session, rule: RoutingRule, who: str, cases: list[Case], *, now: datetime,
            base_url: str) -> None:
    """Notify per person and firing, each at most once (see notifications.services.notify)."""
    from coordination.cases.services import reference_slug
    from coordination.notifications.services import Message, notify

    recipients = _recipients(session, who, cases)
    notify(session, [(Message(kind="rule", key=f"rule:{rule.code}:{case.id}:L{case.level or 0}#{case.level_seq}",
                              case_id=case.id, text_sv=f"{case.reference} {case.title}: {rule.reason_sv}",
                              text_en=f"{case.reference} {case.title}: {rule.reason_en}",
                              link=f"{base_url.rstrip('/')}/arenden/{reference_slug(case.reference)}"),
                      recipients[case.id]) for case in cases], now=now)


def run_on_change(session: Session, case_id: int, *, clock: Clock, working_days: WorkingDays,
                  base_url: str) -> list[Firing]:
    """The on-change rules for one case, in the caller's transaction (after triage or an edit)."""
    session.flush()
    firings: list[Firing] = []
    for rule in enabled_rules(session, trigger="change"):
        firings += apply_rule(session, rule, clock=clock, working_days=working_days, base_url=base_url,
                              case_ids=[case_id])
    return firings


def sweep(session: Session, *, clock: Clock, working_days: WorkingDays, base_url: str,
          dry_run: bool = False) -> SweepReport:
    """Every on-sweep rule over all open cases; commits per rule (or rolls all back on a dry run)."""
    report = SweepReport(now=clock.now(), dry_run=dry_run)
    rules = enabled_rules(session, trigger="sweep")
    session.commit()
    for rule in rules:
        report.firings += apply_rule(session, rule, clock=clock, working_days=working_days, base_url=base_url)
        if not dry_run:
            session.commit()
    if dry_run:
        session.rollback()
    return report
