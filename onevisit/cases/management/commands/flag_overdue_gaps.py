from django.core.management.base import BaseCommand

from onevisit.cases.services import cases_flag_overdue_gaps


class Command(BaseCommand):
    help = "标记容缺承诺逾期未补齐的办件（每日运行）"

    def handle(self, *args, **options):
        flagged = cases_flag_overdue_gaps()
        self.stdout.write(f"标记容缺逾期办件 {len(flagged)} 件")
