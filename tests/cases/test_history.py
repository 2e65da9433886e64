"""The case history verifies after a full flow, and a tampered record is detected."""

from onevisit.cases.models import Case
from onevisit.history.models import Event
from onevisit.history.services import verify_chains

from .conftest import online_payload, pdf


def test_history_chain_verifies_and_detects_tampering(api, personas, staff, item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    case_id = api.as_(citizen).post("/cases", online_payload(citizen, materials={
        "id-card": "shared_data", "safety-pledge": "commitment"})).json()["id"]
    for key in ("application", "lease"):
        api.as_(citizen).upload(f"/cases/{case_id}/materials/{key}", pdf())
    api.as_(clerk).post(f"/cases/{case_id}/accept")
    api.as_(personas["reviewer"]).post(f"/cases/{case_id}/steps/review/complete")
    api.as_(staff["approver"]).post(f"/cases/{case_id}/approve")
    assert list(verify_chains(object_type="cases.case")) == []

    case = Case.objects.get(pk=case_id)
    target = Event.objects.get(object_type="cases.case", object_id=str(case.pk), action="accept")
    data = dict(target.data)
    data["material_sources"]["application"] = "shared_data"  # someone rewrites where a proof came from
    Event.objects.filter(pk=target.pk).update(data=data)
    broken = list(verify_chains(object_type="cases.case"))
    assert [(b.object_id, b.seq) for b in broken] == [(str(case.pk), target.seq)]
    assert "篡改" in broken[0].problem
