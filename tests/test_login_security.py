"""Login hardening (issue 11): lockout with back-off per account and per client address, kept in the
database so every worker sees it; a coarse rate limit on the login form; a new session at login;
"log out everywhere" (and an admin's deactivation or new password) ending every session; password
rules with a shipped list of common passwords; the optional TOTP second factor for admins and
coordinators."""

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from flask_login.utils import encode_cookie
from sqlmodel import select

from coordination.auth import services as auth_services
from coordination.auth import totp
from coordination.auth import views as auth_views
from coordination.auth.models import LoginThrottle, User
from coordination.auth.passwords import check_password_rules, common_lists, is_common
from coordination.auth.throttle import (
    LoginLocked,
    ThrottlePolicy,
    attempt_succeeded,
    prune_login_throttle,
    start_attempt,
)
from coordination.demo import DEMO_PASSWORD, USERS
from tests import factories
from tests.conftest import fresh, login, without_csrf_tokens

PASSWORD = factories.PASSWORD
LOCKED_1 = "För många misslyckade försök. Vänta 1 minut och försök igen."
WRONG = "Fel e-postadress eller lösenord."


def post_login(client, email, password, **kwargs):
    return client.post("/logga-in", data={"email": email, "password": password}, **kwargs)


def logged_in(client) -> bool:
    """Whether the client's next request is a logged-in one (the account page answers)."""
    return client.get("/konto").status_code == 200


def stored_user(app, user_id) -> User:
    with fresh(app) as s:
        return s.get(User, user_id)


@pytest.fixture
def user(session):
    row = factories.user(session, "coordinator", email="siv@stockholm.se", name="Siv Samordnare")
    session.commit()
    return row


# --- lockout with back-off ----------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused_with_429(client, user):
    answers = [post_login(client, user.email, f"fel-losenord-{i}").status_code for i in range(5)]
    locked = post_login(client, user.email, PASSWORD)

    assert answers == [400] * 5
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert LOCKED_1 in page and "Inloggningen är pausad" in page
    assert WRONG not in page
    # At least the lock's minute (Flask-Limiter raises it to its own window's end when that is later).
    assert int(locked.headers["Retry-After"]) >= 60
    assert not logged_in(client)


def test_while_locked_the_password_is_not_even_checked(client, user, monkeypatch):
    for i in range(5):
        post_login(client, user.email, f"fel-losenord-{i}")
    checked = []
    real = auth_views.verify_password
    monkeypatch.setattr(auth_views, "verify_password", lambda *a, **k: checked.append(1) or real(*a, **k))

    answer = post_login(client, user.email, PASSWORD)

    assert answer.status_code == 429
    assert checked == []


def test_the_lock_message_is_in_english_on_the_english_page(client, user):
    client.post("/sprak", data={"lang": "en", "next": "/logga-in"})
    for i in range(5):
        post_login(client, user.email, f"wrong-password-{i}")

    page = post_login(client, user.email, PASSWORD).get_data(as_text=True)

    assert "Too many failed attempts. Wait 1 minute and try again." in page


def test_an_address_without_an_account_is_locked_with_the_same_words(app, client, user):
    def locked_page(email):
        c = app.test_client()
        for i in range(5):
            post_login(c, email, f"fel-losenord-{i}")
        answer = post_login(c, email, "fel-losenord-igen")
        # The visitor's own CSRF token (of the header's language form) aside, the same page.
        page = without_csrf_tokens(answer.get_data(as_text=True))
        return answer.status_code, page.replace(email, "EMAIL")

    real = locked_page(user.email)
    nobody = locked_page("ingen.alls@stockholm.se")

    assert real == nobody
    assert real[0] == 429 and LOCKED_1 in real[1]


def test_the_wait_doubles_with_each_further_failure_up_to_an_hour(app, client, user, clock):
    waits = []
    for i in range(5):
        post_login(client, user.email, f"fel-losenord-{i}")
    for _round in range(8):
        answer = post_login(client, user.email, PASSWORD)
        assert answer.status_code == 429
        minutes = int(re.search(r"Vänta (\d+) minut", answer.get_data(as_text=True)).group(1))
        waits.append(minutes)
        clock.advance(timedelta(minutes=minutes, seconds=1))
        assert post_login(client, user.email, "fel-losenord-igen").status_code == 400  # the lock was over

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    page = post_login(client, user.email, PASSWORD).get_data(as_text=True)
    assert "Vänta 60 minuter och försök igen." in page


def test_the_right_password_after_the_wait_logs_in_and_clears_the_count(app, client, user, clock):
    for i in range(5):
        post_login(client, user.email, f"fel-losenord-{i}")
    clock.advance(timedelta(seconds=61))

    assert post_login(client, user.email, PASSWORD).status_code == 302
    client.post("/logga-ut")
    # Cleared: four new failures lock nothing, and the right password still gets in.
    assert [post_login(client, user.email, f"nytt-fel-{i}").status_code for i in range(4)] == [400] * 4
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_a_quiet_window_forgives_earlier_failures(client, user, clock):
    for i in range(4):
        post_login(client, user.email, f"fel-losenord-{i}")
    clock.advance(timedelta(minutes=16))

    answers = [post_login(client, user.email, f"nytt-fel-{i}").status_code for i in range(4)]

    assert answers == [400] * 4
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_a_client_address_is_locked_after_twenty_failures_on_any_accounts(app, user):
    attacker = app.test_client()
    here = {"environ_base": {"REMOTE_ADDR": "192.0.2.10"}}
    answers = [post_login(attacker, f"prov{i}@stockholm.se", "fel-losenord", **here).status_code for i in range(20)]

    from_there = post_login(attacker, user.email, PASSWORD, **here)
    elsewhere = post_login(app.test_client(), user.email, PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.99"})

    assert answers == [400] * 20
    assert from_there.status_code == 429 and LOCKED_1 in from_there.get_data(as_text=True)
    assert elsewhere.status_code == 302


def test_right_logins_from_one_address_do_not_add_up_to_a_lock(app, session):
    """An office behind one address: many people logging in rightly is not an attack."""
    people = [factories.user(session, "department", email=f"kollega{i}@stockholm.se") for i in range(3)]
    session.commit()
    answers = []
    for _round in range(8):
        for person in people:
            c = app.test_client()
            answers.append(post_login(c, person.email, PASSWORD).status_code)

    assert answers == [302] * 24


def test_the_count_is_shared_by_every_worker(make_app, user):
    """Two application processes on one database: failures at one lock the account at the other."""
    first, second = make_app(), make_app()
    for i in range(3):
        post_login(first.test_client(), user.email, f"fel-losenord-{i}")
    for i in range(2):
        post_login(second.test_client(), user.email, f"fel-losenord-{i}")

    assert post_login(first.test_client(), user.email, PASSWORD).status_code == 429
    assert post_login(second.test_client(), user.email, PASSWORD).status_code == 429


def test_parallel_guesses_cannot_outrun_the_count(app, user, monkeypatch):
    """Twelve wrong passwords at once: the count is taken before the slow check, so exactly five
    are checked and the rest refused."""
    checked, lock = [], threading.Lock()
    real = auth_views.verify_password

    def counting(*args, **kwargs):
        with lock:
            checked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_views, "verify_password", counting)
    statuses, start = [], threading.Barrier(12)

    def guess(i):
        c = app.test_client()
        start.wait()
        statuses.append(post_login(c, user.email, f"gissning-{i}").status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [400] * 5 + [429] * 7
    assert len(checked) == 5


def test_the_counts_keep_no_e_mail_address_or_client_address(app, client, user):
    post_login(client, "hemlig.person@stockholm.se", "fel-losenord", environ_base={"REMOTE_ADDR": "198.51.100.7"})

    with fresh(app) as s:
        rows = [r.model_dump() for r in s.exec(select(LoginThrottle))]
    assert {r["scope"] for r in rows} == {"account", "address"}
    assert all(r["failures"] == 1 for r in rows)
    assert "hemlig" not in repr(rows) and "198.51.100.7" not in repr(rows)


def test_pruning_forgets_only_counts_a_quiet_window_has_forgiven(app, clock):
    policy = ThrottlePolicy()
    with fresh(app) as s:
        start_attempt(s, email="gammal@stockholm.se", address=None, policy=policy, now=clock.now())
        s.commit()
        later = clock.now() + timedelta(minutes=20)
        start_attempt(s, email="ny@stockholm.se", address=None, policy=policy, now=later)
        s.commit()

        gone = prune_login_throttle(s, policy=policy, now=later)
        s.commit()

        assert gone == 1
        assert s.exec(select(LoginThrottle.failures)).all() == [1]


def test_the_nightly_job_prunes_the_counts(app, clock):
    from coordination.scheduler import build_scheduler, login_throttle_job, run_job

    assert "login_throttle" in {job.id for job in build_scheduler(app).get_jobs()}
    with fresh(app) as s:
        start_attempt(s, email="gammal@stockholm.se", address=None, policy=ThrottlePolicy(), now=clock.now())
        s.commit()
    clock.at = clock.now() + timedelta(hours=2)
    run_job(app, "login_throttle", login_throttle_job(app))
    with fresh(app) as s:
        assert s.exec(select(LoginThrottle.failures)).all() == []


def test_a_right_password_gives_back_its_attempt_and_lifts_only_its_own_lock(app, clock):
    """The fifth attempt sets the lock as it is counted; if the password was right, that lock goes."""
    policy = ThrottlePolicy()
    with fresh(app) as s:
        for _ in range(4):
            start_attempt(s, email="a@stockholm.se", address="192.0.2.1", policy=policy, now=clock.now())
        attempt = start_attempt(s, email="a@stockholm.se", address="192.0.2.1", policy=policy, now=clock.now())
        s.commit()
        with pytest.raises(LoginLocked):
            start_attempt(s, email="a@stockholm.se", address="192.0.2.1", policy=policy, now=clock.now())
        s.rollback()

        attempt_succeeded(s, attempt, clear_account=False)
        s.commit()

        rows = {r.scope: (r.failures, r.locked_until) for r in s.exec(select(LoginThrottle))}
        assert rows == {"account": (4, None), "address": (4, None)}


def test_the_login_post_has_a_coarse_limit_per_client(make_app, user):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    answers = [post_login(client, user.email, f"fel-{i}").status_code for i in range(4)]

    assert answers == [400, 400, 400, 429]
    assert "För många förfrågningar" in post_login(client, user.email, PASSWORD).get_data(as_text=True)
    assert client.get("/logga-in").status_code == 200  # the form can still be read
    other = post_login(app.test_client(), user.email, PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert other.status_code == 302


# --- a new session at login ---------------------------------------------------------------------------

def test_logging_in_gives_a_new_session_cookie_and_the_old_one_stays_logged_out(app, client, user):
    client.post("/sprak", data={"lang": "en", "next": "/logga-in"})  # an anonymous session with something in it
    before = client.get_cookie("session").value

    login(client, user)
    after = client.get_cookie("session").value

    assert before != after
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/konto").status_code == 302
    new = app.test_client()
    new.set_cookie("session", after)
    assert new.get("/konto").status_code == 200
    # The language chosen before logging in is kept; nothing else is.
    assert '<html lang="en">' in client.get("/konto").get_data(as_text=True)


def test_a_session_from_before_session_epochs_counts_as_epoch_zero(app, client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # as sessions were written before this change
    assert logged_in(client)

    with fresh(app) as s:
        auth_services.end_sessions(s, s.get(User, user.id))
        s.commit()

    assert not logged_in(client)


# --- log out everywhere -------------------------------------------------------------------------------

def test_log_out_everywhere_ends_the_session_in_the_other_browser(app, user):
    laptop, phone = login(app.test_client(), user), login(app.test_client(), user)
    assert logged_in(laptop) and logged_in(phone)

    answer = laptop.post("/konto/logga-ut-overallt", data={"confirm": "y"})

    assert answer.status_code == 302 and urlsplit(answer.location).path == "/logga-in"
    assert "Du är utloggad på alla datorer och telefoner." in laptop.get("/logga-in").get_data(as_text=True)
    phone_next = phone.get("/konto")
    assert phone_next.status_code == 302 and urlsplit(phone_next.location).path == "/logga-in"
    assert not logged_in(laptop)
    # Logging in again works as ever.
    assert logged_in(login(phone, user))


def test_log_out_everywhere_needs_the_box_ticked(app, user):
    laptop, phone = login(app.test_client(), user), login(app.test_client(), user)

    answer = laptop.post("/konto/logga-ut-overallt", data={})

    assert answer.status_code == 400
    assert "Kryssa i rutan för att bekräfta." in answer.get_data(as_text=True)
    assert logged_in(laptop) and logged_in(phone)


def test_api_tokens_keep_working_after_log_out_everywhere(app, client, user):
    with fresh(app) as s:
        token = auth_services.issue_token(s, email=user.email)
        s.commit()
    login(client, user).post("/konto/logga-ut-overallt", data={"confirm": "y"})

    answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200
    assert answer.get_json()["email"] == user.email


def test_a_remember_me_cookie_from_before_is_refused_after_log_out_everywhere(app, user):
    with app.test_request_context():
        cookie = encode_cookie(stored_user(app, user.id).get_id())
    remembered = app.test_client()
    remembered.set_cookie("remember_token", cookie)
    assert logged_in(remembered)  # the cookie alone logs in, as Flask-Login's remember-me does

    login(app.test_client(), user).post("/konto/logga-ut-overallt", data={"confirm": "y"})

    again = app.test_client()
    again.set_cookie("remember_token", cookie)
    assert not logged_in(again)


@pytest.fixture
def admin_client(app, session):
    admin = factories.user(session, "admin", email="ada@stockholm.se", name="Ada Admin")
    session.commit()
    return login(app.test_client(), admin)


def test_deactivating_a_user_ends_their_sessions_also_when_activated_again(app, user, admin_client):
    official = login(app.test_client(), user)

    admin_client.post(f"/admin/anvandare/{user.id}/aktiv")
    assert not logged_in(official)
    admin_client.post(f"/admin/anvandare/{user.id}/aktiv")

    assert stored_user(app, user.id).active
    assert not logged_in(official)
    assert logged_in(login(app.test_client(), user))


def test_a_new_password_set_by_an_admin_ends_the_users_sessions(app, session, user, admin_client):
    official = login(app.test_client(), user)
    form = {"email": user.email, "name": user.name, "role": "coordinator",
            "organisation_id": str(user.organisation_id), "password": "ett-helt-nytt-losenord"}

    answer = admin_client.post(f"/admin/anvandare/{user.id}", data=form)

    assert answer.status_code == 302
    assert not logged_in(official)
    assert post_login(app.test_client(), user.email, "ett-helt-nytt-losenord").status_code == 302


def test_an_admin_saving_a_user_without_a_new_password_ends_nothing(app, user, admin_client):
    official = login(app.test_client(), user)
    form = {"email": user.email, "name": "Siv Nytt Namn", "role": "coordinator",
            "organisation_id": str(user.organisation_id), "password": ""}

    assert admin_client.post(f"/admin/anvandare/{user.id}", data=form).status_code == 302
    assert logged_in(official)


# --- the account page and changing one's password -----------------------------------------------------

def test_the_account_page_shows_who_you_are(client, user):
    page = login(client, user).get("/konto").get_data(as_text=True)

    assert "<h1>Mitt konto</h1>" in page
    assert "Siv Samordnare" in page and "siv@stockholm.se" in page
    assert "Samordnare (Stockholm Business Region)" in page
    assert "Byt lösenord" in page and "Logga ut överallt" in page


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, user):
    here, elsewhere = login(app.test_client(), user), login(app.test_client(), user)
    form = {"current_password": PASSWORD, "new_password": "blabarssylt-pa-fredagar",
            "new_password_again": "blabarssylt-pa-fredagar"}

    answer = here.post("/konto/losenord", data=form)

    assert answer.status_code == 302 and urlsplit(answer.location).path == "/konto"
    assert "Ditt lösenord är bytt." in here.get("/konto").get_data(as_text=True)
    assert not logged_in(elsewhere)
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 400
    assert post_login(app.test_client(), user.email, "blabarssylt-pa-fredagar").status_code == 302


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"current_password": "inte-det-ratta", "new_password": "blabarssylt-pa-fredagar",
      "new_password_again": "blabarssylt-pa-fredagar"}, "current_password", "Det nuvarande lösenordet stämmer inte."),
    ({"current_password": PASSWORD, "new_password": "Sommar2025!", "new_password_again": "Sommar2025!"},
     "new_password", "Lösenordet är för vanligt och lätt att gissa."),
    ({"current_password": PASSWORD, "new_password": "siv-på-kontoret-17", "new_password_again": "siv-på-kontoret-17"},
     "new_password", "Lösenordet får inte innehålla e-postadressens första del (siv)."),
    ({"current_password": PASSWORD, "new_password": "kort", "new_password_again": "kort"},
     "new_password", "Lösenordet måste vara minst 10 tecken långt."),
    ({"current_password": PASSWORD, "new_password": "blabarssylt-pa-fredagar",
      "new_password_again": "blabarssylt-pa-lordagar"}, "new_password_again", "De två nya lösenorden är inte likadana."),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "new_password_again": PASSWORD},
     "new_password", "Välj ett annat lösenord än det nuvarande."),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, user, form, field, message):
    here, elsewhere = login(app.test_client(), user), login(app.test_client(), user)

    answer = here.post("/konto/losenord", data=form)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    assert f'id="{field}-error"' in page
    assert 'value="' + form["new_password"] + '"' not in page  # passwords are never sent back
    assert logged_in(here) and logged_in(elsewhere)
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_wrong_current_passwords_count_toward_the_lockout(app, user):
    here = login(app.test_client(), user)
    form = {"new_password": "blabarssylt-pa-fredagar", "new_password_again": "blabarssylt-pa-fredagar"}
    answers = [here.post("/konto/losenord", data={**form, "current_password": f"fel-{i}"}).status_code
               for i in range(5)]

    locked = here.post("/konto/losenord", data={**form, "current_password": PASSWORD})

    assert answers == [400] * 5
    assert locked.status_code == 429 and LOCKED_1 in locked.get_data(as_text=True)
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 429


# --- password rules -----------------------------------------------------------------------------------

@pytest.fixture
def in_swedish(app):
    """Messages rendered as the CLI and jobs render them: in the default language, Swedish."""
    with app.app_context():
        yield


@pytest.mark.parametrize("password", [
    "sommar2024", "Stockholm1", "lösenord123", "LOSENORD2025", "hejsan1234", "Välkommen2024", "qwertyuiop",
    "1234567890", "0987654321", "asdfghjklö", "1qaz2wsx3edc", "P@ssw0rd123", "Password123!", "l0senord2024",
    "hammarby1897", "2024sommar!", "vinter-2025", "aaaaaaaaaaaa", "Djurgården1891", "midsommar2026",
    "samordning2025", "iloveyou2024",
])
def test_common_passwords_are_refused_whatever_their_case(in_swedish, password):
    problems = [str(p) for p in check_password_rules(password, email="tjansteperson@stockholm.se")]

    assert is_common(password) and is_common(password.upper())
    assert any(p.startswith("Lösenordet är för vanligt och lätt att gissa.") for p in problems)


@pytest.mark.parametrize("password", ["correct-horse-battery", "ett-langt-losenord", "blabarssylt-pa-fredagar",
                                      "Kaffe i Högdalen klockan nio", "ett-nytt-losenord-123"])
def test_uncommon_passwords_pass(password):
    assert check_password_rules(password, email="tjansteperson@stockholm.se") == []


def test_the_shipped_list_has_several_thousand_passwords_and_hundreds_of_words():
    passwords, words = common_lists()
    assert len(passwords) > 4000 and len(words) > 500
    # Stored as compared: lower case, with å ä ö read as a a o ("lösenord" is "losenord").
    assert {"losenord", "sommar2024", "stockholm1", "hejsan123", "qwertyuiop"} <= passwords


def test_the_demo_password_stays_allowed_for_every_demo_user():
    for demo in USERS:
        assert check_password_rules(DEMO_PASSWORD, email=demo.email) == [], demo.email


def test_a_password_containing_the_e_mail_name_is_refused_whatever_its_case(in_swedish):
    problems = [str(p) for p in check_password_rules("Jag-ANNA.BERG-på-jobbet", email="Anna.Berg@stockholm.se")]

    assert problems == ["Lösenordet får inte innehålla e-postadressens första del (anna.berg)."]
    # Too short a name part to look for.
    assert check_password_rules("bo-på-kontoret-klockan-nio", email="bo@stockholm.se") == []


def test_the_admin_user_form_refuses_a_common_password_with_the_input_kept(app, admin_client, session):
    org = factories.organisation(session)
    session.commit()
    form = {"email": "ny.person@stockholm.se", "name": "Ny Person", "role": "department",
            "organisation_id": str(org.id), "password": "Stockholm2025!"}

    answer = admin_client.post("/admin/anvandare/ny", data=form)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Lösenordet är för vanligt och lätt att gissa." in page
    assert 'value="ny.person@stockholm.se"' in page and "Stockholm2025!" not in page
    with fresh(app) as s:
        assert s.exec(select(User).where(User.email == "ny.person@stockholm.se")).first() is None


def test_the_admin_user_form_refuses_the_e_mail_name_as_a_new_password(app, admin_client, user):
    form = {"email": user.email, "name": user.name, "role": "coordinator",
            "organisation_id": str(user.organisation_id), "password": "siv-siv-siv-siv"}

    answer = admin_client.post(f"/admin/anvandare/{user.id}", data=form)

    assert answer.status_code == 400
    assert "Lösenordet får inte innehålla e-postadressens första del (siv)." in answer.get_data(as_text=True)


def test_users_create_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "ny@stockholm.se", "--name", "Ny",
                                                "--role", "admin", "--password", "Sommar2024!"])

    assert result.exit_code == 2
    assert "Lösenordet är för vanligt och lätt att gissa." in result.output
    with fresh(app) as s:
        assert s.exec(select(User)).all() == []


# --- TOTP, the second factor --------------------------------------------------------------------------

def code(secret, clock, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * steps))


def with_totp(app, user, clock) -> str:
    """Turn the second factor on for `user` (as the account page would) and move past the step of the
    code used for it. Returns the secret."""
    secret = totp.new_secret()
    with fresh(app) as s:
        totp.enable_totp(s, s.get(User, user.id), secret=secret, code=code(secret, clock), now=clock.now())
        s.commit()
    clock.advance(timedelta(seconds=30))
    return secret


def test_setting_up_totp_shows_the_key_and_turns_on_only_after_a_right_code(app, client, user, clock):
    login(client, user)
    assert "Ställ in tvåstegsverifiering" in client.get("/konto").get_data(as_text=True)

    page = client.get("/konto/tvastegsverifiering").get_data(as_text=True)
    grouped = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    secret = grouped.replace(" ", "")
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", grouped)
    assert f"otpauth://totp/Samordning:siv%40stockholm.se?secret={secret}" in page
    assert secret in client.get("/konto/tvastegsverifiering").get_data(as_text=True)  # the same key on reload

    wrong = client.post("/konto/tvastegsverifiering", data={"code": "000000"})
    assert wrong.status_code == 400 and "Koden stämmer inte." in wrong.get_data(as_text=True)
    assert not stored_user(app, user.id).totp_enabled

    right = client.post("/konto/tvastegsverifiering", data={"code": code(secret, clock)})

    assert right.status_code == 302
    stored = stored_user(app, user.id)
    assert stored.totp_enabled and stored.totp_secret == secret
    assert "Tvåstegsverifieringen är på." in client.get("/konto").get_data(as_text=True)


@pytest.mark.parametrize("role", ["department", "steering"])
def test_only_admins_and_coordinators_can_set_up_totp(app, session, role):
    official = factories.user(session, role, email=f"{role}@stockholm.se")
    session.commit()
    client = login(app.test_client(), official)

    assert "Tvåstegsverifiering" not in client.get("/konto").get_data(as_text=True)
    assert client.get("/konto/tvastegsverifiering").status_code == 403
    assert client.post("/konto/tvastegsverifiering", data={"code": "123456"}).status_code == 403


def test_with_totp_the_login_takes_a_password_and_then_a_code(app, client, user, clock):
    secret = with_totp(app, user, clock)

    first = client.post("/logga-in", data={"email": user.email, "password": PASSWORD, "next": "/konto"})

    assert first.status_code == 302 and urlsplit(first.location).path == "/logga-in"
    assert client.get("/arenden").status_code == 302  # not logged in yet
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Ange koden från din app" in page and 'autocomplete="one-time-code"' in page
    assert client.post("/logga-in", data={"code": "12345"}).status_code == 400  # not six digits
    wrong = client.post("/logga-in", data={"code": code(secret, clock, steps=5)})
    assert wrong.status_code == 400
    assert "Koden stämmer inte, eller så har den redan använts." in wrong.get_data(as_text=True)
    assert client.get("/konto").status_code == 302

    right = client.post("/logga-in", data={"code": code(secret, clock)})

    assert right.status_code == 302 and urlsplit(right.location).path == "/konto"
    assert logged_in(client)
    assert stored_user(app, user.id).last_login_at == clock.now()


def test_a_code_is_accepted_one_step_either_side_and_never_twice(app, user, clock):
    secret = with_totp(app, user, clock)
    clock.advance(timedelta(seconds=30))  # two steps past the code that turned it on

    def try_code(c):
        client = app.test_client()
        post_login(client, user.email, PASSWORD)
        return client.post("/logga-in", data={"code": c}).status_code

    assert try_code(code(secret, clock, steps=-2)) == 400  # too old (and the code that turned it on)
    assert try_code(code(secret, clock, steps=2)) == 400
    assert try_code(code(secret, clock, steps=-1)) == 302
    assert try_code(code(secret, clock, steps=-1)) == 400  # the same code again
    assert try_code(code(secret, clock)) == 302
    assert try_code(code(secret, clock)) == 400  # reused within its step
    assert try_code(code(secret, clock, steps=1)) == 302


def test_the_same_code_at_once_in_two_requests_logs_in_only_one(app, user, clock):
    secret = with_totp(app, user, clock)
    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        post_login(c, user.email, PASSWORD)
    the_code, statuses, start = code(secret, clock), [], threading.Barrier(4)

    def send(c):
        start.wait()
        statuses.append(c.post("/logga-in", data={"code": the_code}).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [302, 400, 400, 400]


def test_the_wait_for_the_code_ends_after_five_minutes(app, client, user, clock):
    secret = with_totp(app, user, clock)
    post_login(client, user.email, PASSWORD)
    clock.advance(timedelta(minutes=5, seconds=1))

    page = client.get("/logga-in").get_data(as_text=True)
    late = client.post("/logga-in", data={"code": code(secret, clock)})

    assert "Tiden för att ange koden tog slut. Logga in igen." in page
    assert 'name="password"' in page
    assert late.status_code == 400
    assert not logged_in(client)


def test_starting_again_leaves_the_code_step(app, client, user, clock):
    with_totp(app, user, clock)
    post_login(client, user.email, PASSWORD)

    answer = client.post("/logga-in", data={"cancel": "1"})

    assert answer.status_code == 302
    assert 'name="password"' in client.get("/logga-in").get_data(as_text=True)


def test_wrong_codes_count_toward_the_lockout(app, client, user, clock):
    secret = with_totp(app, user, clock)
    post_login(client, user.email, PASSWORD)
    answers = [client.post("/logga-in", data={"code": code(secret, clock, steps=3 + i)}).status_code
               for i in range(5)]

    locked = client.post("/logga-in", data={"code": code(secret, clock)})

    assert answers == [400] * 5
    assert locked.status_code == 429 and LOCKED_1 in locked.get_data(as_text=True)
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 429
    assert not logged_in(client)


def test_entering_the_password_again_does_not_reset_the_count_of_wrong_codes(app, client, user, clock):
    secret = with_totp(app, user, clock)
    answers = []
    for i in range(5):
        assert post_login(client, user.email, PASSWORD).status_code == 302
        answers.append(client.post("/logga-in", data={"code": code(secret, clock, steps=3 + i)}).status_code)

    assert answers == [400] * 5
    assert post_login(client, user.email, PASSWORD).status_code == 429


def test_turning_totp_off_needs_a_current_code(app, client, user, clock):
    secret = with_totp(app, user, clock)
    post_login(client, user.email, PASSWORD)
    client.post("/logga-in", data={"code": code(secret, clock)})
    clock.advance(timedelta(seconds=30))
    assert "Stäng av tvåstegsverifiering" in client.get("/konto").get_data(as_text=True)

    wrong = client.post("/konto/tvastegsverifiering/stang-av", data={"code": code(secret, clock, steps=4)})
    assert wrong.status_code == 400 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    assert stored_user(app, user.id).totp_enabled

    right = client.post("/konto/tvastegsverifiering/stang-av", data={"code": code(secret, clock)})

    assert right.status_code == 302
    assert not stored_user(app, user.id).totp_enabled
    assert stored_user(app, user.id).totp_secret is None
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_turning_totp_on_ends_the_sessions_that_began_without_it(app, user, clock):
    here, elsewhere = login(app.test_client(), user), login(app.test_client(), user)
    page = here.get("/konto/tvastegsverifiering").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")

    here.post("/konto/tvastegsverifiering", data={"code": code(secret, clock)})

    assert logged_in(here) and not logged_in(elsewhere)


# --- in a real browser (Chromium, with axe-core on every page) -----------------------------------------
# Last in this module: the live server's database is the PostgreSQL test database too, which the tests
# above empty after each of them.

try:
    from tests.test_browser import (  # noqa: F401
        ADMIN,
        audit,
        browser,
        live_server,
        log_in,
        page,
        submit,
    )
    HAVE_BROWSER = True
except pytest.skip.Exception:  # no Chromium on this machine: test_browser.py says so itself
    HAVE_BROWSER = False

needs_browser = pytest.mark.skipif(not HAVE_BROWSER, reason="needs Debian Chromium")


@pytest.mark.browser
@needs_browser
def test_an_admin_turns_on_totp_and_logs_in_with_a_code(page, live_server):
    import time

    from playwright.sync_api import expect

    log_in(page, live_server, ADMIN)
    page.goto(live_server + "/konto")
    expect(page.locator("h1")).to_have_text("Mitt konto")
    audit(page)
    submit(page, page.get_by_role("link", name="Ställ in tvåstegsverifiering"))
    audit(page)
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Kod från appen").fill(pyotp.TOTP(secret).now())
    submit(page, page.get_by_role("button", name="Slå på tvåstegsverifiering"))
    expect(page.get_by_text("Tvåstegsverifieringen är på.")).to_be_visible()
    audit(page)

    submit(page, page.get_by_role("button", name="Logga ut", exact=True))
    log_in(page, live_server, ADMIN)
    expect(page.locator("h1")).to_have_text("Ange koden från din app")
    audit(page)
    page.get_by_label("Kod från appen").fill("000000")
    submit(page, page.get_by_role("button", name="Logga in", exact=True))
    expect(page.get_by_role("alert")).to_be_visible()
    audit(page)
    page.get_by_label("Kod från appen").fill(pyotp.TOTP(secret).at(time.time() + 30))  # a step not used yet
    submit(page, page.get_by_role("button", name="Logga in", exact=True))
    expect(page.locator("h1")).to_have_text("Administration")


@pytest.mark.browser
@needs_browser
def test_the_lock_is_explained_on_an_accessible_page(page, live_server):
    from playwright.sync_api import expect

    for i in range(6):
        log_in(page, live_server, "ingen.har.detta.konto@demo.stockholm.se", f"fel-losenord-{i}")

    expect(page.get_by_role("alert").first).to_contain_text("För många misslyckade försök. Vänta 1 minut")
    expect(page.get_by_label("E-postadress")).to_have_value("ingen.har.detta.konto@demo.stockholm.se")
    audit(page)


def test_an_admin_turns_off_a_lost_phones_totp_and_the_user_then_logs_in_with_the_password(app, client, session,
                                                                                           user, clock):
    from coordination.audit.models import AuditEntry

    secret = with_totp(app, user, clock)
    post_login(client, user.email, PASSWORD)
    client.post("/logga-in", data={"code": code(secret, clock)})
    assert logged_in(client)
    admin = factories.user(session, "admin", email="ada@stockholm.se", name="Ada Admin")
    session.commit()
    admin_client = app.test_client()
    post_login(admin_client, admin.email, PASSWORD)
    page = admin_client.get(f"/admin/anvandare/{user.id}").get_data(as_text=True)
    assert "Stäng av tvåstegsverifieringen för användaren" in page

    answer = admin_client.post(f"/admin/anvandare/{user.id}/tvastegsverifiering")

    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/admin/anvandare/{user.id}")
    assert "Tvåstegsverifieringen är avstängd för Siv Samordnare" in admin_client.get(
        answer.headers["Location"]).get_data(as_text=True)
    stored = stored_user(app, user.id)
    assert not stored.totp_enabled and stored.totp_secret is None
    assert not logged_in(client)  # whoever holds the phone is logged out as well
    fresh_client = app.test_client()
    assert post_login(fresh_client, user.email, PASSWORD).status_code == 302 and logged_in(fresh_client)
    with fresh(app) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id,
                                                AuditEntry.action == "update")).one()
    assert entry.actor_user_id == admin.id and entry.detail["reason"] == "two_step_verification_reset"
    # Once off, there is nothing more to turn off: said, not a 500, and no second entry.
    again = admin_client.post(f"/admin/anvandare/{user.id}/tvastegsverifiering", follow_redirects=True)
    assert again.status_code == 200 and "Tvåstegsverifieringen är inte på." in again.get_data(as_text=True)
    assert "Stäng av tvåstegsverifieringen för användaren" not in again.get_data(as_text=True)
    # Only administrators: the user themself cannot use the admin's way round the code.
    assert client.post(f"/admin/anvandare/{user.id}/tvastegsverifiering").status_code in (302, 401)
    post_login(fresh_client, user.email, PASSWORD)
    assert fresh_client.post(f"/admin/anvandare/{user.id}/tvastegsverifiering").status_code == 403
