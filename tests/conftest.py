"""Shared personas and catalog builders. Every test module uses these instead of its own copies."""

import pytest

from onevisit.accounts.models import User
from onevisit.orgs.models import Department, Region, RegionLevel, Role, ServiceCentre, StaffRole, Window
from onevisit.validators import make_credit_code, make_id_number


@pytest.fixture(scope="session", autouse=True)
def _close_numbering_connection(django_db_setup):
    """Case numbers are taken on a connection of their own (PostgreSQL); close it before the test database
    is dropped (this fixture is set up after the database, so it is torn down before it)."""
    yield
    import gc

    from onevisit.cases.services.submission import close_numbering_connection

    close_numbering_connection()
    gc.collect()  # the numbering connections of finished threads (race tests, live servers) close with them


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-worker caches of rarely changing rows (resources, item parts, rules) outlive a test's rolled-back
    transaction; each test starts with them empty, as a freshly started worker would."""
    from onevisit.cases.services import core
    from onevisit.datahub import services as datahub
    from onevisit.rules import services as rules

    for cache in (datahub._resource_kinds, datahub._permission_cache, core._ITEM_PARTS, rules._rule_cache):
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Personas are created in almost every test; the production hasher costs ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def region_tree(db):
    province = Region.objects.create(code="330000", name="浙江省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="331100", name="丽水市", level=RegionLevel.CITY, parent=province)
    county = Region.objects.create(code="331102", name="莲都区", level=RegionLevel.COUNTY, parent=city)
    return {"province": province, "city": city, "county": county}


@pytest.fixture
def departments(region_tree):
    city = region_tree["city"]
    return {
        "market": Department.objects.create(
            name="丽水市市场监督管理局", credit_code=make_credit_code("11331100MB1000001"), region=city
        ),
        "realestate": Department.objects.create(
            name="丽水市自然资源和规划局", credit_code=make_credit_code("11331100MB1000002"), region=city
        ),
        "tax": Department.objects.create(
            name="国家税务总局丽水市税务局", credit_code=make_credit_code("11331100MB1000003"), region=city
        ),
    }


@pytest.fixture
def window(region_tree):
    centre = ServiceCentre.objects.create(name="丽水市民服务中心", region=region_tree["city"])
    return Window.objects.create(centre=centre, number="1", name="商事登记综合窗口", domains=["business"])


def _staff(username: str, role: Role, *, department=None, window=None) -> User:
    user = User.objects.create_user(username=username, password="pass-1234", real_name=username)
    StaffRole.objects.create(user=user, role=role, department=department, window=window)
    return user


@pytest.fixture
def personas(departments, window):
    """citizen, other citizen, clerk, reviewer of another department, supervisor, catalog admins."""
    return {
        "citizen": User.objects.create_user(
            username="citizen", password="pass-1234", real_name="张三", id_number=make_id_number("33262119580101123")
        ),
        "other_citizen": User.objects.create_user(
            username="other", password="pass-1234", real_name="李四", id_number=make_id_number("33282219920202234")
        ),
        "clerk": _staff("clerk", Role.WINDOW_CLERK, window=window),
        "reviewer": _staff("reviewer", Role.REVIEWER, department=departments["market"]),
        "other_reviewer": _staff("other_reviewer", Role.REVIEWER, department=departments["tax"]),
        "supervisor": _staff("supervisor", Role.SUPERVISOR),
        "catalog_admin": _staff("catalog_admin", Role.CATALOG_ADMIN),
        "market_admin": _staff("market_admin", Role.CATALOG_ADMIN, department=departments["market"]),
        "tax_admin": _staff("tax_admin", Role.CATALOG_ADMIN, department=departments["tax"]),
    }
