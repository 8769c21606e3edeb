"""The admin's rule editor (/admin/regler): the list of R1–R7, editing a rule with wrong values
(each refused with its own Swedish message and nothing saved), saving a new version with its
change history, the preview of what a draft would move now and in the last 12 months, creating
R8 and seeing it fire, disabling a rule, and nobody but an admin getting in."""

import html as html_lib
import re
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from coordination.cases.models import Case, CaseEvent
from coordination.clock import FixedClock
from coordination.routing import engine
from coordination.routing.models import RoutingRule, RuleAudit
from tests import factories
from tests.conftest import fresh, sign_in
from tests.test_routing import ensure_default_rules, make_case, sthlm

@pytest.fixture
def w(session, client):
    w = SimpleNamespace()
    w.rules = ensure_default_rules(session)
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.admin = factories.user(session, "admin", name="Ada Admin", email="ada@example.se")
    w.coordinator = factories.user(session, "coordinator", organisation_id=w.tk.id, name="Saga Samordnare")
    w.department = factories.user(session, "department", organisation_id=w.tk.id, name="Tore Trafik")
    w.steering = factories.user(session, "steering", organisation_id=w.sbk.id, name="Stina Styrgrupp")
    session.commit()
    sign_in(client, w.admin)
    return w


def _value(kind_value) -> str:
    if isinstance(kind_value, bool):
        return "ja" if kind_value else "nej"
    if isinstance(kind_value, list):
        return ", ".join(str(v) for v in kind_value)
    return str(kind_value)


def rule_form(rule: RoutingRule | dict, *, action="save", **changes) -> dict:
    """The editor's form as the page fills it for `rule`, with `changes` (None drops a field)."""
    r = rule if isinstance(rule, dict) else {name: getattr(rule, name) for name in (
        "code", "name_sv", "name_en", "description", "enabled", "position", "on_change", "on_sweep", "levels",
        "match", "conditions", "actions", "reason_sv", "reason_en")}
    data = {"code": r["code"], "name_sv": r["name_sv"], "name_en": r["name_en"], "description": r["description"],
            "position": str(r["position"]), "levels": [str(level) for level in r["levels"]], "match": r["match"],
            "reason_sv": r["reason_sv"], "reason_en": r["reason_en"], "action": action}
    for flag in ("enabled", "on_change", "on_sweep"):
        if r[flag]:
            data[flag] = "y"
    for i in range(5):
        condition = r["conditions"][i] if i < len(r["conditions"]) else None
        data[f"conditions-{i}-field"] = condition["field"] if condition else ""
        data[f"conditions-{i}-op"] = condition["op"] if condition else ""
        data[f"conditions-{i}-value"] = _value(condition["value"]) if condition else ""
    for i in range(3):
        act = r["actions"][i] if i < len(r["actions"]) else {}
        data[f"actions-{i}-type"] = act.get("type", "")
        data[f"actions-{i}-to_level"] = str(act.get("to_level") or "")
        data[f"actions-{i}-who"] = act.get("who", "")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def problems(html: str) -> list[tuple[str, str]]:
    """The error summary: (field id, message) per problem."""
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    if not summary:
        return []
    return [(target, html_lib.unescape(message).strip())
            for target, message in re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', summary.group(0))]


def flashes(html: str) -> list[str]:
    return [html_lib.unescape(f).strip() for f in re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', html)]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def stored_rule(app, rule_id) -> dict:
    with fresh(app) as s:
        rule = s.get(RoutingRule, rule_id)
        audits = s.execute(select(func.count()).select_from(RuleAudit).where(RuleAudit.rule_id == rule_id)).scalar_one()
        return {"version": rule.version, "code": rule.code, "enabled": rule.enabled, "levels": rule.levels,
                "conditions": rule.conditions, "actions": rule.actions, "audits": audits,
                "rules": s.execute(select(func.count()).select_from(RoutingRule)).scalar_one()}


def sweep(app, now: datetime):
    with fresh(app) as s:
        return engine.sweep(s, clock=FixedClock(now), working_days=app.extensions["working_days"],
                            base_url="http://test").firings


# --- the list -------------------------------------------------------------------------------------------

def test_the_list_shows_r1_to_r7_in_order_with_their_reasons(client, w):
    response = client.get("/admin/regler")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr[^>]*>\s*<td><a href="/admin/regler/(\d+)">(R\d)</a></td>'
                      r'\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', html)
    assert [code for _id, code, _name, _reason in rows] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    by_code = {code: (int(rule_id), html_lib.unescape(name), html_lib.unescape(reason))
               for rule_id, code, name, reason in rows}
    assert by_code["R1"] == (w.rules["R1"].id, "Otriagerat för länge", "Otriagerat ärende äldre än 2 arbetsdagar")
    assert by_code["R2"][2] == "Frågan går över förvaltnings-/bolagsgränser"
    assert by_code["R6"][1] == "Ej löst i samordningsgruppen"
    assert text_of(html).count("Påslagen") == 7
    assert 'href="/admin/regler/ny"' in html


def test_a_rules_page_shows_its_definition(client, w):
    html = client.get(f"/admin/regler/{w.rules['R3'].id}").get_data(as_text=True)

    assert "Regel R3: Stannat i arbetsgruppen" in text_of(html)
    assert re.search(r'name="conditions-1-value"[^>]*value="20"', html) or \
        re.search(r'value="20"[^>]*name="conditions-1-value"', html)
    assert re.search(r'<option selected value="working_days_since_progress">', html)


# --- wrong values are refused, each with its own message, and nothing is saved ---------------------------

PROGRESS = "Arbetsdagar utan registrerad framdrift"
BAD_EDITS = [
    ("negative", {"conditions-1-value": "-5"}, "conditions-1-value", f"{PROGRESS} måste vara mellan 0 och 1 000."),
    ("text", {"conditions-1-value": "tjugo"}, "conditions-1-value", f"{PROGRESS} behöver ett heltal."),
    ("huge", {"conditions-1-value": "99999"}, "conditions-1-value", f"{PROGRESS} måste vara mellan 0 och 1 000."),
    ("decimal", {"conditions-1-value": "2,5"}, "conditions-1-value", f"{PROGRESS} behöver ett heltal."),
    ("empty-threshold", {"conditions-1-value": ""}, "conditions-1-value", f"{PROGRESS} behöver ett heltal."),
    ("comparison-that-does-not-fit", {"conditions-1-op": "lte"}, "conditions-1-value",
     f"Välj en jämförelse som passar {PROGRESS}."),
    ("escalate-to-level-1", {"actions-0-to_level": "1"}, "actions-0-to_level",
     "En regel lyfter till nivå 2 eller 3; regler flyttar aldrig ett ärende nedåt."),
    ("escalate-to-no-level", {"actions-0-to_level": ""}, "actions-0-type",
     "En regel lyfter till nivå 2 eller 3; regler flyttar aldrig ett ärende nedåt."),
    ("no-conditions", {f"conditions-{i}-{part}": "" for i in range(5) for part in ("field", "op", "value")},
     "conditions", "En regel behöver minst ett villkor."),
    ("no-actions", {f"actions-{i}-{part}": "" for i in range(3) for part in ("type", "to_level", "who")},
     "actions", "En regel behöver minst en åtgärd."),
    ("duplicate-code", {"code": "R2"}, "code", "En annan regel har den koden."),
    ("duplicate-code-other-case", {"code": "r2"}, "code", "En annan regel har den koden."),
    ("no-trigger", {"on_change": None, "on_sweep": None}, "on_sweep",
     "Välj när regeln körs: vid ändring, i genomsökningen eller båda."),
    ("no-reason", {"reason_sv": "  "}, "reason_sv", "Fältet är obligatoriskt."),
    ("a-value-without-a-field", {"conditions-3-value": "7"}, "conditions-3-field",
     "Välj vad villkoret prövar, eller töm värdet."),
    ("not-a-field", {"conditions-0-field": "drop_table"}, "conditions-0-field", "Välj vad villkoret prövar i listan."),
]


# The preview checks what the rule does (conditions, actions), not its code, trigger or texts.
NOT_PREVIEWED = {"duplicate-code", "duplicate-code-other-case", "no-trigger", "no-reason"}
BAD_EDIT_CASES = [pytest.param(*bad, action, id=f"{bad[0]}-{action}") for action in ("save", "preview")
                  for bad in BAD_EDITS if not (action == "preview" and bad[0] in NOT_PREVIEWED)]


@pytest.mark.parametrize(("name", "changes", "target", "message", "action"), BAD_EDIT_CASES)
def test_a_wrong_edit_of_r3_is_refused_with_its_message_and_nothing_is_saved(app, client, w, name, changes, target,
                                                                             message, action):
    rule = w.rules["R3"]
    before = stored_rule(app, rule.id)

    response = client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, action=action, **changes))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (target, message) in problems(html), problems(html)
    assert stored_rule(app, rule.id) == before
    if changes.get("conditions-1-value") not in (None, ""):
        # What the admin typed is still there to correct.
        assert f'value="{html_lib.escape(changes["conditions-1-value"])}"' in html


EMPTY_COMPARISONS = [("R3", 1, PROGRESS), ("R2", 0, "Antal berörda organisationer")]


@pytest.mark.parametrize(("code", "index", "label"), EMPTY_COMPARISONS, ids=[e[0] for e in EMPTY_COMPARISONS])
def test_an_empty_comparison_is_refused(app, client, w, code, index, label):
    rule = w.rules[code]
    before = stored_rule(app, rule.id)

    response = client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, **{f"conditions-{index}-op": ""}))

    assert response.status_code == 400
    messages = [message for _target, message in problems(response.get_data(as_text=True))]
    assert any(message.startswith("Välj en jämförelse") for message in messages)
    assert stored_rule(app, rule.id) == before


def test_a_huge_order_is_refused_with_a_message(app, client, w):
    rule = w.rules["R3"]
    before = stored_rule(app, rule.id)

    response = client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, position="99999999999999999999"))

    assert response.status_code == 400
    assert [target for target, _message in problems(response.get_data(as_text=True))] == ["position"]
    assert stored_rule(app, rule.id) == before


# --- a valid change -----------------------------------------------------------------------------------------

def test_a_valid_change_saves_version_2_and_shows_in_the_change_history(app, session, client, w, clock):
    rule = w.rules["R3"]
    before = stored_rule(app, rule.id)

    response = client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, **{"conditions-1-value": "15"}))

    assert response.status_code == 302
    assert response.location.endswith(f"/admin/regler/{rule.id}")
    after = stored_rule(app, rule.id)
    assert after["version"] == 2 and after["audits"] == before["audits"] + 1
    assert after["conditions"] == [{"field": "action_overdue_days", "op": "gte", "value": 10},
                                   {"field": "working_days_since_progress", "op": "gt", "value": 15}]
    page = client.get(response.location).get_data(as_text=True)
    assert "Regel R3 sparades (version 2)." in flashes(page)
    history = re.search(r'<section aria-labelledby="audit-title">.*?</section>', page, re.S).group(0)
    rows = [[text_of(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr><td>.*?</tr>", history, re.S)]
    assert rows[0][0] == "2" and rows[0][2] == "Ada Admin" and rows[0][3] == "conditions"
    assert "2026-11-23" in rows[0][1]
    assert "Ändringshistorik" in text_of(history)
    with fresh(app) as s:
        audit = s.execute(select(RuleAudit).where(RuleAudit.rule_id == rule.id, RuleAudit.version == 2)).scalars().one()
        saved = s.get(RoutingRule, rule.id)
    assert (audit.user_id, audit.snapshot["conditions"][1]["value"]) == (w.admin.id, 15)
    assert (saved.updated_by_id, saved.updated_at) == (w.admin.id, clock.now())

    # The new threshold is what the sweep uses: 16 working days without progress is now enough.
    case = make_case(session, received=sthlm(2026, 10, 1), level=1, progress=sthlm(2026, 10, 30))
    session.commit()
    firings = sweep(app, sthlm(2026, 11, 23, 10))
    assert [(f.rule, f.reference, f.facts) for f in firings] == \
        [("R3", case.reference, ["16 arbetsdagar utan registrerad framdrift"])]
    with fresh(app) as s:
        event = s.execute(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.rule == "R3")).scalars().one()
    assert event.facts["rule_version"] == 2


def test_saving_twice_makes_two_versions(app, client, w):
    rule = w.rules["R6"]
    client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, **{"conditions-0-value": "3"}))
    with fresh(app) as s:
        changed = s.get(RoutingRule, rule.id)
    client.post(f"/admin/regler/{rule.id}", data=rule_form(changed, reason_sv="Fastnat i samordningsgruppen"))

    with fresh(app) as s:
        versions = [(a.version, a.summary, a.user_id) for a in s.execute(
            select(RuleAudit).where(RuleAudit.rule_id == rule.id, RuleAudit.version > 1)
            .order_by(RuleAudit.version)).scalars()]
    assert versions == [(2, "conditions", w.admin.id), (3, "reason_sv", w.admin.id)]
    assert stored_rule(app, rule.id)["version"] == 3


# --- preview: what the draft would move, now and in the last 12 months ------------------------------------

def _event(session, case, at, kind, to_level, from_level=None):
    session.add(CaseEvent(case_id=case.id, at=at, kind=kind, from_level=from_level, to_level=to_level, reason="",
                          facts={}))


@pytest.fixture
def history_world(session, w):
    """Against R3 with 'no progress for more than 5 working days' (instead of 20), at Mon 23 Nov 2026:
    now: A (level 1, 10 working days without progress);
    last 12 months: A, and B, which waited 10 working days at level 1 in August and then went up;
    neither: C, the same story as B but received more than 12 months ago; D, progress 2 days ago."""
    h = SimpleNamespace()
    h.a = make_case(session, received=sthlm(2026, 10, 1), level=1, progress=sthlm(2026, 11, 9), title="Ärende A")
    _event(session, h.a, sthlm(2026, 10, 1, 11), "triaged", 1)
    h.b = make_case(session, received=sthlm(2026, 8, 3), level=2, title="Ärende B")
    _event(session, h.b, sthlm(2026, 8, 3, 10), "triaged", 1)
    _event(session, h.b, sthlm(2026, 8, 17, 10), "moved", 2, 1)
    h.c = make_case(session, received=sthlm(2025, 9, 1), level=2, title="Ärende C")
    _event(session, h.c, sthlm(2025, 9, 1, 10), "triaged", 1)
    _event(session, h.c, sthlm(2025, 10, 1, 10), "moved", 2, 1)
    h.d = make_case(session, received=sthlm(2026, 11, 2), level=1, progress=sthlm(2026, 11, 19), title="Ärende D")
    _event(session, h.d, sthlm(2026, 11, 2, 10), "triaged", 1)
    session.commit()
    return h


def _preview(html: str) -> str:
    section = re.search(r'<section aria-labelledby="preview-title".*?</section>', html, re.S)
    assert section, "no preview on the page"
    return text_of(section.group(0))


def test_the_preview_counts_the_cases_a_draft_would_move_now_and_in_the_last_12_months(app, client, w,
                                                                                      history_world):
    rule = w.rules["R3"]
    before = stored_rule(app, rule.id)

    response = client.post(f"/admin/regler/{rule.id}",
                           data=rule_form(rule, action="preview", **{"conditions-1-value": "5"}))

    assert response.status_code == 200
    preview = _preview(response.get_data(as_text=True))
    assert "Vad regeln skulle göra (inte sparad ännu)" in preview
    assert "Nu: 1 öppet ärende uppfyller regeln." in preview
    assert "Senaste 12 månaderna: 2 ärenden hade berörts, enligt ärendenas historik." in preview
    assert history_world.a.reference in preview
    for other in (history_world.b, history_world.c, history_world.d):
        assert other.reference not in preview
    assert stored_rule(app, rule.id) == before
    # The form still holds the draft, ready to save.
    assert re.search(r'name="conditions-1-value"[^>]*value="5"', response.get_data(as_text=True))


def test_the_preview_of_the_rule_as_saved_counts_nothing_here(app, client, w, history_world):
    rule = w.rules["R3"]

    preview = _preview(client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, action="preview"))
                       .get_data(as_text=True))

    assert "Nu: 0 öppna ärenden uppfyller regeln." in preview
    assert "Senaste 12 månaderna: 0 ärenden hade berörts, enligt ärendenas historik." in preview


def test_the_preview_of_a_new_rule_saves_nothing(app, session, client, w):
    urgent = make_case(session, received=sthlm(2026, 11, 2), level=1, priority="urgent")
    _event(session, urgent, sthlm(2026, 11, 2, 11), "triaged", 1)
    make_case(session, received=sthlm(2026, 11, 2), level=2, priority="urgent")
    session.commit()
    before = stored_rule(app, w.rules["R1"].id)

    response = client.post("/admin/regler/ny", data=rule_form(NEW_RULE, action="preview"))

    assert response.status_code == 200
    preview = _preview(response.get_data(as_text=True))
    assert "Nu: 1 öppet ärende uppfyller regeln." in preview
    assert "Senaste 12 månaderna: 1 ärende hade berörts, enligt ärendenas historik." in preview
    assert urgent.reference in preview
    assert stored_rule(app, w.rules["R1"].id) == before
    with fresh(app) as s:
        assert s.execute(select(RoutingRule.code).where(RoutingRule.code == "R8")).first() is None


# --- a new rule, and disabling one ------------------------------------------------------------------------

NEW_RULE = {"code": "R8", "name_sv": "Brådskande i arbetsgruppen", "name_en": "Urgent in the work group",
            "description": "Brådskande ärenden går direkt till samordningsgruppen.", "enabled": True,
            "position": 80, "on_change": False, "on_sweep": True, "levels": [1], "match": "all",
            "conditions": [{"field": "priority", "op": "in", "value": ["urgent"]}],
            "actions": [{"type": "escalate", "to_level": 2}],
            "reason_sv": "Brådskande ärende", "reason_en": "Urgent case"}


def test_a_new_rule_r8_is_created_and_fires_in_the_next_sweep(app, session, client, w):
    urgent = make_case(session, received=sthlm(2026, 11, 23, 8), level=1, priority="urgent")
    normal = make_case(session, received=sthlm(2026, 11, 23, 8), level=1, priority="high")
    session.commit()
    assert client.get("/admin/regler/ny").status_code == 200

    response = client.post("/admin/regler/ny", data=rule_form(NEW_RULE, **{"conditions-0-value": "urgent"}))

    assert response.status_code == 302
    with fresh(app) as s:
        r8 = s.execute(select(RoutingRule).where(RoutingRule.code == "R8")).scalars().one()
        audits = [(a.version, a.summary, a.user_id) for a in s.execute(
            select(RuleAudit).where(RuleAudit.rule_id == r8.id)).scalars()]
    assert response.location.endswith(f"/admin/regler/{r8.id}")
    assert (r8.version, r8.enabled, r8.levels, r8.conditions, r8.actions) == \
        (1, True, [1], NEW_RULE["conditions"], NEW_RULE["actions"])
    assert audits == [(1, "created", w.admin.id)]
    listing = client.get("/admin/regler").get_data(as_text=True)
    assert f'<a href="/admin/regler/{r8.id}">R8</a>' in listing

    firings = sweep(app, sthlm(2026, 11, 23, 11))

    assert [(f.rule, f.reference, f.from_level, f.to_level) for f in firings] == [("R8", urgent.reference, 1, 2)]
    with fresh(app) as s:
        assert s.get(Case, urgent.id).level == 2 and s.get(Case, normal.id).level == 1
        event = s.execute(select(CaseEvent).where(CaseEvent.case_id == urgent.id, CaseEvent.rule == "R8")
                          ).scalars().one()
    assert (event.reason, event.facts["rule_name"], event.facts["rule_version"]) == \
        ("Brådskande ärende", "Brådskande i arbetsgruppen", 1)


def test_disabling_a_rule_through_the_form_stops_it_firing(app, session, client, w):
    case = make_case(session, received=sthlm(2026, 11, 23, 8), level=1, orgs=[w.tk, w.sbk])
    session.commit()
    rule = w.rules["R2"]

    response = client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, enabled=None))

    assert response.status_code == 302
    after = stored_rule(app, rule.id)
    assert (after["enabled"], after["version"]) == (False, 2)
    listing = text_of(client.get("/admin/regler").get_data(as_text=True))
    assert re.search(r"R2 Flera organisationer berörs .*? Avstängd 2", listing)
    assert sweep(app, sthlm(2026, 11, 23, 11)) == []
    with fresh(app) as s:
        assert s.get(Case, case.id).level == 1

    client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, enabled="y"))
    assert [f.rule for f in sweep(app, sthlm(2026, 11, 23, 12))] == ["R2"]


# --- only admins ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["coordinator", "department", "steering", "anonymous"])
def test_only_admins_reach_the_rule_editor(app, client, w, who):
    rule = w.rules["R3"]
    before = stored_rule(app, rule.id)
    client = app.test_client()
    if who != "anonymous":
        sign_in(client, getattr(w, who))

    pages = [client.get("/admin/regler"), client.get(f"/admin/regler/{rule.id}"), client.get("/admin/regler/ny"),
             client.post(f"/admin/regler/{rule.id}", data=rule_form(rule, **{"conditions-1-value": "1"})),
             client.post("/admin/regler/ny", data=rule_form(NEW_RULE))]

    for response in pages:
        if who == "anonymous":
            assert response.status_code == 302 and "/logga-in" in response.location
        else:
            assert response.status_code == 403
            assert "Du har inte behörighet till den här sidan." in response.get_data(as_text=True)
    assert stored_rule(app, rule.id) == before


def test_a_rule_that_does_not_exist_is_a_404(client, w):
    assert client.get("/admin/regler/987654").status_code == 404
    assert client.post("/admin/regler/987654", data=rule_form(NEW_RULE)).status_code == 404
