from django.core.management.base import BaseCommand
from django.db import connection

from onevisit.scale.partitions import MONTHS_AHEAD, partitions_ensure


class Command(BaseCommand):
    help = "为按月分区的表（变更记录、数据使用记录）建好今后几个月的分区（每日运行，幂等）"

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=MONTHS_AHEAD)
        parser.add_argument("--months-back", type=int, default=0)

    def handle(self, *args, months_ahead, months_back, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 不分区，无需操作")
            return
        created = partitions_ensure(months_ahead=months_ahead, months_back=months_back)
        self.stdout.write(f"新建分区 {len(created)} 个" + (f"：{', '.join(created)}" if created else ""))
