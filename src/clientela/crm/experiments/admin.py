"""Experiments in the admin: view only (every write goes through experiments' actions)."""

from __future__ import annotations

from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.experiments.models import Experiment


@admin.register(Experiment)
class ExperimentAdmin(RecordAdmin):
    list_display = ("name", "subject_kind", "subject_id", "control_share", "measure_days", "created_at")
    list_filter = ("subject_kind",)
