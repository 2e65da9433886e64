"""The events API (/api/v1/events, /api/v1/subscriptions): read the log by position, and manage the
subscriptions of a department system (docs/events.md). Thin adapters over services and selectors."""


from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from onevisit.accounts.auth import staff_auth
from onevisit.api_schemas import ERRORS
from onevisit.cases.schemas import Moment
from onevisit.events import selectors, services
from onevisit.events.models import DeadLetter, Subscription, SubscriptionKind
from onevisit.events.outbox import EVENT_TYPES
from onevisit.events.publisher import head_position

router = Router(tags=["事件订阅"], auth=staff_auth)


class EventPage(Schema):
    """CloudEvents 1.0 (JSON) after a position, oldest first; `next_after` is the position to ask after next."""

    head: int
    next_after: int
    results: list[dict]


class EventType(Schema):
    type: str
    description: str


class SubscriptionIn(Schema):
    name: str
    kind: str = "webhook"
    departments: list[int] = Field(default_factory=list, description="部门编号；空为可见的全部部门")
    item_codes: list[str] = Field(default_factory=list, description="事项实施编码；空为全部")
    types: list[str] = Field(default_factory=list, description="事件类型；空为全部")
    callback_url: str = ""
    secret: str = Field("", description="HMAC-SHA256 签名密钥（16-200 个字符），只在创建和修改时提交，不会返回")
    batch_size: int = 1


class SubscriptionPatch(Schema):
    name: str | None = None
    departments: list[int] | None = None
    item_codes: list[str] | None = None
    types: list[str] | None = None
    callback_url: str | None = None
    secret: str | None = None
    batch_size: int | None = None
    active: bool | None = None


class QueueOut(Schema):
    url_hint: str
    exchange: str
    queue: str
    binding_keys: list[str]


class SubscriptionOut(Schema):
    id: int
    name: str
    kind: str
    departments: list[int]
    item_codes: list[str]
    types: list[str]
    callback_url: str
    batch_size: int
    active: bool
    cursor: int
    head: int
    delivered_count: int
    attempts: int
    next_attempt_at: Moment | None
    last_error: str
    created_at: Moment
    queue: QueueOut | None


class ReplayIn(Schema):
    from_position: int


class DeadLetterOut(Schema):
    id: int
    position: int
    event_id: str
    attempts: int
    last_error: str
    created_at: Moment
    resent_at: Moment | None
    resend_error: str


def _out(sub: Subscription, head: int | None = None) -> dict:
    queue = None
    if sub.kind == SubscriptionKind.AMQP:
        from django.conf import settings

        from onevisit.events.amqp import binding_keys

        queue = {"url_hint": "amqp://<由运维分配的账号>@<消息服务地址>/<虚拟主机>",
                 "exchange": settings.ONEVISIT_EVENTS_EXCHANGE, "queue": sub.queue_name,
                 "binding_keys": binding_keys(sub)}
    return {
        "id": sub.pk, "name": sub.name, "kind": sub.kind, "departments": sub.departments,
        "item_codes": sub.item_codes, "types": sub.types, "callback_url": sub.callback_url,
        "batch_size": sub.batch_size, "active": sub.active, "cursor": sub.cursor,
        "head": head_position() if head is None else head, "delivered_count": sub.delivered_count,
        "attempts": sub.attempts, "next_attempt_at": sub.next_attempt_at, "last_error": sub.last_error,
        "created_at": sub.created_at, "queue": queue,
    }


def _dead(d: DeadLetter) -> dict:
    return {"id": d.pk, "position": d.position, "event_id": str(d.event_id), "attempts": d.attempts,
            "last_error": d.last_error, "created_at": d.created_at, "resent_at": d.resent_at,
            "resend_error": d.resend_error}


@router.get("/events", response={200: EventPage, **ERRORS}, summary="按位置读取办件事件（重放、拉取）")
def list_events(request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
                type: str | None = None, item_code: str | None = None, department: int | None = None):  # noqa: A002
    types = [t.strip() for t in type.split(",") if t.strip()] if type else None
    events, head = selectors.events_visible(request.auth, after=after, limit=limit, types=types,
                                            item_code=item_code, department=department)
    # Sent as stored: the CloudEvents JSON of each event, spliced without decoding it again.
    next_after = events[-1].position if len(events) == limit else head
    body = (f'{{"head":{head},"next_after":{next_after},"results":['.encode()
            + b",".join(e.body for e in events) + b"]}")
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/events/types", response={200: list[EventType], **ERRORS}, summary="事件类型一览")
def event_types(request):
    return [{"type": t, "description": d} for t, d in sorted(EVENT_TYPES.items())]


@router.post("/subscriptions", response={201: SubscriptionOut, **ERRORS}, summary="创建订阅（Webhook 或专用 AMQP 队列）")
def create_subscription(request, payload: SubscriptionIn):
    sub = services.subscription_create(actor=request.auth, data=payload.dict())
    return Status(201, _out(sub))


@router.get("/subscriptions", response={200: list[SubscriptionOut], **ERRORS}, summary="我的订阅")
def my_subscriptions(request):
    head = head_position()
    return [_out(s, head) for s in selectors.subscriptions_of(request.auth)]


@router.get("/subscriptions/{sub_id}", response={200: SubscriptionOut, **ERRORS}, summary="订阅详情与投递进度")
def read_subscription(request, sub_id: int):
    return _out(selectors.subscription_for(request.auth, sub_id))


@router.patch("/subscriptions/{sub_id}", response={200: SubscriptionOut, **ERRORS}, summary="修改、暂停或恢复订阅")
def change_subscription(request, sub_id: int, payload: SubscriptionPatch):
    sub = selectors.subscription_for(request.auth, sub_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return _out(services.subscription_update(actor=request.auth, subscription=sub, data=data))


@router.delete("/subscriptions/{sub_id}", response={204: None, **ERRORS}, summary="删除（停用）订阅")
def delete_subscription(request, sub_id: int):
    services.subscription_delete(actor=request.auth, subscription=selectors.subscription_for(request.auth, sub_id))
    return Status(204, None)


@router.post("/subscriptions/{sub_id}/replay", response={200: SubscriptionOut, **ERRORS}, summary="从某一位置起重新投递")
def replay(request, sub_id: int, payload: ReplayIn):
    sub = selectors.subscription_for(request.auth, sub_id)
    return _out(services.subscription_replay(actor=request.auth, subscription=sub, from_position=payload.from_position))


@router.get("/subscriptions/{sub_id}/dead-letters", response={200: list[DeadLetterOut], **ERRORS}, summary="死信（多次投递失败的事件）")
def dead_letters(request, sub_id: int, pending: bool = False):
    sub = selectors.subscription_for(request.auth, sub_id)
    return [_dead(d) for d in selectors.dead_letters_of(sub, pending_only=pending)]


@router.post("/subscriptions/{sub_id}/dead-letters/{dead_id}/resend", response={200: DeadLetterOut, **ERRORS},
             summary="重新投递一条死信")
def resend_dead_letter(request, sub_id: int, dead_id: int):
    sub = selectors.subscription_for(request.auth, sub_id)
    dead = DeadLetter.objects.select_related("subscription").filter(pk=dead_id, subscription=sub).first()
    if dead is None:
        from django.http import Http404

        raise Http404("死信不存在")
    return _dead(services.dead_letter_resend(actor=request.auth, dead_letter=dead))


