from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "clientela.crm.feedback"
    label = "feedback"
    verbose_name = "Feedback"
