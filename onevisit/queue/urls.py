from django.urls import path

from onevisit.queue import views

app_name = "queue"

urlpatterns = [
    path("kiosk/", views.kiosk, name="kiosk"),
    path("tickets/<int:ticket_id>/", views.ticket, name="ticket"),
    path("display/", views.display, name="display"),
    path("display/list/", views.display_list, name="display_list"),
]
