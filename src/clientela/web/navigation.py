"""The menu each role sees: one entry per page the role may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.crm.accounts.permissions import can, has_capability
from clientela.crm.feedback.access import may_view_responses
from clientela.crm.imports.access import may_import
from clientela.crm.jobs.access import may_view_jobs
from clientela.crm.scoring.access import may_plan_budgets, may_see_model
from clientela.crm.webhooks.access import may_manage_webhooks


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str | Promise
    url: str
    test_id: str = ""

    @property
    def testid(self) -> str:
        """The entry's ``data-testid``: ``menu-<key>`` unless the front office's test
        contract names it (``my-day``)."""
        return self.test_id or f"menu-{self.key}"


def menu_for(user: Any) -> list[MenuItem]:
    """Menu entries for ``user``; pages the role may not open are left out."""
    items = [MenuItem("dashboard", _("Dashboard"), reverse("web:dashboard"))]
    if can(user, "task", "view"):
        items.append(MenuItem("my-day", _("My day"), reverse("web:my-day"), test_id="my-day"))
    if can(user, "party", "view"):
        items.append(MenuItem("customers", _("Customers"), reverse("web:customers")))
    if can(user, "pipeline", "view") and can(user, "deal", "view"):
        items.append(MenuItem("pipeline", _("Pipeline"), reverse("web:pipeline-home")))
    if can(user, "case", "view"):
        items.append(MenuItem("cases", _("Cases"), reverse("web:cases")))
    if can(user, "segment", "view"):
        items.append(MenuItem("segments", _("Segments"), reverse("web:segments")))
    if can(user, "campaign", "view"):
        items.append(MenuItem("campaigns", _("Campaigns"), reverse("web:campaigns")))
    if can(user, "playbook", "view"):
        items.append(MenuItem("playbooks", _("Playbooks"), reverse("web:playbooks")))
    if may_view_responses(user):
        items.append(MenuItem("feedback", _("Feedback"), reverse("web:feedback")))
    if can(user, "loyalty_account", "view"):
        items.append(MenuItem("loyalty", _("Loyalty"), reverse("web:loyalty")))
    if can(user, "survey", "create"):  # those who run surveys; the others read answers on Feedback
        items.append(MenuItem("surveys", _("Surveys"), reverse("web:surveys")))
    if may_plan_budgets(user):
        items.append(MenuItem("planner", _("Equity planner"), reverse("web:planner")))
    if may_see_model(user):
        items.append(MenuItem("model", _("Model"), reverse("web:model")))
    if has_capability(user, "export"):
        items.append(MenuItem("exports", _("Exports"), reverse("web:exports")))
    if may_import(user):
        items.append(MenuItem("import", _("Import"), reverse("web:imports")))
    if may_view_jobs(user):
        items.append(MenuItem("jobs", _("Jobs"), reverse("web:jobs")))
    if may_manage_webhooks(user):
        items.append(MenuItem("webhooks", _("Webhooks"), reverse("web:webhooks")))
    if getattr(user, "is_staff", False):
        items.append(MenuItem("admin", _("Administration"), reverse("admin:index")))
    return items
