from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "onevisit.payments"
    label = "payments"
    verbose_name = "缴费"
