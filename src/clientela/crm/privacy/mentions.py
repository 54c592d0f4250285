"""Mentions of an erased person in other people's records.

Erasure blanks the person's own rows (sections.py and the apps' sections); their name,
email or phone can also sit in free text about someone else: a colleague's call notes,
another customer's case, a deal's loss reason, the audit trail of such a note. Those
rows stay, and each occurrence of the person's identifiers is replaced by ``[erased]``
(case-insensitive, the rest of the text kept).

``FREE_TEXT`` lists every free-text field the scan covers; ``NOT_FREE_TEXT`` the text
fields that are not free text about people. A test fails when a model gains a text
field that is in neither, so a new notes field cannot escape erasure unnoticed.
Identifier fields (names, emails, phones of other parties and contacts) are never
rewritten: another customer with the same name is another person.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db.models import Q

REDACTED = "[erased]"
# Shorter identifiers would match inside unrelated words.
MIN_TERM_LENGTH = 5

FREE_TEXT: tuple[str, ...] = (
    "parties.Consent.source",
    "engagement.Interaction.subject",
    "engagement.Interaction.notes",
    "engagement.Campaign.message_subject",
    "engagement.Campaign.message_body",
    "engagement.CampaignMember.send_reason",
    "sales.Deal.name",
    "sales.Deal.close_reason",
    "tasks.Task.title",
    "tasks.Task.description",
    "service.Case.subject",
    "service.Case.description",
    "service.Case.resolution",
    "service.CaseNote.body",
    "sales.DealNote.body",
    "feedback.SurveyResponse.comment",
    "feedback.SurveyInvitation.send_reason",
    "loyalty.PointsEntry.reason",
    "loyalty.Redemption.reward",
    "scoring.CustomerScore.nba_reason",
    "audit.AuditEntry.old",
    "audit.AuditEntry.new",
    # The Django admin's log quotes object names (issue 20, F4).
    "admin.LogEntry.object_repr",
    "admin.LogEntry.change_message",
)

# Text fields that hold no free text about people (codes, templates written by the
# company, model diagnostics); identifiers of parties, contacts and users are handled
# by their own sections.
NOT_FREE_TEXT: tuple[str, ...] = (
    "scoring.ModelRun.model_reason",
    "scoring.ModelRun.error",
    "loyalty.Tier.benefits",
)


def identifiers(party: Any) -> list[str]:
    """The strings that identify ``party`` (and its contact people) in free text."""
    terms = {party.name, party.email, party.phone}
    for contact in party.contacts.all():
        terms |= {contact.name, contact.email, contact.phone}
    return sorted({t.strip() for t in terms if t and len(t.strip()) >= MIN_TERM_LENGTH}, key=len, reverse=True)


def redact_mentions(terms: list[str]) -> int:
    """Replace every occurrence of ``terms`` in the ``FREE_TEXT`` fields; rows changed."""
    if not terms:
        return 0
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    changed = _redact_audit(terms, pattern)
    for dotted in FREE_TEXT:
        if dotted.startswith("audit.AuditEntry."):
            continue  # done above: the trail changes only through audit.actions
        app_label, model_name, field = dotted.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # an app not installed in this deployment
            continue
        match = Q()
        for term in terms:
            match |= Q(**{f"{field}__icontains": term})
        rows = list(model._default_manager.filter(match).only("pk", field))
        for row in rows:
            setattr(row, field, pattern.sub(REDACTED, getattr(row, field)))
        if rows:
            # bulk_update: no signals or audit entries quoting the text being removed.
            model._default_manager.bulk_update(rows, [field], batch_size=500)
            changed += len(rows)
    return changed


def _redact_audit(terms: list[str], pattern: re.Pattern[str]) -> int:
    from clientela.crm.audit.actions import redact_values
    from clientela.crm.audit.models import AuditEntry

    match = Q()
    for term in terms:
        match |= Q(old__icontains=term) | Q(new__icontains=term)
    values = {}
    for entry_id, old, new in AuditEntry.objects.filter(match).values_list("id", "old", "new"):
        values[entry_id] = tuple(pattern.sub(REDACTED, v) if v is not None else None for v in (old, new))
    return redact_values(values)  # type: ignore[arg-type]
