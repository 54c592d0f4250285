"""The two kinds of admin page (issue 12: the admin is for configuration).

* ``RecordAdmin`` — records the operational apps write through their audited actions
  (parties, contacts, consents, orders, interactions, campaigns, segments, deals, cases,
  tasks, survey answers, loyalty ledgers) and derived records (scores, model runs, the
  audit trail): the admin shows them and changes nothing. They are created and changed
  in the app, the API and the CLI, where every write is audited with the acting user.
* ``ConfigurationAdmin`` — configuration (pipelines and stages, products, exchange rates,
  teams, loyalty programmes and tiers, surveys): editable; every form, inline row and
  bulk delete goes through ``crm.configuration`` with the acting user and is audited.

Every registered admin is one of the two (or the user admin, which calls
``accounts.actions``); ``tests/foundation/test_admin_audited.py`` walks them all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from clientela.crm.configuration import delete_configuration, save_configuration


class RecordAdmin(admin.ModelAdmin):
    """View only: the record is written by its app's actions, never here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordInline(admin.TabularInline):
    """An inline of a ``RecordAdmin``: shown, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConfigurationAdmin(admin.ModelAdmin):
    """Editable configuration; every write through ``crm.configuration`` (audited)."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        save_configuration(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        delete_configuration(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            delete_configuration(request.user, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_configuration(request.user, obj)
        for obj in instances:
            save_configuration(request.user, obj)
        formset.save_m2m()
