"""The demo's playbook: "Win back the valuable" with the history of its past evaluations,
so a new user finds a playbook on /playbooks/, its runs and firings, and an outcome report
with a control group and a cost.

The playbook is the one of issue 15's journey — P(alive) fell below 0.4 among the top and
middle value tiers, with a marketing e-mail consent → a task for the owner and the win-back
mail, at most once per 90 days, 10 % control — and it was evaluated fortnightly from
``FIRST_RUN_DAYS`` to ``LAST_RUN_DAYS`` before the company's last day, so every customer's
90-day window has ended. The simulation has no P(alive) at those dates, so "fell below 0.4"
is read as what it mostly means: the customer's silence passed ``AT_RISK_DAYS`` since the
run before. Groups are drawn like the app draws them (``insight.randomization``, per value
tier, continued across runs). Nothing is planted: the mail and the call have no effect in
the simulation, so the report's intervals cover 0 (with about 40 customers in control,
what chance alone looks like), and the demo fact ``playbooks`` says so. The
playbook is left switched off, so the served demo acts on no one by itself.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from clientela.demo.company import Company, all_orders
from clientela.demo.experiments import AT_RISK_DAYS, CONTROL_SHARE, MEASURE_DAYS, PLANS, value_tiers
from clientela.demo.writer import Clock, Stage
from clientela.insight.randomization import CONTROL, TREATED, allocate

NAME = "Win back the valuable"
FIRST_RUN_DAYS, LAST_RUN_DAYS, EVERY_DAYS = 380, 100, 14
TIERS = ("top", "middle")
ONCE_PER_DAYS = 90
TASK_TITLE = "Call: we would like you back"
SEED = 1515


def definition(campaign_id: int) -> dict[str, Any]:
    return {
        "trigger": {"kind": "p_alive_below", "threshold": 0.4},
        "conditions": {"value_tiers": list(TIERS), "consent": "email"},
        "actions": [{"kind": "task", "title": TASK_TITLE, "due_days": 3},
                    {"kind": "message", "campaign": campaign_id}],
        "limits": {"once_per_days": ONCE_PER_DAYS, "quiet_start": "21:00", "quiet_end": "08:00"},
        "control_share": CONTROL_SHARE,
    }


def simulate_runs(company: Company) -> list[tuple[float, list[tuple[int, str, str]]]]:
    """Each evaluation's day and the customers it met: (customer index, tier, group); a
    customer met again (after ``ONCE_PER_DAYS``) keeps the group first drawn."""
    baskets, _ = all_orders(company)
    kept = baskets.status != "cancelled"
    who = baskets.customer[kept]
    when = baskets.day[kept] + baskets.second[kept] / 86400.0
    n = company.customers
    value = company.lam * company.spend
    met_at = np.full(n, -np.inf)
    counters = {tier: [0, 0] for tier in TIERS}  # arrivals and controls so far, per tier
    first: dict[int, tuple[str, str]] = {}  # customer -> (tier, group) when first drawn
    runs = []
    previous = float(company.horizon - FIRST_RUN_DAYS - EVERY_DAYS) + 10 / 24
    for back in range(FIRST_RUN_DAYS, LAST_RUN_DAYS - 1, -EVERY_DAYS):
        t = float(company.horizon - back) + 10 / 24
        before = when < t
        last = np.full(n, -np.inf)
        np.maximum.at(last, who[before], when[before])
        known = np.isfinite(last)
        tiers = value_tiers(value, known)
        crossed = known & (t - last >= AT_RISK_DAYS) & (previous - last < AT_RISK_DAYS)
        eligible = crossed & np.isin(tiers, TIERS) & (t - met_at >= ONCE_PER_DAYS)
        idx = np.flatnonzero(eligible)
        idx = idx[company.consents.active("marketing", "email", np.full(len(idx), t), idx)]
        met = []
        for tier in TIERS:
            rows = [int(i) for i in idx if tiers[i] == tier]
            new = [i for i in rows if i not in first]  # a customer keeps the group first drawn
            k, controls = counters[tier]
            drawn = allocate(new, seed=SEED, stratum=tier, share=CONTROL_SHARE, k=k, controls=controls)
            counters[tier] = [k + len(new), controls + sum(g == CONTROL for g in drawn.values())]
            first.update((i, (tier, g)) for i, g in drawn.items())
            met.extend((i, tier, first[i][1]) for i in rows)
        met_at[[i for i, _, _ in met]] = t
        runs.append((t, sorted(met)))
        previous = t
    return runs


def write_playbook(company: Company, parties: list[int], stage: Stage) -> int:
    """Write the playbook, its version, runs, firings (with their actions' costs), its
    experiment and groups, the owners' tasks, and its truth; returns the firings."""
    from clientela.crm.accounts.models import User
    from clientela.crm.engagement.models import Campaign
    from clientela.crm.experiments.models import Assignment, Experiment
    from clientela.crm.parties.models import Party
    from clientela.crm.playbooks.costs import Pricing, firing_cost
    from clientela.crm.playbooks.models import (
        Firing,
        Outcome,
        Playbook,
        PlaybookRun,
        PlaybookVersion,
    )
    from clientela.crm.tasks.models import Task, TaskStatus
    from clientela.demo.models import DemoFact

    # Its mail is the planted win-back campaign's (an e-mail with a message to send).
    mail = next(plan.name for plan in PLANS if plan.key == "win_back")
    campaign = Campaign.objects.filter(name=mail, message_channel="email").order_by("id").first()
    if campaign is None:
        return 0
    clock = Clock(company)
    runs = simulate_runs(company)
    owner = (User.objects.filter(role="marketer").order_by("id").first()
             or User.objects.filter(role="manager").order_by("id").first())
    created = clock.at(company.horizon - FIRST_RUN_DAYS - 1)
    checked = definition(campaign.pk)
    playbook = Playbook.objects.create(name=NAME, owner=owner, enabled=False, definition=checked,
                                       created_at=created, updated_at=created)
    PlaybookVersion.objects.create(playbook=playbook, number=1, name=NAME, definition=checked,
                                   created_at=created, created_by=owner)
    experiment = Experiment.objects.create(name=NAME, subject_kind="playbook", subject_id=playbook.pk,
                                           control_share=Decimal(str(CONTROL_SHARE)), seed=SEED,
                                           measure_days=MEASURE_DAYS, created_by=owner)
    pricing = Pricing()
    owners = dict(Party.objects.filter(pk__in=[parties[i] for _, met in runs for i, _, _ in met])
                  .values_list("pk", "owner_id"))
    firings: list[Firing] = []
    groups: list[Assignment] = []
    tasks: list[Task] = []
    assigned: set[int] = set()
    for day, met in runs:
        at = clock.at(day)
        record = PlaybookRun.objects.create(
            playbook=playbook, version=1, occasion=f"run:demo-{at.date().isoformat()}", at=at, matched=len(met),
            treated=sum(g == TREATED for _, _, g in met), control=sum(g == CONTROL for _, _, g in met))
        for index, tier, group in met:
            party = parties[index]
            if party not in assigned:  # the experiment records the first draw
                assigned.add(party)
                groups.append(Assignment(experiment=experiment, party_id=party, group=group, stratum=tier,
                                         assigned_at=at))
            if group != TREATED:
                firings.append(Firing(playbook=playbook, run=record, version=1, party_id=party, group=group,
                                      outcome=Outcome.HELD_OUT, at=at))
                continue
            done = at + timedelta(minutes=1)
            results = [pricing.priced(action, {"kind": action["kind"], "status": "done", "ref": ref, "note": ""})
                       for action, ref in zip(checked["actions"], (None, campaign.pk), strict=True)]
            firings.append(Firing(playbook=playbook, run=record, version=1, party_id=party, group=group,
                                  outcome=Outcome.FIRED, at=at, done_at=done, results=results,
                                  cost=firing_cost(results)))
            tasks.append(Task(title=TASK_TITLE, description=f"Playbook: {NAME}", party_id=party,
                              assignee_id=owners.get(party), created_by=owner, status=TaskStatus.DONE,
                              due_on=(at + timedelta(days=3)).date(), completed_at=at + timedelta(days=2)))
    Firing.objects.bulk_create(firings, batch_size=2000)
    Assignment.objects.bulk_create(groups, batch_size=2000)
    Task.objects.bulk_create(tasks, batch_size=2000)
    DemoFact.objects.create(key="playbooks", value=[{
        "name": NAME, "kind": "playbook", "repurchase_effect": 0.0, "runs": len(runs), "met": len(groups), "firings": len(firings),
        "control": sum(a.group == CONTROL for a in groups), "measure_days": MEASURE_DAYS}])
    stage("playbook firings", len(firings))
    return len(firings)
