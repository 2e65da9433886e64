"""A 秒批 rule tree rendered in plain Chinese: one condition per child of the top-level "all", names from the
shared-data vocabulary, the regions, the e-licence types and the item's form, "not" pushed down so nothing
reads as a double negative; and the demo's typed conditions agree with the demo's rules."""

import re

import pytest

from onevisit.rules.describe import describe_rule

ELDER_RULE = {"all": [
    {"fact": "population.birth_date", "op": "age_at_least", "value": 60},
    {"fact": "death", "op": "absent"},
    {"fact": "population.region_code", "op": "starts_with", "value": "3311"},
]}


def _lines(rule, **kwargs):
    return [(c.text, c.source) for c in describe_rule(rule, **kwargs)]


def test_the_elder_rule_reads_as_three_conditions_with_their_sources(region_tree):
    assert _lines(ELDER_RULE) == [
        ("年满60周岁", "人口基础信息库"),
        ("无死亡记录", "死亡人口信息"),
        ("户籍在丽水市", "人口基础信息库"),
    ]
    assert {c.checked_by for c in describe_rule(ELDER_RULE)} == {"秒批规则"}


def test_any_not_licences_and_the_form(lic):  # lic: the licence types LNK and YYZZ (tests.licences.conftest)
    rule = {"all": [
        {"any": [{"fact": "form.card_kind", "op": "in", "value": ["普通", "爱心"]},
                 {"not": {"fact": "marriage.status", "op": "eq", "value": "已婚"}}]},
        {"not": {"all": [{"fact": "licence:business_licence", "op": "present"},
                         {"fact": "licence:business_licence.valid_until", "op": "date_before_today"}]}},
        {"fact": "licence:LNK.birth_date", "op": "present"},
    ]}
    assert _lines(rule, form_labels={"card_kind": "卡种"}) == [
        ("申请表“卡种”为“普通”、“爱心”之一或婚姻状况不为“已婚”", "申请表、婚姻登记信息"),
        ("未持有营业执照或营业执照在有效期内", "电子证照库"),
        ("老年人优待证的出生日期已登记", "电子证照库"),
    ]


@pytest.mark.parametrize("condition,text", [
    ({"fact": "population.birth_date", "op": "age_below", "value": 18}, "未满18周岁"),
    ({"not": {"fact": "population.birth_date", "op": "age_at_least", "value": 70}}, "未满70周岁"),
    ({"fact": "population.region_code", "op": "starts_with", "value": "331102"}, "户籍在莲都区"),
    ({"not": {"fact": "population.region_code", "op": "starts_with", "value": "331102"}}, "户籍不在莲都区"),
    ({"fact": "population.region_code", "op": "starts_with", "value": "3399"}, "户籍在区划代码以3399开头的地区"),
    ({"fact": "social_insurance.region_code", "op": "starts_with", "value": "33"}, "参保地在浙江省"),
    ({"fact": "legal_entity.registered_capital", "op": "gte", "value": 100}, "注册资本（万元）不小于100"),
    ({"not": {"fact": "legal_entity.registered_capital", "op": "gt", "value": 500}}, "注册资本（万元）不大于500"),
    ({"fact": "legal_entity.status", "op": "not_in", "value": ["吊销", "注销"]}, "登记状态不为“吊销”、“注销”"),
    ({"fact": "death", "op": "present"}, "有死亡记录"),
    ({"fact": "real_estate", "op": "absent"}, "不动产权利信息中无本人记录"),
    ({"fact": "form.agree", "op": "eq", "value": True}, "申请表“agree”为“是”"),
    ({"not": {"any": [{"fact": "death", "op": "present"}, {"fact": "form.phone", "op": "absent"}]}},
     "无死亡记录且已填写申请表“phone”"),
])
def test_each_operator_reads_plainly(region_tree, condition, text):
    [(found, _source)] = _lines({"all": [condition]})
    assert found == text


def test_a_rule_that_is_not_an_all_is_one_condition(region_tree):
    rule = {"any": [{"fact": "population.birth_date", "op": "age_at_least", "value": 80},
                    {"all": [{"fact": "population.birth_date", "op": "age_at_least", "value": 70},
                             {"fact": "population.region_code", "op": "starts_with", "value": "331102"}]}]}
    assert _lines(rule) == [("年满80周岁或（年满70周岁且户籍在莲都区）", "人口基础信息库")]


def test_the_demo_items_typed_conditions_agree_with_their_rules(region_tree):
    from onevisit.demo.catalog_data import ITEMS
    from onevisit.demo.registers import RULES

    typed = {spec["key"]: spec["data"]["conditions"] for spec in ITEMS}
    for key, (definition, *_rest) in RULES.items():
        ages = {int(a) for c in describe_rule(definition) for a in re.findall(r"年满(\d+)周岁", c.text)}
        assert set(map(int, re.findall(r"年满(\d+)周岁", typed[key]))) <= ages, (key, typed[key])
    assert "年满60周岁" in typed["senior_bus_card"]
