"""The platform's URLs plus the floor endpoint, on the same stack (ninja, token auth, multipart parsing)."""

from django.urls import path
from ninja import NinjaAPI

from bench.onevisit_bench.floor import floor_submit
from onevisit.accounts.auth import staff_auth
from onevisit.urls import urlpatterns as platform

floor_api = NinjaAPI(title="bench floor", urls_namespace="bench_floor", docs_url=None, openapi_url=None)
floor_api.post("/floor", response={201: dict}, auth=staff_auth)(floor_submit)

urlpatterns = [path("api/v1/bench/", floor_api.urls), *platform]
