"""The demo's survey answers, service cases and deals: present, plausible and planted."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import mean
from typing import Any

import pytest

from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.sales.models import Deal, DealStageChange, Pipeline
from clientela.crm.service.models import Case
from clientela.crm.service.sla import DEFAULT_HOURS
from clientela.demo.models import Trait
from clientela.demo.queries import planted_refs

pytestmark = pytest.mark.django_db
END = datetime(2026, 11, 23, tzinfo=UTC)


def _nps_by_ref() -> dict[str, list[tuple[datetime, int]]]:
    answers: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for ref, at, score in SurveyResponse.objects.filter(kind="nps").values_list("party__ref", "answered_at", "score"):
        answers[ref].append((at, score))
    return answers


def test_answers_of_both_kinds_with_comments_in_polish_and_english(small_company: dict[str, Any]) -> None:
    assert small_company["survey_responses"] == SurveyResponse.objects.count() > 100
    rows = list(SurveyResponse.objects.values_list("kind", "score", "comment", "answered_at", "party__language"))
    assert {k for k, *_ in rows} == {"nps", "csat"}
    assert all(0 <= s <= 10 if k == "nps" else 1 <= s <= 5 for k, s, *_ in rows)
    assert all(at < END for *_, at, _lang in rows)
    polish = [c for _k, _s, c, _a, lang in rows if c and lang == "pl"]
    english = [c for _k, _s, c, _a, lang in rows if c and lang != "pl"]
    assert polish and english
    assert any(ch in "ąęłńóśźż" for ch in "".join(polish).lower())
    assert not any(ch in "ąęłńóśźż" for ch in "".join(english).lower())
    # Comments match the score: a detractor never writes a promoter's praise.
    praise = {c for k, s, c, *_ in rows if c and k == "nps" and s >= 9}
    complaints = {c for k, s, c, *_ in rows if c and k == "nps" and s <= 6}
    assert praise and complaints and not praise & complaints


def test_planted_promoters_answer_as_promoters(small_company: dict[str, Any]) -> None:
    answers = _nps_by_ref()
    promoters = planted_refs(Trait.PROMOTER)
    for ref in promoters:
        assert answers[ref], ref
        assert all(score >= 9 for _at, score in answers[ref]), ref
        assert max(at for at, _s in answers[ref]) >= END - timedelta(days=60), ref
    others = [s for ref, a in answers.items() if ref not in promoters for _at, s in a]
    costly = [s for ref in planted_refs(Trait.HIGH_COST_TO_SERVE) for _at, s in answers.get(ref, [])]
    assert mean(others) < 9 and costly and mean(costly) < mean(others) - 1


def test_high_cost_to_serve_customers_open_many_more_cases(small_company: dict[str, Any]) -> None:
    assert small_company["cases"] == Case.objects.count() > 50
    per_party: dict[str, int] = defaultdict(int)
    for ref in Case.objects.values_list("party__ref", flat=True):
        per_party[ref] += 1
    costly = planted_refs(Trait.HIGH_COST_TO_SERVE)
    customers_with_cases = [ref for ref in per_party if ref not in costly]
    costly_mean = mean(per_party.get(ref, 0) for ref in costly)
    other_mean = mean(per_party[ref] for ref in customers_with_cases)  # only those with a case at all
    assert costly_mean > 3 * other_mean
    for opened, due, priority, status, resolved in Case.objects.values_list(
            "opened_at", "sla_due_at", "priority", "status", "resolved_at"):
        assert due == opened + timedelta(hours=DEFAULT_HOURS[priority])
        assert (resolved is None) == (status in ("new", "open", "pending"))
        if resolved is None:
            assert opened > END - timedelta(days=30)  # only recent cases are still open
    assert Case.objects.filter(status__in=("new", "open", "pending")).exists()


def test_deals_fill_every_stage_with_their_history(small_company: dict[str, Any]) -> None:
    pipeline = Pipeline.objects.get()
    stages = list(pipeline.stages.order_by("order"))
    assert len(stages) == 6 and stages[4].is_won and stages[5].is_lost
    deals = list(Deal.objects.select_related("stage", "party"))
    assert small_company["deals"] == len(deals) > 20
    assert {d.stage.name for d in deals} >= {stages[0].name, stages[4].name, stages[5].name}
    assert any(d.status == "open" for d in deals)
    assert all(d.party.kind == "organisation" for d in deals)
    history: dict[int, list[Any]] = defaultdict(list)
    for change in DealStageChange.objects.order_by("changed_at", "id"):
        history[change.deal_id].append(change)
    for deal in deals:
        steps = history[deal.pk]
        assert steps[0].from_stage_id is None and steps[0].to_stage_id == stages[0].pk
        assert steps[-1].to_stage_id == deal.stage_id
        assert (deal.status == "lost") == deal.stage.is_lost == bool(deal.close_reason)
        assert (deal.status == "open") == (deal.closed_at is None)
