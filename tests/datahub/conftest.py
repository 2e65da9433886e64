import pytest
from stdnum.cn import ric

from onevisit.accounts.models import ApiToken, User
from onevisit.datahub.schema import STANDARD_RESOURCES
from onevisit.datahub.services import records_upsert, resource_create
from onevisit.orgs.models import Department, Role, StaffRole
from onevisit.validators import make_credit_code


def valid_id_number(prefix17: str) -> str:
    """onevisit.validators.make_id_number passes 17 characters to stdnum's ric.calc_check_digit, which
    expects 18 (it drops the last), so its numbers fail validation; this helper pads first."""
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared personas hash a dozen passwords per test; PBKDF2 made setup take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hub(personas, departments, region_tree):
    """The standard resources owned by a public-security bureau, its data admin and system token, and
    two people in the population register."""
    police = Department.objects.create(
        name="丽水市公安局", credit_code=make_credit_code("11331100MB1000004"), region=region_tree["city"]
    )
    data_admin = User.objects.create_user(username="police_system", password="pass-1234")
    StaffRole.objects.create(user=data_admin, role=Role.DATA_ADMIN, department=police)
    market_data_admin = User.objects.create_user(username="market_system", password="pass-1234")
    StaffRole.objects.create(user=market_data_admin, role=Role.DATA_ADMIN, department=departments["market"])
    chief = User.objects.create_user(username="chief_data_admin", password="pass-1234")
    StaffRole.objects.create(user=chief, role=Role.DATA_ADMIN)
    resources = {
        key: resource_create(actor=chief, key=key, owner=police, **spec) for key, spec in STANDARD_RESOURCES.items()
    }
    citizen, other = personas["citizen"], personas["other_citizen"]
    # 332502 (龙泉市) existed at these birth dates; stdnum checks the birth place against the date.
    for person, prefix in ((citizen, "33250219800101123"), (other, "33250219820606234")):
        person.id_number = valid_id_number(prefix)
        person.save(update_fields=["id_number"])
    records_upsert(actor=data_admin, resource=resources["population"], records=[
        {"identifier": citizen.id_number, "data": {
            "name": "张三", "sex": "男", "birth_date": "1980-01-01", "household_address": "丽水市莲都区紫金路1号",
            "household_members": ["张三", "王芳"], "region_code": "331102"}},
        {"identifier": other.id_number, "data": {
            "name": "李四", "sex": "女", "birth_date": "1990-02-02", "household_address": "丽水市莲都区中山街2号",
            "region_code": "331102"}},
    ])
    _, police_token = ApiToken.issue(user=data_admin, name="公安人口库同步")
    _, market_token = ApiToken.issue(user=market_data_admin, name="市场监管系统")
    return {
        "police": police, "data_admin": data_admin, "market_data_admin": market_data_admin, "chief": chief,
        "resources": resources, "police_token": police_token, "market_token": market_token,
        "citizen": citizen, "other": other, "stranger_id": valid_id_number("33250219700303345"),
    }


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


ONECARD_CODE = "331100-MKT-0900"


@pytest.fixture
def onecard_item(hub, personas, departments, region_tree):
    """A published item of the market department: the ID card and the household register come from the hub,
    the application form is brought; name, sex and birth date prefill from the population register. The
    market department may read the population register (all fields)."""
    from onevisit.catalog.services import item_create, item_publish
    from onevisit.datahub.services import permission_grant

    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["population"],
                     fields=hub["resources"]["population"].field_keys)
    item = item_create(
        actor=personas["catalog_admin"],
        data={
            "implementation_code": ONECARD_CODE, "name": "老年人优待证办理", "basic_code": "3307090010",
            "item_type": "public_service", "domain": "business", "level": "city", "region": region_tree["city"],
            "department": departments["market"], "targets": ["person"], "channels": ["window", "online"],
            "legal_limit": 10, "promised_limit": 3, "promised_visits": 0, "legal_basis": "《老年人权益保障法》",
        },
        children={
            "materials": [
                {"key": "id_card", "name": "居民身份证", "necessity": "required", "shared_data_key": "population"},
                {"key": "death_check", "name": "死亡信息核验", "necessity": "optional", "shared_data_key": "death"},
                {"key": "application", "name": "申请表", "necessity": "required"},
            ],
            "fields": [
                {"key": "applicant_name", "label": "姓名", "field_type": "text", "prefill_key": "population.name"},
                {"key": "sex", "label": "性别", "field_type": "choice", "choices": ["男", "女"],
                 "prefill_key": "population.sex"},
                {"key": "birth_date", "label": "出生日期", "field_type": "date", "prefill_key": "population.birth_date"},
                {"key": "address", "label": "地址", "field_type": "text", "required": False,
                 "prefill_key": "population.address"},
            ],
        },
    )
    return item_publish(actor=personas["catalog_admin"], item=item)


def json_post(client, url, data):
    import json

    return client.post("/api/v1" + url, json.dumps(data), content_type="application/json")
