from django.urls import path

from onevisit.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/items/<str:code>/", views.item_guide_page, name="item_guide"),
    path("guide/bundles/<slug:code>/", views.bundle_guide_page, name="bundle_guide"),
]
