"""Forms of the case pages: the queue's filters, a new case, a status step, an
assignment and a note. Field names are the model's (``subject``, ``priority``, ``owner``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from clientela.crm.labels import CASE_CATEGORIES, PRIORITIES
from clientela.crm.service.models import CaseStatus, Priority
from clientela.crm.service.queries import QUEUE_STATUSES, QueueFilters
from clientela.crm.vocabularies.queries import entries


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def parse_queue_filters(params: QueryDict) -> QueueFilters:
    """Filters from the query string; values that do not parse are ignored, not errors."""
    status = params.get("status", "active")
    priority = params.get("priority", "")
    assignee = params.get("assignee", "")[:12]
    return QueueFilters(
        status=status if status in QUEUE_STATUSES else "active",
        priority=priority if priority in Priority.values else "",
        assignee=assignee if assignee in ("me", "none") or assignee.isdigit() else "",
        team=_int(params.get("team")),
        breached=params.get("breached") == "1",
        page=_int(params.get("page")) or 1,
    )


class CaseForm(forms.Form):
    """A new case for a party; the owner is one of the users the agent may assign to."""

    party = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=list(PRIORITIES.items()), initial=Priority.NORMAL)
    category = forms.ChoiceField(label=_("Category"), required=False)
    owner = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The company's case categories (crm/vocabularies), the shipped ones translated.
        self.fields["category"].choices = [
            ("", "—"), *((w, CASE_CATEGORIES.get(w) or label or w) for w, label in entries("case_categories"))]
        owner_field: Any = self.fields["owner"]
        owner_field.choices = [("", _("Nobody yet")), *owners]
        owner_field.widget.attrs["translate"] = "no"  # people's names
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"case-{name}")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CaseStatus.choices)
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(min_value=1)


class AssignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(min_value=1)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: Any = self.fields["owner"]
        owner_field.choices = [("", _("Nobody yet")), *owners]
        owner_field.widget.attrs.update(id="assign-owner", translate="no")


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3, "id": "note-body"}))
