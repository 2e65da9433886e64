"""Online submission with the files in the same multipart request, through the same submit service."""

import json

from onevisit.cases.models import Case, CaseMaterial
from onevisit.history.services import events_of

from .conftest import PDF, PNG, online_payload


def post(client, payload, files, **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"payload": json.dumps(payload)}
    data.update({key: SimpleUploadedFile(f"{key}.bin", content) for key, content in files.items()})
    return client.post("/api/v1/cases/multipart", data, headers=headers)


def test_submit_with_three_files_in_one_request(client, personas, item):
    citizen = personas["citizen"]
    client.force_login(citizen)
    payload = online_payload(citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    files = {"application": PDF, "lease": PDF + b"lease", "safety-pledge": PNG}
    response = post(client, payload, files, **{"Idempotency-Key": "m-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pre_review" and body["number"].startswith("331100-MKT-0001")
    stored = {m["key"]: m for m in body["materials"]}
    assert stored["application"]["provision"] == "uploaded" and stored["application"]["content_type"] == "application/pdf"
    assert stored["safety-pledge"]["content_type"] == "image/png"  # the upload replaces the commitment
    assert stored["id-card"]["provision"] == "shared_data"
    case = Case.objects.get(pk=body["id"])
    assert events_of(case).get().data["materials"]["lease"] == "uploaded"
    # A retry with the same key and content returns the same case; nothing new is stored.
    again = post(client, payload, files, **{"Idempotency-Key": "m-1"})
    assert again.status_code == 200 and again.json()["id"] == case.pk
    assert Case.objects.count() == 1 and CaseMaterial.objects.filter(provision="uploaded").count() == 3
    # The same key with other files is another request: refused.
    changed = post(client, payload, {**files, "lease": PDF + b"other"}, **{"Idempotency-Key": "m-1"})
    assert changed.status_code == 409


def test_bad_files_and_payload_are_named_and_change_nothing(client, personas, item):
    citizen = personas["citizen"]
    client.force_login(citizen)
    payload = online_payload(citizen)
    response = post(client, payload, {"application": b"MZ\x90\x00 not a pdf", "nope": PDF})
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert "files.application" in fields
    response = post(client, payload, {"nope": PDF})
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {"files.nope"}
    response = client.post("/api/v1/cases/multipart", {"payload": "{not json"})
    assert response.status_code == 422
    assert Case.objects.count() == 0


def test_multipart_submit_denied_side(client, personas, item):
    citizen = personas["citizen"]
    assert post(client, online_payload(citizen), {"application": PDF}).status_code == 401
    client.force_login(personas["other_citizen"])
    assert post(client, online_payload(citizen), {"application": PDF}).status_code == 403
    assert Case.objects.count() == 0


def test_the_benchmark_floor_is_not_mounted_by_default(client, personas, item):
    client.force_login(personas["citizen"])
    response = client.post("/api/v1/bench/floor", {"payload": "{}"})
    assert response.status_code == 404
