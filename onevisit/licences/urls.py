from django.urls import path

from onevisit.licences import views

urlpatterns = [
    path("licences/verify/<str:identifier>/", views.verify_page, name="licence-verify"),
]
