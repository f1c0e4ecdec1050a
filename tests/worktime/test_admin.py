import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_calendar_entry_changelist_with_filters(admin_client):
    url = reverse("admin:worktime_calendarentry_changelist")
    response = admin_client.get(url, {"year": "2026", "kind__exact": "working_day", "q": "Làm bù"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Làm bù cho thứ Sáu 02/01/2026" in content
    assert "Tết Bính Ngọ" not in content
    assert "Lịch thực tế theo năm" in content


def test_effective_year_page(admin_client):
    response = admin_client.get(reverse("admin:worktime_calendarentry_effective"), {"year": "2026"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "10/01/2026" in content and "02/01/2026" in content and "24/11/2026" in content


def test_working_hours_profile_changelist(admin_client):
    response = admin_client.get(reverse("admin:worktime_workinghoursprofile_changelist"))
    assert response.status_code == 200
    assert "Mặc định" in response.content.decode()
