"""Who a trigger meets: the customers whose scores changed between two runs, the
customers an event happened to in a time window, and (for a dry run) who is in the
trigger's state now. Reads only; each returns party ids."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef
from django.utils import timezone

from clientela.crm.engagement.segments import tier_cutoffs, tier_of
from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus

COUNTED_ORDERS = ("placed", "paid", "shipped", "completed")  # not cancelled or returned


def previous_run(run: ModelRun) -> ModelRun | None:
    """The succeeded run before ``run`` (the view the changes are measured against)."""
    return (ModelRun.objects.filter(status=RunStatus.SUCCEEDED, started_at__lt=run.started_at)
            .exclude(pk=run.pk).order_by("-started_at").first())


def _scores(run: ModelRun) -> dict[int, tuple[float | None, str, str, str]]:
    cutoffs = tier_cutoffs(run)
    rows = CustomerScore.objects.filter(run=run).values_list(
        "party_id", "p_alive", "clv", "ladder_stage", "next_best_action")
    return {party: (p_alive, tier_of(clv, cutoffs), stage, nba)
            for party, p_alive, clv, stage, nba in rows.iterator(chunk_size=20_000)}


def _in_state(trigger: Mapping[str, Any], now: tuple[float | None, str, str, str],
              before: tuple[float | None, str, str, str] | None) -> bool:
    """Does a party with scores ``now`` (and ``before``, None: no earlier score) meet the trigger?"""
    kind = trigger["kind"]
    p_alive, tier, stage, nba = now
    if kind == "p_alive_below":
        below = p_alive is not None and p_alive < trigger["threshold"]
        return below and (before is None or before[0] is None or before[0] >= trigger["threshold"])
    if kind == "managed_exit":
        return nba == "managed_exit" and (before is None or before[3] != "managed_exit")
    index = {"tier_changed": 1, "stage_changed": 2, "nba_changed": 3}[kind]
    value = now[index]
    if trigger.get("to") and value != trigger["to"]:
        return False
    return before is not None and before[index] != value and value != ""


_COLUMN = {"stage_changed": "ladder_stage", "nba_changed": "next_best_action"}


def score_changes(trigger: Mapping[str, Any], run: ModelRun, before: ModelRun | None) -> list[int]:
    """Parties of ``run`` that met the trigger since ``before`` (none without it: with no
    earlier view nothing has changed). Read in the database (the ``(party, run)`` index
    finds each earlier score), except value tiers, whose cut-offs differ per run."""
    if before is None:
        return []
    kind = trigger["kind"]
    earlier = CustomerScore.objects.filter(run=before, party_id=OuterRef("party_id"))
    now = CustomerScore.objects.filter(run=run)
    if kind == "p_alive_below":
        threshold = trigger["threshold"]
        found = now.filter(p_alive__lt=threshold).filter(Exists(earlier.filter(p_alive__gte=threshold)))
    elif kind == "managed_exit":
        found = now.filter(next_best_action="managed_exit").filter(
            Exists(earlier.exclude(next_best_action="managed_exit")))
    elif kind in _COLUMN:
        column = _COLUMN[kind]
        found = now.exclude(**{column: ""}).filter(Exists(earlier.exclude(**{column: OuterRef(column)})))
        if trigger.get("to"):
            found = found.filter(**{column: trigger["to"]})
    else:
        then = _scores(before)
        return sorted(party for party, scores in _scores(run).items()
                      if party in then and _in_state(trigger, scores, then[party]))
    return sorted(found.values_list("party_id", flat=True))


def score_state(trigger: Mapping[str, Any], run: ModelRun) -> list[int]:
    """For a dry run: parties of ``run`` in the trigger's state now (P(alive) below the
    threshold, a managed exit proposed, the named tier/stage/action; for a change without
    a named value, those changed since the run before)."""
    kind = trigger["kind"]
    if kind in ("tier_changed", "stage_changed", "nba_changed") and not trigger.get("to"):
        return score_changes(trigger, run, previous_run(run))
    now = CustomerScore.objects.filter(run=run)
    if kind == "p_alive_below":
        now = now.filter(p_alive__lt=trigger["threshold"])
    elif kind == "managed_exit":
        now = now.filter(next_best_action="managed_exit")
    elif kind in _COLUMN:
        now = now.filter(**{_COLUMN[kind]: trigger["to"]})
    else:  # a value tier named: the run's tiers come from its cut-offs
        return sorted(party for party, scores in _scores(run).items() if scores[1] == trigger["to"])
    return sorted(now.values_list("party_id", flat=True))


def _first_orders() -> Any:
    from clientela.crm.commerce.models import Order

    return Order.objects.filter(status__in=COUNTED_ORDERS).values("party_id").annotate(first=Min("ordered_at"))


def event_parties(trigger: Mapping[str, Any], since: datetime, until: datetime) -> list[int]:
    """Parties the trigger's event happened to in ``(since, until]``."""
    return sorted(event_times(trigger, since, until))


def event_times(trigger: Mapping[str, Any], since: datetime, until: datetime,
                party_ids: Collection[int] | None = None) -> dict[int, datetime]:
    """Parties the trigger's event happened to in ``(since, until]`` (only ``party_ids``
    when given), each with the moment of its latest such event: a party met by the
    playbook at or after that moment has had the event handled."""
    from clientela.crm.commerce.models import Order
    from clientela.crm.feedback.models import SurveyResponse
    from clientela.crm.service.models import Case

    kind = trigger["kind"]
    if party_ids is not None and not party_ids:
        return {}
    only = {} if party_ids is None else {"party_id__in": sorted(party_ids)}
    if kind == "first_order":
        rows = _first_orders().filter(**only).filter(first__gt=since, first__lte=until)
        return {r["party_id"]: r["first"] for r in rows}
    if kind == "nps_detractor":
        answers = SurveyResponse.objects.filter(
            kind="nps", score__lte=6, answered_at__gt=since, answered_at__lte=until, party__isnull=False, **only)
        return dict(answers.values("party_id").annotate(last=Max("answered_at")).values_list("party_id", "last"))
    if kind == "sla_breach":
        breached = Case.objects.filter(sla_due_at__gt=since, sla_due_at__lte=until, **only)
        open_then = breached.filter(resolved_at__isnull=True) | breached.filter(resolved_at__gt=until)
        return dict(open_then.values("party_id").annotate(last=Max("sla_due_at")).values_list("party_id", "last"))
    if kind == "no_order_days":
        gap = timedelta(days=trigger["days"])
        rows = (Order.objects.filter(status__in=COUNTED_ORDERS, **only).values("party_id")
                .annotate(last=Max("ordered_at")).filter(last__gt=since - gap, last__lte=until - gap))
        return {r["party_id"]: r["last"] + gap for r in rows}
    if kind == "anniversary":
        return _anniversaries(since, until, only)
    raise ValueError(f"not an event trigger: {kind}")


def _anniversaries(since: datetime, until: datetime, only: Mapping[str, Any]) -> dict[int, datetime]:
    """Parties whose first order's anniversary (a whole number of years later, local day)
    began in ``(since, until]``, with the local midnight it began."""
    zone = timezone.get_current_timezone()
    first_day, last_day = since.astimezone(zone).date(), until.astimezone(zone).date()
    if (last_day - first_day).days > 366:
        first_day = last_day - timedelta(days=366)
    found: dict[int, datetime] = {}
    for row in _first_orders().filter(**only).filter(first__lte=until - timedelta(days=360)):
        first = row["first"].astimezone(zone).date()
        for year in range(first_day.year, last_day.year + 1):
            try:
                day = first.replace(year=year)
            except ValueError:  # 29 February in a common year: the 28th
                day = first.replace(year=year, day=28)
            if year > first.year and first_day < day <= last_day:
                found[row["party_id"]] = datetime.combine(day, time(), tzinfo=zone)
    return found


def event_state(trigger: Mapping[str, Any], now: datetime) -> list[int]:
    """For a dry run: ``no_order_days`` — every party whose last order is older than the
    days; other events — those of the last 24 hours."""
    if trigger["kind"] == "no_order_days":
        rows = (_first_orders().values("party_id").annotate(last=Max("ordered_at"))
                .filter(last__lte=now - timedelta(days=trigger["days"])))
        return sorted({r["party_id"] for r in rows})
    return event_parties(trigger, now - timedelta(days=1), now)
