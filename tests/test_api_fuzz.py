"""Schemathesis against the API's own description: every operation of /api/v1/openapi.json, as
each role (a bearer token of a coordinator, a department official of an organisation, a steering
member, an admin) and anonymously, with requests generated from the document: valid ones and
ones that break it on purpose (wrong types, missing fields, values out of range).

For every answer: never a 5xx; every 4xx a problem object (application/problem+json with title,
status and detail); and the answer as the document describes it (schemathesis' response schema
conformance: a documented status, a body that validates against its schema). The data is
test_access.py's (cases at every level, action items, meetings with agendas), and the path
parameters are now and then a real case, action item or meeting, so the 200 answers are checked
too, not only the 404s. The examples are derandomized: a failure repeats, shrunk to its smallest
example."""

import os
from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.test_access import _ROUTES_APP, ANON, ROLES
from tests.test_access import world as _access_world  # noqa: F401  (a fixture, used by name below)

# Per operation and caller, valid and invalid requests together; API_FUZZ_EXAMPLES=500 digs deeper.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PROBLEM_TYPES = ("application/problem+json",)

# The operations, from the document the application serves (so a new one is fuzzed too).
OPERATIONS = sorted((method.upper(), path) for path, item in _ROUTES_APP.api_doc["paths"].items()
                    for method in item if method in ("get", "post", "put", "patch", "delete"))
RUN: Counter = Counter()
STATUSES: defaultdict = defaultdict(Counter)  # (method, path, role) -> status -> answers


@pytest.fixture(scope="module")
def world(request):
    """The users, tokens, cases, action items and meetings of test_access.py, for this module."""
    return request.getfixturevalue("_access_world")


@pytest.fixture(scope="module")
def api_schema(world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)
    yield schema
    print(f"\napi fuzz: {len(OPERATIONS)} operations × {len(ROLES)} callers, {RUN['requests']} requests, "
          f"{RUN['5xx']} 5xx")
    if os.environ.get("API_FUZZ_REPORT"):  # the answers per operation and caller, to see what was reached
        with open(os.environ["API_FUZZ_REPORT"], "w", encoding="utf-8") as out:
            out.writelines(f"{method} {path} {role}: {dict(sorted(statuses.items()))}\n"
                           for (method, path, role), statuses in sorted(STATUSES.items()))


def _real(w, method: str, path: str) -> list[dict]:
    """Path parameters that name real rows, so some requests reach them."""
    if "{ref}" in path:
        return [{"ref": c.reference.replace(" ", "-").replace("/", "-")} for c in w.cases.values()]
    if path.startswith("/api/v1/actions/{id}"):
        return [{"id": a.id} for a in w.actions.values()]
    if path.startswith("/api/v1/meetings/{id}"):
        return [{"id": m.id} for m in w.meetings.values()]
    return []


def _real_ids(w) -> dict:
    """Body fields that name rows, and real rows for them, so a triage or a new action item can
    also succeed (and the rules that run after a triage run on generated input)."""
    organisations = [w.own.id, w.other.id, w.spare_org.id]
    return {"business_area": st.sampled_from([w.area.id, w.spare_area.id]),
            "organisation": st.sampled_from(organisations),
            "organisations": st.lists(st.sampled_from(organisations), max_size=3),
            "responsible_user": st.sampled_from([u.id for u in w.users.values()])}


def assert_problem_if_refused(response) -> None:
    status = response.status_code
    if 400 <= status < 500:
        content_type = (response.headers.get("content-type") or [""])[0]  # lowercase keys, lists of values
        assert content_type.split(";")[0] in PROBLEM_TYPES, (status, content_type, response.text[:300])
        body = response.json()
        assert body["status"] == status, body
        assert isinstance(body["title"], str) and body["title"], body
        assert isinstance(body["detail"], str) and body["detail"], body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_as_every_caller(world, api_schema, method, path, role):
    operation = api_schema[path][method]
    strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    real = _real(world, method, path)
    token = None if role == ANON else world.tokens[role]
    ran = Counter()

    @FUZZ
    @given(case=strategy, where=st.sampled_from([None, *real]) if real else st.none(), data=st.data())
    def call(case, where, data):
        if where:
            case.path_parameters = {**(case.path_parameters or {}), **where}
        if isinstance(case.body, dict) and data.draw(st.booleans(), label="real ids in the body"):
            ids = _real_ids(world)
            case.body = {**case.body, **{key: data.draw(ids[key], label=key) for key in case.body if key in ids}}
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        case.headers = headers
        response = case.call()
        ran[response.status_code // 100] += 1
        RUN["requests"] += 1
        STATUSES[(method, path, role)][response.status_code] += 1
        if response.status_code >= 500:
            RUN["5xx"] += 1
        case.validate_response(response, checks=CHECKS)
        assert_problem_if_refused(response)

    call()
    assert sum(ran.values()) >= EXAMPLES // 2, ran
    if role == ANON:
        assert set(ran) == {4}, ran  # every operation is behind a token
