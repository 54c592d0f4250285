"""Parties: everyone the company has a relationship with, their contacts and consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clientela.crm.vocabularies.validators import InVocabulary


class PartyKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SMS = "sms", "SMS"
    MEETING = "meeting", "Meeting"
    WEB = "web", "Web"
    CHAT = "chat", "Chat"
    LETTER = "letter", "Letter"


class AcquisitionChannel(models.TextChoices):
    SEARCH = "search", "Paid search"
    SOCIAL = "social", "Social media"
    EMAIL = "email", "Email"
    REFERRAL = "referral", "Referral"
    EVENTS = "events", "Events and fairs"
    DIRECT = "direct", "Direct / organic"
    PARTNER = "partner", "Partner"
    SALES = "sales", "Field sales"


ROLE_FIELDS = ("is_customer", "is_prospect", "is_supplier", "is_partner", "is_internal")

# The roles of parties the company does business with other than selling to them.
OTHER_ROLES = ("supplier", "partner", "internal")
# Parties outside the customer base: archived ones, and suppliers, partners and internal
# stakeholders that are neither customers nor prospects. They never appear in customer
# lists, counts, segments or KPIs, and the scoring run leaves them out (its pandas twin is
# ``insight.customer_base.in_customer_base``; docs/web.md "Customers and other parties").
# A partial index holds exactly these rows, so "everyone but them" costs a probe of a
# small index.
OTHER_ROLE = Q(is_supplier=True) | Q(is_partner=True) | Q(is_internal=True)
OUTSIDE_CUSTOMER_BASE = Q(archived_at__isnull=False) | (OTHER_ROLE & Q(is_customer=False, is_prospect=False))


class Party(models.Model):
    """A person or organisation; may hold several roles at once."""

    ref = models.CharField(max_length=64, unique=True, help_text="External reference, unique")
    kind = models.CharField(max_length=12, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    city = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Free labels, a list of texts")
    language = models.CharField(max_length=8, blank=True)
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)

    is_customer = models.BooleanField(default=False)
    is_prospect = models.BooleanField(default=False)
    is_supplier = models.BooleanField(default=False)
    is_partner = models.BooleanField(default=False)
    is_internal = models.BooleanField(default=False)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_parties",
    )
    # Indexed by (team, country) below, which also serves lookups by team alone.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="parties",
        db_index=False,
    )

    acquired_at = models.DateTimeField(null=True, blank=True)
    # A word of the company's acquisition channels (crm/vocabularies; AcquisitionChannel
    # holds the defaults).
    acquisition_channel = models.CharField(
        max_length=20, blank=True, validators=[InVocabulary("acquisition_channels")]
    )
    acquisition_campaign = models.ForeignKey(
        "engagement.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acquired_parties",
    )
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )

    # Archived (soft-deleted): out of every list, search, segment and KPI; restorable.
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="archived_parties",
    )

    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency counter")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["name"]
        indexes = [
            # The customer list by name: everyone's, a representative's, a team's, each
            # an index range in list order (the id breaks ties between equal names).
            models.Index(fields=["name", "id"], name="party_name_id"),
            models.Index(fields=["owner", "name", "id"], name="party_owner_name"),
            models.Index(fields=["team", "name", "id"], name="party_team_name"),
            models.Index(fields=["email"]),
            models.Index(fields=["country"]),
            models.Index(fields=["acquired_at"]),
            models.Index(fields=["owner", "country"]),
            models.Index(fields=["team", "country"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["id"], condition=OUTSIDE_CUSTOMER_BASE, name="party_outside_base"),
            # The lists of suppliers, partners and internal stakeholders, and of archived
            # parties: few rows each, by name.
            models.Index(fields=["name", "id"], condition=OTHER_ROLE, name="party_other_role_name"),
            models.Index(
                fields=["name", "id"], condition=Q(archived_at__isnull=False), name="party_archived_name"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="party_version_positive"),
            models.CheckConstraint(
                condition=~Q(referred_by=models.F("id")), name="party_not_self_referred"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"

    @property
    def roles(self) -> list[str]:
        return [f.removeprefix("is_") for f in ROLE_FIELDS if getattr(self, f)]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def in_customer_base(self) -> bool:
        """``OUTSIDE_CUSTOMER_BASE`` negated, for a party in memory."""
        if self.archived_at is not None:
            return False
        other = self.is_supplier or self.is_partner or self.is_internal
        return not other or self.is_customer or self.is_prospect


class ContactPerson(models.Model):
    """A person to talk to at an organisation."""

    organisation = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts")
    # The same person as a party of its own (a person who also buys privately, say):
    # the organisation's 360 links to it and its 360 links back.
    person = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_roles"
    )
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    # The contact's own permission to be contacted for marketing, by e-mail and by phone
    # (the organisation's consents are the party's ``Consent`` rows).
    consent_email = models.BooleanField(default=False)
    consent_phone = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", "Marketing communication"
    NEWSLETTER = "newsletter", "Newsletter"
    SURVEYS = "surveys", "Surveys and feedback"
    PROFILING = "profiling", "Profiling and analytics"


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent (GDPR 6(1)(a))"
    CONTRACT = "contract", "Contract (GDPR 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (GDPR 6(1)(c))"
    LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest (GDPR 6(1)(f))"


class Consent(models.Model):
    """Permission to contact or process a party for a purpose over a channel."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    lawful_basis = models.CharField(
        max_length=24, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    source = models.CharField(max_length=120, blank=True, help_text="Where it was given: web form, call…")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["party", "purpose", "channel"]
        indexes = [models.Index(fields=["party", "purpose", "channel"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.purpose}/{self.channel}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
