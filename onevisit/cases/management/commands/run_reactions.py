"""Run the case reactions that are due: failed earlier, or never run because a process died after the
transition committed (onevisit.cases.hooks). Safe to run at any time and from several machines."""

from django.core.management.base import BaseCommand

from onevisit.cases.hooks import run_pending


class Command(BaseCommand):
    help = "运行到期的办件后续处理（秒批、归档打包等），包括此前失败待重试的"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="本次最多运行多少条")
        parser.add_argument("--case", type=int, default=None, help="只运行某个办件（内部编号）的")
        parser.add_argument("--include-given-up", action="store_true", help="也重试已放弃（超过重试次数）的")

    def handle(self, *args, limit, case, include_given_up, **options):
        counts = run_pending(case_id=case, limit=limit, include_given_up=include_given_up)
        self.stdout.write(f"完成 {counts['done']} 条，失败 {counts['failed']} 条，跳过 {counts['skipped']} 条")
