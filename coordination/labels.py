"""The Swedish (and English) words the UI shows for the codes stored in the database."""

from coordination.i18n import lazy_gettext as _l

SOURCE_LABELS = {
    "web": _l("Web form"), "phone": _l("Phone"), "email": _l("E-mail"), "meeting": _l("Meeting"),
    "outreach": _l("Outreach"), "internal": _l("Internal"),
}
STATUS_LABELS = {
    "new": _l("New"), "triaged": _l("Triaged"), "in_progress": _l("In progress"), "decided": _l("Decided"),
    "closed": _l("Closed"),
}
EVENT_LABELS = {
    "received": _l("Received"), "triaged": _l("Triaged"), "escalated": _l("Escalated"),
    "moved": _l("Moved"), "updated": _l("Updated"), "closed": _l("Closed"), "linked": _l("Linked"),
    "merged": _l("Merged into another case"), "merged_in": _l("Another case merged in"),
    "committee_prepared": _l("Prepared for committee"), "flagged_overdue": _l("Flagged as overdue"),
    "notified": _l("Notified"), "escalation_requested": _l("Escalation requested"),
    "escalation_declined": _l("Escalation declined"), "decision": _l("Decision"), "postponed": _l("Postponed"),
    "decision_corrected": _l("Decision corrected"), "action_added": _l("Action item added"),
    "action_progress": _l("Action item updated"),
}
REPORT_STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned for completion"),
                        "approved": _l("Approved")}
ACTION_STATUS_LABELS = {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done"),
                        "blocked": _l("Blocked")}
PRIORITY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
CATEGORY_LABELS = {
    "safety": _l("Safety and security (trygghet)"), "maintenance": _l("Maintenance, cleaning, snow clearing"),
    "traffic": _l("Traffic and access"), "planning": _l("Detailed plans and building permits"),
    "land": _l("Land and premises"), "permits": _l("Permits and the exercise of authority"),
    "skills": _l("Skills supply"), "other": _l("Other"),
}
SORT_LABELS = {"received_asc": _l("Oldest first"), "received_desc": _l("Newest first"),
               "reference": _l("Reference, newest first"), "priority": _l("Priority")}
STAGE_LABELS = {
    "received": _l("Received – waiting for the coordinator to review it"),
    "level1": _l("With the work group for the area"),
    "level2": _l("With the coordination group"),
    "level3": _l("With the steering group FC/BC Näringsliv"),
    "committee": _l("Being prepared for a decision by a committee"),
    "closed": _l("Closed"),
}


LEVEL_LABELS = {1: _l("Work group"), 2: _l("Coordination group"), 3: _l("Steering group")}
NOT_TRIAGED = _l("Not triaged")


def level_name(level: int | None) -> str:
    """The group a level is ("Arbetsgrupp" …), or "Not triaged" (the templates' `level_name` macro)."""
    return str(LEVEL_LABELS.get(level, NOT_TRIAGED))


def focus_area_label(focus_area) -> str:
    from flask_babel import get_locale

    name = focus_area.name_en if str(get_locale()) == "en" else focus_area.name_sv
    return f"{focus_area.id}. {name}"


def label(mapping: dict, code: str | None) -> str:
    return str(mapping.get(code, code or ""))


def template_globals() -> dict:
    from coordination.cases.services import reference_slug

    return {
        "case_slug": reference_slug,
        "source_label": lambda code: label(SOURCE_LABELS, code),
        "status_label": lambda code: label(STATUS_LABELS, code),
        "event_label": lambda code: label(EVENT_LABELS, code),
        "priority_label": lambda code: label(PRIORITY_LABELS, code),
        "category_label": lambda code: label(CATEGORY_LABELS, code),
        "stage_label": lambda code: label(STAGE_LABELS, code),
        "focus_area_label": focus_area_label,
        "level_label": level_name,
        "level_name": level_name,
        "action_status_labels": ACTION_STATUS_LABELS,
        "report_status_label": lambda code: label(REPORT_STATUS_LABELS, code),
    }
