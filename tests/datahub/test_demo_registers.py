"""The demo registers: sizes, valid numbers, the sharing list, 秒批 rules, and half the items ID-only."""

import json

import pytest

from onevisit.catalog.models import ServiceItem, VersionStatus
from onevisit.datahub.models import DataRecord
from onevisit.datahub.onecard import id_only_indicator
from onevisit.demo.loader import item_codes, load_demo
from onevisit.licences.models import Licence
from onevisit.licences.services import licence_verify
from onevisit.rules.models import AutoRule
from onevisit.validators import clean_credit_code, clean_id_number


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo()
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_registers_rules_and_id_only_share(demo, client, django_capture_on_commit_callbacks):
    assert DataRecord.objects.filter(resource__key="population").count() >= 10_000
    assert DataRecord.objects.filter(resource__key="legal_entity").count() >= 2_000
    for r in DataRecord.objects.filter(resource__key="population")[:200]:
        clean_id_number(r.identifier)
    for r in DataRecord.objects.filter(resource__key="legal_entity")[:200]:
        clean_credit_code(r.identifier)
    assert DataRecord.objects.filter(resource__key="death").exists()
    licence = Licence.objects.order_by("?").first()
    assert Licence.objects.count() >= 300 and licence_verify(identifier=licence.identifier).verdict == "valid"
    assert AutoRule.objects.filter(item__status=VersionStatus.PUBLISHED).count() >= 5
    assert id_only_indicator()["share"] >= 0.5
    assert load_demo().created.get("datahub_rules", 0) == 0  # idempotent

    # An elderly person of the registers gets the bus card in one request.
    code = item_codes()["senior_bus_card"]
    item = ServiceItem.objects.get(implementation_code=code, status=VersionStatus.PUBLISHED)
    from onevisit.accounts.models import User

    elder = next(r for r in DataRecord.objects.filter(resource__key="population").order_by("id")
                 if r.data["birth_date"] < "1950" and not DataRecord.objects.filter(
                     resource__key="death", identifier=r.identifier).exists())
    user = User.objects.create_user(username="demo_elder", password="x", real_name=elder.data["name"],
                                    id_number=elder.identifier)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):  # 秒批 runs once the submission commits
        response = client.post("/api/v1/cases", json.dumps({
            "item_code": item.implementation_code, "channel": "online", "form": {"id_number": user.id_number,
                                                                                "phone": "13905781234"},
            "applicant": {"kind": "person", "name": user.real_name, "id_number": user.id_number}}),
            content_type="application/json")
    assert response.status_code == 201, response.json()
    case = client.get(f"/api/v1/cases/{response.json()['id']}").json()
    assert case["status"] == "delivered", case
