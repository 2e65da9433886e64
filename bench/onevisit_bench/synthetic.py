"""Synthetic load data (issue 3, item 15): many realistic cases across the published catalog.

This writes rows directly (COPY on PostgreSQL, bulk_create elsewhere), NOT through the services: it
is for benchmarks and demos of scale, never for real records. What it keeps true:
- every case has a unique number (实施编码 + date + serial; the CaseCounter rows are raised past the
  generated serials so later real submissions continue the sequence);
- the case's materials are the item's materials; due moments come from clock.deadlines_at_acceptance
  over the working-day calendar, so colours (green/yellow/red) are real;
- each case's history chain is valid: seq 1..n, prev_hash linked, hashes from
  onevisit.history.services.compute_hash, so `verify_history` passes;
- refusals (不予受理, 不予许可) are registered; window channels count visits, and a window pickup after a
  window submission exceeds a one-visit promise (flagged as for real cases).
Not generated: procedure steps, clock pauses, visit log rows and stored files (material rows carry a
SHA-256 and a path, no file)."""

import datetime as dt
import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.cases import clock
from onevisit.cases.models import Case, CaseCounter, CaseMaterial, CaseStatus, Refusal, RefusalKind
from onevisit.catalog.models import FieldType, LimitUnit, ServiceItem, VersionStatus
from onevisit.history.models import Event
from onevisit.history.services import chain_month_of, compute_hash
from onevisit.orgs.models import Role, StaffRole
from onevisit.validators import make_id_number
from onevisit.workdays.calendar import SHANGHAI, UnknownYearError

S = CaseStatus

# Where a year of cases stands (most are done; a working queue; a few refused, withdrawn, paused).
STATUS_WEIGHTS = {
    S.ARCHIVED: 52, S.DELIVERED: 14, S.RESULT_ISSUED: 2, S.APPROVED: 1.5, S.DENIED: 1,
    S.IN_PROGRESS: 9, S.ACCEPTED: 4, S.SUSPENDED: 0.8, S.AWAITING_APPLICANT: 0.7,
    S.PRE_REVIEW: 4, S.SUBMITTED: 2.5, S.AWAITING_SUPPLEMENT: 2.5, S.REFUSED: 1.5, S.WITHDRAWN: 4.5,
}
# The verbs each status was reached by, after "submit".
PATHS = {
    S.PRE_REVIEW: [], S.SUBMITTED: [], S.AWAITING_SUPPLEMENT: ["notice"], S.REFUSED: ["refuse"],
    S.WITHDRAWN: ["withdraw"], S.ACCEPTED: ["accept"], S.IN_PROGRESS: ["accept", "complete_step"],
    S.SUSPENDED: ["accept", "suspend"], S.AWAITING_APPLICANT: ["accept", "request_supplement"],
    S.APPROVED: ["accept", "approve"], S.DENIED: ["accept", "deny"],
    S.RESULT_ISSUED: ["accept", "approve", "issue_result"], S.DELIVERED: ["accept", "approve", "issue_result", "deliver"],
    S.ARCHIVED: ["accept", "approve", "issue_result", "deliver", "archive"],
}
HANDLING = (S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.AWAITING_APPLICANT)
PENDING = (S.PRE_REVIEW, S.SUBMITTED, S.AWAITING_SUPPLEMENT)
CHANNEL_WEIGHTS = {"online": 45, "mobile": 20, "window": 28, "kiosk": 3, "agent": 4}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国志海燕晓丹慧鹏飞"
COMPANY_WORDS = ["瓯江", "丽水", "云和", "青田", "松阳", "龙泉", "缙云", "遂昌", "庆元", "景宁"]
COMPANY_KINDS = ["餐饮", "商贸", "建材", "农业科技", "文化传媒", "物流", "旅游开发", "电子商务"]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@dataclass
class ItemInfo:
    item: ServiceItem
    materials: list
    form_json: str
    channels: list[str]
    weight: float


@dataclass
class Result:
    cases: int = 0
    materials: int = 0
    events: int = 0
    refusals: int = 0
    statuses: Counter = field(default_factory=Counter)


def _form_value(f, rng: random.Random, person: tuple[str, str]):
    t = f.field_type
    if t == FieldType.CHOICE and f.choices:
        return f.choices[0]
    if t == FieldType.BOOLEAN:
        return True
    if t == FieldType.INTEGER:
        return int(f.min_value or 1)
    if t == FieldType.DECIMAL:
        return str(f.min_value or 10)
    if t == FieldType.DATE:
        return "2026-01-15"
    if t == FieldType.PHONE:
        return "13905781234"
    if t == FieldType.ID_NUMBER:
        return person[1]
    return (f.label or f.key)[: f.max_length or 50]


def _items(rng: random.Random) -> list[ItemInfo]:
    items = (ServiceItem.objects.filter(status=VersionStatus.PUBLISHED)
             .prefetch_related("materials", "fields").order_by("implementation_code"))
    out = []
    person = ("王建国", make_id_number("33110219800101001"))
    for item in items:
        form = {f.key: _form_value(f, rng, person) for f in item.fields.all()}
        channels = [c for c in CHANNEL_WEIGHTS if (c if c != "agent" else "window") in item.channels] or ["window"]
        # A long tail: a few items carry most of the volume.
        out.append(ItemInfo(item, list(item.materials.all()), json.dumps(form, ensure_ascii=False), channels,
                            1.0 / (len(out) + 1) ** 0.7))
    if not out:
        raise RuntimeError("没有已发布的事项：请先运行 manage.py load_demo")
    return out


def _applicants(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(kind, name, id number or credit code) pool; valid numbers, built once."""
    from onevisit.validators import make_credit_code

    pool = []
    for i in range(n):
        if i % 4 == 3:
            name = rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS) + "有限公司"
            pool.append(("company", name, make_credit_code(f"913311{i:011d}")))
        else:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
            pool.append(("person", name, make_id_number(f"331102{birth:%Y%m%d}{i % 1000:03d}")))
    return pool


class _Ids:
    """Explicit primary keys past the current maximum, so child rows can point at them."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.next = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def sync_sequence(self) -> None:
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [self.next - 1])


def _json_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _Writer:
    """Collects rows per model and writes them with COPY (PostgreSQL) or bulk_create."""

    def __init__(self):
        self.rows: dict[type[models.Model], list[dict]] = {}
        self.specs: dict[type[models.Model], list[tuple[str, object, bool]]] = {}

    def add(self, model: type[models.Model], values: dict) -> None:
        self.rows.setdefault(model, []).append(values)

    def _spec(self, model, explicit_pk: bool):
        if model not in self.specs:
            spec = []
            for f in model._meta.concrete_fields:
                if f.primary_key and not explicit_pk:
                    continue
                default = f.get_default() if f.has_default() else None
                spec.append((f.attname, default, isinstance(f, models.JSONField)))
            self.specs[model] = spec
        return self.specs[model]

    def flush(self) -> None:
        for model, rows in self.rows.items():
            if not rows:
                continue
            explicit_pk = "id" in rows[0]
            spec = self._spec(model, explicit_pk)
            if connection.vendor == "postgresql":
                cols = ", ".join(f'"{c[0]}"' for c in spec)
                with connection.cursor() as cursor, cursor.cursor.copy(
                    f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN'
                ) as copy:
                    for r in rows:
                        copy.write_row([_json_text(r.get(a, d)) if is_json else r.get(a, d) for a, d, is_json in spec])
            else:
                objs = []
                for r in rows:
                    values = {a: (json.loads(r[a]) if is_json and isinstance(r.get(a), str) else r.get(a, d))
                              for a, d, is_json in spec}
                    objs.append(model(**values))
                model.objects.bulk_create(objs, batch_size=500)
        self.rows = {}


def generate_cases(*, count: int, seed: int = 1, batch: int = 5000, now: dt.datetime | None = None,
                   progress: Callable[[int], None] | None = None) -> Result:
    rng = random.Random(seed)
    now = now or timezone.now()
    infos = _items(rng)
    item_weights = [i.weight for i in infos]
    applicants = _applicants(rng, min(max(count // 20, 50), 20000))
    statuses, status_w = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    channels_all = list(CHANNEL_WEIGHTS)
    citizens = list(User.objects.filter(id_number__gt="").order_by("pk")[:10]) or list(User.objects.order_by("pk")[:1])
    roles = list(StaffRole.objects.select_related("user", "window"))
    reviewers = {r.department_id: r.user for r in roles if r.role == Role.REVIEWER}
    approvers = {r.department_id: r.user for r in roles if r.role == Role.APPROVER}
    clerks = [r.user for r in roles if r.role == Role.WINDOW_CLERK]
    supervisor = next((r.user for r in roles if r.role == Role.SUPERVISOR), citizens[0])
    clerk = clerks[0] if clerks else supervisor
    counters: dict[tuple[str, dt.date], int] = {
        (c.code, c.day): c.last for c in CaseCounter.objects.all()}
    touched: set[tuple[str, dt.date]] = set()
    deadline_cache: dict = {}
    case_ids, refusal_ids = _Ids(Case), _Ids(Refusal)
    result = Result()
    writer = _Writer()

    def deadlines(item, accepted: dt.datetime):
        key = (accepted.astimezone(SHANGHAI).date(), item.promised_limit, item.promised_limit_unit,
               item.legal_limit, item.legal_limit_unit)
        d = deadline_cache.get(key)
        if d is None:
            try:
                d = clock.deadlines_at_acceptance(
                    accepted_at=accepted, promised=item.promised_limit, promised_unit=item.promised_limit_unit,
                    legal=item.legal_limit, legal_unit=item.legal_limit_unit)
            except UnknownYearError:
                # A limit reaching a year whose holidays are not loaded: 7 natural days per 5 working days.
                def approx(n):
                    return accepted + dt.timedelta(days=n * 7 / 5)
                d = clock.Deadlines(promised_due=approx(item.promised_limit), legal_due=approx(item.legal_limit),
                                    warn_at=approx(int(item.promised_limit * clock.warning_share())))
            deadline_cache[key] = d
        return d

    def one(case_id: int) -> None:
        info = rng.choices(infos, item_weights)[0]
        item = info.item
        status = rng.choices(statuses, status_w)[0]
        if item.promised_limit_unit == LimitUnit.ON_THE_SPOT and status in HANDLING:
            status = S.ARCHIVED
        channel = rng.choice(info.channels) if rng.random() < 0.5 else rng.choices(channels_all, list(
            CHANNEL_WEIGHTS.values()))[0]
        if channel not in info.channels:
            channel = info.channels[0]
        kind, name, key = rng.choice(applicants)
        if kind not in item.targets:
            kind = item.targets[0] if item.targets else "person"
        promised_days = max(item.promised_limit, 1)
        # When it happened: closed cases over the last two years, open ones recently.
        if status in PENDING:
            submitted = now - dt.timedelta(hours=rng.uniform(0.1, 24 * 10))
        elif status in HANDLING:
            submitted = now - dt.timedelta(days=rng.uniform(0, promised_days * 1.6 + 1))
        else:
            submitted = now - dt.timedelta(days=rng.uniform(3, 730))
        day = submitted.astimezone(SHANGHAI).date()
        serial_key = (item.implementation_code, day)
        serial = counters.get(serial_key, 0) + 1
        counters[serial_key] = serial
        touched.add(serial_key)
        number = f"{item.implementation_code}{day:%Y%m%d}{serial:06d}"
        at_window = channel in ("window", "agent")
        submitter = clerk if at_window else rng.choice(citizens)
        dept = item.department_id
        reviewer = reviewers.get(dept, supervisor)
        approver = approvers.get(dept, reviewer)
        row = {
            "id": case_id, "number": number, "item_id": item.pk, "item_code": item.implementation_code,
            "domain": item.domain, "bundle_id": None, "parent_id": None, "stage": 1, "department_id": dept,
            "status": status, "channel": channel, "applicant_kind": kind, "applicant_name": name,
            "applicant_id_number": key if kind == "person" else "",
            "applicant_credit_code": key if kind == "company" else "",
            "contact_phone": f"139{case_id % 100000000:08d}", "contact_email": "", "contact_address": "",
            "agent_name": "", "agent_id_number": "", "agent_authorisation": "",
            "form_data": info.form_json, "field_supplied_at": "{}", "submitted_by_id": submitter.pk,
            "submitted_at": submitted, "paused_days": 0, "extended_days": 0, "delivery_method": "",
            "tracking_number": "", "gaps_outstanding": False, "gaps_overdue": False, "post_check_required": False,
            "post_check_result": "", "visits": 1 if at_window else 0, "visits_exceeded": False,
            "visits_exceeded_reason": "",
        }
        # Materials: brought (uploaded) mostly, some from shared data; missing when still pending.
        provisions = {}
        for m in info.materials:
            if m.shared_data_key and rng.random() < 0.6:
                provision = "shared_data"
            elif status in PENDING and rng.random() < 0.3:
                provision = "missing"
            else:
                provision = "uploaded"
            provisions[m.key] = provision
            digest = hashlib.sha256(f"{number}/{m.key}".encode()).hexdigest() if provision == "uploaded" else ""
            writer.add(CaseMaterial, {
                "case_id": case_id, "key": m.key, "name": m.name, "necessity": m.necessity,
                "commitment_allowed": m.commitment_allowed, "shared_data_key": m.shared_data_key,
                "provision": provision, "file": f"cases/{number}/{m.key}.pdf" if digest else "",
                "sha256": digest, "size": 20480 + (case_id % 4096) if digest else 0,
                "content_type": "application/pdf" if digest else "", "supplied_at": submitted if digest else None,
            })
            result.materials += 1
        # History: the verbs that led here, each a link of the case's chain.
        t = submitted
        events = [("submit", submitter, "", {
            "from": None, "to": S.PRE_REVIEW if channel in ("online", "mobile", "kiosk") else S.SUBMITTED,
            "at": _iso(t), "channel": channel, "item_code": item.implementation_code, "item_version": item.version,
            "materials": provisions, "promised_limit": [item.promised_limit, item.promised_limit_unit],
            "legal_limit": [item.legal_limit, item.legal_limit_unit], "promised_visits": item.promised_visits,
            "synthetic": True})]
        state = events[0][3]["to"]
        for verb in PATHS[status]:
            if verb == "accept":
                t = t + dt.timedelta(hours=rng.uniform(0.05, 30)) if status not in HANDLING else min(
                    t + dt.timedelta(hours=rng.uniform(0.05, 8)), now)
                d = deadlines(item, t)
                row.update(accepted_at=t, promised_due=d.promised_due, legal_due=d.legal_due, warn_at=d.warn_at)
                data = {"accepted_at": _iso(t), "promised_due": _iso(d.promised_due), "legal_due": _iso(d.legal_due)}
                actor, nxt = clerk, S.ACCEPTED
            elif verb in ("approve", "deny"):
                t = t + dt.timedelta(days=rng.uniform(0.1, promised_days * 1.3))
                row["decided_at"] = t
                late = row.get("promised_due") is not None and t > row["promised_due"]
                data = {"decision": "approved" if verb == "approve" else "denied", "on_time": not late}
                actor, nxt = approver, S.APPROVED if verb == "approve" else S.DENIED
            elif verb in ("refuse", "notice", "withdraw"):
                t = t + dt.timedelta(hours=rng.uniform(0.1, 20))
                actor, nxt, data = (submitter if verb == "withdraw" else clerk), {
                    "refuse": S.REFUSED, "notice": S.AWAITING_SUPPLEMENT, "withdraw": S.WITHDRAWN}[verb], {}
                if verb == "notice":
                    missing = [k for k, p in provisions.items() if p == "missing"] or [info.materials[0].key] \
                        if info.materials else []
                    data = {"notice": 1, "problems": [{"kind": "material_missing", "key": k} for k in missing]}
            else:
                t = min(t + dt.timedelta(hours=rng.uniform(0.5, 30)), now) if status in HANDLING else \
                    t + dt.timedelta(hours=rng.uniform(0.5, 48))
                actor = reviewer if verb != "deliver" else clerk
                nxt = {"complete_step": S.IN_PROGRESS, "suspend": S.SUSPENDED, "request_supplement":
                       S.AWAITING_APPLICANT, "issue_result": S.RESULT_ISSUED, "deliver": S.DELIVERED,
                       "archive": S.ARCHIVED}[verb]
                data = {}
                if verb == "deliver":
                    method = "window" if at_window and rng.random() < 0.3 else rng.choice(["post", "electronic"])
                    row.update(delivery_method=method, delivered_at=t,
                               tracking_number=f"SF{case_id:012d}" if method == "post" else "")
                    data = {"method": method}
                    if method == "window":
                        row["visits"] += 1
                        data["visits"] = row["visits"]
                        if row["visits"] > item.promised_visits:
                            row["visits_exceeded"] = True
                            row["visits_exceeded_reason"] = (
                                f"第{row['visits']}次到现场（窗口领取），超过承诺的{item.promised_visits}次")
            if verb in ("refuse", "deny"):
                refusal_id = refusal_ids.take()
                writer.add(Refusal, {
                    "id": refusal_id, "case_id": case_id, "department_id": dept,
                    "kind": RefusalKind.REFUSE_TO_ACCEPT if verb == "refuse" else RefusalKind.DENIAL,
                    "reasons": "申请材料不符合法定形式" if verb == "refuse" else "不符合法定条件",
                    "legal_basis": "《中华人民共和国行政许可法》第三十二条", "registered_at": t,
                    "registered_by_id": actor.pk, "overturned_at": None, "overturned_by_id": None,
                    "overturn_reason": "",
                })
                data["refusal"] = refusal_id
                result.refusals += 1
            events.append((verb, actor, "", {"from": state, "to": nxt, "at": _iso(t), **data}))
            state = nxt
        if status == S.IN_PROGRESS and item.allows_gaps and rng.random() < 0.05:
            row.update(gaps_outstanding=True, gaps_due=row["accepted_at"] + dt.timedelta(days=7))
        row["updated_at"] = t
        writer.add(Case, row)
        prev, object_id = "", str(case_id)
        month = chain_month_of(dt.datetime.fromisoformat(events[0][3]["at"])) if events else None
        for seq, (verb, actor, reason, data) in enumerate(events, start=1):
            at = dt.datetime.fromisoformat(data["at"])
            digest = compute_hash(object_type="cases.case", object_id=object_id, seq=seq, at=at,
                                  actor_label=actor.username, action=verb, reason=reason, data=data, prev_hash=prev)
            writer.add(Event, {
                "object_type": "cases.case", "object_id": object_id, "seq": seq, "at": at, "actor_id": actor.pk,
                "actor_label": actor.username, "action": verb, "reason": reason,
                "data": json.dumps(data, ensure_ascii=False), "prev_hash": prev, "hash": digest, "chain_month": month,
            })
            prev = digest
        result.events += len(events)
        result.statuses[status] += 1

    done = 0
    while done < count:
        n = min(batch, count - done)
        with transaction.atomic():
            for _ in range(n):
                one(case_ids.take())
            _flush_ordered(writer)
            case_ids.sync_sequence()
            refusal_ids.sync_sequence()
        done += n
        result.cases = done
        if progress:
            progress(n)
    _raise_counters(counters, touched)
    return result


def _flush_ordered(writer: _Writer) -> None:
    """Parents before children (foreign keys are checked per statement on COPY)."""
    rows = writer.rows
    writer.rows = {m: rows.pop(m) for m in (Case, Refusal, CaseMaterial, Event) if m in rows}
    writer.flush()


def _raise_counters(counters: dict, touched: set) -> None:
    rows = [CaseCounter(code=code, day=day, last=counters[(code, day)]) for code, day in sorted(touched)]
    for start in range(0, len(rows), 2000):
        CaseCounter.objects.bulk_create(rows[start:start + 2000], update_conflicts=True,
                                        unique_fields=["code", "day"], update_fields=["last"])


def iter_statuses() -> Iterator[str]:
    return iter(STATUS_WEIGHTS)
