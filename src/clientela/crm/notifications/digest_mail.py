"""The daily digest e-mail, worded in the user's language (plain text)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.crm.notifications.queries import Digest


def _task_line(task: Any) -> str:
    linked = task.linked
    about = f" — {linked}" if linked is not None else ""
    when = formats.date_format(task.due_on, "SHORT_DATE_FORMAT") if task.due_on else ""
    return f"- {task.title}{about}" + (f" ({when})" if when else "")


def compose(user: Any, digest: Digest, *, language: str, today: date) -> tuple[str, str]:
    """Subject and body of ``user``'s digest."""
    base = settings.PUBLIC_URL.rstrip("/")
    with translation.override(language):
        subject = _("Clientela: your day, %(date)s") % {"date": formats.date_format(today, "SHORT_DATE_FORMAT")}
        lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
        if digest.overdue:
            lines.append(ngettext("%(n)d overdue task:", "%(n)d overdue tasks:", len(digest.overdue))
                         % {"n": len(digest.overdue)})
            lines += [_task_line(t) for t in digest.overdue] + [""]
        if digest.today:
            lines.append(ngettext("%(n)d task due today:", "%(n)d tasks due today:", len(digest.today))
                         % {"n": len(digest.today)})
            lines += [_task_line(t) for t in digest.today] + [""]
        if digest.breaches:
            lines.append(ngettext("%(n)d case past its SLA:", "%(n)d cases past their SLA:", len(digest.breaches))
                         % {"n": len(digest.breaches)})
            lines += [f"- {c.subject} — {c.party}" for c in digest.breaches] + [""]
        lines += [_("My day: %(url)s") % {"url": f"{base}/my-day/"}, "",
                  _("You receive this digest because you turned it on under Notifications.")]
    return subject, "\n".join(lines) + "\n"
