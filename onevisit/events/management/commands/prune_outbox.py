from django.conf import settings
from django.core.management.base import BaseCommand

from onevisit.events.services import outbox_prune


class Command(BaseCommand):
    help = "删除超过保留期（ONEVISIT_EVENTS_RETENTION_DAYS）且已发布的出站事件"

    def handle(self, *args, **options):
        n = outbox_prune()
        self.stdout.write(f"删除 {n} 条超过 {settings.ONEVISIT_EVENTS_RETENTION_DAYS} 天的已发布事件")
