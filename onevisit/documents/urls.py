from django.urls import path

from onevisit.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/<slug:kind>.pdf", views.case_document, name="case_document"),
]
