import pytest

from onevisit.accounts.models import User
from onevisit.catalog.services import item_create, item_publish
from onevisit.datahub.services import permission_grant, records_upsert
from onevisit.rules.services import rule_set
from tests.datahub.conftest import hub, valid_id_number  # noqa: F401 - shared fixture
from tests.licences.conftest import lic  # noqa: F401 - shared fixture

ELDER_CODE = "331100-MKT-0950"
ELDER_RULE = {"all": [
    {"fact": "population.birth_date", "op": "age_at_least", "value": 60},
    {"fact": "death", "op": "absent"},
    {"fact": "population.region_code", "op": "starts_with", "value": "3311"},
]}


def make_rule_item(admin, departments, region_tree, code=ELDER_CODE, rule=ELDER_RULE, publish=True, **licence):
    item = item_create(
        actor=admin,
        data={
            "implementation_code": code, "name": "老年人优待证（秒批）", "basic_code": "3307090020",
            "item_type": "public_service", "domain": "business", "level": "city", "region": region_tree["city"],
            "department": departments["market"], "targets": ["person"], "channels": ["window", "online"],
            "legal_limit": 10, "promised_limit": 3, "promised_visits": 0, "legal_basis": "《老年人权益保障法》",
        },
        children={
            "materials": [{"key": "id_card", "name": "居民身份证", "necessity": "required",
                           "shared_data_key": "population"}],
            "fields": [
                {"key": "applicant_name", "label": "姓名", "field_type": "text", "prefill_key": "population.name"},
                {"key": "birth_date", "label": "出生日期", "field_type": "date", "prefill_key": "population.birth_date"},
            ],
            "steps": [
                {"key": "accept", "name": "受理", "role": "window_clerk", "share": 20},
                {"key": "review", "name": "审核", "role": "reviewer", "share": 50},
                {"key": "decide", "name": "办结", "role": "approver", "share": 30},
            ],
        },
    )
    rule_set(actor=admin, item=item, definition=rule, **(licence or {
        "licence_type_code": "LNK", "licence_action": "issue",
        "licence_data": {"name": "population.name", "birth_date": "population.birth_date"}}))
    return item_publish(actor=admin, item=item) if publish else item


@pytest.fixture
def elder(hub, lic, personas, departments, region_tree):  # noqa: F811
    """An elderly citizen in the population register, the market department allowed to read the population
    and death registers, and a published item whose rule approves the elderly card."""
    resources = hub["resources"]
    for key in ("population", "death"):
        permission_grant(actor=hub["chief"], department=departments["market"], resource=resources[key],
                         fields=resources[key].field_keys)
    person = User.objects.create_user(username="elder", password="pass-1234", real_name="王老伯",
                                      id_number=valid_id_number("33250219500505123"))
    dead = User.objects.create_user(username="late", password="pass-1234", real_name="赵故",
                                    id_number=valid_id_number("33250219400707456"))
    records_upsert(actor=hub["data_admin"], resource=resources["population"], records=[
        {"identifier": person.id_number, "data": {"name": "王老伯", "sex": "男", "birth_date": "1950-05-05",
                                                  "household_address": "丽水市莲都区大洋路8号", "region_code": "331102"}},
        {"identifier": dead.id_number, "data": {"name": "赵故", "sex": "男", "birth_date": "1940-07-07",
                                                "household_address": "丽水市莲都区大洋路9号", "region_code": "331102"}},
    ])
    records_upsert(actor=hub["data_admin"], resource=resources["death"], records=[
        {"identifier": dead.id_number, "data": {"id_number": dead.id_number, "name": "赵故",
                                                "death_date": "2025-03-01"}}])
    item = make_rule_item(personas["catalog_admin"], departments, region_tree)
    return {"person": person, "dead": dead, "item": item}
