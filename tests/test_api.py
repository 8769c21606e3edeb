"""The JSON API under /api/v1 as an integration meets it: bearer tokens only, problem objects
for every error, and an OpenAPI 3.1 description generated from the code."""

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from coordination.auth import services as auth_services
from coordination.auth.models import ApiToken, User
from tests import factories

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}

def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def official(session):
    org = factories.organisation(session, name="Trafikkontoret", short_name="TK", kind="department")
    user = factories.user(session, "department", organisation_id=org.id, email="tjansteperson@example.se",
                          name="Tora Tjänsteperson")
    token = auth_services.issue_token(session, email=user.email)
    session.commit()
    return user, org, token


# --- who is calling -----------------------------------------------------------------------------

def test_me_is_the_caller_with_role_and_organisation(client, official):
    user, org, token = official

    response = client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.get_json() == {
        "id": user.id, "email": "tjansteperson@example.se", "name": "Tora Tjänsteperson", "role": "department",
        "organisation": {"id": org.id, "name": "Trafikkontoret", "short_name": "TK", "kind": "department",
                         "active": True},
        "locale": None,
    }


def test_me_of_an_admin_has_no_organisation(client, session):
    admin = factories.user(session, "admin")
    token = auth_services.issue_token(session, email=admin.email)
    session.commit()

    body = client.get("/api/v1/me", headers=bearer(token)).get_json()

    assert (body["id"], body["role"], body["organisation"]) == (admin.id, "admin", None)


def test_the_token_decides_who_calls_not_the_session_cookie(client, session, official):
    _user, _org, token = official
    admin = factories.user(session, "admin")
    session.commit()
    assert client.post("/logga-in", data={"email": admin.email, "password": factories.PASSWORD}).status_code == 302

    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["role"] == "department"


def _revoke(session, token):
    row = session.exec(select(ApiToken).where(ApiToken.prefix == token[:12])).one()
    row.revoked_at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    session.add(row)


def _deactivate(session, token):
    row = session.exec(select(ApiToken).where(ApiToken.prefix == token[:12])).one()
    user = session.get(User, row.user_id)
    user.active = False
    session.add(user)


@pytest.mark.parametrize("case", ["missing", "empty", "unknown", "other-scheme", "too-long", "revoked",
                                  "user-deactivated"])
def test_without_a_valid_token_the_answer_is_401_problem(client, session, official, case):
    _user, _org, token = official
    headers = {
        "missing": {},
        "empty": {"Authorization": "Bearer "},
        "unknown": bearer("sam_" + "x" * 43),
        "other-scheme": {"Authorization": f"Token {token}"},
        "too-long": bearer(token + "x" * 300),
        "revoked": bearer(token),
        "user-deactivated": bearer(token),
    }[case]
    if case == "revoked":
        _revoke(session, token)
    if case == "user-deactivated":
        _deactivate(session, token)
    session.commit()

    response = client.get("/api/v1/me", headers=headers)

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_still_works_beside_a_revoked_one(client, session, official):
    user, _org, token = official
    second = auth_services.issue_token(session, email=user.email)
    _revoke(session, token)
    session.commit()

    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second)).get_json()["id"] == user.id


def test_a_session_cookie_alone_does_not_authenticate_the_api(client, official):
    user, _org, _token = official
    response = client.post("/logga-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the web session works ...

    response = client.get("/api/v1/me")  # ... but is not a key to the API

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --- reference data -----------------------------------------------------------------------------

def test_organisations_lists_every_organisation_by_name(client, session, official):
    _user, tk, token = official
    bolag = factories.organisation(session, name="Stockholm Hamnar", short_name="SH", kind="company")
    closed = factories.organisation(session, name="Avvecklade kontoret", short_name="AVK", active=False)
    session.commit()

    response = client.get("/api/v1/organisations", headers=bearer(token))

    assert response.status_code == 200
    assert response.get_json() == {"items": [
        {"id": closed.id, "name": "Avvecklade kontoret", "short_name": "AVK", "kind": "department", "active": False},
        {"id": bolag.id, "name": "Stockholm Hamnar", "short_name": "SH", "kind": "company", "active": True},
        {"id": tk.id, "name": "Trafikkontoret", "short_name": "TK", "kind": "department", "active": True},
    ]}


def test_business_areas_lists_every_area_by_name(client, session, official):
    _user, tk, token = official
    committee = factories.committee(session, name="Enskede-Årsta-Vantörs nämnd", organisation_id=tk.id)
    hogdalen = factories.business_area(session, name="Högdalens industriområde", description="Industri",
                                       committee_id=committee.id)
    arsta = factories.business_area(session, name="Årsta Partihallar")
    session.commit()

    response = client.get("/api/v1/business-areas", headers=bearer(token))

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {item["id"]: item for item in items} == {
        hogdalen.id: {"id": hogdalen.id, "name": "Högdalens industriområde", "description": "Industri",
                      "committee_id": committee.id, "active": True},
        arsta.id: {"id": arsta.id, "name": "Årsta Partihallar", "description": "", "committee_id": None,
                   "active": True},
    }


def test_an_empty_register_is_an_empty_list(client, official):
    _user, _org, token = official
    assert client.get("/api/v1/business-areas", headers=bearer(token)).get_json() == {"items": []}


# --- errors are problems ------------------------------------------------------------------------

@pytest.mark.parametrize("authenticated", [True, False])
@pytest.mark.parametrize("path", ["/api/v1/whatever", "/api/v1/", "/api/v1/organisations/1/nothing"])
def test_an_unknown_api_path_is_a_404_problem(client, official, path, authenticated):
    headers = bearer(official[2]) if authenticated else {}
    body = assert_problem(client.get(path, headers=headers), 404)
    assert body["type"].endswith("/not-found")


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/v1/me"), ("DELETE", "/api/v1/organisations"),
                                              ("PUT", "/api/v1/business-areas")])
def test_a_wrong_method_is_a_405_problem_that_says_what_is_allowed(client, official, method, path):
    response = client.open(path, method=method, headers=bearer(official[2]), json={})

    body = assert_problem(response, 405)
    assert body["type"].endswith("/method-not-allowed")
    assert "GET" in {m.strip() for m in response.headers["Allow"].split(",")}


# --- the description ----------------------------------------------------------------------------

API_PATHS = {"/api/v1/me": "MeOut", "/api/v1/organisations": "OrganisationList",
             "/api/v1/business-areas": "BusinessAreaList"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")  # public: no token
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_openapi_document_is_3_1_with_every_path_behind_bearer(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["title"] == "Samordning API"
    assert set(API_PATHS) <= set(spec["paths"])
    assert all(path.startswith("/api/v1/") for path in spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["type"] == "http"
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, schema in API_PATHS.items():
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"bearer": []}]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{schema}"}
        assert operation["responses"]["401"]["content"]["application/json"]["schema"] == \
            {"$ref": "#/components/schemas/Problem"}


def test_the_schemas_are_generated_from_what_the_api_returns(client, spec, official):
    """The document is made from the code's models, so it names exactly the fields an answer has."""
    schemas = spec["components"]["schemas"]
    for name in ("MeOut", "OrganisationOut", "OrganisationList", "BusinessAreaOut", "BusinessAreaList", "Problem"):
        assert name in schemas, name
    me = client.get("/api/v1/me", headers=bearer(official[2])).get_json()
    assert set(schemas["MeOut"]["properties"]) == set(me)
    assert set(schemas["OrganisationOut"]["properties"]) == set(me["organisation"])
    assert set(schemas["Problem"]["properties"]) == PROBLEM_KEYS
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status"}
    assert "coordinator" in schemas["MeOut"]["properties"]["role"]["description"]


def test_every_documented_error_answer_is_a_problem(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_the_api_answers_the_same_to_every_fresh_session(app, official):
    """No state leaks between calls: a call without a token after one with a token is refused."""
    _user, _org, token = official
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert_problem(client.get("/api/v1/me"), 401)
