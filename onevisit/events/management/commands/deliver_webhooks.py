"""Deliver to every webhook subscription that is behind (what the scheduled task does)."""

from django.core.management.base import BaseCommand

from onevisit.events.webhooks import deliver, due_subscriptions


class Command(BaseCommand):
    help = "向落后的 Webhook 订阅投递事件（含到期的重试）"

    def handle(self, *args, **options):
        totals = {"delivered": 0, "dead": 0, "failed": 0}
        for pk in due_subscriptions():
            for k, v in deliver(pk).items():
                totals[k] += v
        self.stdout.write(f"投递 {totals['delivered']} 条，进入死信 {totals['dead']} 条，失败待重试 {totals['failed']} 次")
