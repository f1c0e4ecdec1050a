"""Petitions (PAKN): filing (signed in or anonymous), the dossier-ownership rule, the deadline in
working days, visibility to the responsible unit's subtree, the answer e-mailed after commit, the
public status, and the counts of 766 indicators 5.2 and 5.3."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.feedback.models import Petition, PetitionStatus
from motcua.feedback.selectors import (
    dossier_dissatisfied_q,
    petition_counts,
    petition_public,
    petitions_visible_to,
)
from motcua.feedback.services import (
    FeedbackError,
    evaluation_submit,
    petition_answer,
    petition_close,
    petition_rate_answer,
    petition_start,
    petition_submit,
)
from motcua.worktime.engine import add_time
from motcua.worktime.selectors import get_calendar, get_working_hours
from tests.dossiers.factories import VN

from .conftest import SCORES, finish, receive

pytestmark = pytest.mark.django_db

# Mon 2 March 2026, 09:00: ten working days later is Mon 16 March 09:00.
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)


def anonymous(w, key="k1", **kwargs):
    data = {
        "category": "conduct",
        "content": "Cán bộ yêu cầu nộp thêm giấy tờ không có trong quy định.",
        "idempotency_key": key,
        "name": "Lê Văn Bình",
        "email": "binh@example.vn",
        "unit": w["centre_a"],
        "now": MONDAY,
    }
    data.update(kwargs)
    return petition_submit(**data)


def test_an_anonymous_petition_gets_a_code_and_a_deadline_of_ten_working_days(world):
    p = anonymous(world)
    assert p.code.startswith("PA-260302-") and len(p.code) == 18
    assert p.status == PetitionStatus.RECEIVED
    assert p.due_at == add_time(MONDAY, 10, "working_days", get_calendar(), get_working_hours(None))
    assert p.due_at.astimezone(VN) == dt.datetime(2026, 3, 16, 9, 0, tzinfo=VN)
    assert p.user is None and p.unit == world["centre_a"]


def test_the_deadline_is_configurable(world, settings):
    settings.MOTCUA_PETITION_DEADLINE_WORKING_DAYS = 2
    assert anonymous(world).due_at.astimezone(VN) == dt.datetime(2026, 3, 4, 9, 0, tzinfo=VN)


def test_the_same_submission_twice_makes_one_petition(world):
    assert anonymous(world, key="same") == anonymous(world, key="same")
    assert Petition.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"email": "", "phone": ""}, "contact_required"),
        ({"name": ""}, "name_required"),
        ({"email": "not-an-address"}, "email_invalid"),
        ({"content": "ngắn"}, "content_too_short"),
        ({"category": "x"}, "category_invalid"),
        ({"unit": None}, "unit_required"),
        ({"procedure_code": "9.999999", "unit": None}, "procedure_not_found"),
    ],
)
def test_invalid_petitions_are_refused(world, change, code):
    with pytest.raises(FeedbackError) as refused:
        anonymous(world, **change)
    assert refused.value.code == code
    assert not Petition.objects.exists()


def test_a_dossier_code_must_be_the_signed_in_persons_or_come_with_its_secret(world):
    own = receive(world, user=world["citizen"])
    mine = petition_submit(
        category="handling",
        content="Hồ sơ của tôi chậm so với giấy hẹn.",
        idempotency_key="a",
        user=world["citizen"],
        dossier_code=own.code,
    )
    assert (mine.dossier, mine.unit, mine.user) == (own, world["centre_a"], world["citizen"])
    assert mine.name == "Lan Trần Thị" and mine.email == "congdan@example.vn"

    with pytest.raises(FeedbackError) as refused:
        petition_submit(
            category="handling",
            content="Hồ sơ của người khác, không có mã bí mật.",
            idempotency_key="b",
            user=world["other"],
            dossier_code=own.code,
        )
    assert (refused.value.code, refused.value.field) == ("dossier_not_found", "dossier_code")
    with pytest.raises(FeedbackError) as unknown:
        anonymous(world, key="c", dossier_code="000.00.00.H12-000000-9999", dossier_secret="ABCDEFGH")
    assert unknown.value.message_vi == refused.value.message_vi  # an unknown code looks the same

    with_secret = anonymous(
        world, key="d", dossier_code=own.code, dossier_secret=own.lookup_secret.lower(), unit=None
    )
    assert with_secret.dossier == own and with_secret.user is None


def test_an_officer_of_another_commune_cannot_see_the_petition(world, client):
    p = anonymous(world)
    about_b = anonymous(world, key="k2", unit=world["centre_b"])
    assert list(petitions_visible_to(world["rec_a"])) == [p]
    assert list(petitions_visible_to(world["spec_a"])) == [p]  # the committee's subtree holds the centre
    assert list(petitions_visible_to(world["rec_b"])) == [about_b]
    assert set(petitions_visible_to(world["lead_province"])) == {p, about_b}
    assert not petitions_visible_to(world["citizen"]).exists()

    client.force_login(world["rec_b"])
    listing = client.get("/can-bo/phan-anh/").content.decode()
    assert about_b.code in listing and p.code not in listing
    assert client.get(f"/can-bo/phan-anh/{p.code}/").status_code == 404
    assert (
        client.post(f"/can-bo/phan-anh/{p.code}/tra-loi/", {"answer": "Trả lời không được phép."}).status_code
        == 404
    )
    with pytest.raises(FeedbackError) as refused:
        petition_answer(petition=p, officer=world["rec_b"], answer="Trả lời không được phép.")
    assert refused.value.code == "not_authorized"


def test_a_petition_about_a_dossier_is_visible_to_its_resolving_agency(world):
    d = receive(world, user=world["citizen"])
    p = petition_submit(
        category="handling",
        content="Hồ sơ của tôi chậm so với giấy hẹn.",
        idempotency_key="r",
        user=world["citizen"],
        dossier_code=d.code,
    )
    assert list(petitions_visible_to(world["spec_a"])) == [p]


def test_the_list_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    for i in range(3):
        anonymous(world, key=f"q{i}")
    client.force_login(world["rec_a"])
    client.get("/can-bo/phan-anh/")  # warm the session and the menu
    with django_assert_max_num_queries(8):
        first = client.get("/can-bo/phan-anh/")
    for i in range(3, 12):
        anonymous(world, key=f"q{i}")
    with django_assert_max_num_queries(8):
        second = client.get("/can-bo/phan-anh/")
    assert first.content.decode().count("/can-bo/phan-anh/PA-") == 3
    assert second.content.decode().count("/can-bo/phan-anh/PA-") == 12


def test_overdue_is_said_in_words(world, client):
    late = anonymous(world, now=timezone.now() - dt.timedelta(days=40))
    fresh = anonymous(world, key="k2", now=timezone.now())
    client.force_login(world["rec_a"])
    page = client.get("/can-bo/phan-anh/").content.decode()
    assert "⚠ Quá hạn" in page and "Còn hạn" in page
    only_late = client.get("/can-bo/phan-anh/?qua_han=1").content.decode()
    assert late.code in only_late and fresh.code not in only_late


def test_answering_mails_the_citizen_after_commit(world, django_capture_on_commit_callbacks):
    p = anonymous(world, now=timezone.now())
    petition_start(petition=p, officer=world["rec_a"])
    with django_capture_on_commit_callbacks(execute=True):
        petition_answer(petition=p, officer=world["rec_a"], answer="Đơn vị đã kiểm tra và nhắc nhở cán bộ.")
        assert mail.outbox == []  # not before the commit
    p.refresh_from_db()
    assert (p.status, p.answered_on_time, p.handler) == (PetitionStatus.ANSWERED, True, world["rec_a"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["binh@example.vn"]
    assert p.code in message.subject
    assert "Đơn vị đã kiểm tra và nhắc nhở cán bộ." in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]

    with pytest.raises(FeedbackError) as again:
        petition_answer(petition=p, officer=world["rec_a"], answer="Trả lời lần thứ hai.")
    assert again.value.code == "already_answered"
    petition_close(petition=p, officer=world["rec_a"])
    assert Petition.objects.get(pk=p.pk).status == PetitionStatus.CLOSED


def test_closing_an_unanswered_petition_needs_a_note(world):
    p = anonymous(world)
    with pytest.raises(FeedbackError) as refused:
        petition_close(petition=p, officer=world["rec_a"])
    assert refused.value.code == "note_required"
    petition_close(petition=p, officer=world["rec_a"], note="Người phản ánh rút lại.")


def test_the_public_status_shows_no_content_or_personal_data(world, client):
    p = anonymous(world)
    page = client.get(f"/phan-anh/tra-cuu/?ma={p.code.lower()}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đã tiếp nhận" in html and p.code in html
    for private in ("Lê Văn Bình", "binh@example.vn", "giấy tờ không có trong quy định"):
        assert private not in html
    assert client.get("/phan-anh/tra-cuu/?ma=PA-000000-AAAAAAAA").status_code == 404
    assert petition_public("") is None


def test_the_citizen_form(world, client):
    client.force_login(world["citizen"])
    own = receive(world, user=world["citizen"])
    form = client.get(f"/phan-anh/?ho_so={own.code}").content.decode()
    assert f'value="{own.code}"' in form
    key = form.split('name="key" value="')[1].split('"')[0]
    bad = client.post("/phan-anh/", {"key": key, "content": "ngắn"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Vui lòng kiểm tra lại" in text and "Chọn nhóm nội dung phản ánh." in text
    assert 'aria-invalid="true"' in text
    data = {
        "key": key,
        "category": "handling",
        "content": "Hồ sơ của tôi chậm so với giấy hẹn.",
        "dossier_code": own.code,
    }
    done = client.post("/phan-anh/", data)
    assert done.status_code == 302
    again = client.post("/phan-anh/", data)  # a double click
    assert again["Location"] == done["Location"]
    p = Petition.objects.get()
    assert p.dossier == own and p.code in done["Location"]
    assert "Đã gửi phản ánh." in client.get(done["Location"]).content.decode()


def test_an_anonymous_citizen_must_give_contact_data(world, client):
    form = client.get("/phan-anh/").content.decode()
    key = form.split('name="key" value="')[1].split('"')[0]
    data = {
        "key": key,
        "category": "procedure",
        "content": "Thủ tục yêu cầu quá nhiều giấy tờ.",
        "unit": world["centre_a"].pk,
    }
    missing = client.post("/phan-anh/", data)
    assert missing.status_code == 400
    assert "Nhập họ và tên." in missing.content.decode()
    assert (
        client.post("/phan-anh/", {**data, "name": "Lê Văn Bình", "phone": "0918 000 111"}).status_code == 302
    )
    assert Petition.objects.get().phone == "0918 000 111"


def test_the_staff_answer_form(world, client, django_capture_on_commit_callbacks):
    p = anonymous(world, now=timezone.now())
    client.force_login(world["rec_a"])
    detail = client.get(f"/can-bo/phan-anh/{p.code}/").content.decode()
    assert "Cán bộ yêu cầu nộp thêm giấy tờ" in detail and "Gửi trả lời" in detail
    assert client.post(f"/can-bo/phan-anh/{p.code}/nhan-xu-ly/").status_code == 302
    short = client.post(f"/can-bo/phan-anh/{p.code}/tra-loi/", {"answer": "Ok"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(f"/can-bo/phan-anh/{p.code}/tra-loi/", {"answer": "Đơn vị đã xử lý theo quy định."})
    assert ok.status_code == 302
    assert Petition.objects.get().status == PetitionStatus.ANSWERED
    assert len(mail.outbox) == 1


def test_counts_for_the_766_satisfaction_indicators(world):
    start, end = MONDAY, MONDAY + dt.timedelta(days=31)
    on_time = anonymous(world, key="1")
    petition_answer(
        petition=on_time,
        officer=world["rec_a"],
        answer="Đã trả lời đúng hạn.",
        now=MONDAY + dt.timedelta(days=1),
    )
    late = anonymous(world, key="2")
    petition_answer(
        petition=late,
        officer=world["rec_a"],
        answer="Đã trả lời nhưng quá hạn.",
        now=MONDAY + dt.timedelta(days=20),
    )
    disliked = anonymous(world, key="3", user=world["other"])
    petition_answer(
        petition=disliked,
        officer=world["rec_a"],
        answer="Câu trả lời chưa làm hài lòng.",
        now=MONDAY + dt.timedelta(days=2),
    )
    petition_rate_answer(petition=disliked, user=world["other"], satisfied=False)
    anonymous(world, key="4")  # open, past its deadline by the period end
    anonymous(world, key="5", unit=world["centre_b"])  # another unit

    units = world["a"].__class__.objects.filter(pk__in=[world["centre_a"].pk]).values("pk")
    counts = petition_counts(unit_ids=units, start=start, end=end, now=end)
    assert counts["PETITION_PROCESSING_ON_TIME"] == {"numerator": 2, "denominator": 4}
    # 4 first received − late − disliked − open overdue = 1
    assert counts["PETITION_HANDLING_SATISFACTION"] == {"numerator": 1, "denominator": 4}
    province = petition_counts(unit_ids=None, start=start, end=end, now=end)
    assert province["PETITION_PROCESSING_ON_TIME"]["denominator"] == 5


def test_dossiers_with_a_dislike_or_a_petition_are_not_satisfied(world):
    liked = finish(receive(world, user=world["citizen"]))
    disliked = finish(receive(world, user=world["citizen"]))
    petitioned = finish(receive(world, user=world["citizen"]))
    evaluation_submit(dossier=liked, user=world["citizen"], scores=SCORES, satisfied=True)
    evaluation_submit(dossier=disliked, user=world["citizen"], scores=SCORES, satisfied=False)
    petition_submit(
        category="handling",
        content="Kết quả có sai sót về họ tên.",
        idempotency_key="p",
        user=world["citizen"],
        dossier_code=petitioned.code,
    )
    bad = set(Dossier.objects.filter(dossier_dissatisfied_q()).values_list("pk", flat=True))
    assert bad == {disliked.pk, petitioned.pk}


def test_the_petitioner_rates_the_answer_on_the_status_page(world, client):
    p = petition_submit(
        category="procedure",
        content="Thủ tục yêu cầu quá nhiều giấy tờ.",
        idempotency_key="rate",
        user=world["citizen"],
        unit=world["centre_a"],
    )
    client.force_login(world["other"])
    assert client.post(f"/phan-anh/{p.code}/danh-gia-tra-loi/", {"hai_long": "0"}).status_code == 404
    client.force_login(world["citizen"])
    client.post(f"/phan-anh/{p.code}/danh-gia-tra-loi/", {"hai_long": "0"})  # not answered yet: ignored
    assert Petition.objects.get().answer_satisfied is None
    petition_answer(petition=p, officer=world["rec_a"], answer="Đơn vị sẽ rà soát lại thành phần hồ sơ.")
    page = client.get(f"/phan-anh/tra-cuu/?ma={p.code}").content.decode()
    assert "Đơn vị sẽ rà soát lại thành phần hồ sơ." in page and 'name="hai_long"' in page
    client.post(f"/phan-anh/{p.code}/danh-gia-tra-loi/", {"hai_long": "0"})
    assert Petition.objects.get().answer_satisfied is False
