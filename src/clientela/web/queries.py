"""Reads for the customer pages: the list with scores, the 360 view and its timeline.

Record visibility always comes from the owning apps' ``access`` helpers
(``visible_parties``, ``visible_orders`` …); this module only shapes the reads.
Every function issues a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from clientela.crm.accounts.models import User
from clientela.crm.accounts.permissions import (
    Scope,
    can,
    can_see,
    record_scope,
    scope_test,
)
from clientela.crm.commerce.access import visible_orders
from clientela.crm.engagement.access import visible_interactions, visible_members
from clientela.crm.feedback.access import visible_responses
from clientela.crm.labels import (
    CASE_STATUS,
    CHANNELS,
    DIRECTIONS,
    ORDER_STATUS,
    POINTS_KINDS,
    PRIORITIES,
    SALES_CHANNELS,
    SEND_STATUS,
    label,
)
from clientela.crm.loyalty.access import visible_accounts
from clientela.crm.loyalty.models import PointsEntry
from clientela.crm.parties.access import visible_parties
from clientela.crm.parties.models import Party
from clientela.crm.parties.queries import customer_base, text_match
from clientela.crm.sales.access import visible_deals
from clientela.crm.scoring.access import visible_scores_in_run
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.service.access import visible_cases
from clientela.crm.transfer.row_export import ExportField

PAGE_SIZE = 50
MAX_PAGE = 200  # offsets stay below 10,000 rows; narrow the search to go further
SEARCH_NARROW = 5000  # a search matching at most this many parties sorts among them (see below)
SEARCH_WALK_ROWS = 20_000  # score rows a broad search may walk in index order for its page
SEARCH_WALK_MIN_MINE = 50  # own/team parties among the first matches needed to walk

SORTS = {
    "clv": ("score_clv", True),
    "p_alive": ("score_p_alive", True),
    "churn": ("score_churn", True),
    "name": ("name", False),
}
# Sort keys read from the scores (highest first, parties without a value after them).
SCORE_SORT_FIELDS = {"clv": "clv", "p_alive": "p_alive", "churn": "churn_risk"}
SCORE_COLUMNS = {
    "score_clv": "score__clv",
    "score_p_alive": "score__p_alive",
    "score_churn": "score__churn_risk",
    "score_segment": "score__rfm_segment",
    "score_stage": "score__ladder_stage",
    "score_action": "score__next_best_action",
    "score_net": "score__net_contribution",
}


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    segment: str = ""
    stage: str = ""
    action: str = ""
    owner: int | None = None
    country: str = ""
    sort: str = "clv"
    page: int = 1
    ignored: tuple[str, ...] = ()  # filters whose value was not valid, left out


@dataclass(frozen=True)
class CustomerPage:
    rows: list[Party]
    page: int
    has_next: bool
    sort: str
    scored: bool


def allowed_sorts(user: Any) -> list[str]:
    """Sort keys the user may use: sorting by CLV would reveal it, so only with CLV visible."""
    return [s for s in SORTS if s != "clv" or can_see(user, "clv")]


def _search(qs: QuerySet[Any], q: str, *, prefix: str = "") -> QuerySet[Any]:
    """Substring match on name, email and reference ignoring case and accents
    (``parties.queries.text_match``, trigram-indexed on PostgreSQL) and, for a query that
    is mostly digits, on the phone number without spaces, dashes and ``+`` (indexed as
    that expression). ``prefix`` reaches the party from another model."""
    q = q.strip()
    if not q:
        return qs
    match = text_match(q, prefix=prefix)
    digits = "".join(c for c in q if c.isdigit())
    if len(digits) >= 3 and len(digits) >= len(q.replace(" ", "").replace("+", "")) - 1:
        qs = qs.annotate(phone_digits=Replace(
            Replace(Replace(F(f"{prefix}phone"), Value(" ")), Value("-")), Value("+")
        ))
        match |= Q(phone_digits__contains=digits)
    return qs.filter(match)


def _party_filters(qs: QuerySet[Any], filters: CustomerFilters, *, prefix: str = "") -> QuerySet[Any]:
    qs = _search(qs, filters.q, prefix=prefix)
    if filters.owner is not None:
        qs = qs.filter(**{f"{prefix}owner_id": filters.owner})
    if filters.country:
        qs = qs.filter(**{f"{prefix}country": filters.country.upper()})
    return qs


def _score_filters(qs: QuerySet[Any], filters: CustomerFilters, *, prefix: str = "") -> QuerySet[Any]:
    if filters.segment:
        qs = qs.filter(**{f"{prefix}rfm_segment": filters.segment})
    if filters.stage:
        qs = qs.filter(**{f"{prefix}ladder_stage": filters.stage})
    if filters.action:
        qs = qs.filter(**{f"{prefix}next_best_action": filters.action})
    return qs


def _with_scores(qs: QuerySet[Party], run: ModelRun) -> QuerySet[Party]:
    """Parties left-joined to their score in ``run``, its columns as ``score_*``."""
    qs = qs.annotate(score=FilteredRelation("scores", condition=Q(scores__run=run)))
    return qs.annotate(**{alias: F(path) for alias, path in SCORE_COLUMNS.items()})


def _scope_parts(user: Any, filters: CustomerFilters) -> list[Q]:
    """Conditions on the scores' copy of owner and team (``CustomerScore.owner/team``)
    whose disjoint union is the user's scope, each the prefix of a ``(run, owner|team,
    -clv, party)`` index: a representative's parties, or a team's plus the manager's own
    outside the team. The party's scope is applied as well (``visible_scores_in_run``):
    the copy only chooses the index, a stale copy can hide a row but never show one."""
    scope = record_scope(user, "party")
    if scope is Scope.ALL:
        parts = [Q()]
    elif scope is Scope.OWN or user.team_id is None:
        parts = [Q(owner_id=user.pk)]
    else:
        parts = [Q(team_id=user.team_id), Q(owner_id=user.pk) & ~Q(team_id=user.team_id)]
    if filters.owner is not None:
        parts = [part & Q(owner_id=filters.owner) for part in parts]
    return parts


def _scored_rows(
    user: Any, filters: CustomerFilters, run: ModelRun, sort: str, start: int, n: int,
    party_ids: list[int] | None, *, walk: bool = False,
) -> tuple[list[Party], int]:
    """Rows ``start`` … ``start + n`` (and how many were read) of the scored parties with a value of the sort key,
    read from ``CustomerScore`` in the order of its ``(run, [owner|team,] key)`` indexes
    (or, for a search with few matches, ``party_ids``: the matching parties): the page's
    score ids, then those scores (two queries). A scope of two parts (a manager: the
    team, and their own parties outside it) reads the ids from both indexes merged
    (UNION ALL)."""
    column = SCORE_SORT_FIELDS[sort]
    order = (f"-{column}", "party_id")
    # ``party_ids`` are the user's own matches already: no scope condition on the scores,
    # so their sort keys come from the ``(party, run)`` covering index alone.
    scores = _scores_matching(user, filters, run, sort, party_ids, walk=walk, by_copy=True)
    parts = [Q()] if party_ids is not None else _scope_parts(user, filters)
    # The page's score ids first (the skipped rows of a deep page are not joined to
    # their parties), then those scores with their parties.
    branches = [scores.filter(part).values_list("pk", column, "party_id") for part in parts]
    if party_ids is not None:
        # At most SEARCH_NARROW matches: read all their keys and sort here. Asked to sort,
        # PostgreSQL walks the (run, key) index testing each row against the id list
        # (25,000 table rows for 2,400 matches spread evenly: 40-75 ms at 1M parties)
        # where the (party, run) covering index gives every key in ~5 ms.
        keyed = sorted(branches[0], key=lambda row: (-row[1], row[2]))
        ids = [row[0] for row in keyed[start : start + n]]
    else:
        ids = _merged_ids(branches, order, start, n)
    by_id = CustomerScore.objects.select_related("party__owner").in_bulk(ids)
    page = [by_id[i] for i in ids]
    rows = []
    in_scope = scope_test(user, "party")
    for score in page:
        party = score.party
        # The party's own owner and team decide (a copy changed outside the actions
        # is stale until the next run): such a row is left out, never shown.
        if not in_scope(party.owner_id, party.team_id):
            continue
        # Archived since the run, or no longer a customer (a supplier now): left out.
        if not party.in_customer_base:
            continue
        for alias, path in SCORE_COLUMNS.items():
            setattr(party, alias, getattr(score, path.removeprefix("score__")))
        rows.append(party)
    return rows, len(page)


def _scores_matching(
    user: Any, filters: CustomerFilters, run: ModelRun, sort: str, party_ids: list[int] | None,
    *, walk: bool = False, by_copy: bool = False,
) -> QuerySet[CustomerScore]:
    """The scores to page through. ``by_copy``: the scope is left to ``_scope_parts`` on
    the scores' copy, or to ``party_ids`` (collected within the scope), and the party's
    own scope checked on the page's rows: asking the party too, the planner takes the two
    conditions for independent, expects 1 % of 1 % of the rows and sorts all of a
    representative's scores instead of reading 51."""
    column = SCORE_SORT_FIELDS[sort]
    if by_copy and can(user, "party", "view"):
        scores = CustomerScore.objects.filter(run=run, **{f"{column}__isnull": False})
    else:
        scores = visible_scores_in_run(user, run).filter(**{f"{column}__isnull": False})
    scores = _score_filters(scores, filters)
    if party_ids is not None:
        # Sorted, the probes of the (party, run) index run through it in order.
        return scores.filter(party_id__in=sorted(party_ids))
    if walk and filters.q.strip():
        # Each score in index order asks whether its party matches (a correlated
        # subquery, which PostgreSQL cannot turn into a join): the plan stays a walk of
        # the index that stops after the page, instead of fetching every match and
        # sorting them on a guess of how many there are.
        hit = _search(Party.objects.filter(pk=OuterRef("party_id")), filters.q).order_by().values("pk")[:1]
        scores = scores.alias(search_hit=Subquery(hit)).filter(search_hit__isnull=False)
        return _party_filters(scores, replace(filters, q=""), prefix="party__")
    return _party_filters(scores, filters, prefix="party__")


def _search_plan(
    user: Any, filters: CustomerFilters, run: ModelRun, start: int, want: int
) -> tuple[list[int] | None, bool]:
    """How to read a search sorted by a score: ``(party_ids, walk)``.

    Few matches (at most ``SEARCH_NARROW``): their ids, the page is sorted among them.
    Many: walk the score index and test each party (``walk``), which reads about
    ``(start + want) x parties / matches`` rows: chosen for the first ``SEARCH_WALK_ROWS``
    rows' worth of pages, past them the planner's join of every match.

    A user who sees every party collects the matches at once (capped). For a
    representative or manager the trigram bitmap is not narrowed by the scope, so the
    first matches of any owner are read once, with their owner and team: when that is all
    of them, the user's own are picked out (``scope_test``); otherwise, with enough of
    the user's among them, walk (a common term none of the team's parties contains would
    make the walk read most of the user's index), else collect the user's matches."""
    if not can(user, "party", "view"):
        return [], False
    capped = SEARCH_NARROW + 1
    shallow = (start + want) * max(run.customers, 1) <= SEARCH_WALK_ROWS * SEARCH_NARROW
    if record_scope(user, "party") is not Scope.ALL:
        first = list(
            _party_filters(customer_base(Party.objects.all()), filters).order_by()
            .values_list("id", "owner_id", "team_id")[:capped]
        )
        in_scope = scope_test(user, "party")
        mine = [pk for pk, owner_id, team_id in first if in_scope(owner_id, team_id)]
        if len(first) <= SEARCH_NARROW:
            return mine, False
        if shallow and len(mine) >= SEARCH_WALK_MIN_MINE:
            return None, True
    found = _party_filters(customer_base(visible_parties(user)), filters).order_by().values_list("id", flat=True)
    party_ids = list(found[:capped])
    if len(party_ids) > SEARCH_NARROW:
        return None, shallow
    return party_ids, False


def _unsorted_rows(
    user: Any, filters: CustomerFilters, run: ModelRun, sort: str, start: int, n: int,
    party_ids: list[int] | None,
) -> list[Party]:
    """Rows ``start`` … ``start + n`` (by id) of the parties after the scored ones: those
    whose score has no value of the sort key, and those created since the run started
    (every party existing then has a score; the ``created_at`` index finds the new ones)."""
    column = SCORE_SORT_FIELDS[sort]
    after = []
    if CustomerScore._meta.get_field(column).null:
        blank = CustomerScore.objects.filter(run=run, **{f"{column}__isnull": True})
        after.append(Q(pk__in=_score_filters(blank, filters).values("party_id")))
    if not (filters.segment or filters.stage or filters.action):  # unscored parties match none
        after.append(Q(created_at__gte=run.started_at)
                     & ~Exists(CustomerScore.objects.filter(run=run, party=OuterRef("pk"))))
    if not after:
        return []
    qs = _with_scores(customer_base(visible_parties(user)).select_related("owner"), run)
    qs = qs.filter(pk__in=party_ids) if party_ids is not None else _party_filters(qs, filters)
    return list(qs.filter(reduce(or_, after)).order_by("id")[start : start + n])


def _merged_ids(branches: list[QuerySet[Any]], order: tuple[str, ...], start: int, n: int) -> list[int]:
    """Ids (the first column) of rows ``start`` … ``start + n`` of the branches' rows in
    ``order``: one branch read directly, several merged (UNION ALL), each branch its first
    ``start + n`` rows in its index's order where the database allows."""
    if len(branches) == 1:
        return [row[0] for row in branches[0].order_by(*order)[start : start + n]]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL plans a top-level UNION ALL as an Append, then sorts what it returns.
        branches = [b.order_by(*order)[: start + n] for b in branches]
    else:  # SQLite: no ORDER BY inside a compound statement, not even a model's default
        branches = [b.order_by() for b in branches]
    return [row[0] for row in branches[0].union(*branches[1:], all=True).order_by(*order)[start : start + n]]


def _rows_by_name(
    user: Any, filters: CustomerFilters, run: ModelRun | None, start: int, n: int
) -> tuple[list[Party], int]:
    """Rows ``start`` … ``start + n`` of the visible parties by name (then id), with their
    scores in ``run``, and how many were read: the page's party ids first, from the
    ``(name, id)``, ``(owner, name, id)`` or ``(team, name, id)`` index of the user's scope
    (a manager's team and own parties merged, as ``_scope_parts`` splits them), then those
    parties with their scores. Skipped rows of a deep page are neither joined to their
    scores nor read from the table."""
    if not can(user, "party", "view"):
        return [], 0
    # Parties outside the customer base (archived, suppliers …) are few: a filter on
    # the rows of the name index, not an index of its own.
    parties = customer_base(_party_filters(Party.objects.all(), filters))
    if run is not None and (filters.segment or filters.stage or filters.action):
        scored = _score_filters(CustomerScore.objects.filter(run=run), filters)
        parties = parties.filter(pk__in=scored.values("party_id"))
    branches = [parties.filter(part).values_list("id", "name") for part in _scope_parts(user, filters)]
    ids = _merged_ids(branches, ("name", "id"), start, n)
    page = Party.objects.select_related("owner").filter(pk__in=ids)
    by_id = {p.pk: p for p in (_with_scores(page, run) if run is not None else page)}
    # The party's own owner and team decide, as on every list page.
    in_scope = scope_test(user, "party")
    rows = [by_id[i] for i in ids if i in by_id and in_scope(by_id[i].owner_id, by_id[i].team_id)]
    return rows, len(ids)


def customer_page(user: Any, filters: CustomerFilters, *, run: ModelRun | None) -> CustomerPage:
    """One page of the parties the user may see, with their scores from ``run``.

    Offset pagination capped at ``MAX_PAGE`` pages; one row more than a page is read to
    know whether a next page exists (no COUNT). Sorted by a score, the page is read from
    the scores in index order, then from the parties without a value of that score (two
    queries; a third, a count, only for a page that starts past the last scored row).
    """
    sort = filters.sort if filters.sort in allowed_sorts(user) else allowed_sorts(user)[0]
    if run is None:
        sort = "name"
    page = min(max(filters.page, 1), MAX_PAGE)
    start = (page - 1) * PAGE_SIZE
    want = PAGE_SIZE + 1
    if sort in SCORE_SORT_FIELDS and run is not None:
        # A search first collects the matching parties (trigram indexes); when there are
        # few, the page is sorted among them. Walking the score index instead, the planner
        # trusts its guess of the matches (often 50 times too many) and reads the whole
        # index for a rare term. Walking costs about rows x 51 / matches, sorting the
        # matches about their number: they are even near 7,000 matches at 1M parties.
        party_ids: list[int] | None = None
        walk = False
        if filters.q.strip():
            party_ids, walk = _search_plan(user, filters, run, start, want)
        rows, read = _scored_rows(user, filters, run, sort, start, want, party_ids, walk=walk)
        if read < want:
            if read or start == 0:
                scored = start + read
            else:  # the page starts past the scored rows: how many were there?
                scored = _scores_matching(user, filters, run, sort, party_ids).count()
            rest_start = max(0, start - scored)
            rest = _unsorted_rows(user, filters, run, sort, rest_start, want - read, party_ids)
            read += len(rest)
            rows += rest
    else:
        rows, read = _rows_by_name(user, filters, run, start, want)
    return CustomerPage(
        rows=rows[:PAGE_SIZE], page=page, has_next=read > PAGE_SIZE and page < MAX_PAGE,
        sort=sort, scored=run is not None,
    )


CUSTOMER_EXPORT_FIELDS: tuple[ExportField, ...] = (
    ExportField("customer_ref", "ref"),
    ExportField("name", "name"),
    ExportField("email", "email"),
    ExportField("phone", "phone", "phone"),
    ExportField("country", "country"),
    ExportField("owner", "owner__username"),
    ExportField("rfm_segment", "score_segment"),
    ExportField("ladder_stage", "score_stage"),
    ExportField("p_alive", "score_p_alive", "number"),
    ExportField("churn_risk", "score_churn", "number"),
    ExportField("clv", "score_clv", "number", group="clv"),
    ExportField("net_contribution", "score_net", "number", group="margin"),
    ExportField("next_best_action", "score_action"),
)


def customer_export_query(user: Any, filters: CustomerFilters, *, run: ModelRun | None) -> QuerySet[Party]:
    """Every row the customer list shows ``user`` with ``filters`` (all pages), by name:
    the visible parties of the customer base, with their scores in ``run``."""
    parties = _party_filters(customer_base(visible_parties(user)), filters)
    if run is None:
        # No run yet: the score columns are empty.
        return parties.annotate(**dict.fromkeys(SCORE_COLUMNS, Value(None, output_field=CharField()))).order_by(
            "name", "id")
    if filters.segment or filters.stage or filters.action:
        scored = _score_filters(CustomerScore.objects.filter(run=run), filters)
        parties = parties.filter(pk__in=scored.values("party_id"))
    return _with_scores(parties, run).order_by("name", "id")


def owner_choices(user: Any) -> list[tuple[int, str]]:
    """Users whose customers ``user`` may list: everyone, the team, or only themself."""
    scope = record_scope(user, "party")
    users = User.objects.filter(is_active=True)
    if scope is Scope.OWN or (scope is Scope.TEAM and user.team_id is None):
        users = users.filter(pk=user.pk)
    elif scope is Scope.TEAM:
        users = users.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    return [(u.pk, u.get_full_name() or u.username) for u in users.order_by("first_name", "username")]


# A loose index scan: each step asks the country index for the next country after the
# previous one, so listing the countries of a million parties costs one probe per country.
_ALL_COUNTRIES = """
WITH RECURSIVE c(country) AS (
    SELECT MIN(country) FROM parties_party WHERE country > ''
    UNION ALL
    SELECT (SELECT MIN(p.country) FROM parties_party p WHERE p.country > c.country)
    FROM c WHERE c.country IS NOT NULL
)
SELECT country FROM c WHERE country IS NOT NULL
"""


# The same for one owner's and one team's parties, on the (owner, country) and (team,
# country) indexes: a manager's team of 100,000 parties costs a probe per country.
_SCOPE_COUNTRIES = """
WITH RECURSIVE o(country) AS (
    SELECT MIN(country) FROM parties_party WHERE owner_id = %s AND country > ''
    UNION ALL
    SELECT (SELECT MIN(p.country) FROM parties_party p WHERE p.owner_id = %s AND p.country > o.country)
    FROM o WHERE o.country IS NOT NULL
), t(country) AS (
    SELECT MIN(country) FROM parties_party WHERE team_id = %s AND country > ''
    UNION ALL
    SELECT (SELECT MIN(p.country) FROM parties_party p WHERE p.team_id = %s AND p.country > t.country)
    FROM t WHERE t.country IS NOT NULL
)
SELECT country FROM o WHERE country IS NOT NULL
UNION
SELECT country FROM t WHERE country IS NOT NULL
ORDER BY 1
"""


def country_choices(user: Any) -> list[str]:
    """Countries of the parties the user may see, one query: a loose scan of the country
    index for a user who sees every party, else of the (owner, country) index for the
    user's own parties and the (team, country) index for their team's (the scope of
    ``visible_parties``: own, or own and team)."""
    if not can(user, "party", "view"):
        return []
    scope = record_scope(user, "party")
    with connection.cursor() as cursor:
        if scope is Scope.ALL:
            cursor.execute(_ALL_COUNTRIES)
        else:
            team = user.team_id if scope is Scope.TEAM else None  # no team: matches no party
            cursor.execute(_SCOPE_COUNTRIES, [user.pk, user.pk, team, team])
        return [row[0] for row in cursor.fetchall()]


# --- customer 360 ---------------------------------------------------------------------


def customer_since(user: Any, party: Party) -> datetime | None:
    """When the party became a customer: its acquisition date, shown only once it has an
    order that was not returned or cancelled (a prospect whose only order came back is
    not a customer). ``None`` otherwise."""
    if party.acquired_at is None:
        return None
    kept = visible_orders(user).filter(party=party).exclude(status__in=("returned", "cancelled"))
    return party.acquired_at if kept.exists() else None


def score_for(party: Party, run: ModelRun | None) -> CustomerScore | None:
    if run is None:
        return None
    return CustomerScore.objects.filter(run=run, party=party).first()


def deals_of(user: Any, party: Party, *, limit: int = 20) -> list[Any]:
    return list(
        visible_deals(user).filter(party=party).select_related("stage", "pipeline")
        .order_by("-created_at")[:limit]
    )


def cases_of(user: Any, party: Party, *, limit: int = 20) -> list[Any]:
    return list(visible_cases(user).filter(party=party).order_by("-opened_at")[:limit])


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # order | interaction | case | survey | loyalty | campaign
    kind_label: str
    title: str
    detail: str = ""
    text: str = ""  # free text written by people (notes, comments): shown as data
    amount: Decimal | None = None
    currency: str = ""
    ident: str = ""


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem] = field(default_factory=list)
    next_before: datetime | None = None


def _orders(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    qs = visible_orders(user).filter(party=party)
    if before is not None:
        qs = qs.filter(ordered_at__lt=before)
    return [
        TimelineItem(
            o.ordered_at, "order", _("Order"), _("Order %(ref)s") % {"ref": o.ref},
            f"{label(SALES_CHANNELS, o.channel)} · {label(ORDER_STATUS, o.status)}",
            amount=o.total_amount, currency=o.currency, ident=f"order-{o.pk}",
        )
        for o in qs.order_by("-ordered_at", "-id")[:n]
    ]


def _interactions(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    qs = visible_interactions(user).filter(party=party).select_related("user")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    items = []
    for i in qs.order_by("-occurred_at", "-id")[:n]:
        who = (i.user.get_full_name() or i.user.username) if i.user else ""
        detail = f"{label(CHANNELS, i.channel)} · {label(DIRECTIONS, i.direction)}"
        items.append(TimelineItem(
            i.occurred_at, "interaction", _("Interaction"), i.subject or label(CHANNELS, i.channel),
            f"{detail} · {who}" if who else detail, text=i.notes, ident=f"interaction-{i.pk}",
        ))
    return items


def _cases(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    qs = visible_cases(user).filter(party=party)
    if before is not None:
        qs = qs.filter(opened_at__lt=before)
    return [
        TimelineItem(
            c.opened_at, "case", _("Service case"), c.subject,
            f"{label(PRIORITIES, c.priority)} · {label(CASE_STATUS, c.status)}", ident=f"case-{c.pk}",
        )
        for c in qs.order_by("-opened_at", "-id")[:n]
    ]


def _answers(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    qs = visible_responses(user).filter(party=party).select_related("survey")
    if before is not None:
        qs = qs.filter(answered_at__lt=before)
    return [
        TimelineItem(
            r.answered_at, "survey", _("Survey answer"),
            (_("NPS score %(score)s") if r.kind == "nps" else _("Satisfaction score %(score)s"))
            % {"score": r.score},
            r.survey.name, text=r.comment, ident=f"survey-{r.pk}",
        )
        for r in qs.order_by("-answered_at", "-id")[:n]
    ]


def _points(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    accounts = visible_accounts(user).filter(party=party)
    qs = PointsEntry.objects.filter(account__in=accounts).select_related("account__programme")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    return [
        TimelineItem(
            e.occurred_at, "loyalty", _("Loyalty"),
            e.account.programme.name,  # the title is data (translate="no"), the detail is worded
            _("%(kind)s: %(points)s") % {"kind": label(POINTS_KINDS, e.kind), "points": f"{e.points:+d}"},
            text=e.reason, ident=f"points-{e.pk}",
        )
        for e in qs.order_by("-occurred_at", "-id")[:n]
    ]


def _campaigns(user: Any, party: Party, before: datetime | None, n: int) -> list[TimelineItem]:
    qs = visible_members(user).filter(party=party, sent_at__isnull=False).select_related("campaign")
    if before is not None:
        qs = qs.filter(sent_at__lt=before)
    items = []
    for m in qs.order_by("-sent_at", "-id")[:n]:
        detail = label(SEND_STATUS, m.send_status)
        if m.responded_at:
            responded = _("responded")
            detail = f"{detail} · {responded}"
        items.append(TimelineItem(
            m.sent_at, "campaign", _("Campaign"), m.campaign.name, detail, ident=f"campaign-{m.pk}",
        ))
    return items


SOURCES = (_orders, _interactions, _cases, _answers, _points, _campaigns)


def timeline(user: Any, party: Party, *, before: datetime | None = None, size: int = 25) -> Timeline:
    """The newest ``size`` events of the party before ``before``, from every source the
    user may see: one query per source, merged in Python. Events sharing the timestamp
    of the page's last event stay on the same page, so ``next_before`` never splits them."""
    merged: list[TimelineItem] = []
    for source in SOURCES:
        merged.extend(source(user, party, before, size + 1))
    merged.sort(key=lambda item: item.when, reverse=True)
    if len(merged) <= size:
        return Timeline(items=merged, next_before=None)
    cut = size
    while cut < len(merged) and merged[cut].when == merged[size - 1].when:
        cut += 1
    page = merged[:cut]
    return Timeline(items=page, next_before=page[-1].when if cut < len(merged) else None)


def ladder_history(party: Party, *, limit: int = 12) -> list[tuple[datetime, str]]:
    """The party's ladder stage in each successful run, newest first (one query)."""
    rows = (
        CustomerScore.objects.filter(party=party, run__status="succeeded")
        .order_by("-run__started_at").values_list("run__started_at", "ladder_stage")[:limit]
    )
    return list(rows)
