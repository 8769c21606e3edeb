"""RFC 9457 problem objects: every API error is one, with a 4xx status."""

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_BASE = "https://samordning.stockholm.se/problems/"


class Problem(BaseModel):
    """An error answer (application/problem+json)."""

    # Every problem is sent as application/problem+json; flask-openapi3 always lists
    # application/json for a response model, so the real media type is added beside it.
    model_config = ConfigDict(json_schema_extra={"description": "RFC 9457 problem details"},
                              openapi_extra={"content": {"application/problem+json": {
                                  "schema": {"$ref": "#/components/schemas/Problem"}}}})

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str = ""
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per input field")


PROBLEM_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                 405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
                 422: "validation", 429: "too-many-requests"}


def problem(status: int, title: str, detail: str = "", errors: dict | None = None, headers: dict | None = None):
    body = Problem(type=PROBLEM_BASE + PROBLEM_SLUGS.get(status, "error"), title=str(title), status=status,
                   detail=str(detail), errors={k: [str(m) for m in v] for k, v in (errors or {}).items()})
    response = jsonify(body.model_dump())
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def validation_problem(error):
    """flask-openapi3's validation_error_callback: a pydantic ValidationError as a 422 problem
    with one entry per field (the field's dotted location)."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        errors.setdefault(".".join(location) or "_", []).append(item.get("msg", "invalid"))
    return problem(422, "The input needs correcting",
                   "One or more fields are missing or have the wrong form.", errors)
