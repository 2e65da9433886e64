"""Tell the applicant when their case is accepted, when a one-time notice asks for something, when it
is decided and when the result is delivered. A listener of the case engine's seam (`hooks.on_transition`,
registered in NotificationsConfig.ready): the message rows are written in the transition's own
transaction, so a committed transition always has its message and a rolled-back one has none; each is
sent after the commit. Each message has a dedupe key per (case, verb[, notice number]) so a retried
transition never sends twice; a second notice on the same case is a new message."""

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


def on_case_moved(moved) -> None:
    """The message of one transition, for the applicant (bundle children: through the parent only)."""
    verb, case = moved.verb, moved.case
    if verb not in MESSAGES or case.parent_id:
        return
    if moved.batch and any(v in MESSAGES for v in moved.batch[moved.batch.index(verb) + 1:]):
        return  # written together with a later step the applicant hears about (秒批): one message, the last
    subject, text = MESSAGES[verb]
    dedupe = f"case:{case.pk}:{verb}"
    problems = ""
    if verb == "notice":  # the event carries the notice's number and problems
        dedupe += f":{moved.data.get('notice', '')}"
        problems = "；".join(p["reason"] for p in moved.data.get("problems", []))
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
