import pytest

from motcua.accounts.models import User


@pytest.fixture
def admin_client_demo(demo, client):
    client.force_login(User.objects.get(username="quantri"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/org/administrativeunit/",
        "/admin/org/administrativeunit/?hieu_luc=history&level=3",
        "/admin/org/agency/",
        "/admin/org/agency/?kind=one_stop&q=Đất Mũi",
        "/admin/org/staffassignment/?role=unit_leader",
    ],
)
def test_changelists_render_with_bounded_queries(admin_client_demo, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = admin_client_demo.get(url)
    assert response.status_code == 200


def test_change_pages_render(admin_client_demo):
    from motcua.org.models import AdministrativeUnit, Agency

    agency = Agency.objects.get(ident_code="000.00.02.H12")
    assert admin_client_demo.get(f"/admin/org/agency/{agency.pk}/change/").status_code == 200
    unit = AdministrativeUnit.objects.get(code="32122")
    assert admin_client_demo.get(f"/admin/org/administrativeunit/{unit.pk}/change/").status_code == 200
