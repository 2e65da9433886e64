"""`manage.py generate_cases --count N`: synthetic cases for benchmarks (see bench/onevisit_bench/synthetic.py).
Writes rows directly (COPY on PostgreSQL); run `manage.py load_demo` first."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from bench.onevisit_bench.synthetic import generate_cases


class Command(BaseCommand):
    help = "生成合成办件（用于性能测试；直接写入数据库，不经过业务服务）。须先运行 load_demo"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000_000, help="办件数量（默认 1,000,000）")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000, help="每个事务写入的办件数")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, count, seed, batch, no_progress, **options):
        started = time.monotonic()
        with tqdm(total=count, unit="件", disable=no_progress, mininterval=1.0) as bar:
            result = generate_cases(count=count, seed=seed, batch=batch, progress=bar.update)
        elapsed = time.monotonic() - started
        states = "，".join(f"{k} {v}" for k, v in result.statuses.most_common())
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {result.cases} 件办件、{result.materials} 份材料、{result.events} 条历史记录、"
            f"{result.refusals} 条否定报备，用时 {elapsed:.1f} 秒（{result.cases / max(elapsed, 1e-9):.0f} 件/秒）。"
        ))
        self.stdout.write(f"状态分布：{states}")
