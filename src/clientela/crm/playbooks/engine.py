"""Running playbooks: evaluate a trigger's customers, draw the control group, apply the
limits, record every customer met (``Firing``) and act on the treated ones.

* ``after_scoring(run)`` — the ``playbooks.after_scoring`` job the scoring run queues:
  every enabled playbook on a score trigger, with the customers whose scores changed
  since the run before.
* ``check_events(now)`` — the ``playbooks`` schedule (every 15 minutes): every enabled
  playbook on an event trigger, with the events since its last look; then the firings
  waiting for quiet hours to end.
* ``dry_run(definition)`` — who would be acted on now, and their CLV; writes nothing.

An evaluation is recorded once per playbook and occasion (``PlaybookRun`` is unique on
them), so a job run twice acts once. Limits: a customer met within ``once_per_days`` is
left out; at most ``daily_cap`` customers acted on per local day (the rest ``capped``);
during quiet hours the treated wait (``pending``) until they end.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from clientela.crm.audit.actions import record_change
from clientela.crm.jobs.models import Job
from clientela.crm.playbooks import control, effects, triggers
from clientela.crm.playbooks.conditions import matching
from clientela.crm.playbooks.definition import EVENT_TRIGGERS, SCORE_TRIGGERS
from clientela.crm.playbooks.models import Firing, Outcome, Playbook, PlaybookRun
from clientela.crm.scoring.models import CustomerScore, ModelRun

log = logging.getLogger(__name__)

ACTIVE_OUTCOMES = (Outcome.PENDING, Outcome.FIRED, Outcome.HELD_OUT)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def in_quiet_hours(limits: Mapping[str, Any], moment: datetime) -> bool:
    start, end = limits.get("quiet_start"), limits.get("quiet_end")
    if not start or not end:
        return False
    now = _local(moment).time()
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    if begin <= finish:
        return begin <= now < finish
    return now >= begin or now < finish


def _recently_met(playbook: Playbook, party_ids: list[int], days: int | None, at: datetime) -> set[int]:
    if not days or not party_ids:
        return set()
    return set(Firing.objects.filter(playbook=playbook, party_id__in=party_ids, outcome__in=ACTIVE_OUTCOMES,
                                     at__gt=at - timedelta(days=days)).values_list("party_id", flat=True))


def _acted_today(playbook: Playbook, at: datetime) -> int:
    start = _local(at).replace(hour=0, minute=0, second=0, microsecond=0)
    return Firing.objects.filter(playbook=playbook, outcome__in=(Outcome.PENDING, Outcome.FIRED),
                                 at__gte=start).count()


def _handled(playbook: Playbook, events: Mapping[int, datetime]) -> set[int]:
    """Parties of ``events`` (party → its event's moment) the playbook met (any outcome) at
    or after that moment: the event was evaluated already, by its job or by the schedule."""
    if not events:
        return set()
    last = dict(Firing.objects.filter(playbook=playbook, party_id__in=sorted(events)).values("party_id")
                .annotate(last=Max("at")).values_list("party_id", "last"))
    return {party for party, moment in events.items() if party in last and last[party] >= moment}


def evaluate(playbook: Playbook, *, occasion: str, party_ids: list[int], run: ModelRun | None,
             at: datetime | None = None, events: Mapping[int, datetime] | None = None) -> PlaybookRun | None:
    """Record the customers the trigger met and act on the treated; None when this
    occasion was evaluated already. ``events`` (for an event trigger: each party's event
    moment) leaves out the parties whose event was evaluated already. Evaluations of one
    playbook take turns (its row is locked), so the event's job and the schedule never
    both act on one event."""
    at = at or timezone.now()
    definition = playbook.definition
    try:
        with transaction.atomic():
            Playbook.objects.select_for_update().filter(pk=playbook.pk).first()
            if PlaybookRun.objects.filter(playbook=playbook, occasion=occasion).exists():
                return None
            handled = _handled(playbook, events or {})
            matched = matching([p for p in party_ids if p not in handled], definition["conditions"], run)
            limits = definition["limits"]
            recent = _recently_met(playbook, matched, limits.get("once_per_days"), at)
            eligible = [p for p in matched if p not in recent]
            drawn = control.groups(playbook, eligible, at=at)
            treated = [p for p in eligible if drawn.get(p) == "treated"]
            cap = limits.get("daily_cap")
            room = len(treated) if cap is None else max(cap - _acted_today(playbook, at), 0)
            acted, capped = treated[:room], set(treated[room:])
            record = PlaybookRun.objects.create(
                playbook=playbook, version=playbook.version, occasion=occasion, at=at, matched=len(matched),
                treated=len(acted), control=len(eligible) - len(treated), limited=len(recent), capped=len(capped))
            firings = []
            for party in eligible:
                group = drawn.get(party, "control")
                if group != "treated":
                    outcome = Outcome.HELD_OUT
                elif party in capped:
                    outcome = Outcome.CAPPED
                else:
                    outcome = Outcome.PENDING
                firings.append(Firing(playbook=playbook, run=record, version=playbook.version, party_id=party,
                                      group=group, outcome=outcome, at=at))
            Firing.objects.bulk_create(firings, batch_size=2000)
            record_change(effects.acting_user(playbook), entity="playbook_run", object_id=record.pk,
                          action="create", changes={
                              "playbook_id": (None, playbook.pk), "occasion": (None, occasion),
                              "treated": (None, record.treated), "control": (None, record.control),
                              "capped": (None, record.capped), "limited": (None, record.limited)})
    except IntegrityError:  # another worker evaluated this occasion meanwhile
        return None
    log.info("playbook %s %s: %d matched, %d treated, %d control", playbook.pk, occasion, len(matched),
             len(acted), record.control)
    if not in_quiet_hours(limits, at):
        perform_due(playbook, at)
    return record


def perform_due(playbook: Playbook, at: datetime | None = None) -> int:
    """Act on the playbook's waiting (``pending``) customers unless it is quiet now;
    each firing is claimed first, so two workers never act on one twice."""
    at = at or timezone.now()
    definition = playbook.definition
    if not playbook.enabled or in_quiet_hours(definition["limits"], at):
        return 0
    done = 0
    pending = Firing.objects.filter(playbook=playbook, outcome=Outcome.PENDING).order_by("id")
    for firing in list(pending.values_list("pk", flat=True)):
        claimed = Firing.objects.filter(pk=firing, outcome=Outcome.PENDING).update(
            outcome=Outcome.FIRED, done_at=timezone.now())
        if not claimed:
            continue
        record = Firing.objects.get(pk=firing)
        results = effects.perform(playbook, record, definition["actions"])
        Firing.objects.filter(pk=firing).update(results=results)
        done += 1
    return done


# --- the two entry points the worker calls -------------------------------------------


def queue_after_scoring(run: ModelRun) -> None:
    """Called by the scoring run once it is current: queue the evaluation when an enabled
    playbook waits on a score trigger."""
    from clientela.crm.jobs.actions import enqueue_job

    if not Playbook.objects.filter(enabled=True, definition__trigger__kind__in=SCORE_TRIGGERS).exists():
        return
    enqueue_job(None, kind="playbooks.after_scoring", params={"run_id": run.pk},
                label=f"Playbooks after scoring run {run.pk}", subject="playbooks")


def after_scoring(job: Any, *, run_id: int) -> dict[str, Any]:
    """The ``playbooks.after_scoring`` job: every enabled playbook on a score trigger."""
    run = ModelRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"skipped": "the run no longer exists"}
    before = triggers.previous_run(run)
    totals = {"playbooks": 0, "treated": 0, "control": 0}
    for playbook in Playbook.objects.filter(enabled=True).select_related("owner").order_by("id"):
        if playbook.definition.get("trigger", {}).get("kind") not in SCORE_TRIGGERS:
            continue
        met = triggers.score_changes(playbook.definition["trigger"], run, before)
        record = evaluate(playbook, occasion=f"run:{run.pk}", party_ids=met, run=run)
        if record is not None:
            totals["playbooks"] += 1
            totals["treated"] += record.treated
            totals["control"] += record.control
    return totals


# Event triggers evaluated at the event (a job queued when the writing transaction
# commits); the others are moments of the clock, found by the schedule only.
AT_THE_EVENT = ("first_order", "nps_detractor", "sla_breach")


class _EventBatch:
    """The events of one transaction (trigger kind → party ids; None: any party), queued
    as one job when it commits — an import of thousands of orders makes one job."""

    def __init__(self) -> None:
        self.events: dict[str, set[int] | None] = {}

    def add(self, kind: str, party_ids: Iterable[int] | None) -> None:
        if party_ids is None or (kind in self.events and self.events[kind] is None):
            self.events[kind] = None
        else:
            self.events[kind] = (self.events.get(kind) or set()) | set(party_ids)

    def __call__(self) -> None:
        queue_event_job(self.events)


def after_commit(kind: str, party_ids: Iterable[int] | None) -> None:
    """Called by the action that writes an event (``AT_THE_EVENT``) for ``party_ids`` (None:
    a bulk load, any party): once the transaction commits, a ``playbooks.on_event`` job
    evaluates the playbooks waiting on it. One job per transaction, however many events."""
    if kind not in AT_THE_EVENT:
        raise ValueError(f"kind: not an event trigger evaluated at the event: {kind!r}")
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, *_robust in connection.run_on_commit:
            if isinstance(callback, _EventBatch):
                callback.add(kind, party_ids)
                return
    batch = _EventBatch()
    batch.add(kind, party_ids)
    # robust: a queue that fails to take the job must not turn the committed write into an
    # error; the schedule finds the event within 15 minutes.
    transaction.on_commit(batch, robust=True)


def queue_event_job(events: Mapping[str, Collection[int] | None], now: datetime | None = None) -> Job | None:
    """Queue the ``playbooks.on_event`` job for ``events`` when an enabled playbook waits on
    one of them and the event is in its window; None when there is nothing to do."""
    from clientela.crm.jobs.actions import enqueue_job

    now = now or timezone.now()
    waiting: dict[str, datetime] = {}
    for playbook in Playbook.objects.filter(enabled=True, definition__trigger__kind__in=list(events)):
        kind, since = playbook.definition["trigger"]["kind"], playbook.checked_until or playbook.updated_at
        waiting[kind] = min(since, waiting.get(kind, since))
    found: dict[str, list[int] | None] = {}
    for kind, since in waiting.items():
        parties = events[kind]
        if parties is None:
            found[kind] = None
        elif happened := triggers.event_times({"kind": kind}, since, now, parties):
            found[kind] = sorted(happened)
    if not found:
        return None
    return enqueue_job(None, kind="playbooks.on_event", params={"events": found},
                       label=f"Playbooks on {', '.join(sorted(found))}", subject="playbooks")


def on_event(job: Any, *, events: Mapping[str, list[int] | None]) -> dict[str, Any]:
    """The ``playbooks.on_event`` job: the enabled playbooks waiting on these events, for the
    parties named (the events since each playbook's last look by the schedule). A party
    whose event was evaluated already (by an earlier job or the schedule) is left out."""
    from clientela.crm.scoring.queries import current_run

    now = timezone.now()
    run = current_run()
    totals = {"playbooks": 0, "treated": 0, "control": 0}
    waiting = Playbook.objects.filter(enabled=True, definition__trigger__kind__in=list(events))
    for playbook in waiting.select_related("owner").order_by("id"):
        trigger = playbook.definition["trigger"]
        since = playbook.checked_until or playbook.updated_at
        found = triggers.event_times(trigger, since, now, events[trigger["kind"]])
        if not found:
            continue
        record = evaluate(playbook, occasion=f"event-job:{job.job_id}", party_ids=sorted(found), run=run, at=now,
                          events=found)
        if record is not None:
            totals["playbooks"] += 1
            totals["treated"] += record.treated
            totals["control"] += record.control
    return totals


def check_events(now: datetime) -> dict[str, Any]:
    """The ``playbooks`` schedule: event triggers since each playbook's last look, and the
    customers who waited for the quiet hours to end."""
    from clientela.crm.scoring.queries import current_run

    run = current_run()
    totals = {"playbooks": 0, "treated": 0, "performed": 0}
    for playbook in Playbook.objects.filter(enabled=True).select_related("owner").order_by("id"):
        trigger = playbook.definition.get("trigger", {})
        if trigger.get("kind") in EVENT_TRIGGERS:
            since = playbook.checked_until or playbook.updated_at
            if since < now:
                found = triggers.event_times(trigger, since, now)
                record = evaluate(playbook, occasion=f"events:{now.isoformat()}", party_ids=sorted(found), run=run,
                                  at=now, events=found)
                Playbook.objects.filter(pk=playbook.pk).update(checked_until=now)
                if record is not None:
                    totals["playbooks"] += 1
                    totals["treated"] += record.treated
        totals["performed"] += perform_due(playbook, now)
    return totals


# --- dry run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRun:
    customers: int  # met by the trigger now and passing the conditions and the once-per limit
    treated: int  # of those, expected to be acted on (the rest form the control group)
    control: int
    clv: Decimal  # their CLV in the current run
    currency: str
    has_run: bool


def dry_run(definition: Mapping[str, Any], *, playbook: Playbook | None = None,
            now: datetime | None = None) -> DryRun:
    """Who the playbook would act on now (``triggers.score_state`` / ``event_state``),
    after its conditions and its once-per limit, and what they are worth. Writes nothing."""
    from clientela.crm.scoring.queries import current_run

    now = now or timezone.now()
    run = current_run()
    trigger = definition["trigger"]
    if trigger["kind"] in SCORE_TRIGGERS:
        met = triggers.score_state(trigger, run) if run is not None else []
    else:
        met = triggers.event_state(trigger, now)
    parties = matching(met, definition["conditions"], run)
    if playbook is not None:
        recent = _recently_met(playbook, parties, definition["limits"].get("once_per_days"), now)
        parties = [p for p in parties if p not in recent]
    clv = Decimal("0")
    if run is not None and parties:
        for start in range(0, len(parties), 5000):
            part = CustomerScore.objects.filter(run=run, party_id__in=parties[start:start + 5000])
            clv += part.aggregate(total=Sum("clv"))["total"] or Decimal("0")
    control_count = round(len(parties) * float(definition.get("control_share") or 0))
    treated = len(parties) - control_count
    cap = definition["limits"].get("daily_cap")
    if cap is not None:
        treated = min(treated, cap)
    return DryRun(customers=len(parties), treated=treated, control=control_count, clv=clv,
                  currency=settings.BASE_CURRENCY, has_run=run is not None)
