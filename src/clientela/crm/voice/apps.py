from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "clientela.crm.voice"
    label = "voice"
    verbose_name = "Voice of the customer"
