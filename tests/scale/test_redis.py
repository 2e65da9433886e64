"""With REDIS_URL the cache (the data hub's permission cache, sign-in limits) and the sessions live in Redis,
shared by every worker: a revoked permission is gone for all of them at once. Database 5 of the local Redis
(ONEVISIT_TEST_REDIS_URL)."""

import os

import pytest
from django.core.cache import cache

from tests.datahub.conftest import hub  # noqa: F401 - shared fixtures

REDIS_URL = os.environ.get("ONEVISIT_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="ONEVISIT_TEST_REDIS_URL is not set (.ci/run sets it)")


@pytest.fixture
def redis_settings(settings):
    import redis

    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": "onevisit-test"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.DATAHUB_PERMISSION_CACHE_SECONDS = 300
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    cache.close()


def test_a_permission_cached_in_redis_is_forgotten_everywhere_when_revoked(redis_settings, hub, departments):  # noqa: F811
    from onevisit.datahub import services
    from onevisit.datahub.models import SharingPermission

    services.permission_grant(actor=hub["chief"], department=departments["market"],
                              resource=hub["resources"]["population"], fields=["name"])
    dept = departments["market"]
    perm = services._permission(dept.pk, "population")
    assert perm is not None
    keys = [k.decode() for k in redis_settings.keys("*")]
    assert any(k.endswith(f"datahub:permission:{dept.pk}:population") for k in keys)  # shared, not per process
    services._permission_cache.clear()  # another worker: nothing of its own
    assert services._permission(dept.pk, "population").pk == perm.pk
    services.permission_revoke(actor=hub["chief"], permission=SharingPermission.objects.get(pk=perm.pk), reason="停止共享")
    assert not any("datahub:permission" in k.decode() for k in redis_settings.keys("*"))
    assert services._permission(dept.pk, "population") is None


def test_sessions_are_read_from_redis(redis_settings, client, personas):
    client.force_login(personas["reviewer"])
    keys = [k.decode() for k in redis_settings.keys("*")]
    assert any("django.contrib.sessions.cached_db" in k for k in keys)
    assert client.get("/console/worklist/").status_code == 200  # signed in: the session was found
