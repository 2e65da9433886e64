"""Catalog services: versioning keeps old rows as they were; bundle merge asks once and distributes."""

import pytest
from django.core.exceptions import ValidationError

from onevisit.catalog import services
from onevisit.catalog.bundles import bundle_plan
from onevisit.catalog.models import Material, ServiceItem, VersionStatus
from onevisit.errors import DomainError
from tests.catalog.api_builders import field, make_bundle, make_item, material, setup_admin


def test_published_item_cannot_be_edited(departments, region_tree):
    item = make_item("331100-V-001", departments, region_tree)
    with pytest.raises(DomainError) as exc:
        services.item_update(actor=setup_admin(), item=item, data={"name": "改名"})
    assert "新版本" in exc.value.message
    assert ServiceItem.objects.get(pk=item.pk).name == item.name


def test_new_version_copies_children_and_publishing_retires_the_old_unchanged(departments, region_tree):
    actor = setup_admin()
    v1 = make_item("331100-V-002", departments, region_tree, co_departments=[departments["tax"].credit_code])
    before = services.item_snapshot(ServiceItem.objects.get(pk=v1.pk))
    v2 = services.item_new_version(actor=actor, item=v1, reason="材料精简")
    assert (v2.version, v2.status) == (2, VersionStatus.DRAFT)
    snap2 = services.item_snapshot(v2)
    for key in ("materials", "fields", "steps", "special_procedures", "co_departments"):
        assert snap2[key] == before[key], key
    services.item_update(actor=actor, item=v2, children={"materials": [material("application", "登记申请书")]},
                         data={"promised_limit": 1})
    services.item_publish(actor=actor, item=v2)
    old = ServiceItem.objects.get(pk=v1.pk)
    assert old.status == VersionStatus.RETIRED
    after = services.item_snapshot(old)
    after.pop("status"), after.pop("updated_at")
    expected = dict(before)
    expected.pop("status"), expected.pop("updated_at")
    assert after == expected  # a case pointing to v1 still reads exactly what v1 said
    assert Material.objects.filter(item=old).count() == 3
    assert services.published_item("331100-V-002").version == 2


def test_second_draft_is_refused(departments, region_tree):
    v1 = make_item("331100-V-003", departments, region_tree)
    services.item_new_version(actor=setup_admin(), item=v1)
    with pytest.raises(DomainError):
        services.item_new_version(actor=setup_admin(), item=v1)


def _two_items(departments, region_tree, *, second_materials, second_fields):
    make_item("331100-M-001", departments, region_tree,
              materials=[material("id_card", "身份证明", necessity="optional"), material("lease", "住所证明")],
              fields=[field("applicant_name", "申请人姓名"), field("capital", "注册资本", field_type="decimal")])
    make_item("331100-M-002", departments, region_tree, dept="tax", materials=second_materials, fields=second_fields)


def test_bundle_merge_asks_shared_things_once(departments, region_tree):
    _two_items(departments, region_tree,
               second_materials=[material("id_card", "身份证明", necessity="required", copies=2),
                                 material("tax_form", "税务登记表")],
               second_fields=[field("applicant_name", "申请人姓名", required=False), field("tax_type", "纳税类型")])
    bundle = make_bundle("merge", departments, [{"item_code": "331100-M-001"}, {"item_code": "331100-M-002"}])
    plan = bundle_plan(bundle)
    assert plan.problems == []
    fields = {f.key: f for f in plan.fields}
    assert [f.key for f in plan.fields].count("applicant_name") == 1
    assert fields["applicant_name"].item_codes == ["331100-M-001", "331100-M-002"] and fields["applicant_name"].required
    mats = {m.key: m for m in plan.materials}
    assert mats["id_card"].item_codes == ["331100-M-001", "331100-M-002"]
    assert mats["id_card"].necessity == "required" and mats["id_card"].copies == 2  # strictest wins
    assert [m.key for m in plan.materials_for("331100-M-002")] == ["id_card", "tax_form"]


def test_bundle_merge_reports_a_field_type_conflict_and_refuses_publishing(departments, region_tree):
    _two_items(departments, region_tree, second_materials=[],
               second_fields=[field("capital", "注册资本", field_type="integer")])
    bundle = make_bundle("conflict", departments, [{"item_code": "331100-M-001"}, {"item_code": "331100-M-002"}],
                         publish=False)
    problems = bundle_plan(bundle).problems
    assert len(problems) == 1 and "capital" in problems[0] and "整数" in problems[0]
    with pytest.raises(ValidationError):
        services.bundle_publish(actor=setup_admin(), bundle=bundle)
    bundle.refresh_from_db()
    assert bundle.status == VersionStatus.DRAFT
