"""Prepare the start pages' charts: each figure with its chart, a data table and a sentence."""

from flask_babel import gettext as _

from coordination.cases.queue import MANUAL_ESCALATION
from coordination.dashboard import charts
from coordination.dashboard.services import Dashboard


def figures(data: Dashboard) -> dict:
    levels = {None: _("Not triaged"), 1: _("Work group"), 2: _("Coordination group"), 3: _("Steering group")}
    per_level: dict = {}
    for level, _area_id, _area, count in data.open_by_level_area:
        per_level[level] = per_level.get(level, 0) + count
    level_keys = [k for k in (None, 1, 2, 3)]
    inflow = [data.inflow.get(m, 0) for m in data.months]
    closures = [data.closures.get(m, 0) for m in data.months]
    rule_rows = [(code or MANUAL_ESCALATION, code or _("By a person (no rule)"), n)
                 for code, n in data.escalations_by_rule]
    return {
        "open_chart": charts.bar(_("Open cases per level"), [levels[k] for k in level_keys],
                                 {_("Open cases"): [per_level.get(k, 0) for k in level_keys]}),
        "open_summary": _("%(total)s open cases: %(parts)s.", total=data.total_open,
                          parts=", ".join(f"{levels[k]} {per_level.get(k, 0)}" for k in level_keys)),
        "flow_chart": charts.line(_("Cases in and closed per month"), data.months,
                                  {_("Received"): inflow, _("Closed"): closures}),
        "flow_summary": _("The last 12 months: %(received)s received, %(closed)s closed.",
                          received=sum(inflow), closed=sum(closures)),
        "flow_rows": [(m, f"{m}-01", _month_end(m), r, c) for m, r, c in zip(data.months, inflow, closures)],
        "level_rows": [(k, levels[k], *data.time_in_level.get(k, (None, None, 0))) for k in (1, 2, 3)],
        "overdue_chart": charts.bar(_("Overdue action items per organisation"), [r[1] for r in data.overdue_by_org],
                                    {_("Overdue action items"): [r[2] for r in data.overdue_by_org]})
        if data.overdue_by_org else None,
        "rules_chart": charts.bar(_("Escalations by rule, last 12 months"), [name for _k, name, _n in rule_rows],
                                  {_("Escalations"): [n for _k, _name, n in rule_rows]})
        if rule_rows else None,
        # (filter value for the queue, label, escalations); the queue lists the cases escalated.
        "rule_rows": rule_rows,
        "since": f"{data.months[0]}-01" if data.months else None,
        "levels": levels,
    }


def _month_end(month: str) -> str:
    import calendar

    year, number = (int(x) for x in month.split("-"))
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"
