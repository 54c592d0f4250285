"""The loyalty page: each programme with its earn rule, validity, referral reward and
tiers, its members and the points they hold, and members against non-members among the
scored customers (``loyalty.comparison``; CLV only for roles that see it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import can, can_see
from clientela.crm.loyalty.access import visible_accounts, visible_programmes
from clientela.crm.loyalty.comparison import compare
from clientela.crm.loyalty.models import Tier
from clientela.crm.scoring.access import visible_scores_in_run
from clientela.crm.scoring.queries import current_run
from clientela.web.layout import render_page


@login_required
@require_GET
def loyalty_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "loyalty_account", "view"):
        raise PermissionDenied
    programmes = list(visible_programmes(request.user).order_by("-is_active", "name"))
    members = dict((r["programme_id"], r) for r in visible_accounts(request.user)
                   .values("programme_id").annotate(n=Count("id"), points=Sum("balance")))
    tiers = list(Tier.objects.filter(programme__in=programmes).order_by("threshold"))
    run = current_run()
    scored = visible_scores_in_run(request.user, run) if run is not None else None
    for p in programmes:
        p.members = members.get(p.pk, {}).get("n", 0)
        p.points_held = members.get(p.pk, {}).get("points") or 0
        p.tier_list = [t for t in tiers if t.programme_id == p.pk]
        p.groups = compare(p, run, scored) if run is not None and p.is_active else None
    return render_page(request, "web/loyalty/page.html", {
        "programmes": programmes, "run": run, "show_clv": can_see(request.user, "clv"),
    }, section="loyalty")
