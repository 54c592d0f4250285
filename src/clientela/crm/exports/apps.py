from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "clientela.crm.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from clientela.crm.exports.storage import erase_stored_exports
        from clientela.crm.privacy.registry import register

        # A stored export may hold the erased person among its rows: erasure deletes them all.
        register("stored_exports", export=lambda party: [], erase=erase_stored_exports)
