from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin, RecordInline
from clientela.crm.parties.models import Consent, ContactPerson, Party


class ContactInline(RecordInline):
    model = ContactPerson
    fk_name = "organisation"


class ConsentInline(RecordInline):
    model = Consent
    raw_id_fields = ("recorded_by",)


@admin.register(Party)
class PartyAdmin(RecordAdmin):
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


@admin.register(ContactPerson)
class ContactPersonAdmin(RecordAdmin):
    list_display = ("name", "organisation", "job_title", "email", "phone", "is_primary")
    search_fields = ("name__fold__contains", "email__fold__contains", "organisation__name__fold__contains")
    raw_id_fields = ("organisation",)
    list_select_related = ("organisation",)


@admin.register(Consent)
class ConsentAdmin(RecordAdmin):
    list_display = ("party", "purpose", "channel", "lawful_basis", "given_at", "withdrawn_at")
    list_filter = ("purpose", "channel", "lawful_basis", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains", "source")
    raw_id_fields = ("party", "recorded_by")
    list_select_related = ("party",)
