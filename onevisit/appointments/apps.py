from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "onevisit.appointments"
    label = "appointments"
    verbose_name = "预约"
