from typing import Any

from django.contrib import admin

from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.scoring.scope import sync_party_scope


class ContactInline(admin.TabularInline):
    model = ContactPerson
    fk_name = "organisation"
    extra = 0


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    raw_id_fields = ("recorded_by",)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = (
        "ref",
        "name",
        "kind",
        "email",
        "country",
        "city",
        "is_customer",
        "is_prospect",
        "acquisition_channel",
        "acquired_at",
        "owner",
    )
    list_filter = (
        "kind",
        "is_customer",
        "is_prospect",
        "is_supplier",
        "is_partner",
        "is_internal",
        "acquisition_channel",
        "country",
        "team",
    )
    search_fields = ("ref__fold__contains", "name__fold__contains", "email__fold__contains", "phone")
    raw_id_fields = ("referred_by", "owner", "acquisition_campaign")
    readonly_fields = ("version", "created_at", "updated_at")
    date_hierarchy = "acquired_at"
    list_select_related = ("owner",)
    show_full_result_count = False
    inlines = [ContactInline, ConsentInline]

    def save_model(self, request: Any, obj: Party, form: Any, change: bool) -> None:
        """Also move the party between the customer lists (the scores' copy of owner and
        team, ``scoring.scope``), in the admin's transaction."""
        super().save_model(request, obj, form, change)
        if change and {"owner", "team"} & set(form.changed_data):
            sync_party_scope([obj.pk])


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "job_title", "email", "phone", "is_primary")
    search_fields = ("name__fold__contains", "email__fold__contains", "organisation__name__fold__contains")
    raw_id_fields = ("organisation",)
    list_select_related = ("organisation",)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("party", "purpose", "channel", "lawful_basis", "given_at", "withdrawn_at")
    list_filter = ("purpose", "channel", "lawful_basis", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains", "source")
    raw_id_fields = ("party", "recorded_by")
    list_select_related = ("party",)
