"""Tell the applicant when their case is accepted, when a one-time notice asks for something, when it
is decided and when the result is delivered. Listens to onevisit.cases.signals.case_moved (sent after
commit). Each message has a dedupe key per (case, verb[, notice number]) so a retried transition or a
second signal never sends twice; a second notice on the same case is a new message."""

from django.conf import settings

from onevisit.notifications.models import Channel
from onevisit.notifications.services import notify

ACCEPTED = ("accept", "accept_on_the_spot")
MESSAGES = {
    "accept": ("受理通知", "您申请的“{item}”已受理（办件编号 {number}），承诺办结时间 {due}。"),
    "accept_on_the_spot": ("办结通知", "您申请的“{item}”已当场办结（办件编号 {number}）。"),
    "notice": ("一次性告知", "您申请的“{item}”（办件编号 {number}）需要补正：{problems}。可在网上直接补交。"),
    "approve": ("审批结果", "您申请的“{item}”（办件编号 {number}）已准予许可。"),
    "deny": ("审批结果", "您申请的“{item}”（办件编号 {number}）不予许可，理由及救济途径见决定书。"),
    "deliver": ("送达通知", "您申请的“{item}”（办件编号 {number}）的结果已{method}。"),
}


def status_url(number: str) -> str:
    return f"{settings.ONEVISIT_PUBLIC_URL.rstrip('/')}/s/{number}/"


def on_case_moved(sender, *, case_id: int, verb: str, before: str, after: str, **kwargs) -> None:
    if verb not in MESSAGES:
        return
    from onevisit.cases.models import Case

    case = Case.objects.select_related("item", "bundle", "submitted_by").filter(pk=case_id).first()
    if case is None or case.parent_id:  # bundle children: the applicant hears once, through the parent
        return
    subject, text = MESSAGES[verb]
    dedupe = f"case:{case.pk}:{verb}"
    problems = ""
    if verb == "notice":
        notice = case.notices.order_by("-seq").first()
        dedupe += f":{notice.seq}" if notice else ""
        problems = "；".join(p["reason"] for p in (notice.problems if notice else []))
    item = case.bundle.name if case.is_bundle_parent else case.item.name
    due = f"{case.promised_due:%Y-%m-%d}" if case.promised_due else "—"
    body = text.format(item=item, number=case.number, due=due, problems=problems,
                       method=case.get_delivery_method_display() or "送达")
    body += f" 查看进度：{status_url(case.number)}"
    user = case.submitted_by
    if case.contact_phone:
        notify(recipient=case.contact_phone, channel=Channel.SMS, subject=subject, body=body, template=f"case_{verb}",
               user=user, related=case, dedupe_key=dedupe)
    if case.contact_email:
        notify(recipient=case.contact_email, channel=Channel.EMAIL, subject=f"{subject}：{item}", body=body,
               template=f"case_{verb}", user=user, related=case, dedupe_key=f"{dedupe}:email")
