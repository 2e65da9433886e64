"""A case a human approves ends in the item's signed e-licence, issued with the result; a denied one does not."""

import pytest

from onevisit.licences.models import Licence, ResultLicence
from onevisit.licences.services import licence_type_create
from tests.cases.test_lifecycle import submit_online, upload_all

MATERIALS_GIVEN = {"id-card": "shared_data", "safety-pledge": "commitment"}


@pytest.fixture
def result_licence(item, departments):
    licence_type = licence_type_create(
        actor=None, code="SPJY", name="食品经营许可证", issuer=departments["market"], holder_kind="id_number",
        fields=[{"key": "name", "label": "经营者", "type": "string", "required": True},
                {"key": "shop", "label": "经营场所名称", "type": "string"}],
        validity_days=1825,
    )
    return ResultLicence.objects.create(
        item_code=item.implementation_code, licence_type=licence_type,
        field_map={"name": "applicant.name", "shop": "form.company_name"},
    )


def _to_decision(api, personas, case_id):
    upload_all(api, personas["citizen"], case_id)
    assert api.as_(personas["clerk"]).post(f"/cases/{case_id}/accept").status_code == 200
    assert api.as_(personas["reviewer"]).post(f"/cases/{case_id}/steps/review/complete").status_code == 200


def test_approved_case_issues_a_signed_verifiable_licence_with_the_result(api, personas, staff, result_licence):
    citizen = personas["citizen"]
    case_id = submit_online(api, citizen, materials=MATERIALS_GIVEN)["id"]
    _to_decision(api, personas, case_id)
    api.as_(staff["approver"]).post(f"/cases/{case_id}/approve")
    body = api.as_(personas["reviewer"]).post(f"/cases/{case_id}/result").json()
    assert body["status"] == "result_issued"

    licence = Licence.objects.get(case_number=body["number"])
    assert licence.holder == citizen.id_number
    assert licence.data == {"name": citizen.real_name, "shop": "丽水小馆"}
    assert licence.identifier.startswith("1.2.156.3005.2.SPJY.")
    issued = [e for e in api.as_(citizen).get(f"/cases/{case_id}").json()["history"] if e["action"] == "issue_result"]
    assert issued[0]["data"]["licence"] == licence.identifier
    verdict = api.get(f"/licences/verify/{licence.identifier}").json()
    assert verdict["verdict"] == "valid"


def test_denied_case_gets_no_licence(api, personas, staff, result_licence):
    case_id = submit_online(api, personas["citizen"], materials=MATERIALS_GIVEN)["id"]
    _to_decision(api, personas, case_id)
    response = api.as_(staff["approver"]).post(
        f"/cases/{case_id}/deny", {"reasons": "经营场所不符合食品安全要求", "legal_basis": "《食品经营许可管理办法》第十一条"}
    )
    assert response.status_code == 200
    number = response.json()["number"]
    assert api.as_(personas["reviewer"]).post(f"/cases/{case_id}/result").json()["status"] == "result_issued"
    assert not Licence.objects.filter(case_number=number).exists()
