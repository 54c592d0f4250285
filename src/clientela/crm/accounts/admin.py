"""Users and teams in the admin: configuration, written through ``accounts.actions``.

The role decides the admin flags (``accounts.actions.set_role``), so the user form has no
staff, superuser, group or permission fields; the role field is the one switch.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.http import HttpRequest

from clientela.crm.accounts import actions
from clientela.crm.accounts.models import Team, User
from clientela.crm.admin_bases import ConfigurationAdmin

# Roles are the permission mechanism; Django's groups and per-user permissions are not
# used, so they are not offered (a group could grant around a role).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class PasswordForm(AdminPasswordChangeForm):
    """Checks the new password; ``UserAdmin.log_change`` sets it through the action, with
    the acting user, instead of the form saving it."""

    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        # None makes the password unusable (the form's "Disabled" choice).
        self.user._new_password = self.cleaned_data["password1"] if usable else None  # type: ignore[attr-defined]
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "team", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("CRM", {"fields": ("role", "team", "is_active")}),
        ("Admin flags (set by the role)", {"fields": ("is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("CRM", {"fields": ("role", "team", "email")}),
    )
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    change_password_form = PasswordForm

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created, _ = actions.create_user(
                request.user, obj.username, role=data.get("role") or obj.role,
                password=data.get("password1") or None, email=data.get("email", ""), team=data.get("team"),
            )
            if data.get("set_usable_password") is False:
                created.set_unusable_password()
                created.save(update_fields=["password"])
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
            return
        stored = User.objects.get(pk=obj.pk)
        changes = {name: data[name] for name in form.changed_data if name in (*actions.EDITABLE, "role")}
        actions.update_user(request.user, stored, changes)
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # no groups or permissions: the role is the one switch

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        actions.delete_user(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            actions.delete_user(request.user, user)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if hasattr(obj, "_new_password"):
            actions.set_password(request.user, obj, obj._new_password)
            del obj._new_password
        return super().log_change(request, obj, message)


@admin.register(Team)
class TeamAdmin(ConfigurationAdmin):
    search_fields = ("name",)
