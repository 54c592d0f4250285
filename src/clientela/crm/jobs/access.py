"""Who may see the jobs page: administrators and managers (the ``jobs`` capability)."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted


def may_view_jobs(user: Any) -> bool:
    return has_capability(user, "jobs")


def require_jobs_view(user: Any) -> None:
    """``NotPermitted`` unless the user may follow background jobs."""
    if not may_view_jobs(user):
        raise NotPermitted("jobs")
