"""一证通办: proofs fetched and the form prefilled when a case is created, for clerks and for the form."""

from onevisit.cases.models import Case, CaseMaterial
from onevisit.datahub.models import AccessRecord, CasePrefill, FetchedProof
from onevisit.datahub.services import records_upsert
from tests.datahub.conftest import ONECARD_CODE, json_post


def _submit(client, user, **form):
    client.force_login(user)
    return json_post(client, "/cases", {
        "item_code": ONECARD_CODE, "channel": "online", "form": form,
        "applicant": {"kind": "person", "name": user.real_name, "id_number": user.id_number},
    })


def test_case_creation_fetches_proofs_and_prefills_the_form(client, hub, onecard_item):
    citizen = hub["citizen"]
    response = _submit(client, citizen)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["form"]["applicant_name"] == "张三" and body["form"]["birth_date"] == "1980-01-01"
    assert body["form"]["address"] == "丽水市莲都区紫金路1号"  # population.address is the household address
    provisions = {m["key"]: m["provision"] for m in body["materials"]}
    assert provisions == {"id_card": "shared_data", "death_check": "missing", "application": "missing"}
    case = Case.objects.get(number=body["number"])
    proof = FetchedProof.objects.get(case=case)
    assert proof.material_key == "id_card" and proof.snapshot["name"] == "张三" and "人口" in proof.source
    access = AccessRecord.objects.get(pk=proof.access_id)
    assert access.granted and access.purpose_case_number == case.number and access.identifier == citizen.id_number
    marks = CasePrefill.objects.get(case=case).fields
    assert set(marks) == {"applicant_name", "sex", "birth_date", "address"}
    assert marks["birth_date"]["prefill_key"] == "population.birth_date" and marks["birth_date"]["source"]
    assert CaseMaterial.objects.get(case=case, key="id_card").supplied_at is not None


def test_typed_values_are_not_overwritten(client, hub, onecard_item):
    body = _submit(client, hub["citizen"], applicant_name="张叁").json()
    assert body["form"]["applicant_name"] == "张叁"
    assert "applicant_name" not in CasePrefill.objects.get(case__number=body["number"]).fields


def test_without_permission_the_material_stays_on_the_list_and_the_refusal_is_recorded(
        client, hub, onecard_item, personas):
    """The death register was never granted to the market department: the refusal is on record."""
    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["death"], records=[
        {"identifier": hub["other"].id_number,
         "data": {"id_number": hub["other"].id_number, "name": "李四", "death_date": "2024-01-01"}}])
    body = _submit(client, hub["other"]).json()
    assert {m["key"]: m["provision"] for m in body["materials"]}["death_check"] == "missing"
    refused = AccessRecord.objects.get(resource_key="death", granted=False)
    assert refused.purpose_case_number == body["number"] and "共享清单" in refused.reason


def test_a_person_missing_from_the_register_brings_the_material(client, hub, onecard_item, personas):
    from onevisit.accounts.models import User

    stranger = User.objects.create_user(username="stranger", password="x", real_name="王五",
                                        id_number=hub["stranger_id"])  # not in the population register
    body = _submit(client, stranger).json()
    assert {m["key"]: m["provision"] for m in body["materials"]}["id_card"] == "missing"
    assert not FetchedProof.objects.exists()


def test_clerk_looks_up_an_applicant(client, hub, onecard_item, personas):
    client.force_login(personas["clerk"])
    response = client.get("/api/v1/datahub/applicant-proofs", {"item": ONECARD_CODE, "id_number": hub["citizen"].id_number})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["to_bring"] == ["application"]
    assert body["form"]["applicant_name"] == "张三"
    id_card = next(m for m in body["materials"] if m["key"] == "id_card")
    assert id_card["fetched"] and id_card["data"]["name"] == "张三"
    assert AccessRecord.objects.filter(actor=personas["clerk"], purpose_item_code=ONECARD_CODE, granted=True).exists()


def test_citizen_cannot_look_up_someone_else(client, hub, onecard_item):
    client.force_login(hub["other"])
    response = client.get("/api/v1/datahub/applicant-proofs", {"item": ONECARD_CODE, "id_number": hub["citizen"].id_number})
    assert response.status_code == 403
    response = client.get(f"/api/v1/items/{ONECARD_CODE}/prefill", {"id_number": hub["citizen"].id_number})
    assert response.status_code == 403
    assert not AccessRecord.objects.filter(identifier=hub["citizen"].id_number).exists()


def test_prefill_endpoint_for_the_signed_in_citizen(client, hub, onecard_item):
    client.force_login(hub["citizen"])
    body = client.get(f"/api/v1/items/{ONECARD_CODE}/prefill").json()
    assert body["form"] == {"applicant_name": "张三", "sex": "男", "birth_date": "1980-01-01",
                            "address": "丽水市莲都区紫金路1号"}
    assert body["prefilled"]["sex"]["prefill_key"] == "population.sex"


def test_id_only_indicator(client, hub, onecard_item):
    body = client.get("/api/v1/catalog/indicators/id-only").json()
    row = next(r for r in body["items"] if r["item_code"] == ONECARD_CODE)
    assert row["to_bring"] == 1 and row["bring"] == ["application"] and row["fetched"] == ["id_card"]
    assert body["published"] == 1 and body["id_only"] == 0 and body["share"] == 0.0
