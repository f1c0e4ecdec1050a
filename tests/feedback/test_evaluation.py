"""Evaluation of a finished dossier (Decree 61/2018 Art. 31): by its applicant only, once, after
the result; the paper-form variant by a receiving officer of the dossier's unit; the dossier's
``evaluated`` fact in the same transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.dossiers.models import Dossier
from motcua.feedback.models import Evaluation, EvaluationChannel
from motcua.feedback.services import FeedbackError, evaluation_record_paper, evaluation_submit

from .conftest import PASSWORD, SCORES, finish, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(world):
    return finish(receive(world, user=world["citizen"]))


def test_the_applicant_evaluates_a_returned_dossier_once(world, returned):
    evaluation = evaluation_submit(
        dossier=returned,
        user=world["citizen"],
        scores=SCORES,
        satisfied=False,
        comment="Phải đi lại nhiều lần.",
    )
    assert evaluation.channel == EvaluationChannel.ONLINE
    assert evaluation.total == 11  # 2+2+1+2+2+2, g and h not applicable
    assert evaluation.satisfied is False
    assert Dossier.objects.get(pk=returned.pk).evaluated is True

    with pytest.raises(FeedbackError) as second:
        evaluation_submit(dossier=returned, user=world["citizen"], scores=SCORES, satisfied=True)
    assert second.value.code == "already_evaluated"
    assert "chỉ được đánh giá một lần" in second.value.message_vi
    assert Evaluation.objects.count() == 1


def test_someone_else_cannot_evaluate_the_dossier(world, returned):
    with pytest.raises(FeedbackError) as refused:
        evaluation_submit(dossier=returned, user=world["other"], scores=SCORES, satisfied=True)
    assert refused.value.code == "not_applicant"
    assert not Evaluation.objects.exists()
    assert Dossier.objects.get(pk=returned.pk).evaluated is False


def test_a_dossier_in_progress_cannot_be_evaluated(world):
    d = receive(world, user=world["citizen"])
    with pytest.raises(FeedbackError) as refused:
        evaluation_submit(dossier=d, user=world["citizen"], scores=SCORES, satisfied=True)
    assert refused.value.code == "not_finished"
    # Result ready but not yet handed over counts as finished (end of processing).
    finish(d, until="resolve")
    evaluation_submit(dossier=d, user=world["citizen"], scores=SCORES, satisfied=True)
    assert Dossier.objects.get(pk=d.pk).evaluated is True


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"time_score": None}, "score_required", "time_score"),
        ({"conduct_score": 3}, "score_invalid", "conduct_score"),
        ({"conduct_score": True}, "score_invalid", "conduct_score"),
        ({"bogus": 1}, "payload_invalid", "bogus"),
    ],
)
def test_scores_are_2_1_or_0_and_required_criteria_are_answered(world, returned, change, code, field):
    with pytest.raises(FeedbackError) as refused:
        evaluation_submit(
            dossier=returned, user=world["citizen"], scores={**SCORES, **change}, satisfied=True
        )
    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_fact_is_written_in_the_same_transaction(world, returned):
    with pytest.raises(RuntimeError), transaction.atomic():
        evaluation_submit(dossier=returned, user=world["citizen"], scores=SCORES, satisfied=True)
        raise RuntimeError("rolled back")
    assert not Evaluation.objects.exists()
    assert Dossier.objects.get(pk=returned.pk).evaluated is False


def test_a_receiving_officer_records_a_paper_form_of_their_unit_only(world, returned):
    with pytest.raises(FeedbackError) as refused:
        evaluation_record_paper(dossier=returned, officer=world["rec_b"], scores=SCORES, satisfied=True)
    assert refused.value.code == "not_authorized"
    with pytest.raises(FeedbackError):  # a specialist of the commune is not the counter
        evaluation_record_paper(dossier=returned, officer=world["spec_a"], scores=SCORES, satisfied=True)

    evaluation = evaluation_record_paper(
        dossier=returned, officer=world["rec_a"], scores=SCORES, satisfied=True
    )
    assert (evaluation.channel, evaluation.recorded_by, evaluation.evaluator) == (
        EvaluationChannel.PAPER,
        world["rec_a"],
        None,
    )
    assert Dossier.objects.get(pk=returned.pk).evaluated is True
    # The applicant's online attempt afterwards is the second one.
    with pytest.raises(FeedbackError) as second:
        evaluation_submit(dossier=returned, user=world["citizen"], scores=SCORES, satisfied=True)
    assert second.value.code == "already_evaluated"


# --- the portal page -----------------------------------------------------------------------


def _post_data(**overrides):
    data = {k: ("na" if v is None else str(v)) for k, v in SCORES.items()}
    data.update(satisfied="1", comment="Cán bộ hướng dẫn tận tình.")
    data.update(overrides)
    return data


def test_the_page_needs_a_sign_in(client, returned):
    response = client.get(f"/danh-gia/{returned.code}/")
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_another_citizen_gets_not_found(client, world, returned):
    client.force_login(world["other"])
    assert client.get(f"/danh-gia/{returned.code}/").status_code == 404
    assert client.post(f"/danh-gia/{returned.code}/", _post_data()).status_code == 404
    assert not Evaluation.objects.exists()


def test_the_applicant_evaluates_through_the_page(client, world, returned):
    client.force_login(world["citizen"])
    page = client.get(f"/danh-gia/{returned.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "<fieldset" in html and "<legend>a) Thời gian trả kết quả so với thời hạn quy định</legend>" in html
    )
    assert 'type="radio"' in html

    incomplete = client.post(f"/danh-gia/{returned.code}/", _post_data(time_score="", satisfied=""))
    text = incomplete.content.decode()
    assert incomplete.status_code == 400
    assert "Vui lòng kiểm tra lại" in text and 'href="#f-time_score"' in text
    assert "Chọn hài lòng hoặc không hài lòng." in text

    done = client.post(f"/danh-gia/{returned.code}/", _post_data())
    assert done.status_code == 302
    thanks = client.get(done["Location"]).content.decode()
    assert "Cảm ơn ông/bà đã đánh giá." in thanks
    assert Evaluation.objects.get().comment == "Cán bộ hướng dẫn tận tình."

    again = client.post(f"/danh-gia/{returned.code}/", _post_data(satisfied="0"))
    assert again.status_code == 409
    assert "Mỗi hồ sơ chỉ được đánh giá một lần." in again.content.decode()
    assert Evaluation.objects.get().satisfied is True


def test_the_public_lookup_links_a_finished_dossier_to_the_evaluation(client, world, returned):
    page = client.post("/tra-cuu/", {"ma": returned.code, "bi_mat": returned.lookup_secret})
    assert f'href="/danh-gia/{returned.code}/"' in page.content.decode()
    open_dossier = receive(world, user=world["citizen"])
    page = client.post("/tra-cuu/", {"ma": open_dossier.code, "bi_mat": open_dossier.lookup_secret})
    assert "/danh-gia/" not in page.content.decode()


def test_the_counter_page_records_a_paper_form(client, world, returned):
    client.force_login(world["rec_b"])
    assert client.get(f"/can-bo/danh-gia-giay/?ma={returned.code}").status_code == 404
    client.force_login(world["rec_a"])
    page = client.get(f"/can-bo/danh-gia-giay/?ma={returned.code}")
    assert page.status_code == 200 and "Ghi nhận đánh giá" in page.content.decode()
    response = client.post("/can-bo/danh-gia-giay/", {"ma": returned.code, **_post_data()})
    assert response.status_code == 302
    assert Evaluation.objects.get().channel == EvaluationChannel.PAPER
    assert PASSWORD  # the officers signed in with force_login; the constant is shared with e2e


def test_the_indicator_facts_the_dossier_has_are_written(world, returned):
    """``evaluated`` always; ``satisfied`` and ``petition`` where the Dossier model has them."""
    from motcua.feedback.services import petition_submit

    names = {f.name for f in Dossier._meta.concrete_fields}
    evaluation_submit(dossier=returned, user=world["citizen"], scores=SCORES, satisfied=False)
    petition_submit(
        category="handling",
        content="Kết quả có sai sót về họ tên.",
        idempotency_key="fact",
        user=world["citizen"],
        dossier_code=returned.code,
    )
    d = Dossier.objects.get(pk=returned.pk)
    assert d.evaluated is True
    if "satisfied" in names:
        assert d.satisfied is False
    if "petition" in names:
        assert d.petition is True
