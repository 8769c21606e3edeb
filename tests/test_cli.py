"""The command line (DESIGN.md, "Interfaces that stay stable"): demo data, users and API tokens,
and the production start-up checks an operator meets first."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import select

import coordination
from coordination import create_app
from coordination.auth.models import ApiToken, User
from coordination.db import metadata
from coordination.demo import USERS
from tests import factories

ROOT = Path(__file__).resolve().parent.parent



def row_counts(session) -> dict[str, int]:
    return {t.name: session.exec(select(func.count()).select_from(t)).one() for t in metadata.sorted_tables}


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def assert_clean_failure(result, *expected_any):
    """A non-zero exit that says what is wrong in words, not a Python traceback."""
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert any(expected in result.output for expected in expected_any), result.output


# --- demo load -------------------------------------------------------------------------------

def test_demo_load_twice_adds_nothing_the_second_time(app, session):
    first = invoke(app, "demo", "load", "--now", "2026-11-23T10:00")
    assert first.exit_code == 0, first.output
    assert "users +5" in first.output and "cases +5" in first.output
    for demo in USERS:
        assert demo.email in first.output
    assert "samordning-demo" in first.output
    counts = row_counts(session)
    assert counts["users"] == 5 and counts["organisations"] == 9 and counts["cases"] == 5

    second = invoke(app, "demo", "load", "--now", "2026-11-30T10:00")
    assert second.exit_code == 0, second.output
    added = dict(re.findall(r"(\w+) \+(\d+)", second.output))
    assert added and set(added.values()) == {"0"}, second.output
    session.expire_all()
    assert row_counts(session) == counts


def test_demo_load_if_empty_leaves_a_database_with_users_alone(app, session):
    factories.user(session, "admin", email="first@example.se")
    session.commit()
    before = row_counts(session)
    result = invoke(app, "demo", "load", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "already has users" in result.output
    session.expire_all()
    assert row_counts(session) == before
    assert session.exec(select(User).where(User.email == USERS[0].email)).first() is None


def test_demo_load_if_empty_loads_into_an_empty_database(app, session):
    result = invoke(app, "demo", "load", "--if-empty")
    assert result.exit_code == 0, result.output
    assert session.exec(select(func.count()).select_from(User)).one() == len(USERS)


# --- users create ----------------------------------------------------------------------------

def test_users_create_with_an_organisation_short_name(app, session):
    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    session.commit()
    result = invoke(app, "users", "create", "--email", "Ny.Tjansteman@Stockholm.se", "--name", "Ny Tjänsteman",
                    "--role", "department", "--organisation", "tk", "--password", "ett-langt-losenord")
    assert result.exit_code == 0, result.output
    assert "ny.tjansteman@stockholm.se" in result.output
    user = session.exec(select(User).where(User.email == "ny.tjansteman@stockholm.se")).one()
    assert user.organisation_id == tk.id
    assert user.role == "department"
    assert user.name == "Ny Tjänsteman"
    assert "ett-langt-losenord" not in user.password_hash


def test_the_created_user_can_log_in(app, session, client):
    factories.organisation(session, name="Trafikkontoret", short_name="TK")
    session.commit()
    result = invoke(app, "users", "create", "--email", "ny@stockholm.se", "--name", "Ny",
                    "--role", "department", "--organisation", "Trafikkontoret", "--password", "ett-langt-losenord")
    assert result.exit_code == 0, result.output
    response = client.post("/logga-in", data={"email": "ny@stockholm.se", "password": "ett-langt-losenord"})
    assert response.status_code == 302


def test_users_create_with_an_unknown_organisation_fails(app, session):
    result = invoke(app, "users", "create", "--email", "ny@stockholm.se", "--name", "Ny", "--role", "department",
                    "--organisation", "NOPE", "--password", "ett-langt-losenord")
    assert_clean_failure(result, "NOPE")
    assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_users_create_with_a_duplicate_email_fails_clearly(app, session):
    factories.user(session, "admin", email="taken@stockholm.se")
    session.commit()
    result = invoke(app, "users", "create", "--email", "Taken@Stockholm.se", "--name", "Dubblett",
                    "--role", "admin", "--password", "ett-langt-losenord")
    assert_clean_failure(result, "There is already a user with this e-mail address.",
                         "Det finns redan en användare med den e-postadressen.")
    session.expire_all()
    assert session.exec(select(func.count()).select_from(User)).one() == 1


def test_users_create_with_a_too_short_password_fails_clearly(app, session):
    result = invoke(app, "users", "create", "--email", "kort@stockholm.se", "--name", "Kort",
                    "--role", "admin", "--password", "kort")
    assert_clean_failure(result, "at least 10 characters", "minst 10 tecken")
    assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_users_create_refuses_a_too_short_password(app, session):
    """Whatever the message, a short password never creates an account."""
    result = invoke(app, "users", "create", "--email", "kort@stockholm.se", "--name", "Kort",
                    "--role", "admin", "--password", "kort")
    assert result.exit_code != 0
    assert session.exec(select(func.count()).select_from(User)).one() == 0


# --- users token -----------------------------------------------------------------------------

def test_users_token_authenticates_the_api_and_only_its_hash_is_stored(app, session, client):
    user = factories.user(session, "coordinator", email="samordnare@stockholm.se")
    session.commit()
    assert client.get("/api/v1/me").status_code == 401

    result = invoke(app, "users", "token", "Samordnare@Stockholm.se")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token and "\n" not in token and len(token) >= 32

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data
    assert response.json["email"] == "samordnare@stockholm.se"
    assert response.json["id"] == user.id
    assert response.json["role"] == "coordinator"

    wrong = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token[:-1]}x"})
    assert wrong.status_code == 401

    stored = session.exec(select(ApiToken)).all()
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    with app.extensions["db_engine"].connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens")).all()
    assert rows
    for row in rows:
        for value in row:
            assert token not in str(value)


def test_each_token_is_new(app, session, client):
    factories.user(session, "admin", email="admin@stockholm.se")
    session.commit()
    first = invoke(app, "users", "token", "admin@stockholm.se").stdout.strip()
    second = invoke(app, "users", "token", "admin@stockholm.se").stdout.strip()
    assert first != second
    for token in (first, second):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_users_token_for_an_unknown_email_fails(app, session):
    result = invoke(app, "users", "token", "nobody@stockholm.se")
    assert result.exit_code != 0
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 0


def test_users_token_for_an_unknown_email_says_so(app, session):
    result = invoke(app, "users", "token", "nobody@stockholm.se")
    assert_clean_failure(result, "No user with the e-mail address nobody@stockholm.se.",
                         "Ingen användare med e-postadressen nobody@stockholm.se.")


# --- production start-up ---------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["", None, "dev-only-not-secret", "too-short-a-secret", "x" * 31])
def test_production_refuses_a_weak_secret_key(secret, database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"ENV_NAME": "production", "DATABASE_URL": database_url}
    if secret is not None:
        config["SECRET_KEY"] = secret
    with pytest.raises(coordination.ConfigurationError) as raised:
        create_app(config)
    message = str(raised.value)
    assert message and "\n" not in message
    assert "SECRET_KEY" in message


def test_production_starts_with_a_strong_key_and_secure_cookies(database_url):
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "a1" * 32, "DATABASE_URL": database_url})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        # What the browser actually gets: the login page puts its CSRF token in the session.
        response = app.test_client().get("/logga-in", base_url="https://samordning.example")
        assert response.status_code == 200
        cookie = response.headers.get("Set-Cookie", "")
        assert cookie.startswith("session=")
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
        assert "secure" in attributes
        assert "httponly" in attributes
        assert attributes.get("samesite", "").lower() == "samesite=lax"
        assert "Strict-Transport-Security" in response.headers
    finally:
        app.extensions["db_engine"].dispose()


# --- python -m coordination ------------------------------------------------------------------

def test_python_m_coordination_help(tmp_path):
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["SAMORDNING_ENV"] = "development"
    env.pop("FLASK_APP", None)
    result = subprocess.run([sys.executable, "-m", "coordination", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    commands = set(re.findall(r"^\s{2}([a-z][\w-]*)\s", result.stdout.split("Commands:")[-1], re.MULTILINE))
    assert {"db", "demo", "users", "scheduler"} <= commands, result.stdout
