from django.core.management.base import BaseCommand, CommandError

from onevisit.history.models import Event
from onevisit.history.services import verify_chains


class Command(BaseCommand):
    help = "校验所有变更记录哈希链，列出每条断裂链的第一条问题记录"

    def add_arguments(self, parser):
        parser.add_argument("--type", dest="object_type", help="只校验某一类对象，如 catalog.serviceitem")

    def handle(self, *args, object_type=None, **options):
        broken = list(verify_chains(object_type=object_type))
        total = Event.objects.count() if not object_type else Event.objects.filter(object_type=object_type).count()
        for link in broken:
            self.stderr.write(str(link))
        if broken:
            raise CommandError(f"{len(broken)} 条链校验失败（共 {total} 条记录）")
        self.stdout.write(f"校验通过：{total} 条记录，全部哈希链完整")
