"""Forms of the segment builder and of a campaign made from a segment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.crm import input_bounds
from clientela.crm.engagement import merge_fields
from clientela.crm.engagement.segments import SegmentDefinition, parse_definition
from clientela.crm.errors import InvalidInput
from clientela.crm.labels import CAMPAIGN_KINDS, MESSAGE_CHANNELS

# Query-string names of the builder's filters -> the definition's keys.
LIST_PARAMS = {"rfm": "rfm_segments", "stage": "ladder_stages", "action": "actions", "tier": "value_tiers"}
RANGE_PARAMS = {"p_alive_min": "p_alive_min", "p_alive_max": "p_alive_max"}


def builder_data(params: QueryDict) -> dict[str, Any]:
    """The definition's raw data from the builder's fields (query string or POST)."""
    data: dict[str, Any] = {key: params.getlist(name)[:20] for name, key in LIST_PARAMS.items()}
    for name, key in RANGE_PARAMS.items():
        value = params.get(name, "").strip().replace(",", ".")[:12]
        data[key] = value or None
    return data


def read_definition(params: QueryDict) -> tuple[SegmentDefinition, dict[str, str]]:
    """The definition the builder describes and the errors of its fields (keyed by the
    definition's names); with errors, the definition selects everyone."""
    try:
        return parse_definition(builder_data(params)), {}
    except InvalidInput as exc:
        return SegmentDefinition(), exc.errors


def builder_params(definition: SegmentDefinition) -> dict[str, Any]:
    """The builder's field values for a saved definition (to prefill the form)."""
    return {
        "rfm": list(definition.rfm_segments), "stage": list(definition.ladder_stages),
        "action": list(definition.actions), "tier": list(definition.value_tiers),
        "p_alive_min": "" if definition.p_alive_min is None else definition.p_alive_min,
        "p_alive_max": "" if definition.p_alive_max is None else definition.p_alive_max,
    }


def _within_bounds(value: date) -> date:
    try:
        return input_bounds.check_date(value)
    except input_bounds.OutOfBounds as exc:
        raise forms.ValidationError(str(exc)) from None


class CampaignForm(forms.Form):
    """A campaign whose members are a segment's customers; the message is sent later."""

    name = forms.CharField(label=_("Campaign name"), max_length=200)
    kind = forms.ChoiceField(label=_("Purpose"), choices=list(CAMPAIGN_KINDS.items()), initial="retention")
    message_channel = forms.ChoiceField(label=_("Channel"), choices=list(MESSAGE_CHANNELS.items()), initial="email")
    starts_on = forms.DateField(
        label=_("Starts on"), input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    message_subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    message_body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text. {{ name }}, {{ first_name }} and {{ last_name }} are replaced by the "
                    "customer's name, first name and last name; the unsubscribe link is added below."),
    )

    control_percent = forms.IntegerField(
        label=_("Control group (%)"), min_value=0, max_value=50, initial=10, required=False,
        help_text=_("This share of each value tier is drawn at random and never sent to, so the outcome "
                    "report can measure what the campaign changed. 0 for no control group; empty for 10 %."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"campaign-{name}")

    def clean_starts_on(self) -> date:
        return _within_bounds(self.cleaned_data["starts_on"])

    def clean_message_subject(self) -> str:
        subject: str = self.cleaned_data["message_subject"]
        problem = merge_fields.subject_problem(subject)
        if problem:
            raise forms.ValidationError(problem)
        return subject

    def clean_message_body(self) -> str:
        body: str = self.cleaned_data["message_body"]
        problem = merge_fields.body_problem(body)
        if problem:
            raise forms.ValidationError(problem)
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("message_channel") == "email" and not (data.get("message_subject") or "").strip():
            self.add_error("message_subject", _("An email needs a subject."))
        percent = data.pop("control_percent", None)
        if percent is not None:
            data["control_share"] = Decimal(percent) / 100
        return data
