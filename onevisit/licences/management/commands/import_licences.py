from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from onevisit.datahub.importing import parse_rows, read_table
from onevisit.datahub.models import DataResource
from onevisit.errors import DomainError
from onevisit.licences.models import LicenceType
from onevisit.licences.services import licences_import

DATES = [{"key": "issued_on", "label": "签发日期", "type": "date"},
         {"key": "valid_until", "label": "有效期至", "type": "date"}]


class Command(BaseCommand):
    help = ("从 CSV 或 Excel 导入存量电子证照（每张由签发部门密钥签名）：表头为持证主体代码（身份证号或统一社会信用代码）、"
            "照面字段、可选的签发日期和有效期至；有任何错误则全部不导入并列出所有错误。")

    def add_arguments(self, parser):
        parser.add_argument("type_code", help="证照类型代码")
        parser.add_argument("file", type=Path, help=".csv（UTF-8）或 .xlsx 文件")
        parser.add_argument("--actor", required=True, help="签发部门数据管理员账号（记入历史）")

    def handle(self, *args, type_code, file, actor, **options):
        lt = LicenceType.objects.select_related("issuer").filter(code=type_code.upper()).first()
        if lt is None:
            raise CommandError(f"证照类型“{type_code}”不存在")
        user = get_user_model().objects.filter(username=actor).first()
        if user is None:
            raise CommandError(f"账号“{actor}”不存在")
        if not file.exists():
            raise CommandError(f"文件“{file}”不存在")
        # The file is read like a register load: same column matching, same per-row validation.
        shape = DataResource(key=lt.resource_key, name=lt.name, identifier_kind=lt.holder_kind, fields=lt.fields + DATES)
        try:
            rows, errors = parse_rows(shape, read_table(file))
        except ValidationError as exc:
            raise CommandError(exc.messages[0])
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"共 {len(errors)} 处错误，未导入任何证照")
        import datetime

        def date(v):
            return datetime.date.fromisoformat(v) if v else None

        payload = [{"holder": h, "issued_on": date(d.pop("issued_on", None)), "valid_until": date(d.pop("valid_until", None)),
                    "data": d} for h, d in rows]
        try:
            licences = licences_import(actor=user, licence_type=lt, rows=payload, source=f"import:{file.name}")
        except PermissionDenied as exc:
            raise CommandError(str(exc))
        except DomainError as exc:
            for f in exc.fields:
                self.stderr.write(f"{f['field']}：{f['reason']}")
            raise CommandError(exc.message)
        self.stdout.write(f"已导入并签名 {len(licences)} 张{lt.name}")
