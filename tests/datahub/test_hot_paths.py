"""The look-up path over HTTP stays a handful of statements and keeps every check and record."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onevisit.accounts.auth import user_for_token
from onevisit.accounts.models import ApiToken
from onevisit.datahub.models import AccessRecord
from onevisit.datahub.services import permission_grant
from onevisit.orgs.models import StaffRole
from onevisit.orgs.selectors import roles_of
from tests.datahub.conftest import bearer


@pytest.fixture
def reader(hub, personas, departments):
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["population"],
                     fields=["name", "birth_date"])
    _, raw = ApiToken.issue(user=personas["reviewer"], name="窗口系统")
    return raw


def test_a_token_brings_its_user_and_roles_in_one_statement(reader, personas):
    with CaptureQueriesContext(connection) as queries:
        user = user_for_token(reader)
        roles = roles_of(user)
    assert len(queries.captured_queries) == 1
    expected = StaffRole.objects.filter(user=personas["reviewer"]).select_related("department").order_by("id")
    assert [(r.role, r.department.name if r.department else None) for r in roles] == [
        (r.role, r.department.name if r.department else None) for r in expected]
    assert user == personas["reviewer"] and user.username == personas["reviewer"].username


def test_revoked_token_or_inactive_user_finds_nobody(reader, personas):
    ApiToken.objects.filter(user=personas["reviewer"]).update(revoked=True)
    assert user_for_token(reader) is None
    ApiToken.objects.filter(user=personas["reviewer"]).update(revoked=False)
    personas["reviewer"].is_active = False
    personas["reviewer"].save(update_fields=["is_active"])
    assert user_for_token(reader) is None


def test_a_lookup_over_http_is_four_statements_and_on_record(client, hub, reader, departments):
    url = f"/api/v1/datahub/records/population/{hub['citizen'].id_number}?fields=name,sex&item_code=X-1"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **bearer(reader))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == {"name": "张三"} and body["withheld"] == ["sex"]
    # token + roles, the permission, the record, the access record
    assert len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) <= 4
    access = AccessRecord.objects.get(pk=body["access_id"])
    assert (access.department, access.fields, access.granted, access.found, access.purpose_item_code) == (
        departments["market"], ["name"], True, True, "X-1")


def test_a_refused_lookup_over_http_is_on_record(client, hub, reader):
    url = f"/api/v1/datahub/records/death/{hub['citizen'].id_number}?item_code=X-1"
    response = client.get(url, **bearer(reader))
    assert response.status_code == 403
    refusal = AccessRecord.objects.get(resource_key="death")
    assert not refusal.granted and "未获" in refusal.reason
