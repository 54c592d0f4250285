"""Forms of the party pages: a person or organisation, and an organisation's contact.

Field names are the model's (``name``, ``kind``, ``email``, ``phone`` …); the role
checkboxes are the model's ``is_*`` flags. The forms only parse: writes go through
``parties.actions``, which validates again and names the field of any error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.crm.accounts.models import Team
from clientela.crm.accounts.permissions import Scope, record_scope
from clientela.crm.labels import ACQUISITION_CHANNELS, CHANNELS, PARTY_KINDS
from clientela.crm.vocabularies.queries import entries

# Consents a party can give on the form: (purpose, channel) → the checkbox's name.
CONSENT_CHOICES = (
    ("marketing", "email"),
    ("marketing", "sms"),
    ("marketing", "phone"),
    ("newsletter", "email"),
)


def consent_field(purpose: str, channel: str) -> str:
    return f"consent_{purpose}_{channel}"


def team_choices(user: Any) -> list[tuple[str, str]]:
    """Teams a party may be given: every team for a user who sees all parties, else the
    user's own team (``parties.access.check_party_assignment`` decides again)."""
    teams = Team.objects.all()
    if record_scope(user, "party") is not Scope.ALL:
        teams = teams.filter(pk=user.team_id)
    return [("", "—")] + [(str(t.pk), t.name) for t in teams.order_by("name")]


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=list(PARTY_KINDS.items()), initial="person")
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False,
        help_text=_("Two-letter code, e.g. PL"), widget=forms.TextInput(attrs={"size": 3}),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), required=False, choices=[("", "—"), *CHANNELS.items()]
    )
    is_customer = forms.BooleanField(label=_("Customer"), required=False)
    is_prospect = forms.BooleanField(label=_("Prospect"), required=False)
    is_supplier = forms.BooleanField(label=_("Supplier"), required=False)
    is_partner = forms.BooleanField(label=_("Partner"), required=False)
    is_internal = forms.BooleanField(label=_("Internal"), required=False)
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    team_id = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"), max_length=400, required=False, help_text=_("Separated by commas")
    )
    acquisition_channel = forms.ChoiceField(
        label=_("Acquired through"), required=False, choices=[("", "—"), *ACQUISITION_CHANNELS.items()]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ROLE_FIELDS = ("is_customer", "is_prospect", "is_supplier", "is_partner", "is_internal")

    def __init__(
        self, *args: Any, user: Any, owners: list[tuple[int, str]], with_consents: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "—"), *((str(pk), name) for pk, name in owners)]
        self.fields["team_id"].choices = team_choices(user)
        # The company's acquisition channels (crm/vocabularies), the shipped ones by their
        # translated names; a word the party holds that is no longer listed stays offered.
        words = entries("acquisition_channels")
        held = (self.initial.get("acquisition_channel") or self.data.get("acquisition_channel") or "").strip()
        if held and held not in dict(words):
            words.append((held, held))
        self.fields["acquisition_channel"].choices = [
            ("", "—"), *((w, ACQUISITION_CHANNELS.get(w) or label or w) for w, label in words)]
        for name in ("owner_id", "team_id"):  # people's and teams' names: data
            self.fields[name].widget.attrs["translate"] = "no"
        if with_consents:
            for purpose, channel in CONSENT_CHOICES:
                self.fields[consent_field(purpose, channel)] = forms.BooleanField(required=False)
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"party-{name}")

    def clean_country(self) -> str:
        value: str = self.cleaned_data.get("country") or ""
        value = value.strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Enter a two-letter country code, e.g. PL."))
        return value

    def party_values(self) -> dict[str, Any]:
        """The cleaned values the parties actions take."""
        data = self.cleaned_data
        names = ("kind", "name", "email", "phone", "street", "postal_code", "city", "country",
                 "preferred_channel", "acquisition_channel", "owner_id", "team_id", "tags",
                 *self.ROLE_FIELDS)
        return {n: data[n] for n in names}

    def consents_given(self) -> list[tuple[str, str]]:
        return [(p, c) for p, c in CONSENT_CHOICES if self.cleaned_data.get(consent_field(p, c))]

    def consent_fields(self) -> list[tuple[forms.BoundField, str, str]]:
        return [(self[consent_field(p, c)], p, c) for p, c in CONSENT_CHOICES if consent_field(p, c) in self.fields]

    def role_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.ROLE_FIELDS]

    def main_fields(self) -> list[forms.BoundField]:
        """The visible fields but the role and consent checkboxes (shown apart)."""
        return [
            f for f in self.visible_fields()
            if f.name not in self.ROLE_FIELDS and not f.name.startswith("consent_")
        ]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    job_title = forms.CharField(label=_("Role"), max_length=120, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    consent_email = forms.BooleanField(label=_("Agrees to marketing by email"), required=False)
    consent_phone = forms.BooleanField(label=_("Agrees to marketing by phone"), required=False)
    person_id = forms.TypedChoiceField(
        label=_("Same person as customer"), coerce=int, required=False, empty_value=None
    )

    CHECKBOXES = ("is_primary", "consent_email", "consent_phone")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.CHECKBOXES]

    def __init__(self, *args: Any, persons: list[tuple[int, str]], prefix_id: str = "contact", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person_id"].choices = [("", "—"), *((str(pk), name) for pk, name in persons)]
        self.fields["person_id"].widget.attrs["translate"] = "no"
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"{prefix_id}-{name}")
