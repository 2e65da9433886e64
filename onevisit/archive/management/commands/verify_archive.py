from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onevisit.archive.models import ArchivePackage
from onevisit.archive.services import verify_package, verify_stored


class Command(BaseCommand):
    help = "核验电子档案包：平台签名、每个文件的 SHA-256；列出被修改、缺失或多出的文件。参数为办件编号或 zip 文件路径。"

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="+", help="办件编号，或档案包文件路径；--all 核验全部")

    def handle(self, *args, target, **options):
        failed = 0
        packages = ArchivePackage.objects.all() if target == ["--all"] else None
        items = [(p.case.number, lambda p=p: verify_stored(p)) for p in packages] if packages is not None else []
        for t in target if packages is None else []:
            path = Path(t)
            if path.suffix == ".zip" and path.exists():
                items.append((t, lambda path=path: verify_package(path.read_bytes())))
                continue
            package = ArchivePackage.objects.filter(case__number=t).first()
            if package is None:
                raise CommandError(f"没有办件 {t} 的电子档案")
            items.append((t, lambda package=package: verify_stored(package)))
        for name, check in items:
            result = check()
            if result.ok:
                self.stdout.write(f"{name}：完好")
            else:
                failed += 1
                for problem in result.problems:
                    self.stdout.write(f"{name}：{problem}")
        if failed:
            raise CommandError(f"{failed} 个档案包未通过核验")
