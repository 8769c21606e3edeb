from tests import factories
from tests.conftest import login


def test_each_role_reaches_its_start_page(session, client):
    coordinator = factories.user(session, "coordinator")
    session.commit()
    login(client, coordinator)
    response = client.get("/")
    assert response.status_code == 200
    assert "Översikt" in response.data.decode()
