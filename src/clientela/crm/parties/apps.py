from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PartiesConfig(AppConfig):
    name = "clientela.crm.parties"
    label = "parties"
    verbose_name = "Parties"

    def ready(self) -> None:
        from clientela.crm.parties.fold import register_lookups, register_sqlite_fold

        # ``field__fold`` (accent- and case-insensitive search), and its SQLite function.
        register_lookups()
        connection_created.connect(register_sqlite_fold, dispatch_uid="clientela_fold")
