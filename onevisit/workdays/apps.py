from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class WorkdaysConfig(AppConfig):
    name = "onevisit.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from onevisit.workdays import signals  # noqa: F401

        checks.register(check_unknown_year_policy, "workdays")


def check_unknown_year_policy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from onevisit.workdays.calendar import POLICIES

    value = settings.WORKDAYS_UNKNOWN_YEAR_POLICY
    if value in POLICIES:
        return []
    return [
        checks.Error(
            f"WORKDAYS_UNKNOWN_YEAR_POLICY（环境变量 ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY）的值“{value}”无效",
            hint="应为 error（默认：未载入年份报错）或 weekdays（运营方明确选择按周一至周五计算）",
            id="workdays.E001",
        )
    ]
