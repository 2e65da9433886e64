import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from onevisit.datahub.models import DataResource
from onevisit.datahub.services import permission_grant, resolve_material
from onevisit.history.services import events_of
from onevisit.licences.identifiers import build_identifier
from onevisit.licences.models import Licence, LicenceStatus, SigningKey
from onevisit.licences.services import (
    licence_issue,
    licence_renew,
    licence_revoke,
    licence_verify,
    licences_expire,
    signing_key_rotate,
)
from onevisit.validators import make_credit_code


def _issue(lic, hub, **kw):
    return licence_issue(actor=lic["approver"], licence_type=lic["elder_card"], holder=hub["citizen"].id_number,
                         data={"name": "张三", "birth_date": "1980-01-01"}, case_number="C-1", **kw)


def test_issue_signs_and_verifies(lic, hub):
    licence = _issue(lic, hub)
    assert licence.identifier.startswith(f"1.2.156.3005.2.LNK.{lic['market'].credit_code}.1.1.")
    assert licence.valid_until == timezone.localdate(licence.issued_at) + datetime.timedelta(days=365)
    assert licence_verify(identifier=licence.identifier).verdict == "valid"
    second = _issue(lic, hub)
    assert second.serial == 2 and second.signing_key == licence.signing_key
    assert [e.action for e in events_of(licence)] == ["issued"]


def test_only_the_issuing_departments_approvers_issue(lic, hub, personas):
    with pytest.raises(PermissionDenied):
        licence_issue(actor=personas["other_reviewer"], licence_type=lic["elder_card"], holder=hub["citizen"].id_number,
                      data={"name": "张三", "birth_date": "1980-01-01"})
    with pytest.raises(PermissionDenied):
        licence_issue(actor=personas["citizen"], licence_type=lic["elder_card"], holder=hub["citizen"].id_number,
                      data={"name": "张三", "birth_date": "1980-01-01"})
    assert not Licence.objects.exists()


def test_tampered_data_is_detected(lic, hub):
    licence = _issue(lic, hub)
    Licence.objects.filter(pk=licence.pk).update(data={"name": "李四", "birth_date": "1980-01-01"})
    assert licence_verify(identifier=licence.identifier).verdict == "tampered"


def test_tampered_dates_or_signature_are_detected(lic, hub):
    licence = _issue(lic, hub)
    Licence.objects.filter(pk=licence.pk).update(valid_until=datetime.date(2099, 1, 1))
    assert licence_verify(identifier=licence.identifier).verdict == "tampered"
    other = _issue(lic, hub)
    Licence.objects.filter(pk=other.pk).update(signature=licence.signature)
    assert licence_verify(identifier=other.identifier).verdict == "tampered"


def test_revocation(lic, hub):
    licence = _issue(lic, hub)
    licence_revoke(actor=lic["approver"], licence=licence, reason="申请人申请注销")
    result = licence_verify(identifier=licence.identifier)
    assert result.verdict == "revoked" and result.licence.revoked_reason == "申请人申请注销"
    assert [e.action for e in events_of(licence)] == ["issued", "revoked"]


def test_expiry(lic, hub):
    licence = _issue(lic, hub)
    assert licences_expire(on=licence.valid_until + datetime.timedelta(days=1)) == 1
    assert licence_verify(identifier=licence.identifier).verdict == "expired"


def test_expiry_is_seen_without_the_sweep(lic, hub):
    licence = _issue(lic, hub)
    future = timezone.now() + datetime.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=future):  # the clock, not our code
        assert licence_verify(identifier=licence.identifier).verdict == "expired"


def test_renewal_links_versions(lic, hub):
    licence = _issue(lic, hub)
    renewed = licence_renew(actor=lic["approver"], licence=licence, case_number="C-2")
    assert renewed.serial == licence.serial and renewed.version == 2 and renewed.predecessor == licence
    assert licence.status == LicenceStatus.SUPERSEDED
    old = licence_verify(identifier=licence.identifier)
    assert old.verdict == "superseded" and old.licence.successor == renewed
    assert licence_verify(identifier=renewed.identifier).verdict == "valid"
    assert [e.action for e in events_of(licence)] == ["issued", "superseded"]


def test_key_rotation_keeps_old_licences_valid(lic, hub):
    licence = _issue(lic, hub)
    first_key = licence.signing_key
    new_key = signing_key_rotate(actor=hub["market_data_admin"], department=lic["market"])
    later = _issue(lic, hub)
    assert later.signing_key == new_key != first_key
    first_key.refresh_from_db()
    assert not first_key.active and first_key.retired_at
    assert licence_verify(identifier=licence.identifier).verdict == "valid"
    assert licence_verify(identifier=later.identifier).verdict == "valid"
    with pytest.raises(PermissionDenied):
        signing_key_rotate(actor=lic["approver"], department=lic["market"])


def test_private_key_is_stored_encrypted(lic, hub):
    licence = _issue(lic, hub)
    key = SigningKey.objects.get(pk=licence.signing_key_id)
    blob = bytes(key.private_key_encrypted)
    assert b"PRIVATE KEY" not in blob and b"BEGIN" not in blob
    with connection.cursor() as cur:
        cur.execute("SELECT private_key_encrypted FROM licences_signingkey")
        assert all(b"PRIVATE KEY" not in bytes(row[0]) for row in cur.fetchall())
    # A different key-encryption key cannot sign with it: the stored key is bound to the settings key.
    with override_settings(KEY_ENCRYPTION_KEY="another-deployment"), pytest.raises(Exception):  # noqa: B017
        _issue(lic, hub)


def test_unknown_identifiers(lic, hub):
    licence = _issue(lic, hub)
    wrong = "0" if licence.identifier[-1] != "0" else "1"
    assert licence_verify(identifier=licence.identifier[:-1] + wrong).verdict == "unknown"
    assert licence_verify(identifier="not-a-licence").verdict == "unknown"
    ghost = build_identifier(type_code="YYZZ", issuer_credit_code=lic["market"].credit_code, serial=99, version=1)
    assert licence_verify(identifier=ghost).verdict == "unknown"


def test_verify_api_and_page(lic, hub, client):
    licence = _issue(lic, hub)
    body = client.get(f"/api/v1/licences/verify/{licence.identifier}").json()
    assert body["verdict"] == "valid" and body["label"] == "有效"
    assert body["licence"]["holder"] != hub["citizen"].id_number and body["licence"]["holder"].endswith(
        hub["citizen"].id_number[-4:])
    page = client.get(f"/licences/verify/{licence.identifier}/").content.decode()
    assert "核验结果：有效" in page and "老年人优待证" in page and hub["citizen"].id_number not in page
    Licence.objects.filter(pk=licence.pk).update(data={"name": "王五", "birth_date": "1980-01-01"})
    assert client.get(f"/api/v1/licences/verify/{licence.identifier}").json()["verdict"] == "tampered"
    assert "内容被篡改" in client.get(f"/licences/verify/{licence.identifier}/").content.decode()
    response = client.get("/licences/verify/1.2.3/")
    assert response.status_code == 404 and "查无此证" in response.content.decode()


def test_issue_and_revoke_over_the_api(lic, hub, client, personas):
    from onevisit.accounts.models import ApiToken
    from tests.datahub.conftest import bearer

    _, token = ApiToken.issue(user=lic["approver"], name="审批系统")
    code = make_credit_code("91331100MA2A00001")
    response = client.post("/api/v1/licences", {"type_code": "YYZZ", "holder": code,
                                                "data": {"name": "丽水某某有限公司", "legal_representative": "张三"}},
                           content_type="application/json", **bearer(token))
    assert response.status_code == 200, response.content
    identifier = response.json()["identifier"]
    _, other_token = ApiToken.issue(user=personas["other_reviewer"], name="税务")
    denied = client.post(f"/api/v1/licences/{identifier}/revoke", {"reason": "x"}, content_type="application/json",
                         **bearer(other_token))
    assert denied.status_code == 403
    ok = client.post(f"/api/v1/licences/{identifier}/revoke", {"reason": "企业注销"}, content_type="application/json",
                     **bearer(token))
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"
    bad = client.post("/api/v1/licences", {"type_code": "YYZZ", "holder": "123", "data": {"name": ""}},
                      content_type="application/json", **bearer(token))
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"holder", "data.name", "data.legal_representative"}


def test_licences_satisfy_materials_through_the_hub(lic, hub, departments):
    licence = _issue(lic, hub)
    tax = departments["tax"]
    assert resolve_material(actor=None, department=tax, shared_data_key="licence:LNK", holder=hub["citizen"].id_number,
                            purpose_case_number="C-7") is None  # no permission yet: refused and recorded
    permission_grant(actor=hub["market_data_admin"], department=tax,
                     resource=DataResource.objects.get(key="licence:LNK"), fields=["name"])
    proof = resolve_material(actor=None, department=tax, shared_data_key="licence:LNK", holder=hub["citizen"].id_number,
                             purpose_case_number="C-7")
    assert proof.licence_identifier == licence.identifier and proof.data == {"name": "张三"}
    licence_revoke(actor=lic["approver"], licence=licence, reason="注销")
    assert resolve_material(actor=None, department=tax, shared_data_key="licence:LNK", holder=hub["citizen"].id_number,
                            purpose_case_number="C-7") is None
    other = _issue(lic, hub)
    Licence.objects.filter(pk=other.pk).update(data={"name": "冒名", "birth_date": "1980-01-01"})
    assert resolve_material(actor=None, department=tax, shared_data_key="licence:LNK", holder=hub["citizen"].id_number,
                            purpose_case_number="C-7") is None
