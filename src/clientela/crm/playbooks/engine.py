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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from clientela.crm.audit.actions import record_change
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


def evaluate(playbook: Playbook, *, occasion: str, party_ids: list[int], run: ModelRun | None,
             at: datetime | None = None) -> PlaybookRun | None:
    """Record the customers the trigger met and act on the treated; None when this
    occasion was evaluated already."""
    at = at or timezone.now()
    definition = playbook.definition
    if PlaybookRun.objects.filter(playbook=playbook, occasion=occasion).exists():
        return None
    matched = matching(party_ids, definition["conditions"], run)
    limits = definition["limits"]
    recent = _recently_met(playbook, matched, limits.get("once_per_days"), at)
    eligible = [p for p in matched if p not in recent]
    drawn = control.groups(playbook, eligible, at=at)
    treated = [p for p in eligible if drawn.get(p) == "treated"]
    cap = limits.get("daily_cap")
    room = len(treated) if cap is None else max(cap - _acted_today(playbook, at), 0)
    acted, capped = treated[:room], set(treated[room:])
    quiet = in_quiet_hours(limits, at)
    try:
        with transaction.atomic():
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
    if not quiet:
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
                met = triggers.event_parties(trigger, since, now)
                record = evaluate(playbook, occasion=f"events:{now.isoformat()}", party_ids=met, run=run, at=now)
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
