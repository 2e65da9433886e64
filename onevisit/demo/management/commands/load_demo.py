"""`manage.py load_demo`: the demo organisations, staff, citizens, catalog and 一件事 bundles.
Safe to run again: only what is missing is created."""

import time

from django.core.management.base import BaseCommand

from onevisit.demo.loader import demo_logins, format_table, load_demo

_LABELS = {
    "regions": "行政区划", "departments": "部门", "centres": "服务中心", "windows": "窗口", "users": "账号",
    "staff_roles": "岗位角色", "items": "事项", "item_versions": "事项新版本", "bundles": "一件事",
}


class Command(BaseCommand):
    help = "加载演示数据（区划、部门、窗口、工作人员、群众、事项目录和一件事）；重复运行不会重复创建"

    def handle(self, *args, **options):
        started = time.monotonic()
        report = load_demo()
        elapsed = time.monotonic() - started
        if report.anything_created:
            summary = "，".join(f"{_LABELS.get(k, k)} {n} 个" for k, n in report.created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"演示数据已加载（用时 {elapsed:.1f} 秒）：{summary}。"))
        else:
            self.stdout.write("演示数据已存在，未做任何改动。")
        self.stdout.write("\n演示账号（所有账号密码相同）：\n")
        self.stdout.write(format_table(("用户名", "密码", "角色", "部门/窗口"), demo_logins()))
