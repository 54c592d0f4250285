"""Forms of the web pages: the customer filters and the quick interaction log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.web.labels import CHANNELS, DIRECTIONS
from clientela.web.queries import SORTS, CustomerFilters


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def parse_filters(params: QueryDict) -> CustomerFilters:
    """Filters from the query string; values that do not parse are ignored, not errors."""
    sort = params.get("sort", "clv")
    return CustomerFilters(
        q=params.get("q", "").strip()[:100],
        segment=params.get("segment", "")[:24],
        stage=params.get("stage", "")[:12],
        action=params.get("action", "")[:16],
        owner=_int(params.get("owner"), None),
        country=params.get("country", "")[:2],
        sort=sort if sort in SORTS else "clv",
        page=_int(params.get("page"), 1) or 1,
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
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("An interaction that is logged cannot lie in the future."))
        return value
