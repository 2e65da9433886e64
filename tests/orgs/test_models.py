"""Organisation rules a catalog administrator meets when entering regions and departments."""

import pytest
from django.core.exceptions import ValidationError

from onevisit.orgs.models import Department, Region, RegionLevel
from onevisit.validators import make_credit_code


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def test_region_code_length_follows_the_level(region_tree):
    errors = errors_of(Region(code="3311020", name="错", level=RegionLevel.COUNTY, parent=region_tree["city"]))
    assert errors["code"] == ["县级区划代码应为6位数字"]
    Region(code="331102001", name="紫金街道", level=RegionLevel.TOWNSHIP, parent=region_tree["county"]).full_clean()


def test_region_parent_rules(region_tree):
    assert errors_of(Region(code="340000", name="安徽省", level=RegionLevel.PROVINCE, parent=region_tree["province"]))[
        "parent"] == ["省级区划不能有上级"]
    assert errors_of(Region(code="331200", name="无上级", level=RegionLevel.CITY))["parent"] == ["除省级外必须指定上级区划"]
    skipped = Region(code="331102009", name="跳级", level=RegionLevel.TOWNSHIP, parent=region_tree["city"])
    assert errors_of(skipped)["parent"] == ["乡镇（街道）级的上级应为县级"]


def test_credit_code_validation_message(region_tree):
    good = make_credit_code("11331100MB1000009")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = errors_of(Department(name="测试局", credit_code=bad_check, region=region_tree["city"]))
    assert errors["credit_code"] == ["统一社会信用代码校验位不正确"]
    errors = errors_of(Department(name="测试局", credit_code="1133", region=region_tree["city"]))
    assert errors["credit_code"] == ["统一社会信用代码长度应为18位"]
    Department(name="测试局", credit_code=good, region=region_tree["city"]).full_clean()
