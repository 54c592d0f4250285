"""Schedules: work the worker starts by the clock, each run recorded as a ``Job``.

``SCHEDULES`` is the registry: a name, the dotted path of a function ``f(now) -> dict``
and a timing — ``every`` (a period) or ``daily_at`` ("HH:MM" in ``TIME_ZONE``, or the name
of a setting holding it). A function whose first parameter is ``actor`` (an action) is
called as ``f(None, now)``, the system acting. Add a line to schedule more work. ``tick(now)``, called by every
worker every few seconds, starts the runs that are due: one conditional UPDATE moves a
schedule's next run forward, so of several workers exactly one starts it. A schedule
missed while no worker ran fires once when one starts, not once per missed period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from clientela.crm.jobs.models import Job, ScheduleState


@dataclass(frozen=True)
class Schedule:
    name: str
    path: str
    every: timedelta | None = None
    daily_at: str = ""  # "HH:MM" local time, or the name of a setting holding it

    def clock_time(self) -> time:
        text = self.daily_at if ":" in self.daily_at else str(getattr(settings, self.daily_at))
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))

    @property
    def every_minutes(self) -> int | None:
        return None if self.every is None else int(self.every.total_seconds() // 60)

    def timing(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds() // 60)} min"
        return f"daily {self.clock_time():%H:%M}"

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after ``moment``."""
        if self.every is not None:
            return moment + self.every
        zone = ZoneInfo(settings.TIME_ZONE)
        local = moment.astimezone(zone)
        candidate = datetime.combine(local.date(), self.clock_time(), tzinfo=zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.clock_time(), tzinfo=zone)
        return candidate.astimezone(UTC)


SCHEDULES: list[Schedule] = [
    Schedule("nightly-scoring", "clientela.crm.scoring.jobs.nightly_scoring", daily_at="SCORING_TIME"),
    Schedule("purge-idempotency-keys", "clientela.api.housekeeping.purge_expired_idempotency_keys",
             every=timedelta(hours=1)),
    Schedule("purge-sessions", "clientela.crm.jobs.housekeeping.purge_expired_sessions",
             every=timedelta(hours=1)),
    Schedule("sla-breaches", "clientela.crm.notifications.actions.notify_sla_breaches",
             every=timedelta(minutes=15)),
    Schedule("task-reminders", "clientela.crm.notifications.actions.notify_due_tasks",
             every=timedelta(hours=1)),
    Schedule("digests", "clientela.crm.notifications.actions.send_digests", daily_at="07:00"),
    Schedule("purge-exports", "clientela.crm.exports.actions.purge_expired_exports", every=timedelta(hours=1)),
    Schedule("purge-imports", "clientela.crm.imports.actions.purge_abandoned_imports", every=timedelta(hours=1)),
    Schedule("survey-reminders", "clientela.crm.feedback.invitations.send_survey_reminders",
             every=timedelta(hours=1)),
    Schedule("loyalty-points", "clientela.crm.loyalty.earning.credit_all", every=timedelta(minutes=15)),
    Schedule("loyalty-expiry", "clientela.crm.loyalty.earning.expire_points", daily_at="03:30"),
    Schedule("playbooks", "clientela.crm.playbooks.jobs.check_events", every=timedelta(minutes=15)),
    Schedule("purge-webhook-log", "clientela.crm.webhooks.actions.purge_webhook_log", daily_at="04:30"),
    Schedule("feedback-themes", "clientela.crm.voice.actions.refresh_themes", daily_at="04:00"),
]


def by_name(name: str) -> Schedule:
    for schedule in SCHEDULES:
        if schedule.name == name:
            return schedule
    raise KeyError(name)


def _state(schedule: Schedule, now: datetime) -> ScheduleState:
    """The schedule's state, created (first run one period from now) or re-timed when
    its timing changed (a new SCORING_TIME)."""
    timing = schedule.timing()
    state = ScheduleState.objects.filter(name=schedule.name).first()
    if state is None:
        try:
            with transaction.atomic():
                return ScheduleState.objects.create(
                    name=schedule.name, timing=timing, next_run_at=schedule.next_after(now))
        except IntegrityError:  # another worker created it meanwhile
            return ScheduleState.objects.get(name=schedule.name)
    if state.timing != timing:
        nxt = schedule.next_after(now)
        ScheduleState.objects.filter(pk=state.pk, timing=state.timing).update(timing=timing, next_run_at=nxt)
        state.timing, state.next_run_at = timing, nxt
    return state


def tick(now: datetime | None = None) -> list[Job]:
    """Start every schedule due at ``now``; returns the jobs started."""
    from clientela.crm.jobs.actions import enqueue_job

    now = now or timezone.now()
    started = []
    for schedule in SCHEDULES:
        state = _state(schedule, now)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            won = ScheduleState.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
                next_run_at=schedule.next_after(now), last_run_at=now)
            if not won:
                continue  # another worker started this run
            job = enqueue_job(
                None, kind="schedule", params={"name": schedule.name, "now": now.isoformat()},
                label=f"Scheduled: {schedule.name}", schedule=schedule.name, max_attempts=3)
            ScheduleState.objects.filter(pk=state.pk).update(last_job=job)
        started.append(job)
    return started


def run_schedule(job: Any, *, name: str, now: str) -> dict[str, Any]:
    """The handler of a schedule's job: call its function with the time it was due
    (an action, whose first parameter is ``actor``, as the system: ``None``)."""
    import inspect

    function = import_string(by_name(name).path)
    due = datetime.fromisoformat(now)
    first = next(iter(inspect.signature(function).parameters), "")
    result = function(None, due) if first == "actor" else function(due)
    if isinstance(result, dict):
        return result
    if isinstance(result, int):
        return {"count": result}
    return {"count": len(result)} if result is not None else {}


@dataclass(frozen=True)
class Upcoming:
    schedule: Schedule
    next_run_at: datetime
    last_run_at: datetime | None
    last_job: Job | None


def upcoming(now: datetime | None = None) -> list[Upcoming]:
    """Every schedule with its next run (computed when no worker has recorded it yet)."""
    now = now or timezone.now()
    states = {s.name: s for s in ScheduleState.objects.select_related("last_job")}
    rows = []
    for schedule in SCHEDULES:
        state = states.get(schedule.name)
        if state is None or state.timing != schedule.timing():
            rows.append(Upcoming(schedule, schedule.next_after(now), state and state.last_run_at, None))
        else:
            rows.append(Upcoming(schedule, state.next_run_at, state.last_run_at, state.last_job))
    return rows
