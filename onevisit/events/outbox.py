"""Writing events into the outbox: the case engine's transitions (a listener of the seam) and any app's own
events (`outbox_publish`). One INSERT per event, in the caller's transaction; nothing else on the hot path.

Other apps publish their events like this, inside the transaction that makes the change:

    from onevisit.events.outbox import outbox_publish, register_event_type

    register_event_type("cn.onevisit.rating.submitted", "一条好差评提交")      # in AppConfig.ready()
    outbox_publish(type="cn.onevisit.rating.submitted", subject=rating.case_number,
                   data={...}, department=rating.department_id, item_code=rating.item_code)

and document the type in docs/events.md (a test checks every registered type is there)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zlib
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onevisit.events.models import OutboxEvent
from onevisit.workdays.calendar import SHANGHAI

PREFIX = "cn.onevisit."
CASE_PREFIX = PREFIX + "case."

# The case engine's verbs (onevisit.cases.transitions, plus "submit") and the event type each one sends.
# A bundle's child moved with its parent sends the same type as the verb it follows; data.transition.verb
# keeps the engine's own verb.
CASE_TYPES: dict[str, tuple[str, str]] = {
    "submit": ("submitted", "提交申请"),
    "notice": ("notice_issued", "一次性告知"),
    "supplement": ("supplemented", "补正后重新提交"),
    "accept": ("accepted", "受理"),
    "accept_on_the_spot": ("accepted_on_the_spot", "即办（当场办结）"),
    "refuse": ("refused", "不予受理"),
    "overturn": ("refusal_overturned", "撤销不予受理"),
    "start_stage": ("stage_started", "前序阶段完成，开始办理"),
    "cancel": ("cancelled", "终止（前序事项不予许可）"),
    "complete_step": ("step_completed", "完成办理环节"),
    "suspend": ("suspended", "特别程序中止"),
    "resume": ("resumed", "恢复办理"),
    "request_supplement": ("supplement_requested", "受理后要求补正"),
    "supply_requested": ("supplement_supplied", "按要求补正，恢复计时"),
    "extend": ("extended", "延长时限"),
    "approve": ("approved", "准予许可"),
    "deny": ("denied", "不予许可"),
    "issue_result": ("result_issued", "出具结果"),
    "deliver": ("delivered", "送达"),
    "archive": ("archived", "归档"),
    "withdraw": ("withdrawn", "撤回申请"),
    "upload": ("material_uploaded", "提交材料"),
    "commit": ("commitment_made", "承诺替代材料"),
    "choose_delivery": ("delivery_chosen", "选择送达方式"),
    "supply_gap": ("gap_supplied", "容缺材料补齐"),
    "post_check": ("post_checked", "事后核查"),
    "flag_gaps_overdue": ("gaps_overdue", "容缺承诺逾期未补齐"),
    "parent_results_ready": ("results_ready", "一件事各项结果齐备"),
    "child_delivered": ("delivered", "随一件事送达"),
    "child_withdrawn": ("withdrawn", "随一件事撤回"),
    "child_accepted": ("accepted", "随一件事受理"),
    "child_waiting": ("waiting", "随一件事受理，等待前序阶段"),
    "child_notice": ("notice_issued", "随一件事告知"),
    "child_supplement": ("supplemented", "随一件事补正"),
    "child_refused": ("refused", "随一件事不予受理"),
    "child_reopened": ("refusal_overturned", "随一件事撤销不予受理"),
    "child_archived": ("archived", "随一件事归档"),
}

# Every type that may be written, with a one-line description (apps add theirs with register_event_type).
EVENT_TYPES: dict[str, str] = {}
for _verb, (_name, _label) in CASE_TYPES.items():
    EVENT_TYPES.setdefault(CASE_PREFIX + _name, _label)

_TYPE_RE = re.compile(r"^cn\.onevisit(\.[a-z][a-z0-9_]*){2,4}$")


def register_event_type(type: str, description: str) -> None:  # noqa: A002 - CloudEvents calls it "type"
    """Declare an event type an app will publish (call it from AppConfig.ready)."""
    if not _TYPE_RE.match(type):
        raise ValueError(f"事件类型 {type!r} 不合规：应形如 cn.onevisit.<对象>.<动作>，小写字母、数字和下划线")
    EVENT_TYPES[type] = description


def case_type(verb: str) -> str:
    name = CASE_TYPES.get(verb, (verb, ""))[0]
    return CASE_PREFIX + name


def shard_of(subject: str) -> int:
    """The shard of a subject: every event of one case goes through one shard, so one publisher, in order."""
    return zlib.crc32(subject.encode("utf-8")) % settings.ONEVISIT_OUTBOX_SHARDS


def moment(value: dt.datetime | None) -> str | None:
    """A moment as the API writes it: China Standard Time with milliseconds and the +08:00 offset."""
    return value.astimezone(SHANGHAI).isoformat(timespec="milliseconds") if value else None


@cache
def _status_labels() -> dict[str, str]:
    from onevisit.cases.models import CaseStatus

    return {value: str(label) for value, label in CaseStatus.choices}


_item_names: dict[int, str] = {}


def _item_name(case) -> str:
    """The item's name without a query when the engine has the item loaded (it always has on its paths)."""
    field = type(case)._meta.get_field("item")
    if field.is_cached(case):
        return case.item.name
    name = _item_names.get(case.item_id)
    if name is None:  # item versions never change their name once published
        from onevisit.catalog.models import ServiceItem

        name = _item_names[case.item_id] = ServiceItem.objects.values_list("name", flat=True).get(pk=case.item_id)
    return name


_MOVE_KEYS = ("from", "to", "at")


def case_data(moved) -> dict:
    """The compact state of a case after one transition, and the transition itself (docs/events.md)."""
    c = moved.case
    return {
        "case": {
            "id": c.pk, "number": c.number, "status": c.status, "status_label": _status_labels().get(c.status, c.status),
            "item_code": c.item_code, "item_name": _item_name(c), "department_id": c.department_id,
            "bundle_id": c.bundle_id, "parent_id": c.parent_id, "stage": c.stage, "channel": c.channel,
            "applicant_kind": c.applicant_kind, "applicant_name": c.applicant_name,
            "submitted_at": moment(c.submitted_at), "accepted_at": moment(c.accepted_at),
            "promised_due": moment(c.promised_due), "legal_due": moment(c.legal_due),
            "decided_at": moment(c.decided_at), "delivered_at": moment(c.delivered_at),
            "delivery_method": c.delivery_method, "gaps_outstanding": c.gaps_outstanding,
            "gaps_overdue": c.gaps_overdue, "visits": c.visits, "visits_exceeded": c.visits_exceeded,
            "green_lane": c.green_lane,
        },
        "transition": {
            "verb": moved.verb, "from": moved.before, "to": moved.after, "at": moment(moved.at), "seq": moved.seq,
            "actor": getattr(moved.actor, "username", None) or "系统",
            "facts": {k: v for k, v in (moved.data or {}).items() if k not in _MOVE_KEYS},
        },
    }


_COLUMNS = ("event_id", "type", "source", "subject", "time", "department_id", "item_code", "shard", "data")
_SQL: dict[str, tuple[str, list]] = {}


def _insert(values: dict) -> None:
    """One INSERT, no statement compiled per call (this runs in every transition's transaction); the values
    are prepared by the model's own fields, as the ORM would."""
    plan = _SQL.get(connection.vendor)
    if plan is None:
        meta = OutboxEvent._meta
        sql = f'INSERT INTO "{meta.db_table}" ({", ".join(_COLUMNS)}) VALUES ({", ".join(["%s"] * len(_COLUMNS))})'
        plan = _SQL[connection.vendor] = (sql, [meta.get_field(c) for c in _COLUMNS])
    sql, fields = plan
    with connection.cursor() as cur:
        cur.execute(sql, [f.get_db_prep_save(values[f.attname], connection) for f in fields])


def _write(*, type: str, subject: str, data: dict, time: dt.datetime, department_id, item_code: str,  # noqa: A002
           key: str) -> uuid.UUID:
    event_id = uuid.uuid4()
    _insert({"event_id": event_id, "type": type, "source": settings.ONEVISIT_EVENTS_SOURCE, "subject": subject,
             "time": time, "department_id": department_id, "item_code": item_code or "", "shard": shard_of(key),
             "data": data})
    _after_commit_publish()
    return event_id


def _after_commit_publish() -> None:
    """The embedded default publishes in-process after the commit (once per transaction); a deployment with a
    publisher process (ONEVISIT_EVENTS_PUBLISHER=process) leaves it to that process."""
    if settings.ONEVISIT_EVENTS_PUBLISHER != "inprocess":
        return
    from onevisit.events.publisher import publish_inprocess

    if connection.in_atomic_block and any(hook[1] is publish_inprocess for hook in connection.run_on_commit):
        return
    transaction.on_commit(publish_inprocess, robust=True)


def on_case_moved(moved) -> None:
    """Listener of every transition (registered in EventsConfig.ready): its event, in its transaction."""
    case = moved.case
    _write(type=case_type(moved.verb), subject=case.number, data=case_data(moved), time=moved.at,
           department_id=case.department_id, item_code=case.item_code, key=case.number)


def outbox_publish(*, type: str, subject: str, data: dict, department=None, item_code: str = "",  # noqa: A002
                   key: str | None = None, time: dt.datetime | None = None) -> uuid.UUID:
    """Write one event of any app into the outbox, in the caller's transaction (call it where the change is
    written, so the event commits with it or not at all). `type` must be registered (register_event_type);
    `subject` is what the event is about (a case number, a rating's number…); events with the same `key`
    (default: the subject) are delivered in the order they were written. Returns the event's id."""
    if type not in EVENT_TYPES:
        raise ValueError(f"事件类型 {type!r} 未登记：先在 AppConfig.ready() 中调用 register_event_type 并写入 docs/events.md")
    if not subject or len(subject) > 120:
        raise ValueError("subject 必须填写，且不超过 120 个字符")
    if not isinstance(data, dict):
        raise ValueError("data 应为对象（dict）")
    department_id = getattr(department, "pk", department)
    return _write(type=type, subject=subject, data=data, time=time or timezone.now(), department_id=department_id,
                  item_code=item_code, key=key or subject)
