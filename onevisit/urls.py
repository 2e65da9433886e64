from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from onevisit.api import api

admin.site.site_header = "OneVisit 政务服务平台管理"
admin.site.site_title = "OneVisit 管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("onevisit.catalog.urls")),
    path("", include("onevisit.datahub.urls")),
    path("", include("onevisit.licences.urls")),
]

# Portal foundations (appended by the portal branch): sign-in, acting for a company, elder mode, search.
urlpatterns += [path("", include("onevisit.portal.urls"))]
if settings.ONEVISIT_OIDC_ISSUER:
    urlpatterns += [path("oidc/", include("mozilla_django_oidc.urls"))]

# Payments (sandbox confirmation page and provider callback), appended by the citizen branch.
urlpatterns += [path("", include("onevisit.payments.urls"))]
# Staff console, case documents, hall queue (appended by the console branch).
urlpatterns += [
    path("console/", include("onevisit.console.urls")),
    path("documents/", include("onevisit.documents.urls")),
    path("queue/", include("onevisit.queue.urls")),
]
