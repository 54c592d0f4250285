from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "clientela.crm.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from clientela.crm.feedback import personal_data
        from clientela.crm.privacy.registry import register

        register("survey_answers", export=personal_data.export, erase=personal_data.erase)
