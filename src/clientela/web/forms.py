"""Forms of the web pages: the customer filters and the quick interaction log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from clientela.crm import input_bounds
from clientela.crm.labels import CHANNELS, DIRECTIONS
from clientela.web.queries import SORTS, CustomerFilters


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def id_param(params: QueryDict, name: str, ignored: list[str]) -> int | None:
    """The record id in ``params[name]`` (``input_bounds.parse_id``), or ``None``; a value
    that names no possible record is ignored and ``name`` added to ``ignored``."""
    try:
        return input_bounds.parse_id(params.get(name))
    except input_bounds.OutOfBounds:
        ignored.append(name)
        return None


def date_param(params: QueryDict, name: str, ignored: list[str]) -> date | None:
    """The ISO date in ``params[name]`` within ``input_bounds``, or ``None``; a value that
    is not one is ignored and ``name`` added to ``ignored``."""
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        value = parse_date(text[:10])
        if value is not None:
            return input_bounds.check_date(value)
    except ValueError:  # a date that does not exist (2024-02-30) or out of bounds
        pass
    ignored.append(name)
    return None


def parse_filters(params: QueryDict) -> CustomerFilters:
    """Filters from the query string; values that do not parse are ignored, not errors,
    and the ignored ids named (``CustomerFilters.ignored``) for the page to say so."""
    sort = params.get("sort", "clv")
    ignored: list[str] = []
    owner = id_param(params, "owner", ignored)
    return CustomerFilters(
        q=params.get("q", "").strip()[:100],
        segment=params.get("segment", "")[:24],
        stage=params.get("stage", "")[:12],
        action=params.get("action", "")[:16],
        owner=owner,
        country=params.get("country", "")[:2],
        sort=sort if sort in SORTS else "clv",
        page=_int(params.get("page"), 1) or 1,
        ignored=tuple(ignored),
    )


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class InteractionForm(forms.Form):
    """Log a call, meeting, email … with a customer; cost to serve stays at its default."""

    channel = forms.ChoiceField(label=_("Channel"), choices=list(CHANNELS.items()), initial="phone")
    direction = forms.ChoiceField(label=_("Direction"), choices=list(DIRECTIONS.items()), initial="outbound")
    occurred_at = forms.DateTimeField(
        label=_("When"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = _now_local
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"log-{name}")

    def clean_occurred_at(self) -> datetime:
        value: datetime = self.cleaned_data["occurred_at"]
        try:
            input_bounds.check_event_time(value)
        except input_bounds.OutOfBounds as exc:
            raise forms.ValidationError(str(exc)) from None
        return value
