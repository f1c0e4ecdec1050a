"""``/api/v1/dossiers`` on the Cà Mau demo: reception at the counter (receive, supplement, refuse),
online submission, idempotency, lists with filters and a constant query count, the detail with
its history and audit, actions, and the 403/404/409/422 rules."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.dossiers.models import Dossier, DossierAction, PersonalDataAccess
from motcua.org.models import Agency
from tests.api.conftest import assert_error

URL = "/api/v1/dossiers"
BIRTH = "1985-03-01"
CCCD = "096085000123"  # Cà Mau, male born in the 1900s
KHAI_SINH = "1.001193"  # commune level, non-boundary
CHAM_DUT_HKD = "1.001266"  # commune level, bound to the commune


def _client(user) -> Client:
    _, secret = api_token_create(user=user, name="test")
    return Client(headers={"authorization": f"Bearer {secret}"})


@pytest.fixture
def as_user(demo):
    User = get_user_model()

    def make(username: str) -> Client:
        user, _ = User.objects.get_or_create(username=username)
        client = _client(user)
        client.user = user
        return client

    return make


def _body(**overrides) -> dict:
    body = {
        "procedure": KHAI_SINH,
        "channel": "direct",
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_kind": "cccd",
            "id_number": CCCD,
            "birth_date": BIRTH,
            "sex": "male",
            "phone": "0912345678",
        },
        "components": [{"order": 1, "originals": 1}, {"name": "Giấy chứng sinh", "copies": 1}],
    }
    body.update(overrides)
    return body


def _post(client, body, key=None, url=URL):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def _pc(commune_code: str) -> Agency:
    return Agency.objects.get(kind="peoples_committee", admin_unit__code=commune_code, valid_to__isnull=True)


def _centre(commune_code: str) -> Agency:
    return Agency.objects.get(kind="one_stop", admin_unit__code=commune_code, valid_to__isnull=True)


# --- creation ------------------------------------------------------------------------------


def test_receive_at_the_counter(as_user):
    officer = as_user("tiepnhan.anxuyen")
    response = _post(officer, _body())
    assert response.status_code == 201, response.content
    d = response.json()
    pc = _pc("32002")
    assert d["code"].startswith(pc.ident_code + "-") and d["reference"] == d["code"]
    assert (d["status"], d["national_status"], d["channel"]) == ("received", 2, "direct")
    assert d["receiving_unit"]["ident_code"] == _centre("32002").ident_code
    assert d["resolving_agency"]["ident_code"] == pc.ident_code
    assert d["procedure"]["code"] == KHAI_SINH and d["procedure"]["case_order"] == 1
    assert d["applicant"]["id_number"] == CCCD and d["applicant"]["birth_date"] == BIRTH
    assert d["clock"]["received_at"] and d["due_at"] == d["original_due_at"] == d["clock"]["due_at"]
    assert d["rules"]["limit_unit"] == "same_day" and d["rules"]["law_framework"] == "2025"
    assert [c["order"] for c in d["components"]] == [1, None]
    assert [(h["action"], h["actor"], h["from_status"]) for h in d["history"]] == [
        ("receive", "tiepnhan.anxuyen", "")
    ]
    assert d["history"][0]["unit"] == _centre("32002").ident_code
    assert "request_hash" in d["history"][0]["payload"]
    assert "forward" in d["allowed_actions"] and "approve" not in d["allowed_actions"]
    assert d["version"] == 1


def test_a_retry_with_the_same_key_returns_the_same_dossier(as_user):
    officer = as_user("tiepnhan.anxuyen")
    first = _post(officer, _body(), key="3f1c7a0e-retry")
    again = _post(officer, _body(), key="3f1c7a0e-retry")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Dossier.objects.filter(applicant_name="Nguyễn Văn An").count() == 1

    other_body = _post(officer, _body(channel="postal"), key="3f1c7a0e-retry")
    assert_error(other_body, 422, code="idempotency_key_reused", field="Idempotency-Key")
    # A key is its client's: another person's same key neither hands out nor blocks this dossier.
    stranger = _post(as_user("tiepnhan.datmui"), _body(), key="3f1c7a0e-retry")
    assert stranger.status_code == 201 and stranger.json()["code"] != first.json()["code"]
    assert _post(officer, _body(), key="3f1c7a0e-retry").json() == first.json()
    assert_error(_post(officer, _body(), key="x" * 101), 422, field="Idempotency-Key")
    assert Dossier.objects.filter(applicant_name="Nguyễn Văn An").count() == 2


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        ({"name": "A", "id_kind": "cccd", "id_number": "003085000123"}, "id_number"),  # no such province
        ({"name": "A", "id_kind": "cccd", "id_number": CCCD, "birth_date": "1990-01-01"}, "birth_date"),
        ({"name": "A", "id_kind": "cccd", "id_number": CCCD, "sex": "female"}, "sex"),
        ({"name": "A", "id_kind": "tax_code", "id_number": "0312345678"}, "id_kind"),  # citizen
        ({"name": ""}, "name"),
        ({"id_number": CCCD}, "name"),
        ({"name": "A", "address_unit": "99999"}, "address_unit"),
        ({"name": "A", "email": "not-an-email"}, "email"),
    ],
)
def test_applicant_validation_is_422_with_the_field(as_user, applicant, field):
    response = _post(as_user("tiepnhan.anxuyen"), _body(applicant=applicant))
    assert_error(response, 422, field=field)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"procedure": "9.999999"}, 422, "procedure_not_found", "procedure"),
        ({"case": 7}, 422, "case_not_found", "case"),
        ({"channel": "fax"}, 422, "invalid", "channel"),
        ({"outcome": "maybe"}, 422, "invalid", "outcome"),
        ({"receiving_unit": "000.00.00.H12"}, 422, "receiving_unit_invalid", "receiving_unit"),
        ({"receiving_unit": "nope"}, 422, "agency_not_found", "receiving_unit"),
        ({"resolving_agency": "nope"}, 422, "agency_not_found", "resolving_agency"),
        ({"commune": "12"}, 422, "unit_not_found", "commune"),
        ({"components": [{"order": 999}]}, 422, "component_not_found", "components"),
        ({"components": [{}]}, 422, "required", "components"),
        ({"procedure": CHAM_DUT_HKD, "commune": "32248"}, 422, "boundary_not_allowed", "resolving_agency"),
    ],
)
def test_creation_errors(as_user, overrides, status, code, field):
    assert_error(_post(as_user("tiepnhan.anxuyen"), _body(**overrides)), status, code=code, field=field)


def test_another_centres_unit_and_non_officers_are_refused(as_user):
    officer = as_user("tiepnhan.anxuyen")
    assert_error(
        _post(officer, _body(receiving_unit=_centre("32248").ident_code)),
        403,
        code="role_not_allowed",
        field="receiving_unit",
    )
    assert_error(_post(as_user("chuyenvien.anxuyen"), _body()), 403, code="role_not_allowed")
    assert_error(_post(as_user("citizen.one"), _body()), 403, code="role_not_allowed")
    assert_error(Client().post(URL, _body(), content_type="application/json"), 401)


def test_non_boundary_reception_takes_the_resolving_communes_code(as_user):
    officer = as_user("tiepnhan.anxuyen")
    response = _post(officer, _body(commune="32248"))
    assert response.status_code == 201, response.content
    d = response.json()
    assert d["code"].startswith(_pc("32248").ident_code + "-")
    assert d["receiving_unit"]["ident_code"] == _centre("32002").ident_code
    # Both communes' staff see it: the receiving centre and the resolving committee.
    assert as_user("chuyenvien.datmui").get(f"{URL}/{d['code']}").status_code == 200
    assert as_user("tiepnhan.anxuyen").get(f"{URL}/{d['code']}").status_code == 200
    assert as_user("chuyenvien.vinhthanh").get(f"{URL}/{d['code']}").status_code == 404


@pytest.mark.parametrize(
    ("outcome", "status", "action"),
    [
        ("request_supplement", "supplement_at_reception", "request_supplement"),
        ("refuse", "refused", "refuse_at_reception"),
    ],
)
def test_counter_answer_is_recorded_without_code_or_clock(as_user, outcome, status, action):
    officer = as_user("tiepnhan.anxuyen")
    assert_error(_post(officer, _body(outcome=outcome)), 422, code="reason_required", field="reason")
    body = _body(outcome=outcome, reason="Thiếu giấy chứng sinh", payload={"items": ["Giấy chứng sinh"]})
    response = _post(officer, body, key=f"answer-{outcome}")
    assert response.status_code == 201, response.content
    d = response.json()
    assert d["code"] is None and d["reference"].startswith("TMP-")
    assert d["status"] == status
    assert d["clock"]["received_at"] is None and d["due_at"] is None
    assert d["clock"]["acceptance_due_at"] is None
    assert d["history"][0]["action"] == action and d["history"][0]["reason"] == "Thiếu giấy chứng sinh"
    assert d["history"][0]["payload"]["items"] == ["Giấy chứng sinh"]
    assert officer.get(f"{URL}/{d['reference']}").status_code == 200
    assert _post(officer, body, key=f"answer-{outcome}").json()["reference"] == d["reference"]


def test_online_submission_by_an_applicant(as_user):
    citizen = as_user("citizen.one")
    body = _body(channel="online", commune="32002")
    response = _post(citizen, body, key="online-1")
    assert response.status_code == 201, response.content
    d = response.json()
    assert (d["status"], d["code"], d["channel"]) == ("submitted", None, "online")
    assert d["receiving_unit"]["ident_code"] == _centre("32002").ident_code
    assert d["clock"]["acceptance_due_at"] is not None
    assert d["history"][0]["actor_role"] == "applicant"
    assert set(d["allowed_actions"]) == {"withdraw"}
    assert_error(_post(citizen, _body(channel="online", outcome="refuse")), 422, field="outcome")

    ref = d["reference"]
    assert citizen.get(f"{URL}/{ref}").status_code == 200
    assert not PersonalDataAccess.objects.exists()  # the applicant's own read is not audited
    assert_error(as_user("citizen.two").get(f"{URL}/{ref}"), 404, code="dossier_not_found")
    assert_error(as_user("tiepnhan.datmui").get(f"{URL}/{ref}"), 404)
    staff = as_user("tiepnhan.anxuyen").get(f"{URL}/{ref}")
    assert staff.status_code == 200
    assert set(staff.json()["allowed_actions"]) == {"receive", "refuse_at_reception", "request_supplement"}
    assert PersonalDataAccess.objects.get().user.username == "tiepnhan.anxuyen"


# --- detail --------------------------------------------------------------------------------


def test_detail_audits_staff_reads_and_hides_other_communes(as_user):
    code = _post(as_user("tiepnhan.anxuyen"), _body()).json()["code"]
    leader = as_user("lanhdao.anxuyen")
    d = leader.get(f"{URL}/{code}").json()
    assert d["applicant"]["phone"] == "0912345678"
    assert "approve" not in d["allowed_actions"] and "forward" in d["allowed_actions"]
    assert PersonalDataAccess.objects.filter(user=leader.user, purpose="api_detail").count() == 1
    for username in ("tiepnhan.datmui", "lanhdao.datmui", "citizen.two"):
        assert_error(as_user(username).get(f"{URL}/{code}"), 404, code="dossier_not_found", field="code")
    assert_error(leader.get(f"{URL}/000.00.00.H12-260101-9999"), 404, code="dossier_not_found")
    assert_error(leader.get(f"{URL}/" + "9" * 300), 404)
    # A province department sees nothing of a commune's dossier; the province leadership (UBND
    # tỉnh above every commune committee) does.
    assert as_user("chuyenvien.tuphap").get(f"{URL}/{code}").status_code == 404
    assert as_user("lanhdao.tinh").get(f"{URL}/{code}").status_code == 200


# --- list ----------------------------------------------------------------------------------


def test_list_filters_and_authorization(as_user):
    anxuyen = as_user("tiepnhan.anxuyen")
    received = _post(anxuyen, _body()).json()
    other_commune = _post(anxuyen, _body(commune="32248")).json()
    postal = _post(anxuyen, _body(channel="postal")).json()
    answered = _post(anxuyen, _body(outcome="refuse", reason="Không thuộc thẩm quyền")).json()

    def codes(client, **params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return {i["reference"] for i in body["items"]}

    everything = {received["code"], other_commune["code"], postal["code"], answered["reference"]}
    assert codes(anxuyen) == everything
    assert codes(anxuyen, status="refused") == {answered["reference"]}
    assert codes(anxuyen, channel="postal") == {postal["code"]}
    assert codes(anxuyen, procedure=KHAI_SINH) == everything
    assert codes(anxuyen, procedure=CHAM_DUT_HKD) == set()
    assert codes(anxuyen, unit=_pc("32248").ident_code) == {other_commune["code"]}
    assert codes(anxuyen, unit=str(_pc("32248").pk)) == {other_commune["code"]}
    assert codes(anxuyen, due_after="2000-01-01T00:00") == everything - {answered["reference"]}
    assert codes(anxuyen, due_before="2000-01-01") == set()
    assert codes(anxuyen, overdue="true") == set()
    assert codes(anxuyen, overdue="false") == everything
    assert codes(as_user("chuyenvien.datmui")) == {other_commune["code"]}
    assert codes(as_user("lanhdao.vinhthanh")) == set()
    assert codes(as_user("citizen.one")) == set()

    item = anxuyen.get(URL, {"limit": 1}).json()["items"][0]
    assert item["applicant_name"] == "Nguyễn Văn An"
    personal = {"applicant", "id_number", "phone", "email", "address", "birth_date", "history"}
    assert not personal & set(item)
    assert not PersonalDataAccess.objects.exists()  # lists carry no personal data: not audited


def test_overdue_filter(as_user):
    from datetime import timedelta

    from django.utils import timezone

    code = _post(as_user("tiepnhan.anxuyen"), _body()).json()["code"]
    Dossier.objects.filter(code=code).update(due_at=timezone.now() - timedelta(hours=1))
    body = as_user("lanhdao.anxuyen").get(URL, {"overdue": "true"}).json()
    assert [i["code"] for i in body["items"]] == [code] and body["items"][0]["overdue"] is True


def test_list_query_count_does_not_grow_with_the_page(as_user, django_assert_max_num_queries):
    officer = as_user("tiepnhan.anxuyen")
    for i in range(12):
        assert _post(officer, _body(commune="32248" if i % 2 else None)).status_code == 201
    leader = as_user("lanhdao.tinh")
    leader.get(URL, {"limit": 1})  # the token's last-use stamp is written once a minute
    # token lookup + count + page
    with django_assert_max_num_queries(3):
        small = leader.get(URL, {"limit": 1})
    with django_assert_max_num_queries(3):
        large = leader.get(URL, {"limit": 100})
    assert small.json()["count"] == large.json()["count"] == 12
    assert len(large.json()["items"]) == 12


# --- actions -------------------------------------------------------------------------------


def _act(client, code, action, key=None, **body):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"{URL}/{code}/actions/{action}", body, content_type="application/json", headers=headers
    )


def test_actions_through_the_lifecycle(as_user):
    officer = as_user("tiepnhan.anxuyen")
    specialist, leader = as_user("chuyenvien.anxuyen"), as_user("lanhdao.anxuyen")
    code = _post(officer, _body()).json()["code"]

    forwarded = _act(officer, code, "forward", expected_version=1)
    assert forwarded.status_code == 200, forwarded.content
    out = forwarded.json()
    assert out["action"]["action"] == "forward" and out["action"]["actor"] == "tiepnhan.anxuyen"
    assert out["action"]["unit"] == _centre("32002").ident_code
    assert out["dossier"]["status"] == "processing" and out["dossier"]["version"] == 2

    assert_error(
        _act(leader, code, "forward", expected_version=1), 409, code="version_conflict", field="version"
    )
    assert_error(_act(specialist, code, "return_result"), 409, code="transition_not_allowed", field="status")
    assert_error(_act(specialist, code, "approve"), 403, code="role_not_allowed")
    assert_error(_act(leader, code, "stop"), 422, code="reason_required", field="reason")
    assert_error(_act(leader, code, "teleport"), 404, code="unknown_action", field="action")
    assert_error(_act(leader, code, "forward", payload={"assignee_id": 10**9}), 422, field="assignee_id")
    assert_error(_act(leader, code, "forward", expected_version=0), 422, field="expected_version")
    assert_error(_act(as_user("lanhdao.datmui"), code, "approve"), 404, code="dossier_not_found")
    assert_error(_act(as_user("citizen.one"), code, "stop", reason="Tôi rút"), 404)

    approved = _act(leader, code, "approve", key="approve-1", reason="Đủ điều kiện")
    again = _act(leader, code, "approve", key="approve-1", reason="Đủ điều kiện")
    assert approved.status_code == again.status_code == 200
    assert again.json()["action"] == approved.json()["action"]
    assert again.json()["dossier"]["version"] == 3
    assert_error(_act(leader, code, "resolve", key="approve-1"), 422, code="idempotency_key_reused")

    assert _act(specialist, code, "resolve").json()["dossier"]["status"] == "resolved"
    returned = _act(officer, code, "return_result", payload={"e_result": True})
    assert returned.json()["dossier"]["status"] == "returned"
    assert returned.json()["allowed_actions"] == []
    history = officer.get(f"{URL}/{code}").json()["history"]
    assert [h["action"] for h in history] == ["receive", "forward", "approve", "resolve", "return_result"]
    assert DossierAction.objects.filter(dossier__code=code).count() == 5


def test_applicant_actions_on_their_own_dossier_only(as_user):
    citizen = as_user("citizen.one")
    ref = _post(citizen, _body(channel="online", commune="32002")).json()["reference"]
    assert_error(_act(citizen, ref, "receive"), 403, code="role_not_allowed")
    assert_error(_act(as_user("citizen.two"), ref, "withdraw"), 404)
    withdrawn = _act(citizen, ref, "withdraw")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["action"]["actor_role"] == "applicant"
    assert withdrawn.json()["dossier"]["status"] == "withdrawn"


def test_online_dossier_received_by_the_centre_gets_a_code(as_user):
    ref = _post(as_user("citizen.one"), _body(channel="online", commune="32002")).json()["reference"]
    received = _act(as_user("tiepnhan.anxuyen"), ref, "receive")
    assert received.status_code == 200, received.content
    code = received.json()["dossier"]["code"]
    assert code.startswith(_pc("32002").ident_code + "-")
    # The applicant follows it by its new code.
    assert as_user("citizen.one").get(f"{URL}/{code}").json()["status"] == "received"


def test_action_body_may_be_empty_and_malformed_bodies_are_422(as_user):
    officer = as_user("tiepnhan.anxuyen")
    code = _post(officer, _body()).json()["code"]
    for body in ("{", '{"payload": 3}', '{"expected_version": "x"}', '{"reason": "\\u0000"}'):
        response = officer.post(f"{URL}/{code}/actions/forward", body, content_type="application/json")
        assert response.status_code in (400, 422), (body, response.content)
    response = officer.post(f"{URL}/{code}/actions/forward", "{}", content_type="application/json")
    assert response.status_code == 200, response.content


def test_detail_query_count_does_not_grow_with_the_history(as_user, django_assert_max_num_queries):
    officer = as_user("tiepnhan.anxuyen")
    code = _post(officer, _body()).json()["code"]
    leader = as_user("lanhdao.anxuyen")
    leader.get(f"{URL}/{code}")  # the token's last-use stamp is written once a minute
    # token, dossier, audit row, components, history, roles
    with django_assert_max_num_queries(6):
        short = leader.get(f"{URL}/{code}")
    for _ in range(2):
        _act(leader, code, "forward")
    with django_assert_max_num_queries(6):
        long = leader.get(f"{URL}/{code}")
    assert len(long.json()["history"]) == len(short.json()["history"]) + 2 == 3


MALFORMED_BODIES = [
    "{",
    "[]",
    "null",
    '{"applicant": 3}',
    '{"procedure": "1.001193\\u0000", "channel": "direct", "applicant": {"name": "A"}}',
    '{"procedure": "1.001193", "channel": "direct", "case": 1e30, "applicant": {"name": "A"}}',
    '{"procedure": "1.001193", "channel": "direct", "applicant": {"name": "A", "birth_date": "0000-00-00"}}',
    '{"procedure": "1.001193", "channel": "direct", "applicant": {"name": "A"}, "components": [{"order": "x"}]}',
    '{"procedure": "1.001193", "channel": "direct", "applicant": {"name": "A"}, "payload": "x"}',
    '{"procedure": "1.001193", "channel": "direct", "applicant": {"name": "A"}, "receiving_unit": "99999999999999999999"}',
    '{"procedure": "1.001193", "channel": "online", "applicant": {"name": "A"}, "commune": "%s"}'
    % ("9" * 10),
]


@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_malformed_creation_bodies_are_4xx_json(as_user, body):
    response = as_user("tiepnhan.anxuyen").post(URL, body, content_type="application/json")
    assert 400 <= response.status_code < 500, (body, response.content)
    assert set(response.json()) == {"code", "message", "message_vi", "field"}
    assert not Dossier.objects.exists()
