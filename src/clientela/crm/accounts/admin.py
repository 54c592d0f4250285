from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from clientela.crm.accounts.models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "team", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("CRM", {"fields": ("role", "team")}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name",)
