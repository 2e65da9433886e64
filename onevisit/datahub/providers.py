"""Where a resource's records come from. The embedded default reads the local DataRecord table; a
deployment can point any resource at another government system over HTTP through settings:

    DATAHUB_PROVIDERS = {"death": {"class": "onevisit.datahub.providers.HttpProvider",
                                   "base_url": "https://…/death/", "token": "…", "timeout": 3}}

Other apps register providers for key prefixes (the e-licence library serves "licence:<type code>")."""

import datetime
import json
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from onevisit.datahub.models import DataRecord, DataResource


@dataclass(frozen=True)
class Fetched:
    """What a provider found: the data, when the source last changed it, and where it came from."""

    data: dict
    updated_at: datetime.datetime | None
    source: str
    extra: dict = field(default_factory=dict)


class ProviderError(Exception):
    """The source could not be reached or answered nonsense; the read is refused and recorded."""


class DataProvider(ABC):
    """One data source. Subclasses fetch one record by identifier; they never check permissions,
    which is datahub_read's job."""

    label = "数据源"

    def __init__(self, **options):
        self.options = options

    @abstractmethod
    def fetch(self, *, resource: DataResource, identifier: str) -> Fetched | None:
        """Return the record for the identifier, or None when the source holds none."""


class LocalProvider(DataProvider):
    label = "本地共享库"

    def fetch(self, *, resource: DataResource, identifier: str) -> Fetched | None:
        # One probe of the unique (resource, identifier) index; raw SQL because the ORM's query compilation
        # cost as much as the round trip on this hot path.
        with connection.cursor() as cur:
            cur.execute(
                "SELECT data, updated_at FROM datahub_datarecord WHERE resource_id = %s AND identifier = %s",
                [resource.pk, identifier],
            )
            row = cur.fetchone()
        if row is None:
            return None
        data = json.loads(row[0]) if isinstance(row[0], str | bytes) else row[0]
        updated_at = DataRecord._meta.get_field("updated_at").to_python(row[1])
        if connection.vendor == "sqlite" and timezone.is_naive(updated_at):
            updated_at = timezone.make_aware(updated_at, datetime.UTC)
        return Fetched(data=data, updated_at=updated_at, source=f"{resource.owner_id}:{resource.key}:local")


class HttpProvider(DataProvider):
    """GET {base_url}{identifier} answering {"data": {...}, "updated_at": "ISO-8601"} or 404."""

    label = "外部系统接口"

    def fetch(self, *, resource: DataResource, identifier: str) -> Fetched | None:
        url = self.options["base_url"] + urllib.parse.quote(identifier)
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.options.get("token"):
            request.add_header("Authorization", f"Bearer {self.options['token']}")
        try:
            with urllib.request.urlopen(request, timeout=float(self.options.get("timeout", 3))) as response:
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise ProviderError(f"外部数据源返回错误 {exc.code}")
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ProviderError(f"外部数据源不可用：{exc}")
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise ProviderError("外部数据源的应答格式不正确")
        updated = body.get("updated_at")
        updated_at = datetime.datetime.fromisoformat(updated) if updated else None
        if updated_at is not None and timezone.is_naive(updated_at):
            updated_at = timezone.make_aware(updated_at)
        return Fetched(data=body["data"], updated_at=updated_at, source=url)


_prefix_providers: dict[str, str] = {}


def register_prefix_provider(prefix: str, dotted_path: str) -> None:
    """Apps that own a family of resources (e.g. "licence:") serve them through their own provider."""
    _prefix_providers[prefix] = dotted_path
    provider_for.cache_clear()


@lru_cache(maxsize=256)
def provider_for(resource_key: str) -> DataProvider:
    configured = getattr(settings, "DATAHUB_PROVIDERS", {}).get(resource_key)
    if configured:
        options = dict(configured)
        return import_string(options.pop("class"))(**options)
    for prefix, dotted in _prefix_providers.items():
        if resource_key.startswith(prefix):
            return import_string(dotted)()
    return LocalProvider()


def _settings_changed(*, setting, **kwargs):
    if setting == "DATAHUB_PROVIDERS":
        provider_for.cache_clear()


def _connect() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_settings_changed, dispatch_uid="datahub-providers")


_connect()
