from django.core.management.base import BaseCommand

from onevisit.notifications.services import notifications_retry


class Command(BaseCommand):
    help = "重新发送待发送和发送失败的通知"

    def handle(self, *args, **options):
        counts = notifications_retry()
        self.stdout.write(f"已发送 {counts['sent']} 条，仍失败 {counts['failed']} 条")
