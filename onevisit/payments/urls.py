from django.urls import path

from onevisit.payments import views

app_name = "payments"

urlpatterns = [
    path("payments/sandbox/<str:reference>/", views.sandbox, name="sandbox"),
    path("payments/callback/", views.callback, name="callback"),
]
