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
