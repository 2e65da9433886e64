"""The demo data loaded by `make run`: big enough to show the reform, valid throughout, loaded twice
without change, and every object's history verifies."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from onevisit.accounts.models import User
from onevisit.catalog.bundles import bundle_plan
from onevisit.catalog.models import Bundle, Material, Necessity, ServiceItem, VersionStatus
from onevisit.catalog.services import check_publishable
from onevisit.demo.loader import load_demo
from onevisit.history.models import Event
from onevisit.history.services import events_of, verify_chains
from onevisit.orgs.models import Department, Region, RegionLevel, Role, ServiceCentre, StaffRole, Window
from onevisit.orgs.selectors import has_role
from onevisit.validators import clean_credit_code, clean_id_number

# The data hub's vocabulary: shared resources and e-licence types.
VOCABULARY = {
    "population", "legal_entity", "death", "real_estate", "marriage", "social_insurance",
    "licence:business_licence", "licence:birth_medical_certificate", "licence:ship_operation_certificate",
    "licence:real_estate_certificate", "licence:marriage_certificate", "licence:household_register",
}


@pytest.fixture
def demo(db):
    load_demo()


def published():
    return ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).select_related("department", "region")


def _counts():
    models = [Region, Department, ServiceCentre, Window, User, StaffRole, ServiceItem, Material, Bundle, Event]
    return {m.__name__: m.objects.count() for m in models}


def test_command_loads_once_prints_the_logins_and_a_second_run_changes_nothing(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "演示数据已加载" in text
    for word in ("用户名", "密码", "角色", "部门/窗口", "demo12345", "clerk_any", "reviewer_tax", "catalog_admin"):
        assert word in text
    before = _counts()

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "演示数据已存在，未做任何改动" in again.getvalue()
    assert "clerk1" in again.getvalue()
    assert _counts() == before


def test_catalog_is_large_spread_over_departments_and_levels_and_publishable(demo):
    items = list(published())
    assert len(items) >= 40
    assert len({i.department_id for i in items}) >= 10
    assert {i.level for i in items} >= {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY}
    assert len({i.implementation_code for i in items}) == len(items)
    for item in items:
        check_publishable(item)  # raises ValidationError naming what is wrong
        assert item.region_id == item.department.region_id
        assert item.implementation_code.startswith(item.basic_code)
        assert item.materials.exists() and item.fields.count() >= 3
        assert item.place and item.consult_phone and item.complaint_phone
    assert any(i.is_on_the_spot for i in items)
    assert any(i.charges_fee and i.fee_amount == 80 for i in items)
    assert any(i.promised_visits == 2 and i.visits_reason for i in items)
    assert any(i.allows_gaps for i in items) and any(i.allows_commitment for i in items)
    deferrable = Material.objects.filter(item__status=VersionStatus.PUBLISHED, necessity=Necessity.DEFERRABLE)
    assert deferrable.exists() and all(m.item.allows_gaps for m in deferrable)


def test_one_item_has_a_retired_first_version_and_a_published_second(demo):
    card = ServiceItem.objects.get(name__startswith="公交老年卡", status=VersionStatus.PUBLISHED)
    assert card.version == 2 and card.promised_visits == 0
    first = ServiceItem.objects.get(implementation_code=card.implementation_code, version=1)
    assert first.status == VersionStatus.RETIRED and first.promised_visits == 1
    assert [e.action for e in events_of(first)] == ["item_created", "item_published", "item_retired"]


def test_bundles_are_published_merge_cleanly_and_share_fields(demo):
    bundles = Bundle.objects.filter(status=VersionStatus.PUBLISHED)
    assert bundles.count() >= 5
    names = set(bundles.values_list("name", flat=True))
    assert {"企业开办一件事", "二手房交易过户一件事", "新生儿出生一件事", "退休一件事", "船舶营运证延续一件事"} <= names
    for bundle in bundles:
        plan = bundle_plan(bundle)
        assert plan.problems == [], bundle.name
        assert len(plan.items) == bundle.entries.count() >= 2
        assert any(len(f.item_codes) >= 2 for f in plan.fields), f"{bundle.name} 没有共用的表单字段"
    opening = bundle_plan(Bundle.objects.get(name="企业开办一件事"))
    assert len(opening.stages) == 2 and len(opening.stages[1]) == 4
    credit = next(f for f in opening.fields if f.key == "credit_code")
    assert len(credit.item_codes) == 4


def test_shared_data_keys_come_from_the_data_hub_vocabulary(demo):
    keys = set(Material.objects.exclude(shared_data_key="").values_list("shared_data_key", flat=True))
    assert keys and keys <= VOCABULARY
    # The same document has the same key everywhere.
    for key in ("id_card", "business_licence", "real_estate_certificate"):
        assert Material.objects.filter(key=key).values("item__department").distinct().count() >= 2


def test_at_least_half_the_items_need_nothing_but_an_id_card(demo):
    items = list(published().prefetch_related("materials"))

    def id_only(item):
        return all(
            m.shared_data_key or m.key == "id_card" for m in item.materials.all() if m.necessity != Necessity.OPTIONAL
        )

    share = sum(map(id_only, items)) / len(items)
    assert share >= 0.5, f"只需身份证即可办理的事项占 {share:.0%}"


def test_codes_and_identifiers_are_valid(demo):
    for region in Region.objects.all():
        region.full_clean()
    for dept in Department.objects.select_related("region"):
        assert clean_credit_code(dept.credit_code) == dept.credit_code
        assert dept.credit_code[:2] in ("11", "12")
        assert dept.credit_code[2:8] == dept.region.code[:6]
    citizens = User.objects.exclude(id_number=None)
    assert citizens.count() >= 2
    for user in citizens:
        assert clean_id_number(user.id_number) == user.id_number and user.real_name
    assert any(int(u.id_number[6:10]) <= 1965 for u in citizens), "需要一位60岁以上的群众办公交老年卡"
    code = Department.objects.first().credit_code
    with pytest.raises(ValidationError):  # the check is real: a wrong check character is refused
        clean_credit_code(code[:-1] + ("1" if code[-1] != "1" else "2"))
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() >= 2
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() >= 2


def test_demo_logins_work_and_roles_are_bounded(demo):
    assert Client().login(username="clerk_any", password="demo12345")
    assert not Client().login(username="clerk_any", password="wrong-password")
    market = Department.objects.get(name="丽水市市场监督管理局")
    estate = Department.objects.get(name="丽水市自然资源和规划局")
    reviewer = User.objects.get(username="reviewer_market")
    assert has_role(reviewer, Role.REVIEWER, department=market)
    assert not has_role(reviewer, Role.REVIEWER, department=estate)
    assert not has_role(reviewer, Role.CATALOG_ADMIN)
    assert has_role(User.objects.get(username="catalog_admin"), Role.CATALOG_ADMIN, department=estate)
    citizen = User.objects.get(username="citizen_wang")
    assert not citizen.staff_roles.exists() and not citizen.is_staff
    for username in ("reviewer_estate", "reviewer_tax", "approver_market", "supervisor", "data_admin"):
        assert User.objects.get(username=username).staff_roles.exists()
    # The business window accepts business items only; the any-item window accepts all.
    business = Window.objects.get(name="商事登记综合窗口")
    anyw = Window.objects.get(name="无差别（全科）受理窗口")
    transfer = published().get(name__startswith="不动产转移登记")
    assert not business.accepts(domain=transfer.domain, item_code=transfer.implementation_code)
    assert anyw.accepts(domain=transfer.domain, item_code=transfer.implementation_code)
    assert Window.objects.filter(accepts_any=True, centre__region__level=RegionLevel.TOWNSHIP).exists()


def test_every_object_has_history_and_the_chains_verify(demo):
    assert list(verify_chains()) == []
    for obj in [*published()[:5], *Bundle.objects.all(), *Department.objects.all()[:3]]:
        assert events_of(obj).exists()
    admin_actions = Event.objects.filter(actor__username="catalog_admin", action="item_published")
    assert admin_actions.count() >= 40
