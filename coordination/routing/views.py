"""The admin's rule editor (with a backtest before saving), and on a case: moving it with a
reason (coordinator), asking for escalation (department) and answering that request."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from coordination.access import allow, can_view_case, ensure
from coordination.audit import recording as audit
from coordination.audit import services as audit_services
from coordination.auth.models import Role
from coordination.cases import services as case_services
from coordination.db import get_session
from coordination.errors import DomainError, ValidationFailed
from coordination.forms import small_int
from coordination.routing import services
from coordination.routing.forms import (
    MoveForm,
    RequestEscalationForm,
    ResolveRequestForm,
    RuleForm,
)
from coordination.routing.models import EscalationRequest, RoutingRule
from coordination.routing.vocabulary import FIELDS
from coordination.web import clock, working_days

bp = Blueprint("routing", __name__)

TRUE_WORDS = {"ja", "yes", "true", "1", "sant"}
FALSE_WORDS = {"nej", "no", "false", "0", "falskt"}


def _parse_value(kind: str, raw: str):
    raw = (raw or "").strip()
    if kind == "int":
        digits = raw.replace(" ", "").replace("\u00a0", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("-")
        # Amounts reach 10**12; longer numbers are out of every range and say so as text.
        if digits.isascii() and digits.isdigit() and len(digits) <= 15:
            return sign * int(digits)
        return raw
    if kind == "bool":
        lowered = raw.lower()
        return True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else raw
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if kind == "ids":
        return [small_int(p) if small_int(p) is not None else p for p in parts]
    return parts


def _format_value(kind: str, value) -> str:
    if kind == "bool":
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _definition(form: RuleForm) -> tuple[dict, list[tuple[str, str]]]:
    """The rule the form describes, and problems the vocabulary cannot see (a value in a row
    with nothing chosen)."""
    problems = []
    conditions = []
    for index, entry in enumerate(form.conditions.entries):
        sub = entry.form
        if not sub.field.data:
            if (sub.value.data or "").strip():
                problems.append((sub.field.id, _("Choose what the condition tests, or empty the value.")))
            continue
        field = FIELDS[sub.field.data]
        if not sub.op.data:
            problems.append((sub.op.id, _("Choose a comparison that fits %(field)s.", field=field.label)))
            continue
        conditions.append({"field": field.name, "op": sub.op.data, "value": _parse_value(field.kind, sub.value.data)})
    actions = []
    for entry in form.actions.entries:
        sub = entry.form
        if not sub.type.data:
            continue
        action = {"type": sub.type.data}
        if sub.type.data == "escalate":
            action["to_level"] = sub.to_level.data
        if sub.type.data == "notify":
            action["who"] = sub.who.data
        actions.append(action)
    data = {"code": form.code.data or "", "name_sv": form.name_sv.data or "", "name_en": form.name_en.data or "",
            "description": form.description.data or "", "enabled": bool(form.enabled.data),
            "position": form.position.data if form.position.data is not None else 100,
            "on_change": bool(form.on_change.data), "on_sweep": bool(form.on_sweep.data),
            "levels": sorted(form.levels.data or []), "match": form.match.data or "all",
            "conditions": conditions, "actions": actions, "reason_sv": form.reason_sv.data or "",
            "reason_en": form.reason_en.data or ""}
    return data, problems


def _fill(form: RuleForm, rule: RoutingRule) -> None:
    for name in ("code", "name_sv", "name_en", "description", "enabled", "position", "on_change", "on_sweep",
                 "match", "reason_sv", "reason_en"):
        getattr(form, name).data = getattr(rule, name)
    form.levels.data = list(rule.levels)
    for entry, condition in zip(form.conditions.entries, rule.conditions):
        entry.form.field.data, entry.form.op.data = condition["field"], condition["op"]
        entry.form.value.data = _format_value(FIELDS[condition["field"]].kind, condition["value"])
    for entry, action in zip(form.actions.entries, rule.actions):
        entry.form.type.data = action["type"]
        entry.form.to_level.data = action.get("to_level")
        entry.form.who.data = action.get("who", "")


def _problems(form: RuleForm, errors: dict) -> list[tuple[str, str]]:
    """Service errors as (field id, message) pairs for the page's error summary."""
    result = []
    for key, messages in errors.items():
        if key.startswith("conditions-"):
            index = int(key.split("-")[1])
            # Errors count filled rows; find the index-th filled row's id.
            filled = [e for e in form.conditions.entries if e.form.field.data]
            target = filled[index].form.value.id if index < len(filled) else form.conditions.id
        elif key.startswith("actions-"):
            index = int(key.split("-")[1])
            filled = [e for e in form.actions.entries if e.form.type.data]
            target = filled[index].form.type.id if index < len(filled) else form.actions.id
        else:
            target = getattr(form, key).id if hasattr(form, key) else ""
        result += [(target, str(m)) for m in messages]
    return result


@bp.route("/admin/regler")
@allow(Role.admin)
def rules():
    db = get_session()
    rows = db.execute(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).scalars().all()
    return render_template("routing/rules.html", rules=rows)


@bp.route("/admin/regler/ny", methods=["GET", "POST"])
@bp.route("/admin/regler/<int:rule_id>", methods=["GET", "POST"])
@allow(Role.admin)
def rule(rule_id: int | None = None):
    db = get_session()
    existing = db.get(RoutingRule, rule_id) if rule_id else None
    if rule_id and existing is None:
        abort(404)
    form = RuleForm()
    if request.method == "GET":
        if existing:
            _fill(form, existing)
        else:
            form.enabled.data, form.on_sweep.data, form.match.data, form.position.data = True, True, "all", 100
        return _rule_page(db, form, existing)
    problems: list[tuple[str, str]] = []
    if not form.validate():
        problems += [(f.id, str(m)) for f in form if f.type not in ("FieldList",) for m in f.errors
                     if isinstance(m, str)]
        for entry in list(form.conditions.entries) + list(form.actions.entries):
            problems += [(sub.id, str(m)) for sub in entry.form for m in sub.errors]
        return _rule_page(db, form, existing, problems=problems), 400
    data, problems = _definition(form)
    if problems:
        return _rule_page(db, form, existing, problems=problems), 400
    if request.form.get("action") == "preview":
        from coordination.routing.vocabulary import RuleInvalid, validate_definition

        try:
            validate_definition(levels=data["levels"], match=data["match"], conditions=data["conditions"],
                                actions=data["actions"])
        except RuleInvalid as invalid:
            return _rule_page(db, form, existing, problems=_problems(form, invalid.errors)), 400
        draft = RoutingRule(**{k: data[k] for k in services.EDITABLE})
        result = services.backtest(db, draft, clock=clock(), working_days=working_days())
        return _rule_page(db, form, existing, preview=result)
    before = services.snapshot(existing) if existing else None
    try:
        saved = services.save_rule(db, existing, data, user_id=current_user.id, clock=clock())
    except ValidationFailed as error:
        db.rollback()
        return _rule_page(db, form, existing, problems=_problems(form, error.errors)), 400
    detail = audit_services.changes(before, {name: getattr(saved, name) for name in services.EDITABLE})
    audit.record(audit_services.UPDATE if before else audit_services.CREATE, object_type="routing_rule",
                 object_id=saved.id, object_ref=saved.code, detail=detail | {"version": saved.version})
    db.commit()
    flash(_("Rule %(code)s was saved (version %(version)s).", code=saved.code, version=saved.version), "success")
    return redirect(url_for("routing.rule", rule_id=saved.id))


def _rule_page(db, form, existing, *, problems=None, preview=None):
    history = services.rule_history(db, existing.id) if existing else []
    return render_template("routing/rule.html", form=form, rule=existing, problems=problems or [], preview=preview,
                           history=history, fields=FIELDS)


# --- on a case -----------------------------------------------------------------------------------

def _case(slug: str):
    reference = case_services.reference_from_slug(slug)
    if reference is None:
        abort(404)
    db = get_session()
    case = db.exec(select(case_services.Case).where(case_services.Case.reference == reference)).first()
    if case is None:
        abort(404)
    ensure(can_view_case(current_user, level=case.level,
                         organisation_ids=case_services.case_organisation_ids(db, case.id)))
    return case


def _back(case, error: DomainError | None = None):
    if error is not None:
        messages = [str(error.message)] + [str(m) for ms in error.errors.values() for m in ms]
        flash(" ".join(messages), "error")
    return redirect(url_for("cases.show", slug=case_services.reference_slug(case.reference), _anchor="routing"))


@bp.route("/arenden/<slug>/flytta", methods=["POST"])
@allow(Role.coordinator)
def move(slug: str):
    db = get_session()
    case = _case(slug)
    form = MoveForm()
    if not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
        return _back(case)
    try:
        services.move_case(db, case, to_level=form.to_level.data, reason=form.reason.data or "",
                           actor_user_id=current_user.id, clock=clock(), working_days=working_days())
    except DomainError as error:
        db.rollback()
        return _back(case, error)
    db.commit()
    flash(_("The case was moved."), "success")
    return _back(case)


@bp.route("/arenden/<slug>/begar-lyft", methods=["POST"])
@allow(Role.department)
def request_escalation(slug: str):
    db = get_session()
    case = _case(slug)
    form = RequestEscalationForm()
    if not form.validate():
        flash(" ".join(str(m) for f in form for m in f.errors), "error")
        return _back(case)
    try:
        services.request_escalation(db, case, user=current_user, to_level=form.to_level.data,
                                    reason=form.reason.data or "", clock=clock(),
                                    base_url=current_app.config["BASE_URL"])
    except DomainError as error:
        db.rollback()
        return _back(case, error)
    db.commit()
    flash(_("Your request was sent to the coordinator."), "success")
    return _back(case)


@bp.route("/arenden/<slug>/begaran/<int:request_id>", methods=["POST"])
@allow(Role.coordinator)
def resolve(slug: str, request_id: int):
    db = get_session()
    case = _case(slug)
    found = db.get(EscalationRequest, request_id)
    if found is None or found.case_id != case.id:
        abort(404)
    form = ResolveRequestForm()
    form.validate()
    try:
        services.resolve_request(db, found, accept=request.form.get("decision") == "accept",
                                 answer=form.answer.data or "", actor_user_id=current_user.id, clock=clock(),
                                 working_days=working_days())
    except DomainError as error:
        db.rollback()
        return _back(case, error)
    db.commit()
    flash(_("The request was answered."), "success")
    return _back(case)
