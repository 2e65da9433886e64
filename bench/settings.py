"""The benchmark's settings: the platform's own, plus the benchmark-only app (the synthetic case generator,
`manage.py generate_cases`, and the floor endpoint /api/v1/bench/floor). No deployment uses them."""

from onevisit.settings import *  # noqa: F403
from onevisit.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.onevisit_bench"]
ROOT_URLCONF = "bench.onevisit_bench.urls"
