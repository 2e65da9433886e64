import pytest
from django.core.exceptions import PermissionDenied

from onevisit.datahub.models import AccessRecord, DataRecord
from onevisit.datahub.services import (
    datahub_read,
    permission_grant,
    permission_revoke,
    prefill,
    resolve_material,
)
from onevisit.errors import DomainError
from onevisit.history.models import Event
from tests.datahub.conftest import bearer


@pytest.fixture
def granted(hub, departments):
    return permission_grant(
        actor=hub["chief"], department=departments["market"], resource=hub["resources"]["population"],
        fields=["name", "birth_date"],
    )


def test_granted_read_returns_only_permitted_fields_and_is_recorded(hub, granted, personas, departments):
    result = datahub_read(
        actor=personas["reviewer"], department=departments["market"], resource="population",
        identifier=hub["citizen"].id_number, fields=["name", "sex", "birth_date"], purpose_case_number="C-1",
    )
    assert result.found and result.data == {"name": "张三", "birth_date": "1980-01-01"}
    assert result.withheld == ["sex"]
    assert result.updated_at == DataRecord.objects.get(identifier=hub["citizen"].id_number).updated_at
    access = AccessRecord.objects.get(pk=result.access_id)
    assert access.granted and access.found and access.fields == ["name", "birth_date"]
    assert access.actor == personas["reviewer"] and access.department == departments["market"]
    assert access.purpose_case_number == "C-1" and access.identifier == hub["citizen"].id_number


def test_all_permitted_fields_when_none_requested(hub, granted, personas, departments):
    result = datahub_read(
        actor=personas["reviewer"], department=departments["market"], resource="population",
        identifier=hub["citizen"].id_number, purpose_item_code="330000-001",
    )
    assert set(result.data) == {"name", "birth_date"}


def test_department_without_permission_is_refused_and_the_refusal_recorded(hub, granted, personas, departments):
    with pytest.raises(DomainError) as exc:
        datahub_read(
            actor=personas["other_reviewer"], department=departments["tax"], resource="population",
            identifier=hub["citizen"].id_number, fields=["name"], purpose_case_number="C-2",
        )
    assert exc.value.status == 403 and "共享清单" in exc.value.message
    refusal = AccessRecord.objects.get(department=departments["tax"])
    assert not refusal.granted and refusal.identifier == hub["citizen"].id_number and "未获" in refusal.reason


def test_purpose_is_required_and_its_absence_recorded(hub, granted, personas, departments):
    with pytest.raises(DomainError) as exc:
        datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                     identifier=hub["citizen"].id_number)
    assert exc.value.status == 403 and "用途" in exc.value.message
    assert AccessRecord.objects.filter(granted=False, reason__contains="用途").count() == 1


def test_only_permitted_fields_requested_is_refused(hub, granted, personas, departments):
    with pytest.raises(DomainError):
        datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                     identifier=hub["citizen"].id_number, fields=["household_members"], purpose_case_number="C")
    assert AccessRecord.objects.get().granted is False


def test_permission_limited_to_items(hub, personas, departments):
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["population"],
                     fields=["name"], item_codes=["ITEM-A"])
    kwargs = {"actor": personas["reviewer"], "department": departments["market"], "resource": "population",
              "identifier": hub["citizen"].id_number}
    assert datahub_read(**kwargs, purpose_item_code="ITEM-A").data == {"name": "张三"}
    with pytest.raises(DomainError):
        datahub_read(**kwargs, purpose_item_code="ITEM-B")
    assert list(AccessRecord.objects.order_by("id").values_list("granted", flat=True)) == [True, False]


def test_staff_of_another_department_cannot_read_in_its_name(hub, granted, personas, departments):
    with pytest.raises(DomainError) as exc:
        datahub_read(actor=personas["other_reviewer"], department=departments["market"], resource="population",
                     identifier=hub["citizen"].id_number, purpose_case_number="C")
    assert "不属于" in exc.value.message
    assert AccessRecord.objects.get().granted is False


def test_unknown_person_is_a_granted_read_that_found_nothing(hub, granted, personas, departments):
    result = datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                          identifier=hub["stranger_id"], purpose_case_number="C")
    assert not result.found and result.data is None
    assert AccessRecord.objects.get().found is False


def test_revoked_permission_refuses_the_next_read(hub, granted, personas, departments):
    pk = granted.pk
    permission_revoke(actor=hub["chief"], permission=granted, reason="事项已取消")
    with pytest.raises(DomainError):
        datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                     identifier=hub["citizen"].id_number, purpose_case_number="C")
    events = Event.objects.filter(object_type="datahub.sharingpermission", object_id=str(pk)).order_by("seq")
    assert [e.action for e in events] == ["granted", "revoked"]


def test_only_data_admins_grant(hub, personas, departments):
    with pytest.raises(PermissionDenied):
        permission_grant(actor=personas["reviewer"], department=departments["market"],
                         resource=hub["resources"]["population"], fields=["name"])
    with pytest.raises(PermissionDenied):  # another department's data admin
        permission_grant(actor=hub["market_data_admin"], department=departments["market"],
                         resource=hub["resources"]["population"], fields=["name"])


def test_many_entries_are_filtered_per_entry(hub, personas, departments):
    records_owner = hub["citizen"].id_number
    from onevisit.datahub.services import records_upsert

    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["real_estate"], records=[
        {"identifier": records_owner, "data": {"items": [
            {"certificate_number": "浙(2020)丽水市不动产权第0000001号", "owner_id_number": records_owner,
             "address": "紫金路1号", "area": "89.5", "right_type": "国有建设用地使用权/房屋所有权"},
            {"certificate_number": "浙(2021)丽水市不动产权第0000002号", "owner_id_number": records_owner,
             "address": "中山街2号", "area": "60"},
        ]}},
    ])
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["real_estate"],
                     fields=["certificate_number", "address"])
    result = datahub_read(actor=personas["reviewer"], department=departments["market"], resource="real_estate",
                          identifier=records_owner, purpose_case_number="C")
    assert result.data == {"items": [
        {"certificate_number": "浙(2020)丽水市不动产权第0000001号", "address": "紫金路1号"},
        {"certificate_number": "浙(2021)丽水市不动产权第0000002号", "address": "中山街2号"},
    ]}


def test_resolve_material_and_prefill(hub, granted, personas, departments):
    proof = resolve_material(actor=None, department=departments["market"], shared_data_key="population",
                             holder=hub["citizen"].id_number, purpose_case_number="C-9")
    assert proof.data["name"] == "张三" and "人口基础信息库" in proof.source and proof.fetched_at
    assert resolve_material(actor=None, department=departments["tax"], shared_data_key="population",
                            holder=hub["citizen"].id_number, purpose_case_number="C-9") is None
    assert resolve_material(actor=None, department=departments["market"], shared_data_key="population",
                            holder=hub["stranger_id"], purpose_case_number="C-9") is None
    values = prefill(actor=None, department=departments["market"], identifier=hub["citizen"].id_number,
                     prefill_keys=["population.name", "population.sex", "legal_entity.name"], purpose_item_code="X")
    assert values == {"population.name": "张三"}
    assert AccessRecord.objects.filter(granted=False).count() == 2  # tax's refusal, legal_entity refusal


def test_read_over_http_with_token(hub, granted, personas, departments, client):
    from onevisit.accounts.models import ApiToken

    _, token = ApiToken.issue(user=personas["reviewer"], name="审批系统")
    url = f"/api/v1/datahub/records/population/{hub['citizen'].id_number}"
    response = client.get(url, {"fields": "name,sex", "case_number": "C-1"}, **bearer(token))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == {"name": "张三"} and body["withheld"] == ["sex"]
    _, tax_token = ApiToken.issue(user=personas["other_reviewer"], name="税务系统")
    response = client.get(url, {"case_number": "C-1"}, **bearer(tax_token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert client.get(url, {"case_number": "C-1"}).status_code == 401
    assert client.get(url, {"case_number": "C-1"}, **bearer(token + "x")).status_code == 401
    ApiToken.objects.filter(user=personas["reviewer"]).update(revoked=True)
    assert client.get(url, {"case_number": "C-1"}, **bearer(token)).status_code == 401
    assert AccessRecord.objects.filter(granted=False, department=departments["tax"]).exists()


def test_read_path_query_count(hub, granted, personas, departments, django_assert_max_num_queries):
    reviewer = personas["reviewer"]
    reviewer._onevisit_roles = None
    with django_assert_max_num_queries(4):  # roles, permission, record, access insert
        datahub_read(actor=reviewer, department=departments["market"], resource="population",
                     identifier=hub["citizen"].id_number, purpose_case_number="C")
