"""Forms of the task pages: a new task, reschedule, reassign, and the list's filters.

The model stores a due day (``Task.due_on``); the form field is named ``due_at`` (the
front office's test contract) and takes a day (``2026-12-08``) or a local date-time
(``2026-12-08T10:00``, whose day is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DUE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DueField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DUE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot lie in the past."))
        return day


def _user_label(user: Any) -> str:
    return str(user.get_full_name() or user.username)


class AssigneeField(forms.ModelChoiceField):
    """A user by name; names are data, not words to translate."""

    widget = forms.Select(attrs={"translate": "no"})

    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class TaskForm(forms.Form):
    """A new task; ``party``, ``deal`` and ``case`` (hidden) link it to one record."""

    title = forms.CharField(label=_("Title"), max_length=200)
    due_at = DueField(label=_("Due"), required=False)
    assignee = AssigneeField(label=_("Assignee"), queryset=None, empty_label=None)
    description = forms.CharField(label=_("Description"), required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    party = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    deal = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    case = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"task-{name}")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if sum(1 for k in ("party", "deal", "case") if data.get(k)) > 1:
            raise forms.ValidationError(_("A task links to at most one customer, deal or case."))
        return data


class RescheduleForm(forms.Form):
    due_at = DueField(label=_("New due date"), required=True)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ReassignForm(forms.Form):
    assignee = AssigneeField(label=_("Assign to"), queryset=None, empty_label=None)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


SCOPES = ("mine", "team")
STATUSES = ("open", "done", "cancelled", "all")
DUES = ("", "overdue", "today", "week", "none")


@dataclass(frozen=True)
class TaskFilters:
    scope: str = "mine"
    status: str = "open"
    due: str = ""
    assignee: int | None = None
    page: int = 1


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def parse_task_filters(params: QueryDict) -> TaskFilters:
    """The list's filters from the query string; values that do not parse are ignored."""
    scope, status, due = params.get("scope", "mine"), params.get("status", "open"), params.get("due", "")
    return TaskFilters(
        scope=scope if scope in SCOPES else "mine",
        status=status if status in STATUSES else "open",
        due=due if due in DUES else "",
        assignee=_int(params.get("assignee")),
        page=max(1, _int(params.get("page")) or 1),
    )


def today() -> date:
    return timezone.localdate()
