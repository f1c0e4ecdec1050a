"""Public catalog: search without diacritics, filters, the procedure page, 404, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_home_is_the_portal_and_staff_pages_still_mounted(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="search"' in body and 'href="/thu-tuc/"' in body and 'href="/tra-cuu/"' in body
    assert 'href="/dang-nhap/"' in body  # staff sign-in link
    assert 'class="skip" href="#main"' in body
    assert client.get("/can-bo/").status_code == 302  # staff UI still there (asks to sign in)
    assert client.get("/dang-nhap/").status_code == 200


@pytest.mark.parametrize(
    "query", ["khai sinh", "KHAI SINH", "dang ky khai sinh", "đăng ký khai sinh", "1.001193"]
)
def test_search_ignores_diacritics(client, catalog, query):
    body = client.get("/thu-tuc/", {"q": query}).content.decode()
    assert "Thủ tục đăng ký khai sinh" in body
    assert "Đăng ký biến động đất đai" not in body
    assert "Thủ tục đăng ký khai tử" not in body


def test_search_without_diacritics_finds_accented_name(client, catalog):
    body = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert 'href="/thu-tuc/1.001193/"' in body


def test_filters_by_level_field_and_agency(client, catalog):
    province = client.get("/thu-tuc/", {"cap": "province"}).content.decode()
    assert "Đăng ký biến động đất đai" in province and "Thủ tục đăng ký khai sinh" not in province
    civil = client.get("/thu-tuc/", {"linh_vuc": "ho-tich"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" in civil and "Thủ tục đăng ký khai tử" in civil
    assert "biến động" not in civil
    by_agency = client.get("/thu-tuc/", {"co_quan": catalog["dept"].pk}).content.decode()
    assert "Đăng ký biến động đất đai" in by_agency and "Thủ tục đăng ký khai sinh" not in by_agency
    # Filters and search combine; a bad level value is ignored rather than an error.
    both = client.get("/thu-tuc/", {"q": "khai", "linh_vuc": "dat-dai"}).content.decode()
    assert "Không có thủ tục phù hợp" in both
    assert client.get("/thu-tuc/", {"cap": "nonsense", "co_quan": "x"}).status_code == 200


def test_catalog_is_paginated_in_few_queries(client, catalog):
    from tests.dossiers.factories import ProcedureVersionFactory

    for n in range(25):
        ProcedureVersionFactory(procedure__code=f"3.{n:06d}", name=f"Thủ tục thử {n}")
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/thu-tuc/")
    assert first.status_code == 200
    # count, page, fields, agencies (+ session/auth machinery none for anonymous)
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]
    body = first.content.decode()
    assert "28 thủ tục" in body and "Trang 1/2" in body and "trang=2" in body
    second = client.get("/thu-tuc/", {"trang": 2}).content.decode()
    assert "Trang 2/2" in second


def test_procedure_page_shows_limits_cut_components_fees_and_where(client, catalog):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 6
    body = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in body
    # Legal 10 working days, applied 7 for both channels (online falls back to direct).
    assert body.count("<td>10 ngày làm việc</td>") == 2
    assert body.count('7 ngày làm việc <span class="tag cut">rút ngắn 30%</span>') == 2
    assert "toàn trình" in body
    assert "Tờ khai đăng ký khai sinh" in body and "Giấy chứng sinh" in body
    assert 'href="https://example.vn/mau/to-khai-khai-sinh.docx"' in body
    assert "Lệ phí đăng ký khai sinh" in body and "Miễn phí" in body
    assert "Ủy ban nhân dân cấp xã" in body and "phi địa giới" in body
    assert "Luật Hộ tịch năm 2014" in body and "Giấy khai sinh" in body
    assert "Nộp trực tiếp" in body and "Nộp trực tuyến" in body


def test_procedure_without_cut_says_no_cut(client, catalog):
    body = client.get("/thu-tuc/2.000815/").content.decode()
    assert "rút ngắn" not in body
    assert "Sở Nông nghiệp và Môi trường" in body
    assert "không" in body  # online level


def test_unknown_or_abolished_procedure_is_404(client, catalog):
    import datetime as dt

    assert client.get("/thu-tuc/9.999999/").status_code == 404
    procedure = catalog["death"].procedure
    procedure.abolished_on = dt.date(2025, 1, 1)
    procedure.save()
    assert client.get("/thu-tuc/1.000656/").status_code == 404
