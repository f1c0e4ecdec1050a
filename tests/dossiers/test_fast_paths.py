"""The benchmark's fast paths (docs/benchmarks.md): the reception's rules read in one statement
and cached by value, the look-up by code compiled once, and idempotency keys scoped per actor."""

import os
import subprocess
import sys
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import WorkflowStep
from motcua.dossiers.models import Dossier, DossierAction
from motcua.dossiers.selectors import dossier_by_code
from motcua.dossiers.services import (
    creation_by_key,
    dossier_perform,
    dossier_receive,
    dossier_submit_online,
    reception_rules,
)
from motcua.org.models import StaffAssignment
from motcua.worktime.models import CalendarEntry, WorkingHoursProfile

from .factories import MONDAY, VN, ProcedureCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

APPLICANT = {"applicant_type": "citizen", "name": "Lê Văn C", "phone": "0912345678"}


@pytest.fixture
def receive(case, one_stop, resolver, officer):
    def _receive(when=MONDAY, actor=officer, **kwargs):
        return dossier_receive(
            case=case,
            channel="direct",
            receiving_unit=one_stop,
            resolving_agency=resolver,
            applicant=kwargs.pop("applicant", APPLICANT),
            actor=actor,
            roles=["receiving_officer"],
            received_at=when,
            **kwargs,
        )

    return _receive


# --- reception rules: calendar, default working hours, first workflow step --------------------


def test_the_rules_are_one_statement_and_the_built_objects_are_reused(case):
    first = reception_rules(case)
    with CaptureQueriesContext(connection) as queries:
        again = reception_rules(case)
    assert len(queries) == 1
    assert again.calendar is first.calendar and again.default_hours is first.default_hours
    assert again.first_step == (Decimal("0.5"), "working_days")
    assert reception_rules(None).first_step is None


def test_an_edit_of_the_default_working_hours_applies_to_the_next_reception(receive):
    before = receive()
    assert before.hours_windows["windows"] == [["07:00", "11:30"], ["13:30", "17:00"]]
    # Through the queryset: no signal is sent, the value check still sees it.
    WorkingHoursProfile.objects.filter(is_default=True).update(
        morning_start=time(7, 30), afternoon_end=time(16, 30)
    )
    after = receive()
    assert after.hours_windows["windows"] == [["07:30", "11:30"], ["13:30", "16:30"]]
    profile = WorkingHoursProfile.objects.get(is_default=True)
    profile.is_default = False
    profile.save()
    WorkingHoursProfile.objects.create(name="Một buổi", morning_start=time(8), morning_end=time(12),
                                       afternoon_start=None, afternoon_end=None, is_default=True)  # fmt: skip
    single = receive()
    assert (single.hours_profile, single.hours_windows["windows"]) == ("Một buổi", [["08:00", "12:00"]])
    WorkingHoursProfile.objects.all().delete()
    assert receive().hours_profile == "built-in"


def test_a_rolled_back_edit_of_the_working_hours_is_not_kept(receive):
    receive()
    with pytest.raises(RuntimeError), transaction.atomic():
        WorkingHoursProfile.objects.filter(is_default=True).update(morning_start=time(6))
        assert receive().hours_windows["windows"][0] == ["06:00", "11:30"]
        raise RuntimeError
    assert receive().hours_windows["windows"][0] == ["07:00", "11:30"]


def test_an_edit_of_the_workflow_applies_to_the_next_reception(receive, case):
    assert receive().step_due_at == datetime(2026, 3, 2, 15, 0, tzinfo=VN)  # Mon 09:00 + 4 working hours
    WorkflowStep.objects.filter(case=case, order=1).update(budget_value=Decimal("1"))
    assert receive().step_due_at == datetime(2026, 3, 3, 9, 0, tzinfo=VN)
    step = WorkflowStep.objects.get(case=case, order=1)
    step.budget_value, step.budget_unit = Decimal("2"), "working_hours"
    step.save()
    assert receive().step_due_at == datetime(2026, 3, 2, 11, 0, tzinfo=VN)
    WorkflowStep.objects.filter(case=case).delete()
    assert receive().step_due_at is None


def test_a_new_calendar_entry_applies_to_the_next_reception(receive):
    assert receive().due_at == datetime(2026, 3, 5, 9, 0, tzinfo=VN)
    CalendarEntry.objects.create(date=date(2026, 3, 3), kind="day_off", name="Nghỉ bão")
    assert receive().due_at == datetime(2026, 3, 6, 9, 0, tzinfo=VN)


def test_components_given_by_id_are_read_in_one_query_and_must_be_the_case_s(receive, case):
    from motcua.catalog.models import Component

    a = Component.objects.create(case=case, order=1, name="Tờ khai")
    b = Component.objects.create(case=case, order=2, name="Bản sao CCCD")
    d = receive(components=[{"component": a.pk, "originals": 1}, {"component": str(b.pk), "copies": 1}])
    assert [(c.component_id, c.name) for c in d.components.order_by("id")] == [
        (a.pk, "Tờ khai"),
        (b.pk, "Bản sao CCCD"),
    ]
    other = Component.objects.create(case=ProcedureCaseFactory(), order=1, name="Khác")
    with pytest.raises(Component.DoesNotExist):
        receive(components=[{"component": other.pk}])


def test_model_validation_still_checks_what_the_caller_wrote(receive):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        receive(applicant={**APPLICANT, "email": "không-phải-email"})
    assert "email" in err.value.message_dict
    with pytest.raises(ValidationError):
        receive(applicant={**APPLICANT, "name": "x" * 251})
    with pytest.raises(ValidationError):
        receive(proxy={"name": "Người ủy quyền", "phone": "0" * 31})
    assert not Dossier.objects.exists()


# --- look-up by code ---------------------------------------------------------------------------


def test_look_up_by_code_is_one_query_and_loads_what_the_orm_loads(receive):
    d = receive()
    with CaptureQueriesContext(connection) as queries:
        found = dossier_by_code(d.code)
    assert len(queries) == 1 and "ORDER BY" not in queries[0]["sql"] and " OR " not in queries[0]["sql"]
    expected = Dossier.objects.get(pk=d.pk)
    for f in Dossier._meta.concrete_fields:
        assert getattr(found, f.attname) == getattr(expected, f.attname), f.name
    related = (
        expected.procedure_version.procedure.code,
        expected.case.name,
        expected.receiving_unit.ident_code,
        expected.resolving_agency.ident_code,
    )
    with CaptureQueriesContext(connection) as queries:
        assert related == (
            found.procedure_version.procedure.code,
            found.case.name,
            found.receiving_unit.ident_code,
            found.resolving_agency.ident_code,
        )
    assert len(queries) == 0
    # A long text left in the database is still there when asked for (one query).
    assert found.procedure_version.legal_basis == expected.procedure_version.legal_basis
    assert dossier_by_code(d.code + "9") is None


def test_look_up_by_temporary_reference_only_before_reception(case, one_stop, resolver, officer):
    d = dossier_submit_online(
        case=case, receiving_unit=one_stop, resolving_agency=resolver, applicant=APPLICANT
    )
    assert d.temp_reference.startswith("TMP-") and dossier_by_code(d.temp_reference).pk == d.pk
    dossier_perform(dossier=d, action="receive", actor=officer, roles=["receiving_officer"], now=MONDAY)
    d.refresh_from_db()
    assert dossier_by_code(d.temp_reference) is None
    assert dossier_by_code(d.code).pk == d.pk


def test_look_up_keeps_the_visibility_rule(receive, one_stop):
    d = receive()
    stranger, staff = UserFactory(username="stranger"), UserFactory(username="staff")
    StaffAssignment.objects.create(user=staff, agency=one_stop, role="receiving_officer")
    with CaptureQueriesContext(connection) as queries:
        assert dossier_by_code(d.code, user=stranger) is None
    assert len(queries) == 1
    assert dossier_by_code(d.code, user=staff).pk == d.pk
    d2 = receive(applicant={**APPLICANT, "user": stranger})
    assert dossier_by_code(d2.code, user=stranger).pk == d2.pk  # an applicant's own dossier
    from django.contrib.auth.models import AnonymousUser

    assert dossier_by_code(d.code, user=AnonymousUser()) is None


# --- idempotency keys belong to their actor -----------------------------------------------------


def test_two_actors_with_the_same_creation_key_get_their_own_dossiers(receive, officer):
    other = UserFactory(username="officer2")
    mine = receive(idempotency_key="k-1")
    theirs = receive(actor=other, idempotency_key="k-1", applicant={**APPLICANT, "name": "Người khác"})
    assert mine.pk != theirs.pk and theirs.applicant_name == "Người khác"
    assert receive(idempotency_key="k-1").pk == mine.pk  # a retry still returns the first
    assert creation_by_key("k-1", officer).dossier_id == mine.pk
    assert creation_by_key("k-1", other).dossier_id == theirs.pk
    assert creation_by_key("k-1") is None


def test_online_submissions_without_an_actor_share_one_scope(case, one_stop, resolver):
    first = dossier_submit_online(
        case=case,
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        idempotency_key="w-1",
    )
    again = dossier_submit_online(
        case=case,
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        idempotency_key="w-1",
    )
    assert again.pk == first.pk and creation_by_key("w-1").dossier_id == first.pk


def test_an_action_key_is_scoped_to_its_actor(receive, officer):
    d = receive()
    other = UserFactory(username="officer2")
    first = dossier_perform(
        dossier=d, action="forward", actor=officer, roles=["receiving_officer"], idempotency_key="a-1",
        payload={"assignee_id": None}, now=datetime(2026, 3, 2, 10, tzinfo=VN),
    )  # fmt: skip
    retry = dossier_perform(
        dossier=d, action="forward", actor=officer, roles=["receiving_officer"], idempotency_key="a-1",
        now=datetime(2026, 3, 2, 11, tzinfo=VN),
    )  # fmt: skip
    assert retry.pk == first.pk
    # Another actor's "a-1" is a request of its own: it is performed, not answered with the first.
    theirs = dossier_perform(
        dossier=d, action="forward", actor=other, roles=["specialist"], idempotency_key="a-1",
        now=datetime(2026, 3, 2, 14, tzinfo=VN),
    )  # fmt: skip
    assert theirs.pk != first.pk and theirs.actor_id == other.pk
    d.refresh_from_db()
    assert d.current_step == 3


def test_the_database_enforces_one_key_per_actor(receive, officer):
    d = receive()
    other = UserFactory(username="officer2")
    row = {
        "dossier": d,
        "action": "consult",
        "actor_role": "specialist",
        "at": MONDAY,
        "to_status": "consulting",
    }
    DossierAction.objects.create(**row, actor=officer, idempotency_key="db-1")
    DossierAction.objects.create(**row, actor=other, idempotency_key="db-1")
    DossierAction.objects.create(**row, actor=None, idempotency_key="db-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierAction.objects.create(**row, actor=officer, idempotency_key="db-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierAction.objects.create(**row, actor=None, idempotency_key="db-1")


# --- the PostgreSQL prepared-statement option ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "threshold", "expected", "max_age"),
    [
        ("postgres://u@127.0.0.1:5432/x", "auto", {"server_side_binding": True, "prepare_threshold": 5}, 60),
        ("postgres://u@127.0.0.1:5432/x", "5", {"server_side_binding": True, "prepare_threshold": 5}, 60),
        ("postgres://u@127.0.0.1:5432/x", "0", {}, 60),
        ("sqlite:////tmp/x.sqlite3", "auto", None, 0),
        ("sqlite:////tmp/x.sqlite3", "5", None, 0),
    ],
)
def test_prepare_threshold_setting(url, threshold, expected, max_age):
    """PostgreSQL prepares repeated statements and keeps connections by default (auto)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings'; "
        "from django.conf import settings; d = settings.DATABASES['default']; o = d.get('OPTIONS', {}); "
        "print(({k: o[k] for k in ('server_side_binding', 'prepare_threshold') if k in o} "
        "if 'postgresql' in d['ENGINE'] else None), d['CONN_MAX_AGE'])"
    )
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_DB_PREPARE_THRESHOLD": threshold}
    env.pop("MOTCUA_DB_CONN_MAX_AGE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{expected!r} {max_age}"


def test_history_list_is_the_history_in_one_query(receive, officer):
    from motcua.dossiers.selectors import dossier_history, dossier_history_list

    d = receive()
    dossier_perform(
        dossier=d,
        action="forward",
        actor=officer,
        roles=["receiving_officer"],
        now=datetime(2026, 3, 2, 10, tzinfo=VN),
    )
    expected = list(dossier_history(d))
    with CaptureQueriesContext(connection) as queries:
        found = dossier_history_list(d)
        shown = [
            (a.action, a.at, a.actor.username if a.actor_id else None, a.unit_id, a.payload) for a in found
        ]
    assert len(queries) == 1
    assert [a.pk for a in found] == [a.pk for a in expected] and len(found) == 2
    assert shown == [
        (a.action, a.at, a.actor.username if a.actor_id else None, a.unit_id, a.payload) for a in expected
    ]
    assert dossier_history_list(Dossier(pk=0)) == []


def _same_instance(a, b) -> None:
    assert type(a) is type(b)
    assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")
    assert a.get_deferred_fields() == b.get_deferred_fields()
    for f in type(a)._meta.concrete_fields:
        if f.attname not in a.get_deferred_fields():
            assert getattr(a, f.attname) == getattr(b, f.attname), f.name


def test_the_fast_instance_builder_gives_what_from_db_gives(receive, officer):
    from django.db.models.signals import post_init

    from motcua.dossiers.selectors import _LOOKUP_DEFERRED, InstanceBuilder, dossier_history_list

    d = receive()
    found = dossier_by_code(d.code)
    assert type(found).__init__ is Dossier.__init__ and InstanceBuilder(Dossier, ["id"], "default").fast
    reference = (
        Dossier.objects.select_related(
            "receiving_unit", "resolving_agency", "case", "procedure_version__procedure", "address_unit"
        )
        .defer(*_LOOKUP_DEFERRED)
        .get(pk=d.pk)
    )
    _same_instance(found, reference)
    for name in ("receiving_unit", "resolving_agency", "case", "procedure_version"):
        _same_instance(getattr(found, name), getattr(reference, name))
    _same_instance(found.procedure_version.procedure, reference.procedure_version.procedure)
    # A model built this way saves, refreshes and compares like any other.
    found.address = "Số 1 đường Lê Lợi"
    found.save(update_fields=["address"])
    assert Dossier.objects.get(pk=d.pk).address == "Số 1 đường Lê Lợi"
    found.refresh_from_db()
    assert found == reference and hash(found) == hash(reference)
    [action] = dossier_history_list(found)
    _same_instance(action, DossierAction.objects.get(dossier=d))
    assert action.actor == officer

    # A post_init listener must see every instance: the builder then goes through from_db.
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Dossier)
    try:
        again = dossier_by_code(d.code)
    finally:
        post_init.disconnect(listener, sender=Dossier)
    assert seen == [again]


def test_first_resolving_agency_is_the_first_candidate_in_every_shape(db):
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import resolving_agency_candidates
    from motcua.dossiers.selectors import first_resolving_agency
    from motcua.org.models import AdministrativeUnit, Agency

    from .factories import AgencyFactory, ProcedureVersionFactory

    province = AdministrativeUnit.objects.create(code="96", name="Tỉnh Cà Mau", level=1)
    communes = [
        AdministrativeUnit.objects.create(code=f"3200{i}", name=f"Xã {i}", level=3, parent=province)
        for i in range(3)
    ]
    for i, unit in enumerate(communes[:2]):
        AgencyFactory(ident_code=f"000.00.{40 + i}.H12", kind=Agency.Kind.PEOPLES_COMMITTEE, admin_unit=unit)
        AgencyFactory(
            ident_code=f"000.00.{50 + i}.H12",
            kind=Agency.Kind.VERTICAL,
            name=f"Công an xã {i}",
            admin_unit=unit,
        )
    named = [AgencyFactory(ident_code=code) for code in ("000.00.20.H12", "000.00.11.H12")]
    pc = ProcedureVersionFactory(competent_at_commune=True)
    police = ProcedureVersionFactory(
        competent_at_commune=True, competent_agency_kind=ProcedureVersion.CompetentKind.POLICE
    )
    listed = ProcedureVersionFactory(competent_at_commune=False)
    listed.agencies.set(named)
    empty = ProcedureVersionFactory(competent_at_commune=False)
    seen = set()
    for version in (pc, police, listed, empty):
        for unit in (None, *communes):
            expected = resolving_agency_candidates(version, admin_unit=unit).first()
            assert first_resolving_agency(version, unit) == expected, (version, unit)
            assert first_resolving_agency(version, getattr(unit, "pk", None)) == expected
            seen.add(expected)
    assert {a.ident_code for a in seen if a} >= {
        "000.00.40.H12",
        "000.00.41.H12",
        "000.00.50.H12",
        "000.00.11.H12",
    }
    assert None in seen  # the commune without agencies, the version without any


def test_the_look_up_without_query_logging_reads_the_same(receive, officer):
    """Without CaptureQueriesContext or DEBUG, the compiled look-up runs on the driver's cursor;
    it must give what the logged path (Django's cursor wrapper) gives, and wrap errors alike."""
    from django.db import DatabaseError

    from motcua.dossiers.selectors import CompiledLookup, dossier_history_list

    d = receive()
    assert not connection.queries_logged
    quiet, quiet_history = dossier_by_code(d.code), dossier_history_list(d)
    with CaptureQueriesContext(connection) as queries:
        logged, logged_history = dossier_by_code(d.code), dossier_history_list(d)
    assert len(queries) == 2
    _same_instance(quiet, logged)
    for a, b in zip(quiet_history, logged_history, strict=True):
        _same_instance(a, b)
        assert a.actor == b.actor and a.unit == b.unit
    assert dossier_by_code("KHONG-CO") is None
    broken = CompiledLookup(Dossier.objects.filter(code="dossier-code-placeholder-5b0c9e"), binds={"code"})
    broken.sql = broken.sql.replace("dossiers_dossier", "no_such_table", 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        broken.get(code="x")
