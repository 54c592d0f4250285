"""Campaign pages: the list, a campaign with its message and deliveries, a test mail to
the signed-in user, and sending to the members (consent honoured by
``engagement.sending``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.crm import labels
from clientela.crm.accounts.permissions import can, require
from clientela.crm.engagement import jobs as send_jobs
from clientela.crm.engagement import sending
from clientela.crm.engagement.access import (
    access_campaign_by_id,
    visible_campaigns,
    visible_members,
)
from clientela.crm.engagement.models import Campaign, SendStatus
from clientela.crm.engagement.queries import member_status_counts, members_with_consent
from clientela.crm.engagement.sms import SmsError
from clientela.crm.experiments.queries import experiment_of, group_sizes, groups_of, held_back
from clientela.crm.jobs.access import may_view_jobs
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx, one_page, page_number
from clientela.web.send_reasons import send_reason_label


def _campaign_or_404(request: HttpRequest, campaign_id: int, op: str = "view") -> Campaign:
    return access_campaign_by_id(request.user, campaign_id, op=op)  # type: ignore[arg-type]


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "campaign")
    page = page_number(request.GET)
    rows, has_next = one_page(
        visible_campaigns(request.user).select_related("segment").order_by("-starts_on", "-id"), page
    )
    return render_page(request, "web/campaigns/list.html", {
        "rows": rows, "page": page, "has_next": has_next,
        "kinds": labels.CAMPAIGN_KINDS, "channels": labels.MESSAGE_CHANNELS,
    }, section="campaigns")


def _context(request: HttpRequest, campaign: Campaign, *, page: int = 1, **result: Any) -> dict[str, Any]:
    counts = member_status_counts(request.user, campaign)
    members, has_next = one_page(
        visible_members(request.user).filter(campaign=campaign).select_related("party").order_by("id"), page
    )
    experiment = experiment_of("campaign", campaign.pk)
    groups = groups_of(experiment, [member.party_id for member in members])
    for member in members:
        member.reason_label = send_reason_label(member.send_reason) if member.send_reason else ""
        member.group = groups.get(member.party_id, "")
        member.group_label = labels.label(labels.EXPERIMENT_GROUPS, member.group) if member.group else ""
    total = sum(counts.values())
    done = sum(counts.get(code, 0) for code in (SendStatus.SENT, SendStatus.SUPPRESSED, SendStatus.FAILED))
    job = send_jobs.running_send(campaign.pk)
    in_progress = job is not None
    last = None if in_progress else send_jobs.last_send(campaign.pk)
    if last is not None and "summary" not in result:
        result["summary"] = last.result if last.status == "succeeded" else None
        result["send_failed"] = last if last.status == "failed" else None
    # The last send was stopped (sending clears the time when a send ends unstopped).
    stopped_at = None if in_progress else campaign.send_stop_requested_at
    queued = sending.members_to_send(campaign).count() if stopped_at else 0
    return {
        "campaign": campaign,
        "counts": [(code, name, counts.get(code, 0)) for code, name in labels.SEND_STATUS.items()],
        "total": total,
        "done": done,
        "in_progress": in_progress,
        "job": job,
        "stopping": in_progress and campaign.send_stop_requested_at is not None,
        "may_view_jobs": may_view_jobs(request.user),
        "stopped_at": stopped_at,
        "queued": queued,
        "reachable": members_with_consent(request.user, campaign),
        "experiment": experiment,
        "group_sizes": group_sizes(experiment) if experiment is not None else None,
        "held_back": campaign.members.filter(held_back("campaign", campaign.pk)).count(),
        "members": members, "page": page, "has_next": has_next,
        "can_send": can(request.user, "campaign", "update"),
        "kind_label": labels.label(labels.CAMPAIGN_KINDS, campaign.kind),
        "channel_label": labels.label(labels.MESSAGE_CHANNELS, campaign.message_channel),
        "test_to": request.user.email,
        **result,
    }


def _answer(request: HttpRequest, campaign: Campaign, **result: Any) -> HttpResponse:
    context = _context(request, campaign, **result)
    if is_htmx(request):
        return render(request, "web/campaigns/_body.html", context)
    status = 422 if result.get("error") else 200
    return render_page(request, "web/campaigns/detail.html", context, section="campaigns", status=status)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, campaign_id)
    context = _context(request, campaign, page=page_number(request.GET))
    if is_htmx(request, "deliveries"):
        return render(request, "web/campaigns/_deliveries.html", context)
    if is_htmx(request, "campaign-body"):
        return render(request, "web/campaigns/_body.html", context)  # progress of a send
    return render_page(request, "web/campaigns/detail.html", context, section="campaigns")


@login_required
@require_POST
def campaign_test(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Send the message once to the signed-in user's own address, marked as a test."""
    campaign = _campaign_or_404(request, campaign_id, "update")
    user: Any = request.user
    if not user.email:
        return _answer(request, campaign, error=_("Your account has no email address to send the test to."))
    name = user.get_full_name() or user.get_username()
    try:
        sending.send_test(campaign, to=user.email, name=name)
    except sending.SendingError:
        return _answer(request, campaign, error=_("The message is not complete: an email needs a subject and a text."))
    except sending.MAIL_ERRORS:
        return _answer(request, campaign, error=_("The mail server did not accept the test mail."))
    return _answer(request, campaign, tested=user.email)


@login_required
@require_POST
def campaign_send(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Queue the send to every member not yet sent to (members without consent are
    suppressed) as a job for the worker; the page follows its progress."""
    campaign = _campaign_or_404(request, campaign_id, "update")
    if request.POST.get("confirm") != "yes":
        return _answer(request, campaign, error=_("Tick the box to confirm the sending."))
    pending = sending.members_to_send(campaign).count()
    if pending == 0:
        return _answer(request, campaign, error=_("Every member has been sent to already."))
    try:
        if send_jobs.queue_send(request.user, campaign) is None:
            return _answer(request, campaign, error=_("This campaign is being sent already."))
    except sending.SendingError:
        return _answer(request, campaign, error=_("The message is not complete: an email needs a subject and a text."))
    except SmsError:
        return _answer(request, campaign, error=_("The SMS gateway is not configured."))
    return _answer(request, campaign, started=pending)


@login_required
@require_POST
def campaign_stop(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Stop the campaign's running send before its next member; those not reached stay
    queued and Send takes them up again. Answers at once: the worker's job sees the stop
    before its next member, and the page follows it until the job has ended."""
    campaign = _campaign_or_404(request, campaign_id, "update")
    sending.request_stop(campaign)
    campaign.refresh_from_db(fields=["send_stop_requested_at"])
    return _answer(request, campaign)
