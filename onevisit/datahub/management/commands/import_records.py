from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onevisit.datahub.importing import parse_rows, read_table
from onevisit.datahub.models import DataResource
from onevisit.datahub.services import records_write, require_data_admin


class Command(BaseCommand):
    help = "从 CSV 或 Excel 批量导入共享数据记录：逐行校验，有任何错误则全部不导入并列出所有错误。"

    def add_arguments(self, parser):
        parser.add_argument("resource", help="资源标识，如 population")
        parser.add_argument("file", type=Path, help=".csv（UTF-8）或 .xlsx 文件")
        parser.add_argument("--actor", help="以该数据管理员账号的名义导入（记入历史）")

    def handle(self, *args, resource, file, actor=None, **options):
        res = DataResource.objects.filter(key=resource).first()
        if res is None:
            raise CommandError(f"资源“{resource}”不存在")
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"账号“{actor}”不存在")
            try:
                require_data_admin(user, res.owner)
            except PermissionDenied as exc:
                raise CommandError(str(exc))
        if not file.exists():
            raise CommandError(f"文件“{file}”不存在")
        try:
            rows, errors = parse_rows(res, read_table(file))
        except ValidationError as exc:
            raise CommandError(exc.messages[0])
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"共 {len(errors)} 处错误，未导入任何记录")
        with tqdm(total=len(rows), unit="条", desc=res.name, disable=options.get("verbosity", 1) == 0) as bar:
            count = records_write(actor=user, resource=res, rows=rows, source=f"import:{file.name}", progress=bar.update)
        self.stdout.write(f"已导入 {count} 条记录到 {res.name}（{res.key}）")
