"""The SLA countdown of a case as people read it: "3 h 20 min left", "Overdue by 2 d 4 h",
"Resolved within the SLA". Computed at render time from ``sla_due_at`` and the moment
the page is drawn; the due time itself is shown in the user's time zone (``user_time``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from clientela.crm.service.models import Case

# Under this much time left, the countdown is marked as due soon.
SOON = timedelta(hours=1)


@dataclass(frozen=True)
class Countdown:
    text: str
    state: str  # running | soon | breached | kept | missed
    breached: bool


def duration(delta: timedelta) -> str:
    """A length of time in days and hours, hours and minutes, or minutes."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def countdown(case: Case, now: datetime) -> Countdown:
    if case.resolved_at is not None:
        late = case.resolved_at - case.sla_due_at
        if late > timedelta(0):
            return Countdown(_("Resolved %(time)s after the SLA") % {"time": duration(late)}, "missed", True)
        return Countdown(_("Resolved within the SLA"), "kept", False)
    left = case.sla_due_at - now
    if left < timedelta(0):
        return Countdown(_("Overdue by %(time)s") % {"time": duration(left)}, "breached", True)
    return Countdown(_("%(time)s left") % {"time": duration(left)}, "soon" if left < SOON else "running", False)
