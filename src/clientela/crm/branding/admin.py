"""The company profile in the admin: name, colour and a logo upload, saved through
``branding.actions.save_profile``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html

from clientela.crm.branding.actions import save_profile
from clientela.crm.branding.logo import BrandingError, logo_type
from clientela.crm.branding.models import CompanyProfile


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    logo_file = forms.FileField(required=False, label="Logo",
                                help_text="PNG, JPEG, GIF or WebP, at most 256 KB; shown on the public pages.")
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    class Meta:
        model = CompanyProfile
        fields = ("name", "colour")

    def clean_logo_file(self) -> bytes | None:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        data = upload.read(256 * 1024 + 1)
        try:
            logo_type(data)
        except BrandingError as e:
            raise forms.ValidationError(e.message) from None
        return bytes(data)


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProfileForm
    list_display = ("__str__", "colour", "updated_at")
    readonly_fields = ("current_logo",)

    @admin.display(description="Current logo")
    def current_logo(self, obj: CompanyProfile) -> str:
        if not obj.pk or not obj.logo_sha256:
            return "—"
        return format_html('<img src="/brand/logo/?v={}" alt="" style="max-height:4rem">', obj.logo_sha256[:12])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(super().has_add_permission(request)) and not CompanyProfile.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        saved = save_profile(request.user, name=form.cleaned_data.get("name", ""),
                             colour=form.cleaned_data.get("colour", ""),
                             logo=form.cleaned_data.get("logo_file"),
                             remove_logo=bool(form.cleaned_data.get("remove_logo")))
        obj.pk = saved.pk
