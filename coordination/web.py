"""What views and the API take from the application: its clock and working-day calendar."""

from urllib.parse import quote

from flask import current_app, g, url_for

from coordination.clock import Clock, WorkingDays


def clock() -> Clock:
    return current_app.extensions["clock"]


def working_days() -> WorkingDays:
    return current_app.extensions["working_days"]


# What werkzeug's path converter leaves unquoted in a segment (its BaseConverter.to_url).
_SEGMENT_SAFE = "!$&'()*+,/:;=@"


def case_url(reference: str) -> str:
    """The case page's address, as `url_for("cases.show", slug=reference_slug(reference))` gives
    it, with the route's prefix built once a request: a list of fifty cases built fifty addresses
    through the URL map (a twentieth of rendering the queue)."""
    from coordination.cases.services import reference_slug

    prefix = g.get("_case_url_prefix")
    if prefix is None:
        prefix = g._case_url_prefix = url_for("cases.show", slug="x")[:-1]
    return prefix + quote(reference_slug(reference), safe=_SEGMENT_SAFE)
