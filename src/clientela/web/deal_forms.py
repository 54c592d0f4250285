"""Forms of the deal pages: a new deal, its edit form, a stage move, a product line and a
note. Fields are named after the model fields, except the deal's ``title`` (the model's
``name``; the front-office contract names it ``title``, and ``name`` is accepted too)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clientela.crm.sales.models import Stage

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}

# Messages for the rules the sales actions enforce, per field, in the user's language.
ACTION_ERRORS = {
    "name": _("Give the deal a title."),
    "amount": _("Enter a non-negative amount with at most two decimal places."),
    "currency": _("Enter a three-letter currency code, such as PLN or EUR."),
    "stage": _("Choose an open stage of this pipeline."),
    "pipeline": _("This pipeline cannot take new deals."),
    "reason": _("Write why the deal was won or lost."),
    "owner": _("You may only give deals to yourself or, within your scope, to others."),
    "product": _("Choose a product that is still sold."),
    "quantity": _("Enter a whole number from 1."),
    "unit_price": _("Enter the unit price in the deal's currency."),
    "body": _("Write the note (at most 5,000 characters)."),
    "status": _("The deal is open already."),
}


def action_errors(errors: dict[str, str]) -> dict[str, str]:
    """An action's ``InvalidInput`` errors as messages in the user's language."""
    return {field: str(ACTION_ERRORS.get(field, _("This value cannot be saved."))) for field in errors}


class _Named(forms.Form):
    def __init__(self, *args: Any, prefix_id: str = "deal", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"{prefix_id}-{name}")


class DealFields(_Named):
    """What a deal's owner fills in, when creating and when editing it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT, widget=forms.NumberInput(attrs={"step": "0.01"}))
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Za-z]{3}$", max_length=3,
                                error_messages={"invalid": _("Enter a three-letter currency code, such as PLN or EUR.")})
    expected_close = forms.DateField(label=_("Expected close date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)

    def __init__(self, data: Any = None, *, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        if data is not None and not data.get("title") and data.get("name"):
            data = data.copy()
            data["title"] = data["name"]
        super().__init__(data, **kwargs)
        self.fields["owner"].choices = [("", _("Nobody"))] + [(str(pk), name) for pk, name in owners]
        self.fields["owner"].widget.attrs["translate"] = "no"  # people's names
        self.fields["currency"].initial = settings.BASE_CURRENCY

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()


class NewDealForm(DealFields):
    """A new deal: for which party, in which pipeline and stage."""

    party = forms.CharField(label=_("Customer"), max_length=64,
                            help_text=_("Type part of the name or reference and pick the customer."))
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)

    field_order = ["title", "party", "pipeline", "stage", "amount", "currency", "expected_close", "owner"]

    def __init__(self, data: Any = None, *, owners: list[tuple[int, str]], pipelines: list[Any],
                 stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(data, owners=owners, **kwargs)
        self.fields["pipeline"].choices = [(str(p.pk), p.name) for p in pipelines]
        self.fields["stage"].choices = [(str(s.pk), s.name) for s in stages]
        for name in ("pipeline", "stage"):
            self.fields[name].widget.attrs["translate"] = "no"  # names the company gave them


class StageForm(_Named):
    """Move the deal to a stage; a won or lost stage needs the reason."""

    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    reason = forms.CharField(label=_("Reason (needed when won or lost)"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, data: Any = None, *, stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(data, prefix_id="move", **kwargs)
        self.fields["stage"].choices = [(str(s.pk), s.name) for s in stages]
        self.fields["stage"].widget.attrs["translate"] = "no"


class LineForm(_Named):
    product = forms.CharField(label=_("Product (SKU)"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, **AMOUNT,
                                    help_text=_("Empty: the product's list price."),
                                    widget=forms.NumberInput(attrs={"step": "0.01"}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix_id="line", **kwargs)


class NoteForm(_Named):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix_id="note", **kwargs)
