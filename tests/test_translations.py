"""Every message in code and templates has Swedish, and the Swedish is what the pages show."""

from coordination.translations.build import extract, key, missing
from coordination.translations.sv_messages import SV
from tests import factories
from tests.conftest import login


def test_every_message_has_swedish():
    absent = missing(extract())
    assert absent == [], f"messages without Swedish in sv_messages.py: {absent}"


def test_no_swedish_left_for_messages_that_are_gone():
    ids = {key(m.id) for m in extract() if m.id}
    stale = sorted(set(SV) - ids)
    assert stale == [], f"translations for messages no longer used: {stale}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    wrong = {k: v for k, v in SV.items()
             if any(sorted(pattern.findall(k)) != sorted(pattern.findall(form))
                    for form in (v if isinstance(v, tuple) else (v,)))}
    assert wrong == {}


def test_pages_are_swedish_by_default_and_english_on_request(session, client):
    admin = factories.user(session, "admin")
    session.commit()
    login(client, admin)
    page = client.get("/admin/").data.decode()
    assert '<html lang="sv">' in page and "Bakgrundsjobb" in page
    client.post("/sprak", data={"lang": "en", "next": "/admin/"})
    page = client.get("/admin/").data.decode()
    assert '<html lang="en">' in page and "Background jobs" in page and "Bakgrundsjobb" not in page
