"""Production server settings for `make run` and the benchmark. Sync workers at about 1.5 x cores
measured best on this kind of machine (see ../shared/DESIGN.md, "Measured limits")."""

import multiprocessing
import os

bind = os.environ.get("ONEVISIT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ONEVISIT_WORKERS", max(2, int(multiprocessing.cpu_count() * 1.5))))
worker_class = "sync"
timeout = 60
accesslog = os.environ.get("ONEVISIT_ACCESS_LOG", None)
errorlog = "-"
wsgi_app = "onevisit.wsgi:application"
# One persistent database connection per sync worker (a worker serves one request at a time, so this is
# a pool of `workers` connections): saves the connect + authentication of every request. DB_CONN_MAX_AGE=0
# in the environment turns it off. Measured in the README, "Benchmarks".
os.environ.setdefault("DB_CONN_MAX_AGE", "600")
