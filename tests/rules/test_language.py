"""The rule language: a closed set of operators over facts, bounded trees, no evaluation of code."""

import datetime

import pytest

from onevisit.rules.language import UNKNOWN, RuleError, Seen, evaluate, parse

TODAY = datetime.date(2026, 11, 22)


def run(rule, facts):
    return evaluate(parse(rule), lambda f: Seen(facts[f], "test", None) if f in facts else None, TODAY)


@pytest.mark.parametrize(("op", "value", "seen", "expected"), [
    ("age_at_least", 60, "1966-11-22", True), ("age_at_least", 60, "1966-11-23", False),
    ("age_below", 18, "2010-01-01", True), ("starts_with", "3311", "331102", True),
    ("in", ["a", "b"], "b", True), ("not_in", ["a"], "a", False), ("gte", 3, "3", True), ("lt", 3, 2.5, True),
    ("eq", "有效", "有效", True), ("ne", "注销", "存续", True),
    ("date_on_or_after_today", None, "2026-11-22", True), ("date_before_today", None, "2026-11-22", False),
    ("gt", 1, "not a number", False), ("age_at_least", 60, "not a date", False),
])
def test_operators(op, value, seen, expected):
    rule = {"fact": "x.y", "op": op} | ({"value": value} if value is not None else {})
    assert run(rule, {"x.y": seen})[0] is expected


def test_absent_present_and_the_trace_names_every_condition():
    rule = {"all": [{"fact": "death", "op": "absent"}, {"any": [{"fact": "form.a", "op": "eq", "value": 1},
                                                                {"not": {"fact": "form.b", "op": "present"}}]}]}
    passed, trace, reasons = run(rule, {})
    assert passed and [t["fact"] for t in trace] == ["death", "form.a", "form.b"] and reasons == []
    passed, _trace, reasons = run(rule, {"death": True, "form.b": "x"})
    assert not passed and len(reasons) == 3


def test_an_unknown_fact_never_passes_even_under_not():
    rule = {"not": {"fact": "death", "op": "present"}}
    passed, trace, reasons = evaluate(parse(rule), lambda f: Seen(UNKNOWN, "无权读取", None), TODAY)
    assert not passed and trace[0]["unknown"] and "无法核实" in reasons[0]


@pytest.mark.parametrize("bad", [
    {"fact": "__import__('os').system('x')", "op": "eq", "value": 1},
    {"fact": "a.b", "op": "lambda", "value": 1},
    {"fact": "a.b", "op": "age_at_least", "value": "60"},
    {"fact": "death", "op": "eq", "value": 1},
    {"all": []},
    {"all": [{"fact": "a.b", "op": "present"}], "extra": 1},
    {"not": {"not": {"not": {"not": {"not": {"not": {"fact": "a.b", "op": "present"}}}}}}},
    {"any": [{"fact": f"a.f{i}", "op": "present"} for i in range(20)] + [{"fact": "a.b", "op": "present"}]},
    "population.age > 60",
])
def test_malformed_rules_are_refused(bad):
    with pytest.raises(RuleError):
        parse(bad)
