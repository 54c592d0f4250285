"""What a playbook's actions do to one customer, each through the owning app's action
function (so each is validated and audited there), in the name of the playbook's owner
(``None``, the system, when the owner is gone or deactivated).

Each returns a result entry ``{"kind", "status", "ref", "note"}``: ``done``, ``suppressed``
(no consent: the sending code decided) or ``failed`` (with the reason); one failing
action does not stop the others. ``perform`` adds each entry's ``cost`` and the firing's
total (``playbooks.costs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone

from clientela.crm.errors import Conflict, InvalidInput, StaleRecord
from clientela.crm.parties.models import Party
from clientela.crm.playbooks import costs
from clientela.crm.playbooks.models import Firing, Playbook

Result = dict[str, Any]


def _result(kind: str, status: str = "done", ref: Any = None, note: str = "") -> Result:
    return {"kind": kind, "status": status, "ref": ref, "note": note[:300]}


def _task(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.tasks.actions import create_task

    task = create_task(actor, title=action["title"], party=party, assignee=party.owner,
                       due_on=timezone.localdate() + timedelta(days=action["due_days"]),
                       description=f"Playbook: {playbook.name}")
    return _result("task", ref=task.pk, note="" if party.owner_id else "the customer has no owner")


def _case(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.service.actions import open_case

    case = open_case(actor, party=party, subject=action["subject"], priority=action["priority"],
                     owner=party.owner, description=f"Playbook: {playbook.name}")
    return _result("case", ref=case.pk)


def _membership(actor: Any, campaign: Any, party: Party) -> Any:
    from clientela.crm.engagement.actions import add_member
    from clientela.crm.engagement.models import CampaignMember

    member = CampaignMember.objects.filter(campaign=campaign, party=party).first()
    return member if member is not None else add_member(actor, campaign, party)


def _campaign(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.engagement.models import Campaign

    campaign = Campaign.objects.filter(pk=action["campaign"]).first()
    if campaign is None:
        return _result("campaign", "failed", action["campaign"], "the campaign no longer exists")
    member = _membership(actor, campaign, party)
    return _result("campaign", ref=campaign.pk, note=f"member {member.pk}")


def _message(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.engagement.models import Campaign, SendStatus
    from clientela.crm.engagement.sending import MAIL_ERRORS, SendingError, send_to_member

    campaign = Campaign.objects.filter(pk=action["campaign"]).first()
    if campaign is None:
        return _result("message", "failed", action["campaign"], "the template campaign no longer exists")
    member = _membership(actor, campaign, party)
    try:
        status, reason = send_to_member(campaign, member)
    except SendingError as exc:
        return _result("message", "failed", campaign.pk, str(exc))
    except MAIL_ERRORS as exc:
        return _result("message", "failed", campaign.pk, f"mail server: {type(exc).__name__}")
    outcome = {str(SendStatus.SENT): "done", str(SendStatus.SUPPRESSED): "suppressed",
               "held_out": "held_out"}.get(str(status), "failed")
    return _result("message", outcome, campaign.pk, reason)


def _points(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.loyalty.actions import adjust, open_account
    from clientela.crm.loyalty.models import Programme

    programme = Programme.objects.filter(pk=action["programme"]).first()
    if programme is None:
        return _result("points", "failed", action["programme"], "the programme no longer exists")
    account = open_account(actor, party, programme)
    entry = adjust(actor, account, action["points"], reason=f"Playbook: {playbook.name}")
    return _result("points", ref=entry.pk)


def _tag(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], _f: Firing) -> Result:
    from clientela.crm.parties.actions import update_party

    if action["tag"] in (party.tags or []):
        return _result("tag", note="already tagged")
    update_party(actor, party, expected_version=party.version,
                 changes={"tags": [*(party.tags or []), action["tag"]]})
    return _result("tag", ref=action["tag"])


def _webhook(actor: Any, playbook: Playbook, party: Party, action: Mapping[str, Any], firing: Firing) -> Result:
    from clientela.crm.webhooks.events import emit

    emit("playbook.fired", {
        "playbook": {"id": playbook.pk, "name": playbook.name, "version": firing.version},
        "party": {"id": party.pk, "ref": party.ref},
        "firing": {"id": firing.pk, "at": firing.at.isoformat(), "group": firing.group},
    })
    return _result("webhook")


EFFECTS: dict[str, Callable[[Any, Playbook, Party, Mapping[str, Any], Firing], Result]] = {
    "task": _task, "case": _case, "campaign": _campaign, "message": _message,
    "points": _points, "tag": _tag, "webhook": _webhook,
}


def acting_user(playbook: Playbook) -> Any:
    """The playbook's owner while an active user; else the system (None)."""
    owner = playbook.owner
    return owner if owner is not None and owner.is_active else None


def perform(playbook: Playbook, firing: Firing, actions: list[Mapping[str, Any]]) -> list[Result]:
    """Do every action for the firing's customer; a refused action is recorded as failed."""
    actor = acting_user(playbook)
    party = Party.objects.select_related("owner").get(pk=firing.party_id)
    pricing = costs.Pricing()
    results = []
    for action in actions:
        try:
            result = EFFECTS[action["kind"]](actor, playbook, party, action, firing)
        except (InvalidInput, Conflict, StaleRecord) as exc:
            result = _result(action["kind"], "failed", None, str(exc))
        except ImportError:
            result = _result(action["kind"], "failed", None, "not available in this installation")
        results.append(pricing.priced(action, result))
        party.refresh_from_db()
    # What was actually spent on this customer, kept with the firing (``playbooks.costs``).
    Firing.objects.filter(pk=firing.pk).update(cost=costs.firing_cost(results))
    return results
