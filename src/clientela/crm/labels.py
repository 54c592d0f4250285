"""Translated names for the codes the engines store (ladder stages, RFM segments, next
best actions) and for roles. Unknown codes are shown as they are."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAGES: dict[str, str | Promise] = {
    "prospect": _("Prospect"),
    "customer": _("Customer"),
    "client": _("Client"),
    "supporter": _("Supporter"),
    "advocate": _("Advocate"),
    "partner": _("Partner"),
}

SEGMENTS: dict[str, str | Promise] = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "potential loyalists": _("Potential loyalists"),
    "new": _("New"),
    "promising": _("Promising"),
    "need attention": _("Need attention"),
    "about to sleep": _("About to sleep"),
    "at risk": _("At risk"),
    "cannot lose": _("Cannot lose"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}

ACTIONS: dict[str, str | Promise] = {
    "acquire": _("Acquire"),
    "retain": _("Retain"),
    "develop": _("Develop (add-on)"),
    "win_back": _("Win back"),
    "nurture": _("Nurture"),
    "managed_exit": _("Managed exit"),
    "none": _("No action"),
}

ROLES: dict[str, str | Promise] = {
    "admin": _("Administrator"),
    "manager": _("Manager"),
    "sales_rep": _("Sales representative"),
    "service_agent": _("Service agent"),
    "marketer": _("Marketer"),
    "analyst": _("Analyst"),
    "read_only": _("Read-only"),
}

CHANNELS: dict[str, str | Promise] = {
    "email": _("Email"),
    "phone": _("Phone"),
    "sms": _("SMS"),
    "meeting": _("Meeting"),
    "web": _("Web"),
    "chat": _("Chat"),
    "letter": _("Letter"),
}

DIRECTIONS: dict[str, str | Promise] = {"inbound": _("Inbound"), "outbound": _("Outbound")}

SALES_CHANNELS: dict[str, str | Promise] = {
    "web": _("Online shop"),
    "store": _("Store"),
    "phone": _("Phone"),
    "sales_rep": _("Sales representative"),
    "marketplace": _("Marketplace"),
    "partner": _("Partner"),
}

ORDER_STATUS: dict[str, str | Promise] = {
    "placed": _("Placed"),
    "paid": _("Paid"),
    "shipped": _("Shipped"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
    "returned": _("Returned"),
}

CASE_STATUS: dict[str, str | Promise] = {
    "new": _("New case"),
    "open": _("Open"),
    "pending": _("Pending"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}

PRIORITIES: dict[str, str | Promise] = {
    "low": _("Low priority"),
    "normal": _("Normal priority"),
    "high": _("High priority"),
    "urgent": _("Urgent"),
}

# The case categories Clientela ships with (crm/vocabularies); a company's own words show as written.
CASE_CATEGORIES: dict[str, str | Promise] = {
    "question": _("Question"),
    "complaint": _("Complaint"),
    "return": _("Return"),
    "delivery": _("Delivery"),
    "billing": _("Billing"),
    "technical": _("Technical problem"),
}

DEAL_STATUS: dict[str, str | Promise] = {"open": _("Open"), "won": _("Won"), "lost": _("Lost")}

SEND_STATUS: dict[str, str | Promise] = {
    "queued": _("Queued"),
    # A member claimed by a running send; "Sending" alone is also the campaign page's
    # heading, which Polish and Russian word differently.
    "sending": pgettext_lazy("send status", "Sending"),
    "sent": _("Sent"),
    "suppressed": _("Suppressed (no consent)"),
    "failed": _("Failed"),
}

CONSENT_PURPOSES: dict[str, str | Promise] = {
    "marketing": _("Marketing communication"),
    "newsletter": _("Newsletter"),
    "surveys": _("Surveys and feedback"),
    "profiling": _("Profiling and analytics"),
}

LAWFUL_BASES: dict[str, str | Promise] = {
    "consent": _("Consent"),
    "contract": _("Contract"),
    "legal_obligation": _("Legal obligation"),
    "legitimate_interest": _("Legitimate interest"),
}

PARTY_KINDS: dict[str, str | Promise] = {"person": _("Person"), "organisation": _("Organisation")}

PARTY_ROLES: dict[str, str | Promise] = {
    "customer": _("Customer"),
    "prospect": _("Prospect"),
    "supplier": _("Supplier"),
    "partner": _("Partner"),
    "internal": _("Internal"),
}

ACQUISITION_CHANNELS: dict[str, str | Promise] = {
    "search": _("Paid search"),
    "social": _("Social media"),
    "email": _("Email"),
    "referral": _("Referral"),
    "events": _("Events and fairs"),
    "direct": _("Direct / organic"),
    "partner": _("Partner"),
    "sales": _("Field sales"),
}

VALUE_TIERS: dict[str, str | Promise] = {
    "top": _("Top 20 % by CLV"),
    "middle": _("Next 30 % by CLV"),
    "rest": _("Remaining 50 % by CLV"),
}

CAMPAIGN_KINDS: dict[str, str | Promise] = {
    "acquisition": _("Acquisition"),
    "retention": _("Retention"),
    "add_on": _("Add-on selling"),
    "win_back": _("Win-back"),
}

MESSAGE_CHANNELS: dict[str, str | Promise] = {"email": _("Email"), "sms": _("SMS")}

# A party's group in a campaign's or playbook's experiment (crm/experiments).
EXPERIMENT_GROUPS: dict[str, str | Promise] = {
    "treated": _("Treated"),
    "control": pgettext_lazy("experiment group", "Control (held out)"),
    "holdout": _("Global holdout (held out)"),
}


# Background jobs (crm/jobs) on the jobs page.
JOB_STATUS: dict[str, str | Promise] = {
    "queued": _("Queued"),
    "running": pgettext_lazy("job status", "Running"),
    "retrying": _("Waiting to retry"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
}

JOB_KINDS: dict[str, str | Promise] = {
    "campaign.send": _("Campaign send"),
    "scoring.run": _("Scoring run"),
    "privacy.erase": _("Personal data erasure"),
    "survey.invite": _("Survey invitations"),
    "export.csv": _("Export"),
    "imports.run": _("File import"),
    "webhook.deliver": _("Webhook delivery"),
    "playbooks.after_scoring": _("Playbooks after a scoring run"),
    "playbooks.on_event": _("Playbooks at an event"),
    "schedule": _("Scheduled work"),
}

WEBHOOK_STATUS: dict[str, str | Promise] = {
    "pending": _("Queued"),
    "retrying": _("Waiting to retry"),
    "succeeded": _("Delivered"),
    "failed": _("Failed"),
}

IMPORT_STATUS: dict[str, str | Promise] = {
    "draft": _("Being prepared"),
    "queued": _("Queued"),
    "running": pgettext_lazy("import status", "Running"),
    "imported": _("Imported"),
    "failed": _("Failed"),
    "undone": _("Undone"),
}

IMPORT_KINDS: dict[str, str | Promise] = {
    "customers": _("Customers"),
    "orders": _("Orders"),
    "interactions": _("Interactions"),
}

DELIMITERS: dict[str, str | Promise] = {
    ",": _("Comma ( , )"),
    ";": _("Semicolon ( ; )"),
    "\t": _("Tab"),
    "|": _("Vertical bar ( | )"),
}

EXPORT_KINDS: dict[str, str | Promise] = {
    "customers": _("Customers"),
    "orders": _("Orders"),
    "interactions": _("Interactions"),
    "scores": _("Scores"),
}

EXPORT_STATUS: dict[str, str | Promise] = {
    "pending": _("Being written"),
    "ready": _("Ready"),
    "failed": _("Failed"),
}

JOB_OUTCOMES: dict[str, str | Promise] = {
    "running": pgettext_lazy("job status", "Running"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
    "worker lost": _("Worker lost"),
    "worker stopped": _("Worker stopped"),
}


def label(table: dict[str, str | Promise], code: str | None) -> str:
    """The translated name of ``code`` in ``table``; the code itself when unknown."""
    if not code:
        return ""
    return str(table.get(code, code))

POINTS_KINDS: dict[str, str | Promise] = {
    "earn": pgettext_lazy("loyalty points", "Earned"),
    "redeem": pgettext_lazy("loyalty points", "Redeemed"),
    "expire": pgettext_lazy("loyalty points", "Expired"),
    "adjust": pgettext_lazy("loyalty points", "Adjusted"),
}
