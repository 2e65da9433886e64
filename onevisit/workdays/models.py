from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarYear(models.Model):
    """A year whose arrangement an operator has loaded (the State Council publishes each next year in
    November). A year is known when it is here or covered by the chinesecalendar package."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=300, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class DayArrangement(models.Model):
    """One day that differs from the Monday-Friday rule: a holiday on a weekday, or a weekend workday
    (调休). Also used to correct the package's data for a covered year."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
