import pytest

from motcua.catalog.demo import catalog_load_demo
from motcua.catalog.models import (
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    WorkflowStep,
    workflow_budget_error,
)
from motcua.catalog.selectors import cut_statistics, resolving_agency_candidates, search_procedures
from motcua.org.models import AdministrativeUnit, Agency

pytestmark = pytest.mark.django_db


def test_demo_loads_real_procedures_once():
    result = catalog_load_demo()
    assert result.warnings  # no org demo here: agency links are skipped, not fatal
    versions = ProcedureVersion.objects.filter(valid_to__isnull=True)
    assert versions.count() >= 40
    assert versions.values("field").distinct().count() >= 5
    assert set(versions.values_list("level", flat=True)) == {"province", "commune"}
    assert not ProcedureCase.objects.filter(legal_direct_value__isnull=True).exists()
    for case in ProcedureCase.objects.prefetch_related("workflow_steps"):
        assert case.workflow_steps.count() == 4
        assert workflow_budget_error(list(case.workflow_steps.all()), case) is None
    counts = (Procedure.objects.count(), ProcedureCase.objects.count(), WorkflowStep.objects.count())
    again = catalog_load_demo()
    assert again.created == {}
    assert (Procedure.objects.count(), ProcedureCase.objects.count(), WorkflowStep.objects.count()) == counts


def test_demo_limits_and_cuts_follow_the_documented_rules():
    catalog_load_demo()
    khai_sinh = ProcedureCase.objects.get(version__procedure__code="1.001193")
    assert khai_sinh.legal_direct_unit == "same_day" and khai_sinh.applied_direct_value is None
    chung_thuc = ProcedureCase.objects.get(version__procedure__code="2.000815")
    assert chung_thuc.legal_direct_unit == "same_day"
    stats = cut_statistics()
    assert stats["cut"] >= stats["procedures"] // 2
    assert stats["cut_20_80"] >= stats["cut"] // 2
    assert search_procedures("dang ky khai sinh").filter(procedure__code="1.001193").exists()


def test_commune_procedures_resolve_to_the_commune_committee_or_police():
    commune = AdministrativeUnit.objects.create(code="32002", name="Phường An Xuyên", kind="ward", level=3)
    pc = Agency.objects.create(
        ident_code="000.01.01.H12", name="UBND phường An Xuyên", kind="peoples_committee", admin_unit=commune
    )
    police = Agency.objects.create(
        ident_code="000.02.01.H12", name="Công an phường An Xuyên", kind="vertical", admin_unit=commune
    )
    so_tu_phap = Agency.objects.create(
        ident_code="000.00.01.H12", name="Sở Tư pháp", short_name="Sở Tư pháp", kind="department"
    )
    catalog_load_demo()
    khai_sinh = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert list(resolving_agency_candidates(khai_sinh, admin_unit=commune)) == [pc]
    thuong_tru = ProcedureVersion.objects.get(procedure__code="1.004222")
    assert list(resolving_agency_candidates(thuong_tru, admin_unit=commune)) == [police]
    the_cong_chung = ProcedureVersion.objects.get(procedure__code="1.013859")
    assert list(resolving_agency_candidates(the_cong_chung)) == [so_tu_phap]
