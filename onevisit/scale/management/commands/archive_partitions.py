import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onevisit.scale.partitions import ARCHIVE_SCHEMA, archive_before


class Command(BaseCommand):
    help = (f"把早于某月的按月分区从表中分离：移入 {ARCHIVE_SCHEMA} 模式，或导出为压缩 CSV 文件后删除。"
            "仍在延续的变更记录链所在的月份保留")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="年月，如 2025-01：此月之前结束的分区")
        parser.add_argument("--to-dir", default=None, help="导出到该目录（.csv.gz 与清单），导出后删除分区")
        parser.add_argument("--table", action="append", choices=["history_event", "datahub_accessrecord"])
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, before, to_dir, table, dry_run, **options):
        try:
            month = dt.datetime.strptime(before, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"--before 应为 年-月（如 2025-01），实际为 {before!r}")
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 不分区，无需操作")
            return
        results = archive_before(before=month, to_dir=Path(to_dir) if to_dir else None, dry_run=dry_run,
                                 tables=table)
        for r in results:
            if r.kept_reason:
                self.stdout.write(f"保留 {r.partition}（{r.rows} 条）：{r.kept_reason}")
            else:
                self.stdout.write(f"已分离 {r.partition}（{r.rows} 条）→ {r.destination}")
        if not results:
            self.stdout.write("没有需要分离的分区")
