"""Reads of scoring results shared by the CLI, the API and the pages."""

from __future__ import annotations

from clientela.crm.scoring.models import ModelRun


def current_run() -> ModelRun | None:
    """The run the interface shows: the latest successful one."""
    return ModelRun.objects.filter(is_current=True).first()
