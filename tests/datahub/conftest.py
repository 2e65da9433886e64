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
