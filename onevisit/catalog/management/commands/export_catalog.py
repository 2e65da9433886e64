import time

from django.core.management.base import BaseCommand

from onevisit.catalog.excel import export_catalog


class Command(BaseCommand):
    help = "把整个事项目录（区划、部门、全部事项版本、一件事）导出为一个 Excel 文件"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件，如 catalog.xlsx")

    def handle(self, *args, path: str, **options):
        started = time.monotonic()
        export_catalog(path)
        self.stdout.write(self.style.SUCCESS(f"已导出到 {path}（{time.monotonic() - started:.1f} 秒）"))
