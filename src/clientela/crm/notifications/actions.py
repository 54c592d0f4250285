"""Every write to notifications and digest preferences.

Every action takes the acting user first (``None`` for the system, as the three scans
``notify_due_tasks``, ``notify_sla_breaches`` and ``send_digests`` are run); the job
scheduler calls them through ``crm.notifications.jobs`` (``f(now) -> dict``), cron
through ``clientela notify`` and ``clientela digest``. Each scan is idempotent. Notifications are derived data, like scores: the
scans write them without an audit entry (the task or case change behind each one is
audited already). What users do — mark read, turn the digest on or off — is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.accounts.permissions import can
from clientela.crm.audit.actions import audit_change
from clientela.crm.errors import InvalidInput
from clientela.crm.notifications.models import DigestPreference, Notification, NotificationKind
from clientela.crm.service.models import UNRESOLVED, Case
from clientela.crm.tasks.models import Task, TaskStatus
from clientela.crm.webhooks.events import emit


def _add(candidates: Iterable[Notification]) -> int:
    """Save the notifications not saved before (by user, kind and key); how many were new."""
    fresh = list(candidates)
    if not fresh:
        return 0
    kinds = {n.kind for n in fresh}
    seen = set(
        Notification.objects.filter(kind__in=kinds, key__in={n.key for n in fresh}, user_id__in={n.user_id for n in fresh})
        .values_list("user_id", "kind", "key")
    )
    new, keys = [], set()
    for n in fresh:
        ident = (n.user_id, n.kind, n.key)
        if ident not in seen and ident not in keys:
            keys.add(ident)
            new.append(n)
    Notification.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent scan: the constraint decides
    return len(new)


@transaction.atomic
def notify_task_assigned(actor: User | None, task: Task) -> int:
    """Tell the task's assignee that ``actor`` assigned it to them (nothing when they
    assigned it to themselves)."""
    if task.assignee_id is None or task.assignee_id == getattr(actor, "pk", None):
        return 0
    return _add([Notification(
        user_id=task.assignee_id, kind=NotificationKind.TASK_ASSIGNED, key=f"{task.pk}:{task.version}",
        task=task, actor=actor, created_at=timezone.now(),
    )])


@transaction.atomic
def notify_due_tasks(actor: User | None, now: datetime) -> int:
    """One notification per open task due today (the site's time zone) to its active
    assignee; returns how many were new."""
    today = timezone.localdate(now)
    notified = Notification.objects.filter(
        kind=NotificationKind.TASK_DUE, task_id=OuterRef("pk"),
        key=Concat(Cast(OuterRef("pk"), CharField()), Value(f":{today.isoformat()}")),
    )
    due = Task.objects.filter(status=TaskStatus.OPEN, due_on=today, assignee__is_active=True).exclude(Exists(notified))
    return _add(
        Notification(user_id=t.assignee_id, kind=NotificationKind.TASK_DUE, key=f"{t.pk}:{today.isoformat()}",
                     task_id=t.pk, created_at=now)
        for t in due.only("pk", "assignee_id").iterator()
    )


def _breach_recipients(cases: list[Case]) -> dict[int, list[int]]:
    """Case id → user ids: the owner; an unowned case goes to the active members of its
    team who work cases (may update them)."""
    teams = {c.team_id for c in cases if c.owner_id is None and c.team_id is not None}
    members: dict[int, list[int]] = {}
    for user in User.objects.filter(team_id__in=teams, is_active=True).only("pk", "team_id", "role", "is_active"):
        if can(user, "case", "update"):
            members.setdefault(user.team_id, []).append(user.pk)  # type: ignore[arg-type]
    return {
        c.pk: [c.owner_id] if c.owner_id is not None else members.get(c.team_id or 0, [])
        for c in cases
    }


@transaction.atomic
def notify_sla_breaches(actor: User | None, now: datetime) -> int:
    """One notification per breach of an unresolved case's SLA (due time passed) to
    whoever works the case; a case whose due time moves and passes again is a new
    breach. Returns how many notifications were new."""
    # A breach already notified has a notification written after the current due time
    # (the scan that found it ran after it); only the others are read, so a scan over
    # many long-breached cases stays cheap. The unique key still decides under races.
    notified = Notification.objects.filter(
        kind=NotificationKind.SLA_BREACH, case_id=OuterRef("pk"), created_at__gte=OuterRef("sla_due_at")
    )
    cases = list(
        Case.objects.filter(status__in=UNRESOLVED, sla_due_at__lt=now).exclude(Exists(notified))
        .only("pk", "party_id", "owner_id", "team_id", "sla_due_at")
    )
    recipients = _breach_recipients(cases)
    added = _add(
        Notification(user_id=user_id, kind=NotificationKind.SLA_BREACH, key=f"{c.pk}:{c.sla_due_at.isoformat()}",
                     case_id=c.pk, created_at=now)
        for c in cases
        for user_id in recipients[c.pk]
    )
    # Announced once per breach, with its notification (a case nobody works has none,
    # and is found again by every scan: it is announced when someone is assigned).
    for c in cases:
        if recipients[c.pk]:
            emit("case.sla_breached", {"case_id": c.pk, "sla_due_at": c.sla_due_at,
                                       "owner_id": c.owner_id, "team_id": c.team_id}, at=c.sla_due_at)
    if cases:  # playbooks waiting on a breach act on it once this scan commits
        from clientela.crm.playbooks import engine as playbook_events

        playbook_events.after_commit("sla_breach", [c.party_id for c in cases])
    return added


@transaction.atomic
def mark_read(actor: User, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise InvalidInput({"notification": "not addressed to you"})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_change(actor, notification, {"read_at": None}, {"read_at": notification.read_at})
    return notification


@transaction.atomic
def mark_all_read(actor: User) -> int:
    now = timezone.now()
    unread = list(Notification.objects.filter(user=actor, read_at__isnull=True).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=unread).update(read_at=now)
    if unread:
        from clientela.crm.audit.actions import record_change

        record_change(actor, entity="notification", object_id="all", action="update",
                      changes={"read_at": (None, now), "count": (None, len(unread))})
    return len(unread)


@transaction.atomic
def set_digest_preference(actor: User, *, email_digest: bool, language: str = "") -> DigestPreference:
    """Turn the actor's daily e-mail digest on or off, in ``language`` (one of LANGUAGES)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language and language not in codes:
        raise InvalidInput({"language": f"must be one of {', '.join(sorted(codes))}"})
    pref, _created = DigestPreference.objects.select_for_update().get_or_create(user=actor)
    before = {"email_digest": pref.email_digest, "language": pref.language}
    pref.email_digest = bool(email_digest)
    pref.language = language or pref.language
    pref.save()
    audit_change(actor, pref, before, {"email_digest": pref.email_digest, "language": pref.language})
    return pref


@dataclass(frozen=True)
class DigestSent:
    username: str
    email: str
    subject: str
    body: str


def send_digests(actor: User | None, now: datetime, *, dry_run: bool = False) -> list[DigestSent]:
    """Send each user who turned the digest on (active, with an e-mail address) their
    daily digest — overdue tasks, today's tasks, breached cases — once a day (the site's
    time zone); nothing is sent to a user with nothing to report. ``dry_run`` composes
    the messages and sends or records nothing. Returns the messages."""
    from django.core.mail import send_mail

    from clientela.crm.notifications.digest_mail import compose
    from clientela.crm.notifications.queries import digest_for

    today = timezone.localdate(now)
    prefs = (
        DigestPreference.objects.filter(email_digest=True, user__is_active=True)
        .exclude(user__email="").exclude(last_sent_on=today).select_related("user").order_by("user_id")
    )
    sent = []
    for pref in prefs:
        digest = digest_for(pref.user, now)
        if digest.empty:
            continue
        subject, body = compose(pref.user, digest, language=pref.language or settings.LANGUAGE_CODE, today=today)
        sent.append(DigestSent(pref.user.username, pref.user.email, subject, body))
        if dry_run:
            continue
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [pref.user.email])
        DigestPreference.objects.filter(pk=pref.pk).update(last_sent_on=today)  # sent: not again today
    return sent
