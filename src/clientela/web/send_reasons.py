"""Why a campaign member was not sent to, in the reader's language.

``engagement.sending`` records the reason of a suppressed or failed send as English
text (``CampaignMember.send_reason``); the campaign page shows it translated. A reason
this module does not know is shown as it was recorded.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from clientela.crm import labels

_PATTERNS = (
    (re.compile(r"^no active marketing consent for (\w+)$"), "consent"),
    (re.compile(r"^the party has no email address$"), "no_email"),
    (re.compile(r"^the party has no phone number$"), "no_phone"),
    (re.compile(r"^mail server refused: (\w+)$"), "mail"),
)


def send_reason_label(reason: str) -> str:
    """``"no active marketing consent for email"`` → the sentence in the active language."""
    for pattern, kind in _PATTERNS:
        match = pattern.match(reason.strip())
        if match is None:
            continue
        if kind == "consent":
            channel = labels.label(labels.MESSAGE_CHANNELS, match.group(1))
            return _("No active marketing consent for %(channel)s") % {"channel": channel}
        if kind == "no_email":
            return _("No email address")
        if kind == "no_phone":
            return _("No phone number")
        return _("The mail server refused the message (%(error)s)") % {"error": match.group(1)}
    return reason
