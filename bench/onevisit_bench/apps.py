from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench.onevisit_bench"
    label = "onevisit_bench"
    verbose_name = "性能测试（仅测试环境）"
