"""The Swedish (and English) words the UI shows for the codes stored in the database."""

from flask_babel import lazy_gettext as _l

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
    "moved": _l("Moved"), "updated": _l("Updated"), "closed": _l("Closed"),
}


def label(mapping: dict, code: str | None) -> str:
    return str(mapping.get(code, code or ""))


def template_globals() -> dict:
    from coordination.cases.services import reference_slug

    return {
        "case_slug": reference_slug,
        "source_label": lambda code: label(SOURCE_LABELS, code),
        "status_label": lambda code: label(STATUS_LABELS, code),
        "event_label": lambda code: label(EVENT_LABELS, code),
    }
