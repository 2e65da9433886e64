"""A 秒批 rule tree (onevisit.rules.language, docs/decisions/0008) in plain Chinese, for the guide.

    {"all": [{"fact": "population.birth_date", "op": "age_at_least", "value": 60},
             {"fact": "death", "op": "absent"},
             {"fact": "population.region_code", "op": "starts_with", "value": "3311"}]}
    -> 年满60周岁（人口基础信息库）; 无死亡记录（死亡人口信息）; 户籍在丽水市（人口基础信息库)

The top-level "all" gives one condition per child; "any" reads "A或B", "all" inside it "A且B", and "not" is
pushed down to the conditions (present/absent, eq/ne, in/not_in, ≥/<, 年满/未满, ... swap; De Morgan for
groups), so a citizen never reads a double negative. Names come from the shared-data vocabulary
(datahub.schema), the e-licence types, the regions and the item version's own form fields.

`rule_conditions` is the catalog's condition provider (catalog.hooks), registered in RulesConfig.ready():
the guide of an item version shows the conditions of that version's rule, marked as checked automatically."""

from __future__ import annotations

from dataclasses import dataclass, field

from onevisit.catalog.hooks import CheckedCondition
from onevisit.catalog.models import ServiceItem, VersionStatus
from onevisit.datahub.schema import LICENCE_PREFIX, STANDARD_RESOURCES, canonical_key
from onevisit.rules.language import All, Condition, Not, Rule, parse

CHECKED_BY = "秒批规则"
FORM_SOURCE = "申请表"
LICENCE_SOURCE = "电子证照库"
LICENCE_FIELDS = {"identifier": "证照编号", "valid_until": "有效期", "issuer": "发证机关"}

# The opposite of each operator, used to push a "not" down to the conditions.
OPPOSITE = {
    "present": "absent", "absent": "present", "eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in",
    "gt": "lte", "lte": "gt", "gte": "lt", "lt": "gte", "age_at_least": "age_below", "age_below": "age_at_least",
    "date_on_or_after_today": "date_before_today", "date_before_today": "date_on_or_after_today",
}
# Whole-record conditions that have a plain phrase of their own.
RECORD_PHRASES = {("death", "present"): "有死亡记录", ("death", "absent"): "无死亡记录"}


@dataclass
class Names:
    """Everything a rule's facts need to be named, looked up once per rule."""

    form: dict[str, str] = field(default_factory=dict)  # form field key -> label
    regions: dict[str, str] = field(default_factory=dict)  # region code -> name
    licences: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # type code -> (name, labels)
    resources: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # key -> (name, labels)


@dataclass(frozen=True)
class Fact:
    text: str  # how the subject is called, e.g. "户籍区划代码", "营业执照", "申请表“卡种”"
    source: str  # where it is read, e.g. "人口基础信息库"
    field_key: str = ""  # "" for a whole record
    field_type: str = ""
    licence: bool = False
    form: bool = False


def _quoted(value) -> str:
    if isinstance(value, bool):
        return "“是”" if value else "“否”"
    return f"“{value}”"


def _region_code(prefix: str) -> str:
    """The region a code prefix names: 3311 -> 331100 (the city), 331102 -> itself."""
    if len(prefix) < 6:
        return prefix.ljust(6, "0")
    return prefix


class Describer:
    def __init__(self, names: Names):
        self.names = names

    def fact(self, name: str) -> Fact:
        n = self.names
        if name.startswith("form."):
            key = name[5:]
            return Fact(f"申请表“{n.form.get(key, key)}”", FORM_SOURCE, key, form=True)
        resource, _, key = name.partition(".")
        if resource.startswith(LICENCE_PREFIX):
            code = canonical_key(resource)[len(LICENCE_PREFIX):]
            title, labels = n.licences.get(code, (code, {}))
            label = LICENCE_FIELDS.get(key) or labels.get(key, key)
            if key == "valid_until":
                return Fact(title, LICENCE_SOURCE, key, "date", licence=True)
            return Fact(f"{title}的{label}" if key else title, LICENCE_SOURCE, key, licence=True)
        title, labels = n.resources.get(resource, (resource, {}))
        spec = {f["key"]: f for f in STANDARD_RESOURCES.get(resource, {}).get("fields", [])}
        field_type = spec.get(key, {}).get("type", "")
        return Fact(labels.get(key, key) if key else title, title, key, field_type)

    def condition(self, c: Condition, negated: bool) -> str:  # noqa: C901 - one phrase per operator
        op = OPPOSITE.get(c.op, c.op) if negated else c.op  # starts_with has no opposite: see below
        f = self.fact(c.fact)
        v = c.value
        if not f.field_key:  # a whole record
            if f.licence:
                return f"持有{f.text}" if op == "present" else f"未持有{f.text}"
            resource = c.fact.partition(".")[0]
            phrase = RECORD_PHRASES.get((resource, op))
            if phrase:
                return phrase
            return f"{f.text}中有本人记录" if op == "present" else f"{f.text}中无本人记录"
        if op == "present":
            return f"已填写{f.text}" if f.form else f"{f.text}已登记"
        if op == "absent":
            return f"未填写{f.text}" if f.form else f"{f.text}未登记"
        if op in ("age_at_least", "age_below"):
            word = "年满" if op == "age_at_least" else "未满"
            if f.field_key == "birth_date":
                return f"{word}{v}周岁"
            return f"{f.text}距今{'已满' if op == 'age_at_least' else '未满'}{v}年"
        if op == "date_on_or_after_today":
            return f"{f.text}在有效期内" if f.licence else f"{f.text}不早于当天"
        if op == "date_before_today":
            return f"{f.text}已过有效期" if f.licence else f"{f.text}早于当天"
        if op == "starts_with":
            inside = not negated
            if f.field_type == "region_code":
                place = f.text.removesuffix("区划代码") or "所在地"
                region = self.names.regions.get(_region_code(str(v)))
                where = region or f"区划代码以{v}开头的地区"
                return f"{place}{'在' if inside else '不在'}{where}"
            return f"{f.text}{'以' if inside else '不以'}{_quoted(v)}开头"
        if op in ("eq", "ne"):
            return f"{f.text}{'为' if op == 'eq' else '不为'}{_quoted(v)}"
        if op in ("in", "not_in"):
            listed = "、".join(_quoted(x) for x in v)
            return f"{f.text}为{listed}之一" if op == "in" else f"{f.text}不为{listed}"
        words = {"gt": "大于", "gte": "不小于", "lt": "小于", "lte": "不大于"}
        return f"{f.text}{words[op]}{v}"

    def node(self, node, negated: bool = False, depth: int = 0) -> str:
        if isinstance(node, Condition):
            return self.condition(node, negated)
        if isinstance(node, Not):
            return self.node(node.not_, not negated, depth)
        children = node.all if isinstance(node, All) else node.any
        conjunctive = isinstance(node, All) != negated  # not(any) reads as all, not(all) as any
        parts = [self.node(child, negated, depth + 1) for child in children]
        if len(parts) == 1:
            return parts[0]
        text = ("且" if conjunctive else "或").join(parts)
        return f"（{text}）" if depth > 0 else text

    def sources(self, node) -> list[str]:
        if isinstance(node, Condition):
            return [self.fact(node.fact).source]
        if isinstance(node, Not):
            return self.sources(node.not_)
        children = node.all if isinstance(node, All) else node.any
        return [s for child in children for s in self.sources(child)]

    def lines(self, rule: Rule) -> list[CheckedCondition]:
        root = rule.root
        tops = root.all if isinstance(root, All) else [root]
        out = []
        for node in tops:
            sources = list(dict.fromkeys(self.sources(node)))
            out.append(CheckedCondition(text=self.node(node), source="、".join(sources), checked_by=CHECKED_BY))
        return out


def _walk(node):
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, Not):
        yield from _walk(node.not_)
    else:
        for child in node.all if isinstance(node, All) else node.any:
            yield from _walk(child)


def names_for(rule: Rule, *, form_labels: dict[str, str]) -> Names:
    """Look up, in at most three queries, the regions, licence types and non-standard resources the rule
    names."""
    from onevisit.datahub.models import DataResource
    from onevisit.licences.models import LicenceType
    from onevisit.orgs.models import Region

    names = Names(form=dict(form_labels))
    for key, spec in STANDARD_RESOURCES.items():
        names.resources[key] = (spec["name"], {f["key"]: f["label"] for f in spec["fields"]})
    regions, licences, others = set(), set(), set()
    for c in _walk(rule.root):
        resource = c.fact.partition(".")[0]
        if c.fact.startswith("form."):
            continue
        if resource.startswith(LICENCE_PREFIX):
            licences.add(canonical_key(resource)[len(LICENCE_PREFIX):])
        elif resource not in names.resources:
            others.add(resource)
        if c.op == "starts_with" and isinstance(c.value, str) and c.value.isdigit():
            regions.add(_region_code(c.value))
    if regions:
        names.regions = dict(Region.objects.filter(code__in=regions).values_list("code", "name"))
    if licences:
        for code, name, fields in LicenceType.objects.filter(code__in=licences).values_list("code", "name", "fields"):
            names.licences[code] = (name, {f["key"]: f.get("label", f["key"]) for f in fields or []})
    if others:
        for key, name, fields in DataResource.objects.filter(key__in=others).values_list("key", "name", "fields"):
            names.resources[key] = (name, {f["key"]: f.get("label", f["key"]) for f in fields or []})
    return names


def describe_rule(definition: dict, *, form_labels: dict[str, str] | None = None) -> list[CheckedCondition]:
    """The rule as plain Chinese conditions, one per child of a top-level "all" (else one in all)."""
    rule = parse(definition)
    return Describer(names_for(rule, form_labels=form_labels or {})).lines(rule)


# A published version's rule never changes (rules.services.rule_set refuses), so its conditions are kept
# per worker, keyed like rules.services.rule_for: by the version's id and publication moment.
_published: dict[tuple, list[CheckedCondition]] = {}


def rule_conditions(item: ServiceItem) -> list[CheckedCondition]:
    """The catalog's condition provider: the conditions of this item version's 秒批 rule; none without one."""
    from onevisit.rules.models import AutoRule

    key = (item.pk, item.published_at)
    published = item.status == VersionStatus.PUBLISHED
    if published and key in _published:
        return _published[key]
    definition = AutoRule.objects.filter(item_id=item.pk).values_list("definition", flat=True).first()
    lines: list[CheckedCondition] = []
    if definition is not None:
        lines = describe_rule(definition, form_labels={f.key: f.label for f in item.fields.all()})
    if published:
        if len(_published) > 10000:
            _published.clear()
        _published[key] = lines
    return lines
