from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clientela.crm.notifications"
    label = "notifications"
    verbose_name = "Notifications"
