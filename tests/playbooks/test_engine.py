"""Playbooks through their Python interface on the scored demo company: the definition's
checks, versions, the JSON form, a P(alive) fall acting on the treated customers only
(tasks for the owners, mails through aiosmtpd on loopback to those with consent), the
control group untouched, limits (once per N days, daily cap, quiet hours), an event
trigger run by the schedule, and the dry run's figures against the scores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clientela.crm.errors import InvalidInput
from clientela.crm.playbooks import actions, definition, engine, transfer
from clientela.crm.playbooks.models import Firing, Outcome, PlaybookRun, PlaybookVersion

WIN_BACK = {
    "trigger": {"kind": "p_alive_below", "threshold": 0.4},
    "conditions": {"value_tiers": ["top"]},
    "actions": [{"kind": "task", "title": "Call about the win-back offer", "due_days": 2}],
    "limits": {"once_per_days": 30},
    "control_share": 0.1,
}


@pytest.mark.parametrize(("data", "field"), [
    ({**WIN_BACK, "trigger": {"kind": "moon_phase"}}, "trigger.kind"),
    ({**WIN_BACK, "trigger": {"kind": "p_alive_below", "threshold": 1.5}}, "trigger.threshold"),
    ({**WIN_BACK, "actions": []}, "actions"),
    ({**WIN_BACK, "actions": [{"kind": "task", "title": " "}]}, "actions[0].title"),
    ({**WIN_BACK, "conditions": {"value_tiers": ["gold"]}}, "value_tiers"),
    ({**WIN_BACK, "limits": {"quiet_start": "25:00", "quiet_end": "07:00"}}, "limits.quiet_start"),
    ({**WIN_BACK, "control_share": 0.95}, "control_share"),
])
def test_a_bad_definition_names_its_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        definition.parse(data)
    assert field in caught.value.errors


@pytest.mark.django_db
def test_every_edit_is_a_version_and_the_json_form_round_trips(make_marketer: Any) -> None:
    marketer = make_marketer()
    playbook = actions.create_playbook(marketer, name="Win back", definition=WIN_BACK)
    assert playbook.definition["control_share"] == 0.1 and playbook.version == 1
    changed = {**WIN_BACK, "trigger": {"kind": "p_alive_below", "threshold": 0.3}}
    playbook = actions.update_playbook(marketer, playbook, definition=changed)
    assert playbook.version == 2
    assert [v.definition["trigger"]["threshold"] for v in PlaybookVersion.objects.filter(playbook=playbook)] \
        == [0.3, 0.4]
    exported = transfer.export([playbook])
    assert actions.import_playbooks(marketer, exported)[0][1] == "unchanged"
    exported["playbooks"][0]["limits"]["daily_cap"] = 50
    (same, how), = actions.import_playbooks(marketer, exported)
    assert (same.pk, how, same.version, same.definition["limits"]["daily_cap"]) == (playbook.pk, "updated", 3, 50)
    bad = {"playbooks": [{**WIN_BACK, "name": "Other"}, {**WIN_BACK, "name": "Third", "actions": "call"}]}
    with pytest.raises(InvalidInput) as caught:
        actions.import_playbooks(marketer, bad)
    assert "playbooks[1].actions" in caught.value.errors


def _fall(company: dict[str, Any], count: int) -> dict[int, float]:
    """``count`` top-tier customers with P(alive) ≥ 0.4 now, each to fall to 0.2."""
    from clientela.crm.engagement.segments import tier_cutoffs
    from clientela.crm.scoring.models import CustomerScore

    top, _middle = tier_cutoffs(company["run"])
    rows = CustomerScore.objects.filter(run=company["run"], clv__gte=top, p_alive__gte=0.4).order_by("party_id")
    ids = list(rows.values_list("party_id", flat=True)[:count])
    assert len(ids) == count
    return dict.fromkeys(ids, 0.2)


def test_a_fall_in_p_alive_acts_on_the_treated_and_never_on_the_control_group(
    company: dict[str, Any], next_run: Any, make_marketer: Any, inbox: Any,
) -> None:
    from clientela.crm.engagement.models import Campaign, CampaignMember
    from clientela.crm.parties.models import Consent, Party
    from clientela.crm.tasks.models import Task

    marketer = make_marketer()
    template = Campaign.objects.create(
        name="Win-back mail", kind="win_back", channel="email", starts_on=timezone.localdate(),
        message_channel="email", message_subject="We miss you", message_body="Hello {{ name }}, 15% off.")
    fell = _fall(company, 24)
    # Half of them without a marketing e-mail consent: the sending code suppresses those.
    Consent.objects.filter(party_id__in=list(fell)[::2], purpose="marketing", channel="email").delete()
    playbook = actions.create_playbook(marketer, name="Win back", enabled=True, definition={
        **WIN_BACK, "actions": [*WIN_BACK["actions"], {"kind": "message", "campaign": template.pk}]})
    run = next_run(company["run"], fell)

    result = engine.after_scoring(None, run_id=run.pk)

    record = PlaybookRun.objects.get(playbook=playbook)
    assert result["playbooks"] == 1 and record.matched == 24 == record.treated + record.control
    firings = {f.party_id: f for f in Firing.objects.filter(run=record)}
    assert set(firings) == set(fell)
    treated = {p for p, f in firings.items() if f.group == "treated"}
    control = set(fell) - treated
    # The groups are the experiments app's, stored with the playbook's experiment.
    from clientela.crm.experiments.models import Assignment

    stored = Assignment.objects.filter(experiment__subject_kind="playbook", experiment__subject_id=playbook.pk)
    assert dict(stored.values_list("party_id", "group")) == {p: f.group for p, f in firings.items()}
    assert all(firings[p].outcome == Outcome.FIRED for p in treated)
    assert all(firings[p].outcome == Outcome.HELD_OUT and firings[p].results == [] for p in control)
    tasks = Task.objects.filter(party_id__in=list(fell), title="Call about the win-back offer")
    assert {t.party_id for t in tasks} == treated
    owners = dict(Party.objects.filter(pk__in=list(fell)).values_list("pk", "owner_id"))
    assert all(t.assignee_id == owners[t.party_id] and t.created_by_id == marketer.pk for t in tasks)
    consenting = set(Consent.objects.filter(party_id__in=list(fell), purpose="marketing", channel="email",
                                            withdrawn_at__isnull=True).values_list("party_id", flat=True))
    emails = dict(Party.objects.filter(pk__in=list(fell)).values_list("pk", "email"))
    assert sorted(inbox.recipients) == sorted(emails[p] for p in treated & consenting if emails[p])
    assert not CampaignMember.objects.filter(campaign=template, party_id__in=control).exists()
    # The job again (a retry): the occasion was evaluated, nothing is done twice.
    assert engine.after_scoring(None, run_id=run.pk)["playbooks"] == 0
    assert Task.objects.filter(party_id__in=list(fell), title="Call about the win-back offer").count() == len(treated)


def test_limits_once_per_days_daily_cap_and_quiet_hours(company: dict[str, Any], make_marketer: Any) -> None:
    from clientela.crm.commerce.models import Order

    marketer = make_marketer()
    now = timezone.now()
    first = list(Order.objects.order_by("party_id").values_list("party_id", flat=True).distinct()[:40])
    playbook = actions.create_playbook(marketer, name="Tagging", enabled=True, definition={
        "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "welcomed"}],
        "limits": {"once_per_days": 30, "daily_cap": 5}, "control_share": 0})
    one = engine.evaluate(playbook, occasion="test:1", party_ids=first, run=company["run"], at=now)
    assert one is not None and (one.treated, one.capped, one.control) == (5, len(first) - 5, 0)
    again = engine.evaluate(playbook, occasion="test:2", party_ids=first, run=company["run"], at=now)
    # Met a moment ago (acted on or held out): the capped ones may be met again, but the cap is spent.
    assert again is not None and (again.limited, again.treated) == (5, 0)
    quiet_now = timezone.localtime(now)
    start = (quiet_now - timedelta(hours=1)).strftime("%H:%M")
    end = (quiet_now + timedelta(hours=1)).strftime("%H:%M")
    quiet = actions.create_playbook(marketer, name="Quiet", enabled=True, definition={
        "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "quiet"}],
        "limits": {"quiet_start": start, "quiet_end": end}, "control_share": 0})
    engine.evaluate(quiet, occasion="test:3", party_ids=first[:3], run=company["run"], at=now)
    assert set(Firing.objects.filter(playbook=quiet).values_list("outcome", flat=True)) == {Outcome.PENDING}
    assert engine.perform_due(quiet, now + timedelta(hours=2)) == 3
    assert Firing.objects.filter(playbook=quiet, outcome=Outcome.FIRED).count() == 3


def test_the_schedule_finds_first_orders_since_its_last_look(company: dict[str, Any], make_marketer: Any) -> None:
    from clientela.crm.commerce.models import Order
    from clientela.crm.parties.models import Party
    from clientela.crm.playbooks.models import Playbook
    from clientela.crm.webhooks.actions import create_subscription
    from clientela.crm.webhooks.models import Event

    marketer = make_marketer()
    create_subscription(None, name="n8n", url="https://hooks.example.test/clientela", event_types=["playbook.fired"])
    playbook = actions.create_playbook(marketer, name="Welcome", enabled=True, definition={
        "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "welcome"}, {"kind": "webhook"}],
        "control_share": 0})
    newcomer = Party.objects.filter(orders__isnull=True).exclude(archived_at__isnull=False).first()
    assert newcomer is not None
    Order.objects.create(ref="PB-FIRST-1", party=newcomer, ordered_at=timezone.now(), total_amount=Decimal("10"))
    engine.check_events(timezone.now() + timedelta(minutes=15))
    newcomer.refresh_from_db()
    assert "welcome" in newcomer.tags
    assert Playbook.objects.get(pk=playbook.pk).checked_until is not None
    assert Firing.objects.filter(playbook=playbook).count() == 1
    from clientela.crm.privacy.actions import export_party

    dump = export_party(None, newcomer)
    assert [f["playbook"] for f in dump["sections"]["playbooks"]] == ["Welcome"]
    event = Event.objects.get(type="playbook.fired")
    assert event.payload["party"]["id"] == newcomer.pk and event.payload["playbook"]["id"] == playbook.pk


def test_the_dry_run_counts_those_in_the_state_now_and_their_clv(company: dict[str, Any]) -> None:
    from django.db.models import Sum

    from clientela.crm.engagement.segments import tier_cutoffs
    from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Party
    from clientela.crm.scoring.models import CustomerScore

    top, _ = tier_cutoffs(company["run"])
    # The demo company was scored two weeks after its last day: few top customers are below 0.4.
    rows = CustomerScore.objects.filter(run=company["run"], clv__gte=top, p_alive__lt=0.9).exclude(
        party__in=Party.objects.filter(OUTSIDE_CUSTOMER_BASE))
    figures = engine.dry_run(definition.parse({**WIN_BACK, "trigger": {"kind": "p_alive_below", "threshold": 0.9}}))
    assert figures.customers == rows.count() > 0
    assert figures.clv == rows.aggregate(total=Sum("clv"))["total"]
    assert figures.treated + figures.control == figures.customers


def test_stage_and_action_changes_and_a_proposed_managed_exit_are_read_from_two_runs(
    company: dict[str, Any], next_run: Any,
) -> None:
    from clientela.crm.engagement.segments import tier_cutoffs
    from clientela.crm.playbooks import triggers
    from clientela.crm.scoring.models import CustomerScore

    rows = list(CustomerScore.objects.filter(run=company["run"]).exclude(next_best_action="managed_exit")
                .exclude(ladder_stage="advocate").order_by("party_id").values_list("party_id", flat=True)[:6])
    exit_ids, stage_ids = rows[:3], rows[3:]
    run = next_run(company["run"], {}, {**{p: {"next_best_action": "managed_exit"} for p in exit_ids},
                                        **{p: {"ladder_stage": "advocate"} for p in stage_ids}})
    before = triggers.previous_run(run)
    assert before is not None and before.pk == company["run"].pk
    assert triggers.score_changes({"kind": "managed_exit"}, run, before) == exit_ids
    assert triggers.score_changes({"kind": "nba_changed", "to": "managed_exit"}, run, before) == exit_ids
    assert triggers.score_changes({"kind": "stage_changed", "to": "advocate"}, run, before) == stage_ids
    assert triggers.score_changes({"kind": "stage_changed", "to": ""}, run, before) == stage_ids
    assert triggers.score_changes({"kind": "tier_changed", "to": ""}, run, before) == []
    assert triggers.score_changes({"kind": "managed_exit"}, run, None) == []  # no earlier view: no change
    # A dry run's state: those with the named value now.
    assert set(exit_ids) <= set(triggers.score_state({"kind": "managed_exit"}, run))
    assert set(stage_ids) <= set(triggers.score_state({"kind": "stage_changed", "to": "advocate"}, run))
    top = triggers.score_state({"kind": "tier_changed", "to": "top"}, run)
    assert len(top) == CustomerScore.objects.filter(run=run, clv__gte=tier_cutoffs(run)[0]).count() > 0
