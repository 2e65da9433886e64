from django.urls import path

from onevisit.console import views
from onevisit.queue import views as queue_views

app_name = "console"

urlpatterns = [
    path("login/", views.console_login, name="login"),
    path("logout/", views.console_logout, name="logout"),
    path("", views.home, name="home"),
    path("window/", views.window, name="window"),
    path("window/start/", views.window_start, name="window_start"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/intake/", views.case_intake, name="case_intake"),
    path("cases/<int:case_id>/act/<slug:verb>/", views.case_act, name="case_act"),
    path("cases/<int:case_id>/materials/<int:material_id>/", views.material_file, name="material_file"),
    path("worklist/", views.worklist, name="worklist"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/refusals/<int:refusal_id>/overturn/", views.refusal_overturn, name="refusal_overturn"),
    path("queue/", queue_views.console_queue, name="queue"),
    path("queue/<slug:verb>/", queue_views.console_queue_act, name="queue_act"),
]
