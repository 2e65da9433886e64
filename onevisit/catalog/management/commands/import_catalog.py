import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onevisit.accounts.models import User
from onevisit.catalog.excel import CatalogImportError, import_catalog

_NAMES = {"regions": "区划", "departments": "部门", "items": "事项版本", "bundles": "一件事"}


class Command(BaseCommand):
    help = "从 Excel 文件导入事项目录；先校验全部行，有任何错误则列出全部错误且不导入任何内容"

    def add_arguments(self, parser):
        parser.add_argument("path", help="导入文件（export_catalog 导出的格式）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")
        parser.add_argument("--user", help="以该用户名记入变更记录（须为不限部门的事项管理员）；默认为“系统”")

    def handle(self, *args, path: str, dry_run: bool, user: str | None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在")

        def progress(desc, total):
            return tqdm(total=total, desc=desc, unit="行", file=sys.stderr, disable=not sys.stderr.isatty())

        try:
            result = import_catalog(path, actor=actor, dry_run=dry_run, progress=progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc))
        except CatalogImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"共 {len(exc.errors)} 处错误，未导入任何内容")
        verb = "校验通过（未导入）" if dry_run else "导入完成"
        parts = [
            f"{_NAMES[name]}：新建 {c['created']}，更新 {c['updated']}，相同跳过 {c['skipped']}"
            for name, c in result.counts.items()
        ]
        self.stdout.write(self.style.SUCCESS(verb + "。" + "；".join(parts)))
