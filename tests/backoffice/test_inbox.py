"""The officer's inbox (issue 4 point 3): who sees what, urgency, filters, query bound and the
bulk hand-over of paper dossiers received after the 15:00 cut-off (Decree 118/2025 Art. 18(2))."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from motcua.backoffice.selectors import DUE_TODAY, EARLY, OVERDUE, handover_candidates, inbox_queryset
from motcua.backoffice.templatetags.backoffice_tags import working_time_left
from motcua.dossiers.models import Channel, Status
from motcua.org.models import StaffAssignment
from motcua.worktime.engine import DEFAULT_HOURS
from tests.dossiers.factories import (
    VN,
    AgencyFactory,
    OneStopFactory,
    ProcedureCaseFactory,
    UserFactory,
    dossier_in,
)

pytestmark = pytest.mark.django_db

PASSWORD = "MotCua@2026"
# Thu 5 March 2026, 10:00 in Cà Mau: a plain working day.
NOW = dt.datetime(2026, 3, 5, 10, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture(autouse=True)
def _urlconf_loaded_before_freezing():
    """Load the URLconf (and the API's pydantic schemas) before freezegun's fake date classes
    exist, which pydantic cannot build schemas for."""
    from django.urls import resolve

    resolve("/can-bo/")


@pytest.fixture
def world():
    """Province → commune A (committee, centre) and commune B (committee, centre), one case with
    three steps (receiving officer, specialist, leader; steps without an agency)."""
    province = AgencyFactory(ident_code="000.00.00.H12")
    a = AgencyFactory(ident_code="000.01.12.H12", parent=province)
    centre_a = OneStopFactory(ident_code="000.11.12.H12", parent=a)
    b = AgencyFactory(ident_code="000.02.12.H12", parent=province)
    centre_b = OneStopFactory(ident_code="000.12.12.H12", parent=b)

    def staff(agency, role, username):
        user = UserFactory(username=username)
        user.set_password(PASSWORD)
        user.save()
        StaffAssignment.objects.create(user=user, agency=agency, role=role)
        return user

    case = ProcedureCaseFactory()
    return {
        "a": a,
        "b": b,
        "centre_a": centre_a,
        "centre_b": centre_b,
        "case": case,
        "rec_a": staff(centre_a, "receiving_officer", "tiepnhan.a"),
        "spec_a": staff(a, "specialist", "chuyenvien.a"),
        "lead_a": staff(a, "unit_leader", "lanhdao.a"),
        "rec_b": staff(centre_b, "receiving_officer", "tiepnhan.b"),
    }


def make(w, status, *, commune="a", step=1, **kwargs):
    return dossier_in(
        status,
        case=w["case"],
        procedure_version=w["case"].version,
        receiving_unit=w[f"centre_{commune}"],
        resolving_agency=w[commune],
        current_step=step,
        **kwargs,
    )


def codes(user, **filters):
    return [d.code for d in inbox_queryset(user, on=NOW.date(), **filters)]


def test_each_officer_sees_the_dossiers_waiting_for_their_step(world):
    w = world
    at_reception = make(w, Status.RECEIVED, step=1)
    at_appraisal = make(w, Status.PROCESSING, step=2)
    at_approval = make(w, Status.PROCESSING, step=3)
    approved = make(w, Status.APPROVED, step=3)
    to_return = make(w, Status.RESOLVED, step=3)
    make(w, Status.RETURNED, step=3)
    make(w, Status.SUPPLEMENT_REQUESTED, step=2)
    other_commune = make(w, Status.RECEIVED, commune="b", step=1)

    assert sorted(codes(w["rec_a"])) == sorted([at_reception.code, to_return.code])
    assert codes(w["spec_a"]) == [at_appraisal.code]
    assert sorted(codes(w["lead_a"])) == sorted([at_approval.code, approved.code])
    # An officer of one commune never sees another commune's dossiers.
    assert codes(w["rec_b"]) == [other_commune.code]


def test_an_assigned_dossier_is_in_the_assignees_inbox(world):
    w = world
    helper = UserFactory(username="helper")
    d = make(w, Status.PROCESSING, step=2, assignee=helper)
    assert codes(helper) == [d.code]


def test_online_dossiers_to_receive_are_in_the_receiving_officers_inbox(world):
    w = world
    online = make(w, Status.SUBMITTED, step=0, acceptance_due_at=NOW + dt.timedelta(hours=2))
    assert online.code is None
    assert [d.pk for d in inbox_queryset(w["rec_a"], on=NOW.date())] == [online.pk]


def test_the_page_hides_other_communes_and_lists_by_urgency_with_labels(world, client):
    w = world
    early = make(w, Status.RECEIVED, step_due_at=dt.datetime(2026, 3, 9, 9, 0, tzinfo=VN))
    overdue = make(w, Status.RECEIVED, step_due_at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=VN))
    today = make(w, Status.RECEIVED, step_due_at=dt.datetime(2026, 3, 5, 16, 0, tzinfo=VN))
    foreign = make(w, Status.RECEIVED, commune="b")
    client.force_login(w["rec_a"])
    with freeze_time(NOW):
        response = client.get("/can-bo/hop-viec/")
    html = response.content.decode()
    assert response.status_code == 200
    assert foreign.code not in html
    positions = [html.index(d.code) for d in (overdue, today, early)]
    assert positions == sorted(positions)
    rows = response.context["rows"]
    assert [r.urgency.label for r in rows] == [OVERDUE, DUE_TODAY, EARLY]
    assert "Quá hạn" in html and "Đến hạn hôm nay" in html and "Còn hạn" in html
    # Working time: Wed 09:00 → Thu 10:00 is 9 working hours; Thu 10:00 → 16:00 is 4;
    # Thu 10:00 → Mon 09:00 is 15 (a day is 8 working hours).
    assert "quá hạn 1 ngày 1 giờ" in html
    assert "còn 4 giờ làm việc" in html
    assert "còn 1 ngày 7 giờ làm việc" in html
    assert f'href="/can-bo/ho-so/{early.code}/"' in html


def test_working_time_left_text():
    from motcua.backoffice.selectors import Urgency

    per_day = DEFAULT_HOURS.minutes_per_day
    assert working_time_left(Urgency(EARLY, 2 * per_day + 3 * 60, per_day)) == "còn 2 ngày 3 giờ làm việc"
    assert working_time_left(Urgency(OVERDUE, -(per_day + 2 * 60), per_day)) == "quá hạn 1 ngày 2 giờ"
    assert working_time_left(Urgency(DUE_TODAY, 45, per_day)) == "còn 45 phút làm việc"
    assert working_time_left(Urgency(EARLY, 2 * per_day, per_day)) == "còn 2 ngày làm việc"


def test_filters_by_channel_status_and_procedure_and_htmx_returns_the_table(world, client):
    w = world
    direct = make(w, Status.RECEIVED, channel=Channel.DIRECT)
    postal = make(w, Status.RECEIVED, channel=Channel.POSTAL)
    resolved = make(w, Status.RESOLVED, channel=Channel.DIRECT)
    other_case = ProcedureCaseFactory()
    other = dossier_in(
        Status.RECEIVED,
        case=other_case,
        procedure_version=other_case.version,
        receiving_unit=w["centre_a"],
        resolving_agency=w["a"],
    )
    rec = w["rec_a"]
    assert codes(rec, channel=Channel.POSTAL) == [postal.code]
    assert codes(rec, status=Status.RESOLVED) == [resolved.code]
    assert codes(rec, procedure=other_case.version.procedure.code) == [other.code]

    client.force_login(rec)
    response = client.get(
        "/can-bo/hop-viec/?kenh=postal", headers={"HX-Request": "true", "HX-Target": "inbox-table"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="inbox-table"' in html
    assert postal.code in html and direct.code not in html
    # An unknown filter value is ignored rather than failing.
    assert client.get("/can-bo/hop-viec/?kenh=fax&trang_thai=bogus").status_code == 200


def test_pagination(world, client, monkeypatch):
    monkeypatch.setattr("motcua.backoffice.views_inbox.PAGE_SIZE", 2)
    w = world
    for _ in range(5):
        make(w, Status.RECEIVED)
    client.force_login(w["rec_a"])
    response = client.get("/can-bo/hop-viec/?kenh=direct&trang=3")
    assert len(response.context["rows"]) == 1
    assert "Trang 3/3" in response.content.decode()


def _queries_for_inbox(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured, freeze_time(NOW):
        assert client.get("/can-bo/hop-viec/").status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_rows(world, client):
    w = world
    make(w, Status.RECEIVED, received_at=dt.datetime(2026, 3, 4, 16, 0, tzinfo=VN))
    make(w, Status.RECEIVED)
    make(w, Status.RESOLVED)
    few = _queries_for_inbox(client, w["rec_a"])
    for i in range(12):
        make(w, Status.RECEIVED if i % 2 else Status.RESOLVED, channel=Channel.POSTAL)
        make(w, Status.RECEIVED, received_at=dt.datetime(2026, 3, 4, 15, 30, tzinfo=VN))
    many = _queries_for_inbox(client, w["rec_a"])
    assert many == few
    assert many <= 11


def test_after_cutoff_paper_dossiers_form_the_handover_group(world):
    w = world
    late = make(w, Status.RECEIVED, received_at=dt.datetime(2026, 3, 4, 15, 20, tzinfo=VN))
    make(w, Status.RECEIVED, received_at=dt.datetime(2026, 3, 4, 14, 59, tzinfo=VN))
    make(w, Status.RECEIVED, received_at=dt.datetime(2026, 3, 4, 16, 0, tzinfo=VN), channel=Channel.ONLINE)
    make(w, Status.PROCESSING, step=2, received_at=dt.datetime(2026, 3, 4, 16, 0, tzinfo=VN))
    batch = handover_candidates(w["rec_a"], roles={"receiving_officer"}, default_hours=DEFAULT_HOURS)
    assert [d.code for d in batch] == [late.code]
    assert handover_candidates(w["spec_a"], roles={"specialist"}, default_hours=DEFAULT_HOURS) == []


def test_bulk_handover_forwards_the_selected_and_reports_each(world, client):
    w = world
    after = dt.datetime(2026, 3, 4, 15, 30, tzinfo=VN)
    first = make(w, Status.RECEIVED, received_at=after)
    second = make(w, Status.RECEIVED, received_at=after)
    not_chosen = make(w, Status.RECEIVED, received_at=after)
    stale = make(w, Status.RECEIVED, received_at=after)
    foreign = make(w, Status.RECEIVED, commune="b", received_at=after)
    client.force_login(w["rec_a"])
    with freeze_time(dt.datetime(2026, 3, 5, 7, 5, tzinfo=VN)):
        page = client.get("/can-bo/hop-viec/")
        assert "Chuyển đầu giờ ngày làm việc tiếp theo" in page.content.decode()
        response = client.post(
            "/can-bo/hop-viec/chuyen-dau-ngay/",
            {
                "chon": [
                    f"{first.pk}:{first.version}",
                    f"{second.pk}:{second.version}",
                    f"{stale.pk}:{stale.version + 5}",
                    f"{foreign.pk}:{foreign.version}",
                ]
            },
            follow=True,
        )
    html = response.content.decode()
    for d in (first, second, not_chosen, stale, foreign):
        d.refresh_from_db()
    assert (first.status, first.current_step) == (Status.PROCESSING, 2)
    assert (second.status, second.current_step) == (Status.PROCESSING, 2)
    assert first.actions.get(action="forward").payload["handover"] == "next_working_day"
    assert (not_chosen.current_step, stale.current_step, foreign.current_step) == (1, 1, 1)
    assert f"{first.code}: đã chuyển" in html
    assert f"{stale.code}: không chuyển được" in html
    assert "1 hồ sơ đã chọn không còn chờ chuyển hoặc bạn không có quyền chuyển" in html


def test_home_redirects_to_the_inbox_and_the_menu_fits_the_roles(world, client):
    client.force_login(world["rec_a"])
    response = client.get("/can-bo/", follow=True)
    assert response.redirect_chain[-1][0] == "/can-bo/hop-viec/"
    html = response.content.decode()
    assert 'href="/can-bo/tiep-nhan/"' in html and "Sổ theo dõi" in html and "Quản trị" not in html
    client.force_login(world["spec_a"])
    assert 'href="/can-bo/tiep-nhan/"' not in client.get("/can-bo/hop-viec/").content.decode()


def test_the_inbox_needs_a_sign_in(client):
    response = client.get("/can-bo/hop-viec/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
