"""Auto-approval (秒批): rules on item versions, their tests by catalog administrators, and the decision
on submission, which moves the case only through the case engine's own services (the transition table)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from onevisit.accounts.auth import user_with_roles
from onevisit.cases.models import CaseStatus
from onevisit.catalog.models import ServiceItem, VersionStatus
from onevisit.catalog.services import require_catalog_admin
from onevisit.datahub.schema import LICENCE_PREFIX, canonical_key
from onevisit.datahub.services import datahub_read
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.licences.models import Licence, LicenceType
from onevisit.orgs.models import Role, StaffRole
from onevisit.orgs.selectors import roles_of
from onevisit.rules.language import UNKNOWN, RuleError, Seen, evaluate, parse
from onevisit.rules.models import AutoDecision, AutoRule, LicenceAction, Outcome

SYSTEM_USERNAME = "onevisit-system"


def _invalid(message: str, fields: list[dict]) -> DomainError:
    return DomainError(message, code="invalid", fields=fields, status=422)


# ---- rules on item versions ---------------------------------------------------------------------------------

@transaction.atomic
def rule_set(*, actor, item: ServiceItem, definition: dict, description: str = "", licence_type_code: str | None = None,
             licence_action: str = LicenceAction.NONE, licence_data: dict | None = None) -> AutoRule:
    """Attach or replace the rule of a draft item version. A published version's rule never changes."""
    require_catalog_admin(actor, item.department)
    if item.status != VersionStatus.DRAFT:
        raise DomainError(f"事项第{item.version}版已{item.get_status_display()}，其秒批规则不能修改；请新建版本",
                          code="rule_immutable")
    errors = []
    try:
        parse(definition)
    except RuleError as exc:
        errors += exc.errors
    licence_type = None
    if licence_action not in LicenceAction.values:
        errors.append({"field": "licence_action", "reason": "证照操作应为 none、issue 或 renew"})
    elif licence_action != LicenceAction.NONE:
        licence_type = LicenceType.objects.filter(code=(licence_type_code or "").upper()).first()
        if licence_type is None:
            errors.append({"field": "licence_type", "reason": f"证照类型“{licence_type_code}”不存在"})
    licence_data = licence_data or {}
    for key, fact in licence_data.items():
        if not isinstance(fact, str) or not fact:
            errors.append({"field": f"licence_data.{key}", "reason": "应为事实名，如 population.name"})
    if errors:
        raise _invalid("秒批规则不合法", errors)
    rule, _created = AutoRule.objects.update_or_create(item=item, defaults={
        "definition": definition, "description": description, "licence_type": licence_type,
        "licence_action": licence_action, "licence_data": licence_data,
    })
    record_change(obj=rule, actor=actor, action="rule_set", data={
        "item": item.implementation_code, "version": item.version, "definition": definition,
        "licence_type": licence_type.code if licence_type else None, "licence_action": licence_action,
        "licence_data": licence_data,
    })
    return rule


# A published item version's rule never changes, so a worker keeps it, keyed by the version's id and
# publication moment (a restored or re-created database cannot reuse a stale entry).
_rule_cache: dict[tuple, AutoRule | None] = {}


def rule_for(item: ServiceItem) -> AutoRule | None:
    key = (item.pk, item.published_at)
    if item.status == VersionStatus.PUBLISHED and key in _rule_cache:
        return _rule_cache[key]
    rule = AutoRule.objects.select_related("item", "licence_type__issuer").filter(item_id=item.pk).first()
    if item.status == VersionStatus.PUBLISHED:
        if len(_rule_cache) > 10000:
            _rule_cache.clear()
        _rule_cache[key] = rule
    return rule


# ---- facts ----------------------------------------------------------------------------------------------------

@dataclass
class CaseFacts:
    """The facts a rule may name, read once per resource through the data hub (permission-checked and on
    record, purpose = the case number), each with its source and time."""

    actor: object
    department: object
    identifier: str
    form: dict
    form_at: str | None
    case_number: str = ""
    item_code: str = ""
    _read: dict = field(default_factory=dict)

    def _resource(self, key: str) -> dict:
        key = canonical_key(key)
        if key not in self._read:
            try:
                r = datahub_read(actor=self.actor, department=self.department, resource=key, identifier=self.identifier,
                                 purpose_case_number=self.case_number or None, purpose_item_code=self.item_code or None)
            except DomainError as exc:
                self._read[key] = {"error": exc.message}
            else:
                data = dict(r.data or {}) if r.found else None
                if data is not None and r.extra:
                    data.update({k: v for k, v in r.extra.items() if k in ("identifier", "valid_until", "issuer")})
                when = (r.updated_at or r.fetched_at)
                self._read[key] = {"data": data, "source": f"{r.source}；记录 {r.identifier}",
                                   "at": when.isoformat() if when else None, "fetched_at": r.fetched_at.isoformat()}
        return self._read[key]

    def lookup(self, fact: str) -> Seen | None:
        if fact.startswith("form."):
            value = self.form.get(fact[5:])
            return None if value in (None, "") else Seen(value, f"申请表字段 {fact[5:]}", self.form_at)
        key, _, fld = fact.partition(".")
        got = self._resource(key)
        if "error" in got:
            return Seen(UNKNOWN, f"无法读取“{key}”：{got['error']}", None)
        if got["data"] is None:
            return None
        source = f"{got['source']}" + (f"，字段 {fld}" if fld else "")
        if not fld:
            return Seen(True, source, got["at"])
        value = got["data"].get(fld)
        return None if value in (None, "") else Seen(value, source, got["at"])


@dataclass
class SampleFacts:
    """A sample applicant for testing a rule before publication: facts given literally, no register read."""

    facts: dict

    def lookup(self, fact: str) -> Seen | None:
        if fact in self.facts:
            return Seen(self.facts[fact], "样例数据", None)
        key = fact.split(".", 1)[0]
        if "." in fact and isinstance(self.facts.get(key), dict):
            value = self.facts[key].get(fact.split(".", 1)[1])
            return None if value is None else Seen(value, "样例数据", None)
        if fact.startswith("form.") and isinstance(self.facts.get("form"), dict):
            value = self.facts["form"].get(fact[5:])
            return None if value is None else Seen(value, "样例数据", None)
        if "." not in fact and self.facts.get(key):
            return Seen(True, "样例数据", None)
        return None


def rule_test(*, actor, item: ServiceItem, samples: list[dict], today: datetime.date | None = None) -> list[dict]:
    """Catalog administrators try a rule (the item version's, or a draft definition) on sample applicants."""
    require_catalog_admin(actor, item.department)
    rule = AutoRule.objects.filter(item=item).first()
    if rule is None:
        raise DomainError("该事项版本还没有秒批规则", code="no_rule", status=404)
    parsed = parse(rule.definition)
    today = today or timezone.localdate()
    out = []
    for i, sample in enumerate(samples, start=1):
        passed, trace, reasons = evaluate(parsed, SampleFacts(sample.get("facts") or {}).lookup, today)
        out.append({"sample": sample.get("label") or f"样例{i}", "passed": passed, "reasons": reasons, "trace": trace})
    return out


# ---- the system actor -------------------------------------------------------------------------------------------

def system_user(*departments):
    """The account automatic decisions are taken under: reviewer and approver of the departments involved
    (granted on first need and recorded), never a superuser, no usable password."""
    users = get_user_model()
    user = user_with_roles("username", [SYSTEM_USERNAME])  # one statement for the account and its roles
    if user is None:
        user = users(username=SYSTEM_USERNAME, real_name="秒批系统（自动审批）")
        user.set_unusable_password()
        user.save()
        record_change(obj=user, actor=None, action="user_created", data={"username": SYSTEM_USERNAME})
    held = {(r.role, r.department_id) for r in roles_of(user)}
    added = False
    for dept in {d.pk: d for d in departments if d is not None}.values():
        for role in (Role.REVIEWER, Role.APPROVER):
            if (role, dept.pk) not in held:
                staff_role = StaffRole.objects.create(user=user, role=role, department=dept)
                record_change(obj=staff_role, actor=None, action="staff_role_granted",
                              data={"user": SYSTEM_USERNAME, "role": role, "department": dept.credit_code})
                added = True
    if added:
        user._onevisit_roles = None
    return user


# ---- the decision on submission --------------------------------------------------------------------------------

def _licence_data(rule: AutoRule, facts) -> dict:
    data = {}
    for key, fact in rule.licence_data.items():
        seen = facts.lookup(fact)
        if seen is not None and seen.value is not UNKNOWN:
            data[key] = seen.value
    return data


def _approve_and_issue(*, system, case, rule: AutoRule, licence_data: dict, renew_identifier: str | None):
    """Move the case through the engine's own verbs from wherever it stands (submitted online, or accepted
    at a window in the same visit) to an electronically delivered result."""
    from onevisit.cases import services as cases
    from onevisit.cases.models import PENDING_ACCEPTANCE, DeliveryMethod
    from onevisit.licences.services import licence_issue, licence_renew

    if case.status in PENDING_ACCEPTANCE:
        case = cases.case_accept(actor=system, case=case)
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS):
        for step in cases.open_steps_before_decision(case):
            cases.case_complete_step(actor=system, case=case, step_key=step.key, note="秒批：规则判定通过")
        case = cases.case_approve(actor=system, case=case, note="秒批：规则判定通过")
    licence = None
    if rule.licence_action == LicenceAction.ISSUE:
        licence = licence_issue(actor=system, licence_type=rule.licence_type, holder=case.applicant_key,
                                data=licence_data, case_number=case.number)
    elif rule.licence_action == LicenceAction.RENEW:
        old = Licence.objects.select_related("licence_type", "issuer").filter(identifier=renew_identifier or "").first()
        if old is None:
            raise DomainError("找不到可换发的原证照", code="no_licence")
        licence = licence_renew(actor=system, licence=old, data={**old.data, **licence_data}, case_number=case.number)
    note = f"电子证照 {licence.identifier}" if licence else "秒批办结"
    case = cases.case_issue_result(actor=system, case=case, note=note)
    cases.case_deliver(actor=system, case=case, method=DeliveryMethod.ELECTRONIC)
    return licence


# The statuses in which a rule may still decide: not yet accepted, or accepted and not yet decided.
_DECIDABLE = (CaseStatus.SUBMITTED, CaseStatus.PRE_REVIEW, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)


def autoapprove_applies(moved) -> bool:
    """Whether a submission (or a supplement after a notice) is one for 秒批: a single item with a rule, applied
    for under a verified claim (the applicant themself, a mandate, the register's legal representative, a
    clerk who checked the identity, a department system) by an applicant the register knows by that name.
    Anything else waits for a human."""
    case = moved.case
    if case.bundle_id is not None or case.parent_id is not None:
        return False
    return bool(case.claim) and case.identity_verified and rule_for(case.item) is not None


def autoapprove_reaction(call) -> AutoDecision | None:
    """The engine's after-commit reaction (registered in RulesConfig.ready): decide once, in the reaction's
    own transaction, whatever the case's status by then allows; nothing when it was decided already or
    is waiting for the applicant (a supplement runs it again)."""
    from onevisit.cases.models import Case

    case = Case.objects.select_related("item", "department").get(pk=call.case_id)
    if case.status not in _DECIDABLE or AutoDecision.objects.filter(case_id=case.pk).exists():
        return None
    return decide_on_submission(case)


def decide_on_submission(case) -> AutoDecision | None:
    """Decide a case of an item with a rule: approved, licence issued and signed, result delivered
    electronically; or left for a human reviewer with the reasons the rule did not pass. Either way the
    trace (each condition, the value it saw, its source and time) is stored."""
    if case.bundle_id or case.parent_id:
        return None
    rule = rule_for(case.item)
    if rule is None:
        return None
    now = timezone.now()
    issuer = rule.licence_type.issuer if rule.licence_type_id else None
    department = issuer if issuer is not None and issuer.pk == case.department_id else case.department
    system = system_user(department, issuer)
    facts = CaseFacts(actor=system, department=department, identifier=case.applicant_key, form=case.form_data,
                      form_at=case.submitted_at.isoformat(), case_number=case.number, item_code=case.item_code)
    passed, trace, reasons = evaluate(parse(rule.definition), facts.lookup, timezone.localdate(now))
    licence = None
    if passed:
        data = _licence_data(rule, facts)
        renew = None
        if rule.licence_action == LicenceAction.RENEW:
            seen = facts.lookup(f"{LICENCE_PREFIX}{rule.licence_type.code}.identifier")  # same read as the rule's
            renew = seen.value if seen is not None and seen.value is not UNKNOWN else None
        from onevisit.cases.services import case_batch

        try:
            # The approval, the licence and the decision record commit together, as one write of the case:
            # one lock, one update of its row, its steps once, all its history events in one INSERT.
            with transaction.atomic(), case_batch(case) as locked:
                licence = _approve_and_issue(system=system, case=locked, rule=rule, licence_data=data,
                                             renew_identifier=renew)
                return _decision_record(case=locked, rule=rule, system=system, passed=True, reasons=reasons,
                                        trace=trace, now=now, licence=licence)
        except (DomainError, PermissionDenied, ValidationError) as exc:
            passed = False
            message = exc.message if isinstance(exc, DomainError) else "；".join(
                getattr(exc, "messages", None) or [str(exc)])
            reasons = [f"规则条件已满足，但未能自动办结：{message}"]
    with transaction.atomic():
        return _decision_record(case=case, rule=rule, system=system, passed=False, reasons=reasons, trace=trace,
                                now=now, licence=None)


def _decision_record(*, case, rule: AutoRule, system, passed: bool, reasons: list, trace: list, now,
                     licence) -> AutoDecision:
    decision = AutoDecision.objects.create(
        case=case, rule=rule, outcome=Outcome.APPROVED if passed else Outcome.MANUAL, reasons=reasons, trace=trace,
        decided_at=now, licence_identifier=licence.identifier if licence else "",
    )
    from onevisit.cases.services import record_case_event

    record_case_event(case, actor=system, action="auto_decision", reason="；".join(reasons), data={
        "outcome": decision.outcome, "rule": rule.pk, "item_version": case.item.version,
        "licence": decision.licence_identifier or None, "reasons": reasons,
    })
    return decision
