"""Reads from a streaming replica (DATABASE_REPLICA_URL) for the pages that may be a moment behind:
dashboards, public pages, indicators (docs/decisions/0021).

Nothing goes to the replica unless a view asks for it: a URL name in ONEVISIT_REPLICA_VIEWS (matched by the
middleware, GET and HEAD only) or a view wrapped in `replica_reads`. Even then:
- sessions, accounts, tokens, the cache table and anything inside a transaction read the primary;
- a browser that has just written (any POST, PUT, PATCH, DELETE) reads the primary for
  ONEVISIT_REPLICA_PIN_SECONDS, so it always sees its own writes;
- worklists, case pages and every API transition never set it: they read the primary."""

from __future__ import annotations

import contextvars
import fnmatch
import functools
import time
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.db import connections

REPLICA = "replica"
DEFAULT = "default"
PRIMARY_ONLY_APPS = {"sessions", "accounts", "auth", "contenttypes", "admin", "django_cache"}
PIN_COOKIE = "ov_primary"
_reading = contextvars.ContextVar("onevisit_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view):
    """Decorate a read-only view (a dashboard, a public page, an indicator) to read from the replica."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or _pinned(request):
            return view(request, *args, **kwargs)
        with reading_from_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or connections[DEFAULT].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT


def _pinned(request) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE)
    if not raw:
        return False
    try:
        until = signing.loads(raw, salt=PIN_COOKIE)
    except signing.BadSignature:
        return False
    return isinstance(until, (int, float)) and until > time.time()


class ReplicaMiddleware:
    """Turns replica reads on for the views named in ONEVISIT_REPLICA_VIEWS, and pins a browser that has just
    written to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = None
        if replica_configured() and request.method in ("GET", "HEAD") and not _pinned(request):
            from django.urls import Resolver404, resolve

            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name and any(fnmatch.fnmatchcase(name, p) for p in settings.ONEVISIT_REPLICA_VIEWS):
                token = _reading.set(True)
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                _reading.reset(token)
        if replica_configured() and request.method not in ("GET", "HEAD", "OPTIONS"):
            seconds = settings.ONEVISIT_REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, signing.dumps(time.time() + seconds, salt=PIN_COOKIE), max_age=seconds,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response
