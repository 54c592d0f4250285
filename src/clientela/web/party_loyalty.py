"""The 360's loyalty and referrals card: the party's loyalty accounts (programme, balance,
tier, the latest ledger entries) for roles that see loyalty accounts, and its referrals —
who brought it in, whom it brought in, and its **referral value**: the sum of the
current scoring run's CLV of the customers it referred (Kumar, Petersen & Leone 2007,
"How valuable is word of mouth?", HBR 85(10): the value of the customers a customer
brings in, beside the value of their own purchases), shown only to roles that see CLV.
A fixed number of queries. Each account's ledger table exports as
``/tables/party/ledger-<programme>.csv?party=<party>`` (``report_tables``), for a user who
may see the party."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clientela.crm.accounts.permissions import can, has_capability, scope_test
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.loyalty.access import visible_accounts
from clientela.crm.loyalty.models import PointsEntry, Tier, TierBasis
from clientela.crm.parties.access import access_party_by_id
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore
from clientela.crm.scoring.reasons import run_currency
from clientela.web.report_tables import Table
from clientela.web.templatetags.web_format import code_label, num

LEDGER_ROWS = 8
REFERRED_SHOWN = 20


def _tier(account: Any, tiers: list[Tier]) -> Tier | None:
    basis = account.lifetime_points if account.programme.tier_basis == TierBasis.POINTS else account.lifetime_spend
    reached = [t for t in tiers if t.programme_id == account.programme_id and t.threshold <= basis]
    return max(reached, key=lambda t: t.threshold) if reached else None


def _ledger_table(account: Any) -> Table:
    """The account's latest points entries as the card shows them."""
    return Table(f"ledger-{account.programme_id}", (_("Date"), _("Entry"), _("Points"), _("Balance")), [
        (formats.date_format(timezone.localtime(e.occurred_at), "SHORT_DATE_FORMAT"),
         code_label(e.kind, "points_kind") + (f" — {e.reason}" if e.reason else ""), num(e.points),
         num(e.balance_after)) for e in account.latest])


def _accounts(user: Any, party: Party) -> list[Any]:
    """The party's loyalty accounts the user may see, each with its tier and ledger table."""
    if not can(user, "loyalty_account", "view"):
        return []
    accounts = list(visible_accounts(user).filter(party=party).select_related("programme")
                    .order_by("programme__name"))
    if accounts:
        tiers = list(Tier.objects.filter(programme_id__in={a.programme_id for a in accounts}))
        entries = list(PointsEntry.objects.filter(account__in=accounts).order_by("-occurred_at", "-id")
                       [: LEDGER_ROWS * len(accounts)])
        for a in accounts:
            a.tier = _tier(a, tiers)
            a.latest = [e for e in entries if e.account_id == a.pk][:LEDGER_ROWS]
            a.ledger_table = _ledger_table(a)
    return accounts


def party_tables(user: Any, params: QueryDict) -> list[Table]:
    """The ledger tables of the 360 of the party ``params["party"]`` for ``user``
    (``report_tables``): ``LookupError`` (404, as the 360 answers) for a party the user may
    not see."""
    party_id = params.get("party", "")
    if not party_id.isdigit():
        raise RecordNotFound("no such party")
    try:
        party = access_party_by_id(user, int(party_id), archived=True)
    except NotPermitted:
        raise RecordNotFound("no such party") from None
    return [a.ledger_table for a in _accounts(user, party) if a.latest]


def loyalty_context(user: Any, party: Party, run: Any, *, show_clv: bool) -> dict[str, Any]:
    accounts = _accounts(user, party)
    # Who referred the party and whom it referred: one query, the reader's scope applied
    # to each row (``scope_test``), so a party with no referrals costs one query.
    in_scope = scope_test(user, "party")
    referred_all = list(Party.objects.filter(Q(referred_by=party) | Q(pk=party.referred_by_id or 0))
                        .filter(archived_at__isnull=True).only("pk", "name", "acquired_at", "owner_id", "team_id",
                                                               "referred_by_id").order_by("acquired_at", "id"))
    referrer = next((p for p in referred_all if p.pk == party.referred_by_id), None)
    referred_by = referrer if referrer is not None and in_scope(referrer.owner_id, referrer.team_id) else None
    referred_rows = [p for p in referred_all if p.referred_by_id == party.pk]
    visible_referred = [p for p in referred_rows if in_scope(p.owner_id, p.team_id)]
    referred_count = len(visible_referred)
    referred = visible_referred[:REFERRED_SHOWN]
    referral_value = None
    # The party's own figure, over everyone it referred (other users' customers included).
    if show_clv and run is not None and referred_rows:
        total = (CustomerScore.objects.filter(run=run, party_id__in=[p.pk for p in referred_rows])
                 .aggregate(v=Sum("clv"))["v"])
        referral_value = Decimal(total) if total is not None else Decimal(0)
    return {
        "referral_currency": run_currency(run) if run is not None else "",
        "loyalty_accounts": accounts,
        "can_redeem": can(user, "loyalty_entry", "create"),
        "can_export_ledger": has_capability(user, "export"), "ledger_query": f"party={party.pk}",
        "referred_by": referred_by,
        "referred_by_hidden": party.referred_by_id is not None and referred_by is None,
        "referred": referred,
        "referred_count": referred_count,
        "referral_value": referral_value,
    }
