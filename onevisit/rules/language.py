"""The 秒批 rule language: a JSON tree of all / any / not over comparisons of facts with literal values,
validated by pydantic against a closed set of operators. Nothing is executed: evaluation walks the tree,
and a tree is bounded (depth ≤ 6, at most 40 conditions), so every rule terminates in linear time.

    {"all": [
        {"fact": "population.birth_date", "op": "age_at_least", "value": 60},
        {"fact": "death", "op": "absent"},
        {"fact": "population.region_code", "op": "starts_with", "value": "3311"},
        {"any": [{"fact": "form.card_kind", "op": "in", "value": ["普通", "爱心"]}, {"not": {...}}]}
    ]}

Facts: "form.<field>" (the application form), "<resource>" (a record exists in the shared resource, e.g.
"death", "licence:ship_operation_certificate") and "<resource>.<field>" (a field of that record; e-licences
also expose "identifier", "valid_until" and "issuer")."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

MAX_DEPTH = 6
MAX_CONDITIONS = 40
FACT_RE = re.compile(r"^(form\.[a-z][a-z0-9_]{0,59}|(licence:[0-9A-Za-z_]{1,40}|[a-z][a-z0-9_]{0,39})(\.[a-z][a-z0-9_]{0,59})?)$")

# operator -> (label for reasons, kind of value it needs)
OPERATORS: dict[str, tuple[str, str]] = {
    "present": ("存在", "none"),
    "absent": ("不存在", "none"),
    "eq": ("等于", "scalar"),
    "ne": ("不等于", "scalar"),
    "in": ("属于", "list"),
    "not_in": ("不属于", "list"),
    "gt": ("大于", "number"),
    "gte": ("不小于", "number"),
    "lt": ("小于", "number"),
    "lte": ("不大于", "number"),
    "starts_with": ("开头为", "string"),
    "age_at_least": ("年满（周岁）", "number"),
    "age_below": ("未满（周岁）", "number"),
    "date_on_or_after_today": ("不早于今天", "none"),
    "date_before_today": ("早于今天", "none"),
}
Op = Literal[tuple(OPERATORS)]  # type: ignore[valid-type]


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fact: str
    op: Op
    value: Any = None

    @field_validator("fact")
    @classmethod
    def _fact(cls, v: str) -> str:
        if not FACT_RE.fullmatch(v):
            raise ValueError(f"事实“{v}”应为 form.<字段>、<资源> 或 <资源>.<字段>")
        return v

    @model_validator(mode="after")
    def _value(self) -> Condition:
        kind = OPERATORS[self.op][1]
        v = self.value
        ok = {
            "none": v is None,
            "scalar": isinstance(v, str | int | float | bool),
            "list": isinstance(v, list) and 0 < len(v) <= 200 and all(isinstance(x, str | int | float) for x in v),
            "number": isinstance(v, int | float) and not isinstance(v, bool),
            "string": isinstance(v, str) and 0 < len(v) <= 100,
        }[kind]
        if not ok:
            need = {"none": "不应给出 value", "scalar": "value 应为单个值", "list": "value 应为非空列表",
                    "number": "value 应为数字", "string": "value 应为非空文本"}[kind]
            raise ValueError(f"运算“{self.op}”{need}")
        if self.fact.startswith("form.") is False and "." not in self.fact and self.op not in ("present", "absent"):
            raise ValueError(f"“{self.fact}”是整条记录，只能判断 present 或 absent")
        return self


class All(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: list[Node] = Field(min_length=1, max_length=20)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    any: list[Node] = Field(min_length=1, max_length=20)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid")
    not_: Node = Field(alias="not")


def _branch(v) -> str | None:
    if isinstance(v, dict):
        for key, tag in (("all", "all"), ("any", "any"), ("not", "not"), ("fact", "cond")):
            if key in v:
                return tag
        return None
    return {All: "all", AnyOf: "any", Not: "not", Condition: "cond"}.get(type(v))


Node = Annotated[
    Union[Annotated[All, Tag("all")], Annotated[AnyOf, Tag("any")], Annotated[Not, Tag("not")],  # noqa: UP007
          Annotated[Condition, Tag("cond")]],
    Discriminator(_branch, custom_error_type="rule_node", custom_error_message="规则节点应为 all、any、not 或条件（fact/op/value）"),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class Rule(BaseModel):
    root: Node


def _walk(node, depth=1):
    if depth > MAX_DEPTH:
        raise ValueError(f"规则嵌套不能超过{MAX_DEPTH}层")
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, All | AnyOf):
        for child in node.all if isinstance(node, All) else node.any:
            yield from _walk(child, depth + 1)
    else:
        yield from _walk(node.not_, depth + 1)


class RuleError(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("；".join(e["reason"] for e in errors))
        self.errors = errors


def parse(definition: dict) -> Rule:
    """Validate a rule tree; RuleError lists every problem with where it is."""
    try:
        rule = Rule(root=definition)
        conditions = list(_walk(rule.root))
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            parts = [str(x) for x in e["loc"][1:] if x != "cond"]
            # each branch appears twice (its tag, then its field): keep one
            loc = ".".join(p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1])
            errors.append({"field": f"rule.{loc}" if loc else "rule", "reason": e["msg"].removeprefix("Value error, ")})
        # A union reports each branch; the shortest-path messages are the useful ones.
        raise RuleError(_dedupe(errors)) from None
    except ValueError as exc:
        raise RuleError([{"field": "rule", "reason": str(exc)}]) from None
    if len(conditions) > MAX_CONDITIONS:
        raise RuleError([{"field": "rule", "reason": f"条件不能超过{MAX_CONDITIONS}个"}])
    return rule


def _dedupe(errors: list[dict]) -> list[dict]:
    seen, out = set(), []
    for e in errors:
        if (e["field"], e["reason"]) not in seen:
            seen.add((e["field"], e["reason"]))
            out.append(e)
    return out[:20]


def conditions_of(rule: Rule) -> list[Condition]:
    return list(_walk(rule.root))


def resources_of(rule: Rule, extra_facts: list[str] = ()) -> set[str]:
    facts = [c.fact for c in conditions_of(rule)] + list(extra_facts)
    return {f.split(".", 1)[0] if not f.startswith("licence:") else f.split(".", 1)[0]
            for f in facts if not f.startswith("form.")}


# ---- evaluation ----------------------------------------------------------------------------------------

MISSING = object()


class _Unknown:
    """A fact that could not be read (refused, source down): it satisfies no condition, not even "absent"."""

    def __repr__(self) -> str:
        return "无法核实"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Seen:
    """A fact's value as the rule saw it, and where and when it came from."""

    value: Any
    source: str
    at: str | None


def _number(v) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _date(v) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check(c: Condition, value, today: datetime.date) -> bool:
    """One comparison. A missing value satisfies only "absent"; a value of the wrong type satisfies nothing."""
    op = c.op
    if value is UNKNOWN:
        return False
    if op == "present":
        return value is not MISSING and value not in (None, "")
    if op == "absent":
        return value is MISSING or value in (None, "")
    if value is MISSING or value is None:
        return False
    if op in ("eq", "ne"):
        same = str(value) == str(c.value) if not isinstance(c.value, bool) else value is c.value
        return same if op == "eq" else not same
    if op in ("in", "not_in"):
        inside = str(value) in {str(x) for x in c.value}
        return inside if op == "in" else not inside
    if op == "starts_with":
        return str(value).startswith(c.value)
    if op in ("gt", "gte", "lt", "lte"):
        a, b = _number(value), _number(c.value)
        if a is None or b is None:
            return False
        return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
    d = _date(value)
    if d is None:
        return False
    if op == "age_at_least":
        return _age(d, today) >= c.value
    if op == "age_below":
        return _age(d, today) < c.value
    if op == "date_on_or_after_today":
        return d >= today
    if op == "date_before_today":
        return d < today
    return False


def describe(c: Condition) -> str:
    label = OPERATORS[c.op][0]
    return f"{c.fact} {label}" + (f" {c.value}" if c.value is not None else "")


def evaluate(rule: Rule, lookup, today: datetime.date) -> tuple[bool, list[dict], list[str]]:
    """Walk the tree. lookup(fact) -> Seen or None (missing). Returns (passed, trace, reasons it failed).
    Every condition is evaluated (no short-circuit) so the trace is complete."""
    trace: list[dict] = []
    reasons: list[str] = []

    def walk(node, negated: bool) -> bool:
        if isinstance(node, Condition):
            seen = lookup(node.fact)
            value = MISSING if seen is None else seen.value
            ok = check(node, value, today)
            unknown = value is UNKNOWN
            trace.append({
                "fact": node.fact, "op": node.op, "value": node.value, "condition": describe(node),
                "seen": None if value is MISSING or unknown else value, "found": value is not MISSING and not unknown,
                "unknown": unknown,
                "source": seen.source if seen else "", "at": seen.at if seen else None, "passed": ok,
            })
            if unknown:
                reasons.append(f"无法核实条件：{describe(node)}（{seen.source}）")
            elif ok == negated:
                shown = "无记录" if value is MISSING else f"有记录，{seen.source}" if value is True else value
                reasons.append(f"{'不应满足' if negated else '不满足'}条件：{describe(node)}（实际：{shown}）")
            return ok
        if isinstance(node, All):
            results = [walk(n, negated) for n in node.all]
            return all(results)
        if isinstance(node, AnyOf):
            results = [walk(n, negated) for n in node.any]
            return any(results)
        return not walk(node.not_, not negated)

    passed = walk(rule.root, False)
    if any(t["unknown"] for t in trace):
        passed = False  # what cannot be checked is never taken as satisfied, whatever not/any say
    if passed:
        reasons = []
    elif not reasons:
        reasons = ["规则条件未满足"]
    return passed, trace, reasons
