"""The next best action's reason, as a sentence in the reader's language.

The scoring run stores the reason's figures with the score (P(alive) now and in the
previous run, CLV, past revenue, net contribution, the add-on product, the product it is
bought with and the lift, a prospect's signals). The sentence is built when a page or
the API shows it, from the same field-visibility rules as the figures themselves
(``accounts.permissions.can_see``): a role that may not see CLV never reads a CLV in a
reason, one that may not see margin never reads a net contribution or past revenue
(issue 20, F2 and F3). The English ``nba_reason`` column the run also writes is kept
for older runs; it is never shown, nor exported (the scores export builds its reasons
here too, from the columns it writes).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.crm.accounts.permissions import can_see

# Below this P(alive) a valuable customer without a previous run counts as at risk
# (insight.next_best_action.ActionRules.retain_p_alive_below).
RETAIN_BELOW = 0.6


def run_currency(run: Any) -> str:
    """The currency a run's amounts are in."""
    return str((getattr(run, "summary", None) or {}).get("currency") or "PLN")


def product_names(scores: Iterable[Any]) -> dict[str, str]:
    """Product names by SKU for the reasons of ``scores`` (one query)."""
    from clientela.crm.commerce.models import Product

    skus = {sku for s in scores for sku in (s.nba_product_sku, s.nba_because_sku) if sku}
    if not skus:
        return {}
    return dict(Product.objects.filter(sku__in=skus).values_list("sku", "name"))


def _money(value: Decimal | float | None, currency: str) -> str:
    if value is None:
        return ""
    whole = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # number_format truncates
    text = number_format(whole, decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}".strip()


def _percent(value: float | None) -> str:
    return "" if value is None else number_format(round(value * 100), use_l10n=True) + "\u00a0%"


def reason_for(user: Any, score: Any, *, currency: str, names: dict[str, str] | None = None) -> str:
    """The reason for ``score.next_best_action``, with only the figures ``user`` may see."""
    return reason_text(score, show_clv=can_see(user, "clv"), show_margin=can_see(user, "margin"),
                       currency=currency, names=names)


def reason_text(score: Any, *, show_clv: bool, show_margin: bool, currency: str,
                names: dict[str, str] | None = None) -> str:
    """The reason for ``score.next_best_action`` with CLV and margin figures (net
    contribution, past revenue) only where shown; ``reason_for`` decides from a user's role,
    the scores export from the columns it writes."""
    names = names or {}
    action = score.next_best_action
    p = _percent(score.p_alive)
    parts: list[str] = []
    if action == "managed_exit":
        parts.append(_("Unprofitable in consecutive periods"))
        if show_margin:
            parts.append(_("net contribution %(amount)s") % {"amount": _money(score.net_contribution, currency)})
    elif action == "acquire":
        count = score.nba_signals
        parts.append(_("A prospect who engaged with us") if count is None else ngettext(
            "A prospect with %(count)s engagement signal", "A prospect with %(count)s engagement signals", count,
        ) % {"count": count})
    elif action == "win_back":
        parts.append(_("Lapsed: probability alive %(p)s") % {"p": p})
        if show_margin:
            parts.append(_("past revenue %(amount)s") % {"amount": _money(score.revenue, currency)})
    elif action == "retain":
        if score.p_alive_previous is not None:
            parts.append(_("Probability alive fell from %(before)s to %(now)s")
                         % {"before": _percent(score.p_alive_previous), "now": p})
        else:
            parts.append(_("Probability alive %(p)s, below %(bar)s") % {"p": p, "bar": _percent(RETAIN_BELOW)})
    elif action == "develop":
        product = names.get(score.nba_product_sku, score.nba_product_sku)
        because = names.get(score.nba_because_sku, score.nba_because_sku)
        if because and score.nba_lift is not None:
            parts.append(_("Suggest: %(product)s — customers who bought %(because)s buy it %(lift)s× more often") % {
                "product": product, "because": because,
                "lift": number_format(round(score.nba_lift, 1), decimal_pos=1, use_l10n=True)})
        else:
            parts.append(_("Suggest: %(product)s") % {"product": product})
        parts.append(_("probability alive %(p)s") % {"p": p})
    elif action == "nurture":
        parts.append(_("Keep in touch: probability alive %(p)s") % {"p": p} if score.p_alive is not None
                     else _("Keep in touch"))
    elif action == "none":
        if score.nba_signals is not None and getattr(score.party, "is_prospect", False):
            parts.append(_("A prospect without engagement signals"))
        else:
            parts.append(_("Nothing to do for now"))
    else:
        return ""
    if show_clv and action in ("managed_exit", "win_back", "retain", "develop", "nurture"):
        parts.append(_("CLV %(amount)s") % {"amount": _money(score.clv, currency)})
    return "; ".join(parts)
