from django.urls import path

from onevisit.datahub import views

urlpatterns = [
    path("datahub/sharing/", views.sharing_page, name="datahub-sharing"),
]
