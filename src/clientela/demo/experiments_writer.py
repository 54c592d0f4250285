"""Store the planted experiments (``demo.experiments``): each a campaign with its members,
an experiment with its seed, and every member's group (treated members were sent the
message at the send; control members never were)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from clientela.crm.engagement.models import Campaign, CampaignMember, SendStatus
from clientela.crm.experiments.models import Assignment, Experiment
from clientela.demo.company import Company
from clientela.demo.experiments import CONTROL_SHARE, MEASURE_DAYS
from clientela.demo.writer import Clock, Stage
from clientela.insight.randomization import TREATED

MESSAGES = {
    "newsletter": ("What is new this autumn", "Hello {{ first_name }}, here is what is new in our shop."),
    "win_back": ("We miss you", "Hello {{ first_name }}, it has been a while. Here is 15 % off your next order."),
    "loyalty_bonus": ("Double points for you", "Hello {{ first_name }}, your next order earns double points."),
}


def write_experiments(company: Company, parties: list[int], stage: Stage) -> int:
    """Write the planted experiments; returns how many members they have."""
    clock = Clock(company)
    total = 0
    for planted in company.extra.get("experiments", []):
        plan = planted.plan
        sent_at = clock.at(planted.day)
        subject, body = MESSAGES[plan.key]
        campaign = Campaign.objects.create(
            name=plan.name, kind=plan.kind, channel=plan.channel, message_channel=plan.channel,
            message_subject=subject, message_body=body, budget=Decimal(str(round(planted.cost * 1.2, -2) or 100)),
            spend=Decimal(f"{planted.cost:.2f}"), currency="PLN", starts_on=sent_at.date(),
            ends_on=(sent_at + timedelta(days=MEASURE_DAYS)).date(),
        )
        experiment = Experiment.objects.create(
            name=plan.name, subject_kind="campaign", subject_id=campaign.pk,
            control_share=Decimal(str(CONTROL_SHARE)), seed=planted.seed, measure_days=MEASURE_DAYS,
        )
        members: list[CampaignMember] = []
        groups: list[Assignment] = []
        for index, stratum, group in zip(planted.members.tolist(), planted.stratum.tolist(),
                                         planted.group.tolist(), strict=True):
            treated = group == TREATED
            members.append(CampaignMember(
                campaign=campaign, party_id=parties[index], sent_at=sent_at if treated else None,
                send_status=SendStatus.SENT if treated else SendStatus.QUEUED,
                status_at=sent_at if treated else None,
            ))
            groups.append(Assignment(experiment=experiment, party_id=parties[index], group=group,
                                     stratum=stratum, assigned_at=sent_at))
        CampaignMember.objects.bulk_create(members, batch_size=2000)
        Assignment.objects.bulk_create(groups, batch_size=2000)
        total += len(members)
    stage("experiment members", total)
    return total


