"""The leaders' dashboard (/can-bo/chi-so/): who may see it, what it shows, the drill-down pages."""

import re

import pytest
from django.urls import reverse

from motcua.dossiers.models import Channel, Status
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import UserFactory

from .conftest import at

Role = StaffAssignment.Role
URL = "/can-bo/chi-so/"
Q3 = {"period": "2025-Q3"}


def person(username, role, agency):
    user = UserFactory(username=username)
    StaffAssignment.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def data(world):
    w = world
    w.dossier(finished="2025-08-06", synced=True)  # on time
    w.dossier(finished="2025-08-08")  # late
    w.dossier(due="2025-08-07", resolving_agency=w.commune, receiving_unit=w.commune_desk)  # open, overdue
    w.dossier(finished="2025-08-05", resolving_agency=w.commune, channel=Channel.ONLINE)  # on time
    w.dossier(
        status=Status.SUPPLEMENT_REQUESTED, supplement_count=1, supplement_requested_at=at("2025-08-05")
    )
    # Same period a year earlier: one dossier, late.
    w.dossier(received="2024-08-05", due="2024-08-08", finished="2024-08-12")
    return w


@pytest.fixture
def leader(client, data):
    client.force_login(person("lanhdao.tinh", Role.PROVINCE_LEADER, data.department))
    return client


def test_only_leaders_get_in(client, data):
    assert client.get(URL).status_code == 302  # sign in first
    client.force_login(person("chuyenvien", Role.SPECIALIST, data.department))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "ho-so/", {**Q3, "indicator": "ON_TIME", "part": "late"}).status_code == 403
    assert client.get(URL + "xuat.xlsx", Q3).status_code == 403
    client.force_login(person("kiemsoat", Role.TTHC_CONTROL, data.department))
    assert client.get(URL, Q3).status_code == 200


def test_nav_link_for_leaders_only(client, data):
    client.force_login(person("tiepnhan", Role.RECEIVING_OFFICER, data.centre))
    assert "Chỉ số 766" not in client.get("/can-bo/so-theo-doi/").content.decode()
    client.force_login(person("lanhdao", Role.UNIT_LEADER, data.commune))
    assert f'href="{URL}"' in client.get("/can-bo/so-theo-doi/").content.decode()


def test_province_dashboard_shows_scores_comparison_and_links(leader, data):
    response = leader.get(URL, Q3)
    assert response.status_code == 200
    html = response.content.decode()
    # ON_TIME for the province: 5 in the denominator, 3 on time, 2 late → 12/20 points.
    row = re.search(r'<tr data-indicator="ON_TIME">(.*?)</tr>', html, re.S).group(1)
    assert ">3</a>" in row and ">5</a>" in row and "60%" in row and "trễ hạn: 2" in row
    assert "part=late" in row and "scope=province" in row and "period=2025-Q3" in row
    assert "không tính được" in html  # e.g. the PAKN indicators, never shown as 0
    assert "Tiến độ giải quyết" in html
    assert "So sánh cùng kỳ" in html and "2024-Q3" in html
    assert reverse("backoffice:indicators_group", args=["PROGRESS"]) in html or "/chi-so/nhom/" in html
    # Ranking: the department and the commune, each a link to its own dashboard.
    assert "scope=000.00.10.H12" in html and "scope=000.00.32.H12" in html
    # Charts: the vendored asset, never a CDN, and the data as JSON with a table alternative.
    assert "backoffice/vendor/chart-4.6.1.umd.min.js" in html and "cdn" not in html.lower()
    assert 'id="chi-so-bieu-do"' in html and "Xem dạng bảng" in html
    # Reform statistics are on the page too.
    assert "Thủ tục được cắt giảm thời hạn giải quyết" in html


def test_htmx_request_gets_the_body_only(leader, data):
    response = leader.get(URL, Q3, headers={"HX-Request": "true", "HX-Target": "chi-so-noi-dung"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'data-indicator="ON_TIME"' in html


def test_period_picker_fields_and_errors(leader, data):
    ok = leader.get(URL, {"kind": "quarter", "quarter": "3", "year": "2025", "scope": "province"})
    assert ok.status_code == 200 and "kỳ 2025-Q3" in ok.content.decode()
    month = leader.get(URL, {"kind": "month", "month": "2025-08"})
    assert "kỳ 2025-08" in month.content.decode()
    rng = leader.get(URL, {"kind": "range", "date_from": "2025-08-01", "date_to": "2025-08-31"})
    assert "2025-08-01..2025-08-31" in rng.content.decode()
    bad = leader.get(URL, {"kind": "range", "date_from": "2025-09-01", "date_to": "2025-08-01"})
    assert bad.status_code == 400
    assert "Ngày cuối trước ngày đầu" in bad.content.decode()
    assert "Vui lòng sửa các lỗi sau" in bad.content.decode()
    assert leader.get(URL, {"period": "2025-13"}).status_code == 400


def test_unit_leader_sees_own_unit_only(client, data):
    client.force_login(person("lanhdao.xa", Role.UNIT_LEADER, data.commune))
    own = client.get(URL, Q3)  # default scope: the leader's unit
    assert own.status_code == 200 and data.commune.name in own.content.decode()
    assert client.get(URL, {**Q3, "scope": "province"}).status_code == 403
    assert client.get(URL, {**Q3, "scope": data.department.ident_code}).status_code == 403
    assert client.get(URL, {**Q3, "scope": "999.99.99.H99"}).status_code == 404
    late = client.get(
        URL + "ho-so/", {**Q3, "scope": data.commune.ident_code, "indicator": "ON_TIME", "part": "late"}
    )
    assert late.status_code == 200


def test_drilldown_lists_the_late_dossiers_and_links_them(leader, data):
    response = leader.get(URL + "ho-so/", {**Q3, "scope": "province", "indicator": "ON_TIME", "part": "late"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 hồ sơ" in html
    codes = re.findall(r'href="/can-bo/ho-so/([^/]+)/"', html)
    assert len(codes) == 2
    commune = leader.get(
        URL + "ho-so/", {**Q3, "scope": data.commune.ident_code, "indicator": "ON_TIME", "part": "late"}
    )
    assert "1 hồ sơ" in commune.content.decode()
    assert (
        leader.get(URL + "ho-so/", {**Q3, "indicator": "ONLINE_TTHC", "part": "numerator"}).status_code == 404
    )
    assert leader.get(URL + "ho-so/", {**Q3, "indicator": "ON_TIME", "part": "x"}).status_code == 404


def test_drilldown_paginates(leader, data, settings):
    for _ in range(3):
        data.dossier(finished="2025-08-20")
    from motcua.backoffice import views_indicators

    old = views_indicators.PAGE_SIZE
    views_indicators.PAGE_SIZE = 2
    try:
        first = leader.get(URL + "ho-so/", {**Q3, "indicator": "ON_TIME", "part": "late"}).content.decode()
        last = leader.get(
            URL + "ho-so/", {**Q3, "indicator": "ON_TIME", "part": "late", "trang": "3"}
        ).content
    finally:
        views_indicators.PAGE_SIZE = old
    assert "5 hồ sơ" in first and "Trang 1/3" in first
    assert len(re.findall(r'href="/can-bo/ho-so/([^/]+)/"', last.decode())) == 1


def test_group_page_lists_units_with_late_links(leader, data):
    response = leader.get(URL + "nhom/PROGRESS/", Q3)
    html = response.content.decode()
    assert response.status_code == 200
    row = re.search(r'<tr data-unit="000.00.32.H12">(.*?)</tr>', html, re.S).group(1)
    # The commune: 2 dossiers in the denominator (one on time, one overdue), 1 late.
    assert 'data-part="late">1</a>' in row
    assert "scope=000.00.32.H12" in row and "indicator=ON_TIME" in row
    assert leader.get(URL + "nhom/NOPE/", Q3).status_code == 404


def _queries(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_dossiers(leader, data):
    late = {**Q3, "indicator": "ON_TIME", "part": "late"}
    before = (_queries(leader, URL, Q3), _queries(leader, URL + "ho-so/", late))
    for day in ("2025-07-07", "2025-08-11", "2025-09-08"):
        data.dossier(received=day, due=day, finished="2025-09-29")
        data.dossier(received=day, due=day, resolving_agency=data.commune)
    after = (_queries(leader, URL, Q3), _queries(leader, URL + "ho-so/", late))
    assert after == before
