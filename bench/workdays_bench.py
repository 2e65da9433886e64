"""Time deadline arithmetic: the median of repeated `add_working_days(start, 20)` calls.

Runs on a private in-memory SQLite database (migrated here) unless DATABASE_URL is set, so it never
touches the development database. Prints JSON lines: {"metric", "value", "unit"}.
Usage: .venv/bin/python bench/workdays_bench.py [--repeat 2000]"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from onevisit.workdays import calendar  # noqa: E402


def _median_us(fn, starts, repeat: int) -> float:
    samples = []
    for i in range(repeat):
        start = starts[i % len(starts)]
        t0 = time.perf_counter_ns()
        fn(start)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    # Starts spread over 2025-2026 (both covered by chinesecalendar), including the 春节 and 国庆 weeks.
    base = dt.datetime(2025, 1, 1, 10, 30, tzinfo=calendar.SHANGHAI)
    starts = [base + dt.timedelta(days=7 * k + k % 5) for k in range(90)]
    for s in starts:  # warm the per-process cache once, as a long-running worker would have it
        calendar.add_working_days(s, 20)
    add = _median_us(lambda s: calendar.add_working_days(s, 20), starts, args.repeat)
    between = _median_us(
        lambda s: calendar.working_days_between(s, s + dt.timedelta(days=30)), starts, args.repeat
    )
    for metric, value in (("add_working_days_us", add), ("working_days_between_30d_us", between)):
        print(json.dumps({"metric": metric, "value": round(value, 2), "unit": "us"}))


if __name__ == "__main__":
    main()
