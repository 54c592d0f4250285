"""Load the smaller kinds with batched ORM writes, on every database: products, exchange
rates, consents, contact persons, deals, survey answers and the loyalty ledger.

Each loader upserts by its kind's key (columns.KEYS): a row whose record exists with the
same values is *unchanged*, one with other values updates it, any other creates one.
Configuration a file names by name — pipelines and their stages, surveys, loyalty
programmes, teams — is created when missing. Runs inside csv_import's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Max, Model

from clientela.crm.commerce.models import ExchangeRate, Product
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Programme
from clientela.crm.parties.models import Consent, ContactPerson
from clientela.crm.sales.models import Deal, Pipeline, Stage
from clientela.crm.transfer.batch_load import BATCH, _aware, _rows, upsert
from clientela.crm.transfer.columns import COLUMNS, Kind
from clientela.crm.transfer.csv_import import LoadCounts, RowsRefused
from clientela.crm.transfer.references import ensure_teams
from clientela.crm.transfer.validation import CheckedTable


def load(checked: CheckedTable) -> LoadCounts:
    return LOADERS[checked.kind](checked)


def _all_rows(checked: CheckedTable) -> list[dict[str, Any]]:
    rows = _rows(checked, [s.name for s in COLUMNS[checked.kind]])
    for name, ids in checked.ids.items():
        for row, value in zip(rows, ids.to_pylist(), strict=True):
            row[f"{name}_id"] = value
    return rows


def load_products(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    existing = {(p.sku,): p for p in Product.objects.filter(sku__in=[r["sku"] for r in rows])}
    return upsert(
        Product, rows, existing, lambda r: (r["sku"],),
        lambda r: {"name": r["name"], "category": r["category"], "list_price": Decimal(r["list_price"]),
                   "unit_cost": Decimal(r["unit_cost"]), "currency": r["currency"],
                   "is_active": r["is_active"] == "true"},
        lambda r: {"sku": r["sku"]},
    )


def load_exchange_rates(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    dates = {r["date"] for r in rows}
    existing = {(x.date, x.currency): x for x in ExchangeRate.objects.filter(date__in=dates)}
    return upsert(
        ExchangeRate, rows, existing, lambda r: (r["date"], r["currency"]),
        lambda r: {"rate": Decimal(r["rate"])}, lambda r: {"date": r["date"], "currency": r["currency"]},
    )


def load_consents(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    for r in rows:
        r["given_at"], r["withdrawn_at"] = _aware(r["given_at"]), _aware(r["withdrawn_at"])
    _refuse(rows, lambda r: r["withdrawn_at"] is not None and r["withdrawn_at"] < r["given_at"],
            "withdrawn_at", "lies before given_at")
    parties = {r["customer_ref_id"] for r in rows}
    existing = {(c.party_id, c.purpose, c.channel, c.given_at): c
                for c in Consent.objects.filter(party_id__in=parties)}
    return upsert(
        Consent, rows, existing, lambda r: (r["customer_ref_id"], r["purpose"], r["channel"], r["given_at"]),
        lambda r: {"lawful_basis": r["lawful_basis"], "source": r["source"], "withdrawn_at": r["withdrawn_at"]},
        lambda r: {"party_id": r["customer_ref_id"], "purpose": r["purpose"], "channel": r["channel"],
                   "given_at": r["given_at"]},
    )


def load_contacts(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    with_person = "person_ref" in checked.present
    existing: dict[tuple[Any, ...], Model] = {}
    for c in ContactPerson.objects.filter(organisation_id__in={r["organisation_ref_id"] for r in rows}):
        existing.setdefault((c.organisation_id, c.name), c)

    def values(r: dict[str, Any]) -> dict[str, Any]:
        out = {"job_title": r["job_title"], "email": r["email"], "phone": r["phone"],
               "is_primary": r["is_primary"] == "true", "consent_email": r["consent_email"] == "true",
               "consent_phone": r["consent_phone"] == "true"}
        if with_person:
            out["person_id"] = r["person_ref_id"]
        return out

    return upsert(ContactPerson, rows, existing, lambda r: (r["organisation_ref_id"], r["name"]), values,
                   lambda r: {"organisation_id": r["organisation_ref_id"], "name": r["name"]})


def load_deals(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    pipelines = {p.name: p for p in Pipeline.objects.filter(name__in={r["pipeline"] for r in rows})}
    for name in sorted({r["pipeline"] for r in rows} - set(pipelines)):
        pipelines[name] = Pipeline.objects.create(name=name)
    stages = {(s.pipeline_id, s.name): s for s in Stage.objects.filter(pipeline__in=pipelines.values())}
    for r in rows:
        pipeline = pipelines[r["pipeline"]]
        if (pipeline.id, r["stage"]) not in stages:
            top = Stage.objects.filter(pipeline=pipeline).aggregate(top=Max("order"))["top"] or 0
            stages[(pipeline.id, r["stage"])] = Stage.objects.create(pipeline=pipeline, name=r["stage"],
                                                                     order=top + 1)
        r["pipeline_id"] = pipeline.id
        r["stage_id"] = stages[(pipeline.id, r["stage"])].id
        r["closed_at"] = _aware(r["closed_at"])
        r["created_at"] = _aware(r["created_at"])
    present = checked.present
    teams = ensure_teams([r["team"] for r in rows]) if "team" in present else {}
    existing: dict[tuple[Any, ...], Model] = {}
    for d in Deal.objects.filter(party_id__in={r["customer_ref_id"] for r in rows}).order_by("created_at", "id"):
        existing.setdefault((d.party_id, d.pipeline_id, d.name, d.created_at), d)
        existing.setdefault((d.party_id, d.pipeline_id, d.name, None), d)

    def values(r: dict[str, Any]) -> dict[str, Any]:
        out = {"stage_id": r["stage_id"], "amount": Decimal(r["amount"]), "currency": r["currency"],
               "expected_close": r["expected_close"], "status": r["status"], "closed_at": r["closed_at"],
               "close_reason": r["close_reason"]}
        if "owner" in present:
            out["owner_id"] = r["owner_id"]
        if "team" in present:
            out["team_id"] = teams.get(r["team"]) if r["team"] else None
        return out

    new: list[Model] = []
    counts = upsert(Deal, rows, existing,
                     lambda r: (r["customer_ref_id"], r["pipeline_id"], r["name"], r["created_at"]), values,
                     lambda r: {"party_id": r["customer_ref_id"], "pipeline_id": r["pipeline_id"], "name": r["name"]},
                     created=new)
    # created_at is stamped on insert (auto_now_add): put back the file's opening times
    # (bulk_update writes the values as they are).
    opened = [r["created_at"] for r in rows if existing.get(
        (r["customer_ref_id"], r["pipeline_id"], r["name"], r["created_at"])) is None]
    dated = []
    for deal, when in zip(new, opened, strict=True):
        if when is not None:
            deal.created_at = when  # type: ignore[attr-defined]
            dated.append(deal)
    Deal.objects.bulk_update(dated, ["created_at"], batch_size=BATCH)
    return counts


def load_survey_answers(checked: CheckedTable) -> LoadCounts:
    rows = _all_rows(checked)
    with_choice = "choice" in checked.present  # a file without the column keeps the stored choices
    surveys = {s.name: s for s in Survey.objects.filter(name__in={r["survey"] for r in rows})}
    kinds: dict[str, str] = {}
    for r in rows:
        kinds.setdefault(r["survey"], r["survey_kind"])
        r["answered_at"] = _aware(r["answered_at"])
    _refuse(rows, lambda r: r["survey_kind"] != (surveys[r["survey"]].kind if r["survey"] in surveys
                                                 else kinds[r["survey"]]),
            "survey_kind", "differs from the survey's kind")
    for name in sorted(set(kinds) - set(surveys)):
        surveys[name] = Survey.objects.create(name=name, kind=kinds[name], question=name)
    for r in rows:
        r["survey_id"] = surveys[r["survey"]].id
    existing: dict[tuple[Any, ...], Model] = {}
    for a in SurveyResponse.objects.filter(survey_id__in={s.id for s in surveys.values()}):
        existing.setdefault((a.survey_id, a.party_id, a.answered_at), a)
    return upsert(
        SurveyResponse, rows, existing, lambda r: (r["survey_id"], r["customer_ref_id"], r["answered_at"]),
        lambda r: {"score": r["score"], "comment": r["comment"], "kind": r["survey_kind"],
                   **({"choice": r["choice"] or ""} if with_choice else {})},
        lambda r: {"survey_id": r["survey_id"], "party_id": r["customer_ref_id"], "answered_at": r["answered_at"]},
    )


def load_loyalty(checked: CheckedTable) -> LoadCounts:
    """Ledger entries are appended, never changed: a row whose entry exists is unchanged;
    new ones follow the account's entries in time order (then file order), each with the
    balance after it. A balance that would fall below zero refuses the file."""
    rows = _all_rows(checked)
    with_order = "order_ref" in checked.present
    programmes = {p.name: p for p in Programme.objects.filter(name__in={r["programme"] for r in rows})}
    for name in sorted({r["programme"] for r in rows} - set(programmes)):
        programmes[name] = Programme.objects.create(name=name)
    accounts = {(a.party_id, a.programme_id): a
                for a in LoyaltyAccount.objects.filter(programme__in=programmes.values(),
                                                       party_id__in={r["customer_ref_id"] for r in rows})}
    seen: set[tuple[Any, ...]] = set()
    for e in PointsEntry.objects.filter(account__in=accounts.values()):
        seen.add((e.account_id, e.occurred_at, e.kind, e.points))
    counts = LoadCounts()
    pending: list[tuple[Any, int, dict[str, Any]]] = []
    for i, r in enumerate(rows):
        r["occurred_at"] = _aware(r["occurred_at"])
        pending.append((r["occurred_at"], i, r))
    entries: list[PointsEntry] = []
    touched: dict[int, LoyaltyAccount] = {}
    refused: list[tuple[int, str, str]] = []
    for _when, i, r in sorted(pending, key=lambda t: (t[0], t[1])):
        programme = programmes[r["programme"]]
        account = accounts.get((r["customer_ref_id"], programme.id))
        if account is None:
            account = LoyaltyAccount.objects.create(party_id=r["customer_ref_id"], programme=programme)
            accounts[(r["customer_ref_id"], programme.id)] = account
        if (account.id, r["occurred_at"], r["kind"], r["points"]) in seen:
            counts.unchanged += 1
            continue
        if account.balance + r["points"] < 0:
            refused.append((i, "points", f"would take the balance below zero ({account.balance} points)"))
            continue
        account.balance += r["points"]
        if r["kind"] == "earn":
            account.lifetime_points += r["points"]
        touched[account.id] = account
        entries.append(PointsEntry(account=account, kind=r["kind"], points=r["points"],
                                   balance_after=account.balance, occurred_at=r["occurred_at"],
                                   reason=r["reason"], order_id=r["order_ref_id"] if with_order else None))
    if refused:
        raise RowsRefused(refused)
    PointsEntry.objects.bulk_create(entries, batch_size=BATCH)
    LoyaltyAccount.objects.bulk_update(list(touched.values()), ["balance", "lifetime_points"], batch_size=BATCH)
    counts.created = len(entries)
    return counts


def _refuse(rows: list[dict[str, Any]], wrong: Callable[[dict[str, Any]], bool], column: str,
            reason: str) -> None:
    refused = [(i, column, reason) for i, r in enumerate(rows) if wrong(r)]
    if refused:
        raise RowsRefused(refused)


LOADERS: dict[Kind, Callable[[CheckedTable], LoadCounts]] = {
    Kind.PRODUCTS: load_products,
    Kind.EXCHANGE_RATES: load_exchange_rates,
    Kind.CONSENTS: load_consents,
    Kind.CONTACTS: load_contacts,
    Kind.DEALS: load_deals,
    Kind.SURVEY_ANSWERS: load_survey_answers,
    Kind.LOYALTY: load_loyalty,
}
