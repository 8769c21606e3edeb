"""The lists pages choose from (coordination/reflists.py): read once per data version for GET
requests, read again after any change, and always afresh for a POST or outside a request."""

import pytest
from sqlmodel import select

from coordination import reflists
from coordination.auth.models import User
from coordination.cases.services import reference_slug
from coordination.organisations.models import Organisation
from tests import factories
from tests.conftest import fresh, get_counting, sign_in, statements, without_csrf_tokens

LIST_TABLES = ("FROM business_areas", "FROM focus_areas", "FROM organisations", "FROM routing_rules",
               "FROM groups", "FROM users")


def list_reads(seen) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and any(t in s for t in LIST_TABLES)
            and "WHERE users.id" not in s]


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=0)  # every page rendered: only the lists are kept


@pytest.fixture
def world(session, clock):
    area = factories.business_area(session, name="Högdalens industriområde")
    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    coordinator = factories.user(session, "coordinator", name="Sara Samordnare")
    official = factories.user(session, "department", organisation_id=tk.id, name="Tove Trafik")
    builder = factories.user(session, "department", organisation_id=sbk.id, name="Bo Byggare")
    factories.group(session, "work_group", name="Arbetsgrupp Högdalen", business_area_id=area.id)
    case = factories.case(session, clock=clock, title="Belysning vid lastkajen", business_area_id=area.id, level=1,
                          organisations=[tk])
    session.commit()
    return {"slug": reference_slug(case.reference), "coordinator": coordinator, "official": official,
            "builder": builder, "tk": tk, "area": area}


@pytest.mark.parametrize("url", ["/arenden", "case"])
def test_while_nothing_changes_the_lists_are_read_once(app, client, world, url):
    sign_in(client, world["coordinator"])
    url = f"/arenden/{world['slug']}" if url == "case" else url
    first, seen_first = get_counting(app, client, url)
    second, seen_second = get_counting(app, client, url)
    assert first.status_code == second.status_code == 200
    assert len(list_reads(seen_first)) >= 3
    assert list_reads(seen_second) == []
    # (the first also loads the user: the user cache keeps the user from then on)
    assert len(seen_second) <= len(seen_first) - len(list_reads(seen_first))
    assert without_csrf_tokens(first.get_data(as_text=True)) == without_csrf_tokens(second.get_data(as_text=True))


def test_a_change_is_on_the_next_page(app, client, world, session):
    sign_in(client, world["coordinator"])
    page = client.get(f"/arenden/{world['slug']}").get_data(as_text=True)
    assert "Trafikkontoret" in page and "Högdalens industriområde" in page and "Tove Trafik" in page
    with fresh(app) as db:
        db.get(Organisation, world["tk"].id).name = "Trafikkontoret (TK)"
        db.get(User, world["official"].id).active = False
        db.add(factories.business_area(db, name="Västberga verksamhetsområde"))
        db.commit()
    page = client.get(f"/arenden/{world['slug']}").get_data(as_text=True)
    assert "Trafikkontoret (TK)" in page and "Tove Trafik" not in page
    queue = client.get("/arenden").get_data(as_text=True)
    assert "Västberga verksamhetsområde" in queue and "Trafikkontoret (TK)" in queue


def test_a_department_chooses_among_its_own_people(app, client, world):
    sign_in(client, world["official"])
    page = client.get(f"/arenden/{world['slug']}").get_data(as_text=True)
    assert "Tove Trafik" in page and "Bo Byggare" not in page and "Stadsbyggnadskontoret" not in page
    sign_in(client, world["coordinator"])
    page = client.get(f"/arenden/{world['slug']}").get_data(as_text=True)
    assert "Tove Trafik" in page and "Bo Byggare" in page


def test_a_post_and_work_outside_a_request_read_afresh(app, world):
    engine = app.extensions["db_engine"]
    with fresh(app) as db:
        for context in (app.test_request_context("/arenden", method="POST"), app.app_context()):
            with context, statements(engine) as seen:
                reflists.organisations(db)
                names = [o.name for o in reflists.organisations(db, active_only=True)]
            assert len(list_reads(seen)) == 2
            assert names == [o.name for o in db.exec(select(Organisation).where(Organisation.active.is_(True))
                                                     .order_by(Organisation.name))]


def test_the_unread_count_follows_new_and_read_notifications(app, client, world, clock):
    from coordination.notifications.models import Notification
    from coordination.notifications.services import mark_all_read

    sign_in(client, world["coordinator"])
    assert '<span class="count">' not in client.get("/arenden").get_data(as_text=True)
    with fresh(app) as db:
        for n in (1, 2):
            db.add(Notification(user_id=world["coordinator"].id, kind="case_moved", dedupe_key=f"test-{n}",
                                text_sv="Ärendet flyttades", text_en="The case moved", created_at=clock.now()))
        db.commit()
    response, seen = get_counting(app, client, "/arenden")
    assert '<span class="count">2</span>' in response.get_data(as_text=True)
    _again, seen_again = get_counting(app, client, "/arenden")
    assert any("FROM notifications" in s for s in seen) and not any("FROM notifications" in s for s in seen_again)
    other = sign_in(app.test_client(), world["official"])  # another person's count is their own
    assert '<span class="count">' not in other.get("/arenden").get_data(as_text=True)
    with fresh(app) as db:
        mark_all_read(db, world["coordinator"].id, now=clock.now())
        db.commit()
    assert '<span class="count">' not in client.get("/arenden").get_data(as_text=True)


def _result_count(html: str) -> str:
    start = html.index('class="result-count">') + len('class="result-count">')
    return html[start:html.index("</p>", start)]


def test_the_queues_count_is_kept_per_person_scope_and_filter_until_a_change(app, client, world, clock):
    """`reflists.counted`: the count of a list page is read once per data version, under the
    statement with its values, so each scope (a coordinator's all, a department's own) and each
    filter has its own, and a new case is in the next page's count."""
    def count_of(who, url):
        sign_in(client, who)
        response, seen = get_counting(app, client, url)
        assert response.status_code == 200
        return _result_count(response.get_data(as_text=True)), [s for s in seen if "count(*)" in s]

    with fresh(app) as db:
        factories.case(db, clock=clock, title="Skyltning vid infarten", level=1)  # no organisation
        db.commit()
    everyone, seen = count_of(world["coordinator"], "/arenden")
    assert everyone == "2 ärenden" and seen
    assert count_of(world["coordinator"], "/arenden") == ("2 ärenden", [])  # kept
    assert count_of(world["official"], "/arenden")[0] == "1 ärende"  # the department's own: not the above
    assert count_of(world["builder"], "/arenden")[0] == "0 ärenden"
    assert count_of(world["coordinator"], f"/arenden?business_area_id={world['area'].id}")[0] == "1 ärende"
    assert count_of(world["coordinator"], "/arenden?q=skyltning")[0] == "1 ärende"
    with fresh(app) as db:
        factories.case(db, clock=clock, title="Belysning i gångtunneln", business_area_id=world["area"].id,
                       level=1, organisations=[db.get(Organisation, world["tk"].id)])
        db.commit()
    again, seen = count_of(world["coordinator"], "/arenden")
    assert again == "3 ärenden" and seen
    assert count_of(world["official"], "/arenden")[0] == "2 ärenden"
    assert count_of(world["coordinator"], f"/arenden?business_area_id={world['area'].id}")[0] == "2 ärenden"
