"""Routing rules as the people who live with them meet them: the default policy R1–R7 over the
holidays (Christmas and New Year 2026/27, Easter 2027, Midsummer 2026) on both sides of every
threshold, through the sweep service and through `routing sweep --now … --json`; the on-change
rules acting inside the triage request; exactly-once effects (sweeping twice, two processes at
once, a sweep killed midway); dry runs; the bounded number of SQL statements of a sweep; people
moving cases with a reason, departments asking for escalation, and "Varför är ärendet här?".

Times are Stockholm wall-clock times. "One hour before / after" a deadline means 23:00 on the
deadline day and 01:00 the day after (DESIGN.md, "Working days and deadlines")."""

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest
from sqlalchemy import event, func, insert, select
from sqlmodel import Session

from coordination.actions.models import ActionItem
from coordination.auth import services as auth_services
from coordination.cases.models import Case, CaseEvent, CaseOrganisation
from coordination.cases.services import reference_slug
from coordination.clock import STOCKHOLM, FixedClock
from coordination.errors import ValidationFailed
from coordination.notifications.models import Notification
from coordination.outbox.models import OutboxMessage
from coordination.routing import engine, services
from coordination.routing.models import (
    EscalationRequest,
    RoutingRule,
    RuleAudit,
    RuleFiring,
)
from tests import factories
from tests.conftest import PG_URL, fresh, sign_in

ROOT = Path(__file__).resolve().parent.parent


# --- the default rules, as the migration ships them ---------------------------------------------

def _migration_default_rules() -> list[dict]:
    path = next((ROOT / "migrations" / "versions").glob("*-0003_*.py"))
    spec = importlib.util.spec_from_file_location("_migration_0003_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DEFAULT_RULES


DEFAULT_RULES = _migration_default_rules()


def ensure_default_rules(session: Session) -> dict[str, RoutingRule]:
    """R1–R7 as rows. On PostgreSQL conftest empties every table after each test, the rules the
    migration seeds too, so they are put back here exactly as the migration has them."""
    if session.execute(select(func.count()).select_from(RoutingRule)).scalar_one() == 0:
        rules = [RoutingRule(**values, enabled=True, version=1) for values in DEFAULT_RULES]
        session.add_all(rules)
        session.flush()
        session.add_all([RuleAudit(rule_id=r.id, version=1, at=datetime.now(timezone.utc), user_id=None, snapshot={},
                                   summary="default policy (DESIGN.md)") for r in rules])
        session.commit()
    return {r.code: r for r in session.execute(select(RoutingRule)).scalars()}


@pytest.fixture
def w(session):
    w = SimpleNamespace()
    w.rules = ensure_default_rules(session)
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.expl = factories.organisation(session, name="Exploateringskontoret", short_name="EXPL")
    sbr = factories.organisation(session, name="Stockholm Business Region", short_name="SBR")
    w.area = factories.business_area(session, name="Högdalens industriområde")
    w.saga = factories.user(session, "coordinator", organisation_id=sbr.id, name="Saga Samordnare",
                            email="saga@sbr.example.se")
    w.kim = factories.user(session, "coordinator", organisation_id=sbr.id, name="Kim Kollega",
                           email="kim@sbr.example.se")
    w.tore = factories.user(session, "department", organisation_id=w.tk.id, name="Tore Trafik",
                            email="tore@tk.example.se")
    w.erik = factories.user(session, "department", organisation_id=w.expl.id, name="Erik Exploatering",
                            email="erik@expl.example.se")
    w.stina = factories.user(session, "steering", organisation_id=w.expl.id, name="Stina Styrgrupp",
                             email="stina@expl.example.se")
    w.admin = factories.user(session, "admin", name="Ada Admin", email="ada@example.se")
    session.commit()
    return w


# --- helpers ---------------------------------------------------------------------------------------

def sthlm(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def url(case, suffix=""):
    return f"/arenden/{reference_slug(case.reference)}{suffix}"


def flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", f).strip() for f in re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', html)]


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace folded."""
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def why_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="why-title".*?</section>', html, re.S)
    assert match, "the case page has no 'Varför är ärendet här?' section"
    return text_of(match.group(0))


def make_case(session, *, received, level=None, orgs=(), progress=None, title=None, actions=(), **fields) -> Case:
    """A case received at `received`; at `level` (placed there when it was received) with the
    organisations, flags and counters given; `actions` as (title, due date, status)."""
    extra = {"title": title} if title else {}
    case = factories.case(session, clock=FixedClock(received), received_at=received, level=level,
                          organisations=orgs, **extra)
    if level is not None:
        case.level_seq, case.level_entered_at, case.triaged_at = 1, received, received
    case.last_progress_at = progress if progress is not None else (received if level else None)
    for name, value in fields.items():
        setattr(case, name, value)
    session.add(case)
    for action_title, due, status in actions:
        session.add(ActionItem(case_id=case.id, organisation_id=orgs[0].id if orgs else _any_org(session),
                               title=action_title, due_date=due, status=status, created_at=received,
                               updated_at=received))
    session.flush()
    return case


def _any_org(session) -> int:
    from coordination.organisations.models import Organisation

    return session.execute(select(Organisation.id).order_by(Organisation.id)).scalars().first()


def cli_now(at: datetime) -> str:
    """--now as an operator types it: Stockholm wall-clock time without an offset."""
    return at.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat(timespec="minutes")


def run_sweep(app, via: str, now: datetime, *, dry_run: bool = False) -> list[tuple]:
    """(rule, reference, from level, to level, actions, facts) per firing, in the order reported."""
    if via == "service":
        with fresh(app) as s:
            report = engine.sweep(s, clock=FixedClock(now), working_days=app.extensions["working_days"],
                                  base_url=app.config["BASE_URL"], dry_run=dry_run)
        assert report.dry_run is dry_run
        return [(f.rule, f.reference, f.from_level, f.to_level, tuple(f.actions), tuple(f.facts))
                for f in report.firings]
    args = ["routing", "sweep", "--now", cli_now(now), "--json"] + (["--dry-run"] if dry_run else [])
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert datetime.fromisoformat(data["now"]) == now
    assert data["dry_run"] is dry_run
    firings = [(f["rule"], f["reference"], f["from_level"], f["to_level"], tuple(f["actions"]), tuple(f["facts"]))
               for f in data["firings"]]
    assert data["counts"] == dict(Counter(f[0] for f in firings))
    return firings


def state(app) -> dict:
    """Everything a sweep may change, as stored."""
    with fresh(app) as s:
        return {
            "cases": sorted(tuple(r) for r in s.execute(
                select(Case.id, Case.level, Case.level_seq, Case.overdue, Case.prepared_for_committee,
                       Case.status, Case.version)).all()),
            "events": sorted((e.case_id, e.kind, e.rule or "", e.from_level or 0, e.to_level or 0, e.reason)
                             for e in s.execute(select(CaseEvent)).scalars()),
            "firings": sorted(tuple(r) for r in s.execute(
                select(RuleFiring.rule_id, RuleFiring.case_id, RuleFiring.trigger_key)).all()),
            "notifications": sorted(tuple(r) for r in s.execute(
                select(Notification.user_id, Notification.dedupe_key)).all()),
            "outbox": sorted(tuple(r) for r in s.execute(
                select(OutboxMessage.recipient, OutboxMessage.dedupe_key)).all()),
        }


def rule_events(app, case, rule_code=None) -> list[CaseEvent]:
    with fresh(app) as s:
        query = select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.rule.is_not(None))
        if rule_code:
            query = query.where(CaseEvent.rule == rule_code)
        return list(s.execute(query.order_by(CaseEvent.id)).scalars())


def history(app, case) -> list[CaseEvent]:
    with fresh(app) as s:
        return list(s.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).scalars())


def stored(app, case) -> Case:
    with fresh(app) as s:
        return s.get(Case, case.id)


def notified(app, case) -> tuple[Counter, Counter]:
    """Per user id: in-app notifications; per address: mails, about this case."""
    with fresh(app) as s:
        notes = Counter(s.execute(select(Notification.user_id).where(Notification.case_id == case.id)).scalars())
        mails = Counter(s.execute(select(OutboxMessage.recipient).where(OutboxMessage.case_id == case.id)).scalars())
    return notes, mails


# --- R1–R7, table-driven -------------------------------------------------------------------------------

@dataclass
class Row:
    id: str
    rule: str
    build: Callable           # (session, w) -> (the case that fires, a case just on the other side)
    after: datetime           # a sweep at this time fires the rule on the first case only
    before: datetime | None   # a sweep at this time fires nothing (None: no deadline; the data decides)
    moves: tuple | None       # (from level, to level), or None when the rule does not move the case
    facts: tuple              # regular expressions, one per fact, in order
    kind: str
    flag: str | None = None
    notifies: bool = False


def _untriaged(received, later):
    def build(session, w):
        return make_case(session, received=received), make_case(session, received=later)
    return build


def _pair(fires: dict, stays: dict, *, received):
    def build(session, w):
        def resolve(spec):
            spec = dict(spec)
            spec["orgs"] = [getattr(w, name) for name in spec.pop("orgs", ())]
            return make_case(session, received=spec.pop("received", received), **spec)
        return resolve(fires), resolve(stays)
    return build


R1_FACTS = (re.escape("status nytt"), re.escape("3 arbetsdagar sedan ärendet kom in"))
TWO_ORGS = re.escape("2 organisationer: Stadsbyggnadskontoret, Trafikkontoret")

ROWS = [
    # R1: untriaged for more than 2 working days. Fri 18 Dec -> due end of Tue 22 Dec.
    Row("R1-christmas", "R1", _untriaged(sthlm(2026, 12, 18), sthlm(2026, 12, 21)),
        after=sthlm(2026, 12, 23, 1), before=sthlm(2026, 12, 22, 23), moves=None, facts=R1_FACTS,
        kind="flagged_overdue", flag="overdue", notifies=True),
    # Tue 29 Dec: Wed 30 (1), Thu 31 and Fri 1 Jan off, Mon 4 Jan (2) -> due end of Mon 4 Jan.
    Row("R1-new-year", "R1", _untriaged(sthlm(2026, 12, 29), sthlm(2026, 12, 30)),
        after=sthlm(2027, 1, 5, 1), before=sthlm(2027, 1, 4, 23), moves=None, facts=R1_FACTS,
        kind="flagged_overdue", flag="overdue", notifies=True),
    # Thu 25 Mar 2027: Good Friday and Easter Monday off, Tue 30 (1), Wed 31 (2); summer time.
    Row("R1-easter", "R1", _untriaged(sthlm(2027, 3, 25), sthlm(2027, 3, 30, 9)),
        after=sthlm(2027, 4, 1, 1), before=sthlm(2027, 3, 31, 23), moves=None, facts=R1_FACTS,
        kind="flagged_overdue", flag="overdue", notifies=True),
    # Thu 18 Jun 2026: midsommarafton off, Mon 22 (1), Tue 23 (2).
    Row("R1-midsummer", "R1", _untriaged(sthlm(2026, 6, 18), sthlm(2026, 6, 22)),
        after=sthlm(2026, 6, 24, 1), before=sthlm(2026, 6, 23, 23), moves=None, facts=R1_FACTS,
        kind="flagged_overdue", flag="overdue", notifies=True),
    # R2: two organisations at level 1 (a sweep on Christmas Day; no deadline involved).
    Row("R2-christmas-day", "R2", _pair({"level": 1, "orgs": ("tk", "sbk")}, {"level": 1, "orgs": ("tk",)},
                                        received=sthlm(2026, 12, 25, 8)),
        after=sthlm(2026, 12, 25), before=None, moves=(1, 2), facts=(TWO_ORGS,), kind="escalated"),
    # R3: an action item overdue by 10 working days. Due Thu 17 Dec: Fri 18 (1) … Tue 5 Jan (9),
    # Wed 6 Jan (trettondedag) off, Thu 7 Jan (10). The other case's item is due a working day later.
    Row("R3-action-christmas", "R3", _pair(
        {"level": 1, "orgs": ("tk",), "progress": sthlm(2026, 12, 21),
         "actions": [("Skyltplan för Högdalen", date(2026, 12, 17), "planned"),
                     ("Gammal klar åtgärd", date(2026, 10, 1), "done")]},
        {"level": 1, "orgs": ("tk",), "progress": sthlm(2026, 12, 21),
         "actions": [("Belysning Sandtagsvägen", date(2026, 12, 18), "in_progress")]},
        received=sthlm(2026, 12, 1)),
        after=sthlm(2027, 1, 8, 1), before=sthlm(2027, 1, 7, 23), moves=(1, 2),
        facts=(r"åtgärd försenad 1[01] arbetsdagar: Skyltplan för Högdalen",), kind="escalated"),
    # Due Wed 17 Mar 2027: … Thu 25 (6), Good Friday and Easter Monday off, Tue 30 (7) … Fri 2 Apr (10).
    Row("R3-action-easter", "R3", _pair(
        {"level": 1, "orgs": ("tk",), "progress": sthlm(2027, 3, 25),
         "actions": [("Snöröjning Årsta", date(2027, 3, 17), "blocked")]},
        {"level": 1, "orgs": ("tk",), "progress": sthlm(2027, 3, 25),
         "actions": [("Snöröjning Årsta", date(2027, 3, 18), "planned")]},
        received=sthlm(2027, 3, 1)),
        after=sthlm(2027, 4, 3, 1), before=sthlm(2027, 4, 2, 23), moves=(1, 2),
        facts=(r"åtgärd försenad 1[01] arbetsdagar: Snöröjning Årsta",), kind="escalated"),
    # R3: no recorded progress for 20 working days. Tue 9 Mar 2027 -> 20th working day Thu 8 Apr.
    Row("R3-progress-easter", "R3", _pair({"level": 1, "progress": sthlm(2027, 3, 9)},
                                          {"level": 1, "progress": sthlm(2027, 3, 10)}, received=sthlm(2027, 3, 1)),
        after=sthlm(2027, 4, 9, 1), before=sthlm(2027, 4, 8, 23), moves=(1, 2),
        facts=(re.escape("21 arbetsdagar utan registrerad framdrift"),), kind="escalated"),
    # Fri 29 May 2026 -> … Thu 18 Jun (14), midsommarafton off, Mon 22 (15) … Mon 29 Jun (20).
    Row("R3-progress-midsummer", "R3", _pair({"level": 1, "progress": sthlm(2026, 5, 29)},
                                             {"level": 1, "progress": sthlm(2026, 6, 1)}, received=sthlm(2026, 5, 20)),
        after=sthlm(2026, 6, 30, 1), before=sthlm(2026, 6, 29, 23), moves=(1, 2),
        facts=(re.escape("21 arbetsdagar utan registrerad framdrift"),), kind="escalated"),
    # R4: major significance (a sweep on Good Friday).
    Row("R4-good-friday", "R4", _pair({"level": 2, "major_significance": True}, {"level": 2},
                                      received=sthlm(2027, 3, 26, 8)),
        after=sthlm(2027, 3, 26), before=None, moves=(2, 3), facts=(re.escape("markerat som större dignitet"),),
        kind="escalated"),
    # R5: 5 000 000 kr is the coordination group's mandate; 4 999 999 is within it (midsommarafton).
    Row("R5-cost-midsummer-eve", "R5", _pair({"level": 1, "estimated_cost_sek": 5_000_000},
                                             {"level": 1, "estimated_cost_sek": 4_999_999},
                                             received=sthlm(2026, 6, 19, 8)),
        after=sthlm(2026, 6, 19), before=None, moves=(1, 3), facts=(re.escape("uppskattad kostnad 5 000 000 kr"),),
        kind="escalated"),
    Row("R5-department-head-new-years-day", "R5", _pair({"level": 2, "needs_department_head_decision": True},
                                                        {"level": 2}, received=sthlm(2027, 1, 1, 8)),
        after=sthlm(2027, 1, 1), before=None, moves=(2, 3),
        facts=(re.escape("kräver beslut på förvaltningschefsnivå"),), kind="escalated"),
    # R6: two coordination-group agendas without a decision (nyårsafton).
    Row("R6-new-years-eve", "R6", _pair({"level": 2, "agendas_without_decision": 2},
                                        {"level": 2, "agendas_without_decision": 1}, received=sthlm(2026, 12, 31, 8)),
        after=sthlm(2026, 12, 31), before=None, moves=(2, 3), facts=(re.escape("2 dagordningar utan beslut"),),
        kind="escalated"),
    # R7: a political decision: prepared for committee, the coordinators told (annandag påsk).
    Row("R7-easter-monday", "R7", _pair({"level": 1, "needs_political_decision": True},
                                        {"level": 1, "needs_political_decision": True,
                                         "prepared_for_committee": True}, received=sthlm(2027, 3, 29, 8)),
        after=sthlm(2027, 3, 29), before=None, moves=None, facts=(re.escape("kräver politiskt beslut"), ".*"),
        kind="committee_prepared", flag="prepared_for_committee", notifies=True),
]


@pytest.mark.parametrize("via", ["service", "cli"])
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_each_default_rule_fires_past_its_threshold_and_not_before(app, session, w, row, via):
    fires, stays = row.build(session, w)
    session.commit()
    rule = w.rules[row.rule]
    start = state(app)

    if row.before is not None:
        assert run_sweep(app, via, row.before) == []
        assert state(app) == start

    firings = run_sweep(app, via, row.after)

    assert len(firings) == 1, firings
    code, reference, from_level, to_level, actions, facts = firings[0]
    assert (code, reference) == (row.rule, fires.reference)
    assert actions == tuple(a["type"] for a in rule.actions)
    assert len(facts) == len(row.facts) and all(re.fullmatch(p, f) for p, f in zip(row.facts, facts)), facts
    case = stored(app, fires)
    events = rule_events(app, fires)
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.rule, event.actor_user_id, event.reason) == (row.kind, row.rule, None, rule.reason_sv)
    assert event.at == row.after
    assert (event.facts["rule_id"], event.facts["rule_name"], event.facts["rule_version"]) == \
        (rule.id, rule.name_sv, 1)
    assert tuple(c["text_sv"] for c in event.facts["conditions"]) == facts
    if row.moves:
        assert (from_level, to_level) == row.moves
        assert (event.from_level, event.to_level) == row.moves
        assert (case.level, case.level_seq, case.level_entered_at) == (row.moves[1], 2, row.after)
    else:
        assert to_level is None and (event.from_level, event.to_level) == (None, None)
        assert case.level == fires.level
    if row.flag:
        assert getattr(case, row.flag) is True
    notes, mails = notified(app, fires)
    if row.notifies:
        # Every coordinator once, in the app and by mail; nobody else.
        assert notes == Counter({w.saga.id: 1, w.kim.id: 1})
        assert mails == Counter({w.saga.email: 1, w.kim.email: 1})
        with fresh(app) as s:
            for mail in s.execute(select(OutboxMessage).where(OutboxMessage.case_id == fires.id)).scalars():
                assert fires.reference in mail.subject and rule.reason_sv in mail.subject
                assert f"/arenden/{reference_slug(fires.reference)}" in mail.body_text
    else:
        assert notes == Counter() and mails == Counter()
    # The case on the other side of the threshold is untouched.
    assert rule_events(app, stays) == []
    untouched = stored(app, stays)
    assert (untouched.level, untouched.overdue, untouched.version) == (stays.level, stays.overdue, stays.version)
    assert notified(app, stays) == (Counter(), Counter())

    # A second sweep at the same time, and one an hour later, change nothing.
    after_first = state(app)
    assert run_sweep(app, via, row.after) == []
    assert run_sweep(app, via, row.after + timedelta(hours=1)) == []
    assert state(app) == after_first


def test_the_default_rules_are_rows_with_the_designs_reasons(w):
    rules = w.rules
    assert sorted(rules) == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    assert rules["R1"].reason_sv == "Otriagerat ärende äldre än 2 arbetsdagar"
    assert {code for code, r in rules.items() if r.on_change} == {"R2", "R4", "R5", "R6", "R7"}
    assert {code for code, r in rules.items() if r.on_sweep} == set(rules)
    assert all(r.enabled and r.version == 1 for r in rules.values())
    assert [a["to_level"] for a in rules["R2"].actions] == [2]
    assert rules["R5"].conditions[0] == {"field": "estimated_cost_sek", "op": "gte", "value": 5_000_000}


# --- sweeping twice, dry runs ---------------------------------------------------------------------

NOW = sthlm(2027, 1, 8, 1)


def _one_of_each(session, w) -> dict[str, Case]:
    """A case for each rule R1-R7, all due at NOW (8 Jan 2027, 01:00)."""
    received = sthlm(2027, 1, 7, 20)
    return {
        "R1": make_case(session, received=sthlm(2026, 12, 29), title="Otriagerad skylt"),
        "R2": make_case(session, received=received, level=1, orgs=[w.tk, w.sbk], title="Två förvaltningar"),
        "R3": make_case(session, received=sthlm(2026, 12, 1), level=1, orgs=[w.tk], progress=sthlm(2026, 12, 21),
                        actions=[("Skyltplan", date(2026, 12, 17), "planned")], title="Stannat"),
        "R4": make_case(session, received=received, level=2, major_significance=True, title="Dignitet"),
        "R5": make_case(session, received=received, level=1, estimated_cost_sek=7_500_000, title="Dyr"),
        "R6": make_case(session, received=received, level=2, agendas_without_decision=3, title="Olöst"),
        "R7": make_case(session, received=received, level=3, needs_political_decision=True, title="Politiskt"),
    }


@pytest.mark.parametrize("via", ["service", "cli"])
def test_a_dry_run_changes_nothing_and_reports_what_the_real_sweep_then_does(app, session, w, via):
    cases = _one_of_each(session, w)
    session.commit()
    before = state(app)

    dry = run_sweep(app, via, NOW, dry_run=True)

    assert state(app) == before
    assert sorted((f[0], f[1]) for f in dry) == sorted((code, c.reference) for code, c in cases.items())
    real = run_sweep(app, via, NOW)
    assert real == dry
    assert state(app) != before
    assert run_sweep(app, via, NOW, dry_run=True) == []
    levels = {code: stored(app, c).level for code, c in cases.items()}
    assert levels == {"R1": None, "R2": 2, "R3": 2, "R4": 3, "R5": 3, "R6": 3, "R7": 3}


def test_the_plain_cli_output_says_what_would_fire_and_what_fired(app, session, w):
    case = make_case(session, received=sthlm(2026, 12, 25, 8), level=1, orgs=[w.tk, w.sbk])
    session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["routing", "sweep", "--now", "2026-12-25T10:00", "--dry-run"])
    real = runner.invoke(args=["routing", "sweep", "--now", "2026-12-25T10:00"])
    again = runner.invoke(args=["routing", "sweep", "--now", "2026-12-25T10:00"])

    assert dry.exit_code == real.exit_code == again.exit_code == 0, (dry.output, real.output, again.output)
    assert "1 would fire" in dry.output and "1 fired" in real.output and "0 fired" in again.output
    line = f"R2 {case.reference} level 1 -> 2 (escalate): 2 organisationer: Stadsbyggnadskontoret, Trafikkontoret"
    assert line in dry.output and line in real.output
    assert stored(app, case).level == 2


def test_a_wrong_now_is_a_clear_error_not_a_traceback(app):
    result = app.test_cli_runner().invoke(args=["routing", "sweep", "--now", "igår"])

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "--now" in result.output


# --- rules never move a case down; disabled rules; people moving cases ----------------------------

def test_a_rule_never_moves_a_case_down(app, session, w):
    case = make_case(session, received=sthlm(2026, 12, 21), level=3, orgs=[w.tk, w.sbk], major_significance=True,
                     estimated_cost_sek=9_000_000, agendas_without_decision=4)
    session.commit()

    assert run_sweep(app, "service", sthlm(2027, 3, 1)) == []
    with fresh(app) as s:
        engine.run_on_change(s, case.id, clock=FixedClock(sthlm(2027, 3, 1)),
                             working_days=app.extensions["working_days"], base_url="http://x")
        s.commit()
    assert stored(app, case).level == 3

    # Even a rule edited to look at every level, whose conditions the case meets, leaves it at 3.
    with fresh(app) as s:
        r2 = s.get(RoutingRule, w.rules["R2"].id)
        services.save_rule(s, r2, services.snapshot(r2) | {"levels": []}, user_id=w.admin.id,
                           clock=FixedClock(sthlm(2027, 3, 1)))
        s.commit()
    firings = run_sweep(app, "service", sthlm(2027, 3, 2))
    assert all(f[3] is None for f in firings), firings
    after = stored(app, case)
    assert (after.level, after.level_seq) == (3, 1)
    assert all(e.to_level is None or e.to_level >= (e.from_level or 0) for e in history(app, case))


def test_a_rule_that_cannot_move_a_case_does_not_claim_it_escalated_it(app, session, w):
    case = make_case(session, received=sthlm(2026, 12, 21), level=3, orgs=[w.tk, w.sbk])
    session.commit()
    with fresh(app) as s:
        r2 = s.get(RoutingRule, w.rules["R2"].id)
        services.save_rule(s, r2, services.snapshot(r2) | {"levels": []}, user_id=w.admin.id,
                           clock=FixedClock(sthlm(2027, 3, 1)))
        s.commit()

    run_sweep(app, "service", sthlm(2027, 3, 2))

    assert [e.kind for e in history(app, case) if e.kind == "escalated"] == []


def _disable(app, w, code, enabled=False):
    with fresh(app) as s:
        rule = s.get(RoutingRule, w.rules[code].id)
        services.save_rule(s, rule, services.snapshot(rule) | {"enabled": enabled}, user_id=w.admin.id,
                           clock=FixedClock(sthlm(2026, 11, 23)))
        s.commit()


def triage_form(w, **changes) -> dict:
    data = {"business_area_id": str(w.area.id), "focus_area_id": "3", "category": "traffic",
            "organisation_ids": [str(w.tk.id)], "priority": "normal", "estimated_cost_sek": "", "level": "1",
            "version": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_disabled_rule_never_fires_and_fires_again_once_enabled(app, session, client, w, clock):
    swept = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk, w.sbk])
    triaged = make_case(session, received=sthlm(2026, 11, 23, 8))
    session.commit()
    _disable(app, w, "R2")

    assert run_sweep(app, "service", sthlm(2026, 11, 23, 11)) == []
    sign_in(client, w.saga)
    response = client.post(url(triaged, "/triage"), data=triage_form(w, organisation_ids=[str(w.tk.id), str(w.sbk.id)]))
    assert response.status_code == 302, response.data.decode()[:500]

    assert (stored(app, swept).level, stored(app, triaged).level) == (1, 1)
    assert rule_events(app, swept) == rule_events(app, triaged) == []

    _disable(app, w, "R2", enabled=True)
    fired = run_sweep(app, "service", sthlm(2026, 11, 23, 12))
    assert sorted(f[1] for f in fired) == sorted([swept.reference, triaged.reference])


def test_a_manual_move_down_stands_through_sweeps_and_changes(app, session, client, w, clock):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk, w.sbk])
    session.commit()
    assert [f[0] for f in run_sweep(app, "service", sthlm(2026, 11, 23, 9))] == ["R2"]
    assert stored(app, case).level == 2

    sign_in(client, w.saga)
    response = client.post(url(case, "/flytta"), data={"to_level": "1", "reason": "Arbetsgruppen löser det själv"})
    assert response.status_code == 302
    assert stored(app, case).level == 1
    moved = history(app, case)[-1]
    assert (moved.kind, moved.actor_user_id, moved.rule, moved.from_level, moved.to_level, moved.reason) == \
        ("moved", w.saga.id, None, 2, 1, "Arbetsgruppen löser det själv")

    # The sweep, again and later, and a re-triage (the on-change rules) leave it where she put it.
    assert run_sweep(app, "service", sthlm(2026, 11, 23, 11)) == []
    assert run_sweep(app, "cli", sthlm(2026, 11, 25, 11)) == []
    retriage = client.post(url(case, "/triage"), data=triage_form(
        w, organisation_ids=[str(w.tk.id), str(w.sbk.id)], priority="high", version=str(stored(app, case).version)))
    assert retriage.status_code == 302, retriage.data.decode()[:500]
    assert stored(app, case).level == 1
    assert [e.rule for e in rule_events(app, case)] == ["R2"]


def test_after_a_manual_move_down_a_new_condition_still_fires(app, session, client, w, clock):
    case = make_case(session, received=sthlm(2026, 11, 20), level=2, orgs=[w.tk, w.sbk])
    session.commit()
    with fresh(app) as s:
        services.move_case(s, s.get(Case, case.id), to_level=1, reason="Tillbaka till arbetsgruppen",
                           actor_user_id=w.saga.id, clock=FixedClock(sthlm(2026, 11, 23, 9)),
                           working_days=app.extensions["working_days"])
        s.commit()
    assert run_sweep(app, "service", sthlm(2026, 11, 23, 10)) == []

    # Something new: the case is marked as of major significance; R4 takes it to the steering group.
    sign_in(client, w.saga)
    response = client.post(url(case, "/triage"), data=triage_form(
        w, organisation_ids=[str(w.tk.id), str(w.sbk.id)], major_significance="y",
        version=str(stored(app, case).version)))
    assert response.status_code == 302, response.data.decode()[:500]
    assert stored(app, case).level == 3
    r4 = rule_events(app, case, "R4")
    assert [(e.from_level, e.to_level) for e in r4] == [(1, 3)]


def test_after_a_manual_move_down_progress_stalling_later_still_fires(app, session, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=2, orgs=[w.tk, w.sbk])
    session.commit()
    with fresh(app) as s:
        services.move_case(s, s.get(Case, case.id), to_level=1, reason="Tillbaka till arbetsgruppen",
                           actor_user_id=w.saga.id, clock=FixedClock(sthlm(2026, 11, 23, 9)),
                           working_days=app.extensions["working_days"])
        s.commit()
    # Mon 23 Nov + 20 working days = Mon 21 Dec; from Tue 22 Dec 00:00 it has stalled.
    assert run_sweep(app, "service", sthlm(2026, 12, 21, 23)) == []
    firings = run_sweep(app, "cli", sthlm(2026, 12, 22, 1))
    assert [(f[0], f[2], f[3], f[5]) for f in firings] == \
        [("R3", 1, 2, ("21 arbetsdagar utan registrerad framdrift",))]
    assert stored(app, case).level == 2


def test_a_manual_move_down_stands_when_a_disabled_rule_is_enabled_again(app, session, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=2, orgs=[w.tk, w.sbk])
    session.commit()
    _disable(app, w, "R2")
    with fresh(app) as s:
        services.move_case(s, s.get(Case, case.id), to_level=1, reason="Tillbaka till arbetsgruppen",
                           actor_user_id=w.saga.id, clock=FixedClock(sthlm(2026, 11, 23, 9)),
                           working_days=app.extensions["working_days"])
        s.commit()
    _disable(app, w, "R2", enabled=True)

    assert run_sweep(app, "service", sthlm(2026, 11, 23, 10)) == []
    assert stored(app, case).level == 1


def test_closed_and_merged_cases_are_left_alone(app, session, w):
    target = make_case(session, received=sthlm(2026, 12, 21), level=2)
    closed = make_case(session, received=sthlm(2026, 12, 21), level=1, orgs=[w.tk, w.sbk], status="closed",
                       major_significance=True)
    merged = make_case(session, received=sthlm(2026, 12, 18), orgs=[w.tk, w.sbk], merged_into_id=target.id)
    session.commit()

    assert run_sweep(app, "cli", sthlm(2027, 1, 8, 1)) == []
    assert rule_events(app, closed) == rule_events(app, merged) == []
    assert (stored(app, closed).level, stored(app, merged).overdue) == (1, False)


def test_a_move_needs_a_reason_and_a_different_level(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=2)
    session.commit()
    sign_in(client, w.saga)

    no_reason = client.post(url(case, "/flytta"), data={"to_level": "1", "reason": "  "}, follow_redirects=True)
    same = client.post(url(case, "/flytta"), data={"to_level": "2", "reason": "Ingen ändring"}, follow_redirects=True)

    assert any("Ange ett skäl." in f for f in flashes(no_reason.get_data(as_text=True)))
    assert any("Ärendet är redan på den nivån." in f for f in flashes(same.get_data(as_text=True)))
    assert stored(app, case).level == 2
    assert [e.kind for e in history(app, case)] == ["received"]
    with fresh(app) as s, pytest.raises(ValidationFailed):
        services.move_case(s, s.get(Case, case.id), to_level=3, reason="", actor_user_id=w.saga.id,
                           clock=FixedClock(sthlm(2026, 11, 23)), working_days=app.extensions["working_days"])


# --- on change: triage runs the rules in the same request ----------------------------------------------

TRIAGE_CASES = [
    ("two-organisations", {"organisation_ids": "tk,sbk"}, 2, [("R2", 1, 2, "escalated")],
     ["2 organisationer: Stadsbyggnadskontoret, Trafikkontoret"]),
    ("major-significance", {"major_significance": "y"}, 3, [("R4", 1, 3, "escalated")],
     ["markerat som större dignitet"]),
    ("cost-at-the-mandate", {"estimated_cost_sek": "5 000 000"}, 3, [("R5", 1, 3, "escalated")],
     ["uppskattad kostnad 5 000 000 kr"]),
    ("cost-within-the-mandate", {"estimated_cost_sek": "4 999 999"}, 1, [], []),
    ("two-organisations-and-major", {"organisation_ids": "tk,sbk", "major_significance": "y"}, 3,
     [("R2", 1, 2, "escalated"), ("R4", 2, 3, "escalated")],
     ["2 organisationer: Stadsbyggnadskontoret, Trafikkontoret", "markerat som större dignitet"]),
    ("political-decision", {"needs_political_decision": "y"}, 1, [("R7", None, None, "committee_prepared")],
     ["kräver politiskt beslut"]),
]


@pytest.mark.parametrize(("name", "changes", "level", "expected", "facts"), TRIAGE_CASES,
                         ids=[t[0] for t in TRIAGE_CASES])
def test_triage_runs_the_on_change_rules_in_the_same_request(app, session, client, w, clock, name, changes, level,
                                                              expected, facts):
    case = make_case(session, received=sthlm(2026, 11, 23, 8))
    session.commit()
    sign_in(client, w.saga)
    data = dict(changes)
    if "organisation_ids" in data:
        data["organisation_ids"] = [str(getattr(w, n).id) for n in data["organisation_ids"].split(",")]

    response = client.post(url(case, "/triage"), data=triage_form(w, **data))

    assert response.status_code == 302, response.data.decode()[:500]
    after = stored(app, case)
    assert (after.status, after.level) == ("triaged", level)
    kinds = [e.kind for e in history(app, case)]
    assert kinds[:2] == ["received", "triaged"]
    events = rule_events(app, case)
    assert [(e.rule, e.from_level, e.to_level, e.kind) for e in events] == expected
    assert all(e.at == clock.now() for e in events)
    texts = [c["text_sv"] for e in events for c in e.facts["conditions"]]
    assert (texts[:1] if name == "political-decision" else texts) == facts
    if name == "political-decision":
        assert after.prepared_for_committee is True
        assert notified(app, case) == (Counter({w.saga.id: 1, w.kim.id: 1}),
                                       Counter({w.saga.email: 1, w.kim.email: 1}))


def test_triage_through_the_api_runs_the_rules_and_shows_them_in_the_history(app, session, client, w, clock):
    case = make_case(session, received=sthlm(2026, 11, 23, 8))
    token = auth_services.issue_token(session, email=w.saga.email)
    session.commit()

    response = client.post(f"/api/v1/cases/{reference_slug(case.reference)}/triage",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"business_area": w.area.id, "focus_area": 3, "category": "traffic",
                                 "organisations": [w.tk.id, w.sbk.id], "estimated_cost_sek": 6_000_000, "level": 1})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["level"] == 3
    moves = [(h["rule"], h["from_level"], h["to_level"]) for h in body["history"] if h["rule"]]
    assert sorted(moves) == [("R2", 1, 2), ("R5", 2, 3)]
    r2 = next(h for h in body["history"] if h["rule"] == "R2")
    assert r2["reason"] == "Frågan går över förvaltnings-/bolagsgränser"
    assert [c["text_sv"] for c in r2["facts"]["conditions"]] == \
        ["2 organisationer: Stadsbyggnadskontoret, Trafikkontoret"]


def test_triage_and_its_rules_are_one_transaction(app, session, client, w, monkeypatch):
    """If the rules fail, the triage is not saved either (and vice versa nothing half-done)."""
    import coordination.cases.views as case_views

    case = make_case(session, received=sthlm(2026, 11, 23, 8))
    session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("rules failed")

    monkeypatch.setattr(case_views, "run_on_change", broken)
    sign_in(client, w.saga)
    response = client.post(url(case, "/triage"), data=triage_form(w, organisation_ids=[str(w.tk.id), str(w.sbk.id)]))

    assert response.status_code == 500

    after = stored(app, case)
    assert (after.status, after.level) == ("new", None)
    assert [e.kind for e in history(app, case)] == ["received"]


def test_agendas_postponed_in_the_work_group_do_not_count_for_the_coordination_group(app, session, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk, w.sbk], agendas_without_decision=2)
    session.commit()

    firings = run_sweep(app, "service", sthlm(2026, 11, 23))

    assert [(f[0], f[2], f[3]) for f in firings] == [("R2", 1, 2)]
    assert stored(app, case).level == 2


def test_the_facts_of_a_no_condition_say_no(app, session, w):
    with fresh(app) as s:
        services.save_rule(s, None, {
            "code": "R8", "name_sv": "Vanliga ärenden med flera organisationer", "name_en": "Ordinary, several",
            "description": "", "enabled": True, "position": 80, "on_change": False, "on_sweep": True, "levels": [1],
            "match": "all", "conditions": [{"field": "major_significance", "op": "is", "value": False},
                                           {"field": "priority", "op": "in", "value": ["urgent"]}],
            "actions": [{"type": "notify", "who": "coordinator"}],
            "reason_sv": "Brådskande", "reason_en": "Urgent"},
            user_id=w.admin.id, clock=FixedClock(sthlm(2026, 11, 23)))
        s.commit()
    case = make_case(session, received=sthlm(2026, 11, 23, 8), level=1, priority="urgent")
    session.commit()

    firings = run_sweep(app, "service", sthlm(2026, 11, 23, 10))

    assert [f[0] for f in firings] == ["R8"]
    assert "markerat som större dignitet" not in firings[0][5]
    assert stored(app, case).major_significance is False


# --- escalation requests and "Varför är ärendet här?" ---------------------------------------------------

def test_a_department_asks_for_escalation_and_the_coordinator_accepts(app, session, client, w, clock):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk], title="Tung trafik på Sandtagsvägen")
    session.commit()

    sign_in(client, w.tore)
    page = client.get(url(case)).get_data(as_text=True)
    assert "Be samordnaren lyfta ärendet" in page
    asked = client.post(url(case, "/begar-lyft"), data={"to_level": "2", "reason": "Berör även stadsbyggnad"},
                        follow_redirects=True)
    assert asked.status_code == 200
    assert "Din begäran skickades till samordnaren." in flashes(asked.get_data(as_text=True))
    assert stored(app, case).level == 1
    with fresh(app) as s:
        request = s.execute(select(EscalationRequest)).scalars().one()
        notes = list(s.execute(select(Notification).where(Notification.kind == "escalation_request")).scalars())
    assert (request.requested_by_id, request.to_level, request.reason, request.resolved_at) == \
        (w.tore.id, 2, "Berör även stadsbyggnad", None)
    assert sorted(n.user_id for n in notes) == sorted([w.saga.id, w.kim.id])
    assert all(case.reference in n.text_sv and "Tore Trafik" in n.text_sv for n in notes)

    sign_in(client, w.saga)
    inbox = client.get("/notiser").get_data(as_text=True)
    assert case.reference in inbox
    shown = client.get(url(case)).get_data(as_text=True)
    assert "Tore Trafik begär att ärendet flyttas till" in text_of(shown)
    accepted = client.post(url(case, f"/begaran/{request.id}"), data={"decision": "accept", "answer": ""})
    assert accepted.status_code == 302

    after = stored(app, case)
    assert after.level == 2
    moved = history(app, case)[-1]
    assert (moved.kind, moved.actor_user_id, moved.from_level, moved.to_level, moved.reason) == \
        ("escalated", w.saga.id, 1, 2, "Berör även stadsbyggnad")
    with fresh(app) as s:
        answered = s.get(EscalationRequest, request.id)
    assert (answered.outcome, answered.resolved_by_id) == ("accepted", w.saga.id)
    why = why_section(client.get(url(case)).get_data(as_text=True))
    assert "Placerat här av Saga Samordnare: Berör även stadsbyggnad." in why


def test_declining_a_request_needs_a_reason(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk])
    session.commit()
    sign_in(client, w.tore)
    client.post(url(case, "/begar-lyft"), data={"to_level": "3", "reason": "Kräver förvaltningschefer"})
    with fresh(app) as s:
        request = s.execute(select(EscalationRequest)).scalars().one()

    sign_in(client, w.saga)
    bare = client.post(url(case, f"/begaran/{request.id}"), data={"decision": "decline", "answer": " "},
                       follow_redirects=True)
    assert any("Ange varför begäran avslås." in f for f in flashes(bare.get_data(as_text=True)))
    with fresh(app) as s:
        assert s.get(EscalationRequest, request.id).resolved_at is None

    declined = client.post(url(case, f"/begaran/{request.id}"),
                           data={"decision": "decline", "answer": "Arbetsgruppen har inte försökt än"})
    assert declined.status_code == 302
    with fresh(app) as s:
        answered = s.get(EscalationRequest, request.id)
    assert (answered.outcome, answered.answer) == ("declined", "Arbetsgruppen har inte försökt än")
    assert stored(app, case).level == 1
    last = history(app, case)[-1]
    assert (last.kind, last.actor_user_id, last.reason) == \
        ("escalation_declined", w.saga.id, "Arbetsgruppen har inte försökt än")


def test_only_a_department_of_a_concerned_organisation_can_ask(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk])
    session.commit()

    for user in (w.erik, w.saga, w.stina, w.admin):
        sign_in(client, user)
        response = client.post(url(case, "/begar-lyft"), data={"to_level": "2", "reason": "Vill lyfta"})
        assert response.status_code == 403, user.role
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(EscalationRequest)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Notification)).scalar_one() == 0


def test_a_request_needs_a_reason_and_a_level_above(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=2, orgs=[w.tk])
    session.commit()
    sign_in(client, w.tore)

    no_reason = client.post(url(case, "/begar-lyft"), data={"to_level": "3", "reason": ""}, follow_redirects=True)
    not_above = client.post(url(case, "/begar-lyft"), data={"to_level": "2", "reason": "Upp"}, follow_redirects=True)

    assert any("Ange ett skäl." in f for f in flashes(no_reason.get_data(as_text=True)))
    assert any("Välj en nivå över ärendets nuvarande nivå." in f for f in flashes(not_above.get_data(as_text=True)))
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(EscalationRequest)).scalar_one() == 0


def test_accepting_a_request_never_moves_a_case_down(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk])
    session.commit()
    sign_in(client, w.tore)
    client.post(url(case, "/begar-lyft"), data={"to_level": "2", "reason": "Behöver samordning"})
    with fresh(app) as s:
        request = s.execute(select(EscalationRequest)).scalars().one()
        s.get(Case, case.id).major_significance = True
        s.commit()
    run_sweep(app, "service", sthlm(2026, 11, 23, 11))
    assert stored(app, case).level == 3

    sign_in(client, w.saga)
    client.post(url(case, f"/begaran/{request.id}"), data={"decision": "accept", "answer": ""})

    assert stored(app, case).level == 3


def test_why_is_the_case_here_shows_the_rule_its_reason_and_facts(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 12, 25, 8), level=1, orgs=[w.tk, w.sbk])
    session.commit()
    run_sweep(app, "cli", sthlm(2026, 12, 25))

    for user in (w.saga, w.tore):
        sign_in(client, user)
        section = why_section(client.get(url(case)).get_data(as_text=True))
        assert "Varför är ärendet här?" in section
        assert "Samordningsgrupp" in section
        assert "Flyttat av regel R2 (Flera organisationer berörs): Frågan går över förvaltnings-/bolagsgränser." \
            in section
        assert "2 organisationer: Stadsbyggnadskontoret, Trafikkontoret" in section


def test_why_is_the_case_here_shows_the_person_and_reason_after_a_manual_move(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 20), level=1, orgs=[w.tk])
    untriaged = make_case(session, received=sthlm(2026, 11, 23, 8))
    session.commit()
    sign_in(client, w.saga)

    client.post(url(case, "/flytta"), data={"to_level": "3", "reason": "Behöver beslut av förvaltningscheferna"})

    section = why_section(client.get(url(case)).get_data(as_text=True))
    assert "Placerat här av Saga Samordnare: Behöver beslut av förvaltningscheferna." in section
    assert "Flyttat av regel" not in section
    waiting = why_section(client.get(url(untriaged)).get_data(as_text=True))
    assert "Ärendet ligger i samordnarens inkorg och väntar på triage." in waiting


def test_the_history_records_the_rule_version_that_fired(app, session, w):
    case = make_case(session, received=sthlm(2026, 12, 25, 8), level=1, orgs=[w.tk, w.sbk, w.expl])
    session.commit()
    with fresh(app) as s:
        r2 = s.get(RoutingRule, w.rules["R2"].id)
        services.save_rule(s, r2, services.snapshot(r2) | {"conditions": [
            {"field": "organisations_count", "op": "gte", "value": 3}]}, user_id=w.admin.id,
            clock=FixedClock(sthlm(2026, 12, 1)))
        s.commit()

    run_sweep(app, "service", sthlm(2026, 12, 25))

    event = rule_events(app, case, "R2")[0]
    assert (event.facts["rule_version"], event.facts["rule_id"]) == (2, w.rules["R2"].id)
    assert [c["text_sv"] for c in event.facts["conditions"]] == \
        ["3 organisationer: Exploateringskontoret, Stadsbyggnadskontoret, Trafikkontoret"]


# --- scale: a bounded number of statements ------------------------------------------------------------

def bulk_cases(session, n: int, *, first: int, received: datetime, level: int | None, org_ids=(),
               **fields) -> list[int]:
    """n cases in a few statements (factories would take several statements per case)."""
    progress = fields.pop("last_progress_at", received)
    rows = [{"reference": f"SBR 2025/{first + i:06d}", "year": 2025, "number": first + i,
             "title": f"Massärende {first + i}", "description": "Skapat för ett test", "source": "web",
             "received_at": received, "status": "triaged" if level else "new", "level": level,
             "level_seq": 1 if level else 0, "level_entered_at": received if level else None,
             "last_progress_at": progress if level else None, "created_at": received, "updated_at": received,
             "version": 1, **fields} for i in range(n)]
    session.execute(insert(Case), rows)
    ids = list(session.execute(select(Case.id).where(Case.year == 2025, Case.number >= first,
                                                     Case.number < first + n).order_by(Case.id)).scalars())
    if org_ids:
        session.execute(insert(CaseOrganisation), [{"case_id": i, "organisation_id": o} for i in ids for o in org_ids])
    return ids


def due_world(session, w, n: int, *, first: int) -> dict[str, list[int]]:
    """n cases due at NOW for each of R1 (notifies), R2 (organisation names in the facts), R3 (an
    overdue action item) and R7 (marks and notifies)."""
    long_ago = sthlm(2026, 12, 1)
    r3 = bulk_cases(session, n, first=first + 20000, received=long_ago, level=1, org_ids=[w.tk.id],
                    last_progress_at=sthlm(2026, 12, 21))
    session.execute(insert(ActionItem), [{"case_id": i, "organisation_id": w.tk.id, "title": "Åtgärd",
                                          "description": "", "due_date": date(2026, 12, 17), "status": "planned",
                                          "blocked_reason": "", "created_at": long_ago, "updated_at": long_ago,
                                          "version": 1} for i in r3])
    return {
        "R1": bulk_cases(session, n, first=first, received=long_ago, level=None),
        "R2": bulk_cases(session, n, first=first + 10000, received=sthlm(2027, 1, 7), level=1,
                         org_ids=[w.tk.id, w.sbk.id]),
        "R3": r3,
        "R7": bulk_cases(session, n, first=first + 30000, received=sthlm(2027, 1, 7), level=2,
                         needs_political_decision=True),
    }


def test_a_sweep_costs_the_same_number_of_statements_whatever_the_number_of_cases(app, session, w):
    """100, 1 000 and 5 000 cases due for each of four rules; each round sweeps only the new ones."""
    db_engine = app.extensions["db_engine"]
    counts, seconds = {}, {}
    for round_, n in enumerate((100, 1000, 5000)):
        due_world(session, w, n, first=100000 * (round_ + 1))
        session.commit()
        before = state(app)
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db_engine, "before_cursor_execute", count)
        started = time.monotonic()
        try:
            firings = run_sweep(app, "service", NOW)
        finally:
            event.remove(db_engine, "before_cursor_execute", count)
        seconds[n] = time.monotonic() - started
        counts[n] = len(statements)

        assert Counter(f[0] for f in firings) == {"R1": n, "R2": n, "R3": n, "R7": n}
        assert Counter(f[0] for f in firings if f[3] is not None) == {"R2": n, "R3": n}
        after = state(app)
        assert len(after["notifications"]) - len(before["notifications"]) == 2 * 2 * n  # R1, R7 × 2 coordinators
        assert len(after["outbox"]) - len(before["outbox"]) == 2 * 2 * n
        assert len(after["events"]) - len(before["events"]) == 4 * n

    assert counts[100] == counts[1000] == counts[5000], counts
    assert seconds[5000] < 60, seconds


# --- exactly once across processes ----------------------------------------------------------------------

def _subprocess_env(database_url: str) -> dict:
    return os.environ | {"SAMORDNING_ENV": "testing", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}


# `python -m coordination …`, entered only when the start file appears, so both processes sweep at once.
AT_THE_SIGNAL = """
import os, sys, time
from coordination.__main__ import cli
while not os.path.exists(sys.argv[1]):
    time.sleep(0.001)
cli.main(args=sys.argv[2:], prog_name="python -m coordination")
"""


@pytest.mark.skipif(not PG_URL, reason="two processes sweeping at once: PostgreSQL only")
def test_two_processes_sweeping_at_once_act_on_each_case_once(app, session, w, database_url, tmp_path):
    cases = due_world(session, w, 300, first=100000)
    session.commit()
    go = tmp_path / "go"
    command = [sys.executable, "-c", AT_THE_SIGNAL, str(go), "routing", "sweep", "--now", cli_now(NOW), "--json"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=_subprocess_env(database_url), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(1.5)  # both have imported the application and are waiting
    go.write_text("go")
    outputs = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0, 0], [err[-2000:] for _out, err in outputs]
    reports = [json.loads(out) for out, _err in outputs]
    reported = Counter((f["rule"], f["reference"]) for r in reports for f in r["firings"])
    assert len(reported) == 4 * 300 and set(reported.values()) == {1}
    with fresh(app) as s:
        events = Counter(s.execute(select(CaseEvent.case_id, CaseEvent.rule).where(CaseEvent.rule.is_not(None))).all())
        firings = Counter(s.execute(select(RuleFiring.rule_id, RuleFiring.case_id)).all())
        escalations = Counter(s.execute(select(CaseEvent.case_id).where(CaseEvent.kind == "escalated")).scalars())
        levels = dict(s.execute(select(Case.id, Case.level)).all())
        notes = Counter(s.execute(select(Notification.user_id, Notification.case_id)).all())
        mails = Counter(s.execute(select(OutboxMessage.recipient, OutboxMessage.case_id)).all())
    assert len(events) == 4 * 300 and set(events.values()) == {1}
    assert len(firings) == 4 * 300 and set(firings.values()) == {1}
    assert set(escalations) == set(cases["R2"]) | set(cases["R3"]) and set(escalations.values()) == {1}
    assert {levels[i] for i in cases["R2"] + cases["R3"]} == {2}
    assert len(notes) == 2 * 2 * 300 and set(notes.values()) == {1}
    assert len(mails) == 2 * 2 * 300 and set(mails.values()) == {1}


def test_a_sweep_killed_midway_and_run_again_moves_each_case_once(app, session, w, database_url):
    """SIGKILL as soon as the first rule (R1) has committed, while the big rules run; then sweep again."""
    first = bulk_cases(session, 20, first=1000, received=sthlm(2026, 12, 1), level=None)
    big = due_world(session, w, 2500, first=100000)
    session.commit()
    r1 = w.rules["R1"].id
    process = subprocess.Popen([sys.executable, "-m", "coordination", "routing", "sweep", "--now", cli_now(NOW)],
                               cwd=ROOT, env=_subprocess_env(database_url), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with fresh(app) as s:
                if s.execute(select(func.count()).select_from(RuleFiring).where(RuleFiring.rule_id == r1)).scalar_one():
                    break
            assert process.poll() is None, process.stderr.read()[-2000:]
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL, "the sweep ended by itself before it was killed"

    # What the killed sweep left: whole rules, never half of one.
    with fresh(app) as s:
        moved = Counter(s.execute(select(CaseEvent.rule).where(CaseEvent.kind == "escalated")).scalars())
        levels = dict(s.execute(select(Case.id, Case.level)).all())
    for code in ("R2", "R3"):
        assert moved[code] in (0, 2500), moved
        assert sum(levels[i] == 2 for i in big[code]) == moved[code]

    rerun = run_sweep(app, "cli", NOW)

    assert len({(f[0], f[1]) for f in rerun}) == len(rerun)
    with fresh(app) as s:
        escalations = Counter(s.execute(select(CaseEvent.case_id).where(CaseEvent.kind == "escalated")).scalars())
        per_rule = Counter(s.execute(select(CaseEvent.case_id, CaseEvent.rule)
                                     .where(CaseEvent.rule.is_not(None))).all())
        levels = dict(s.execute(select(Case.id, Case.level)).all())
        notes = Counter(s.execute(select(Notification.user_id, Notification.case_id)).all())
    assert set(escalations) == set(big["R2"]) | set(big["R3"]) and set(escalations.values()) == {1}
    assert {levels[i] for i in big["R2"] + big["R3"]} == {2}
    assert len(per_rule) == len(first) + 4 * 2500 and set(per_rule.values()) == {1}
    assert len(notes) == 2 * (len(first) + 2 * 2500) and set(notes.values()) == {1}
    assert run_sweep(app, "cli", NOW) == []
