"""Reads the pages make cheap for a million parties (benchmarks/ui_bench.py), checked
against the plain computation: the country filter list and the dashboard's NPS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.parties.models import Party
from clientela.web.kpis import _nps_by_year
from clientela.web.queries import country_choices

pytestmark = pytest.mark.django_db


def test_country_list_of_every_party_and_of_own_parties(company: Any, make_user: Any) -> None:
    rep = make_user("rep", "sales_rep")
    Party.objects.filter(pk__in=Party.objects.order_by("id").values("pk")[:5]).update(country="DE")
    Party.objects.filter(pk__in=Party.objects.order_by("-id").values("pk")[:3]).update(country="UA", owner=rep)
    Party.objects.create(ref="NO-COUNTRY", name="Nowhere", country="")
    expected = sorted(set(Party.objects.exclude(country="").values_list("country", flat=True)))
    assert len(expected) >= 3
    root = make_user("root", "admin")
    with CaptureQueriesContext(connection) as ctx:
        assert country_choices(root) == expected
    assert len(ctx.captured_queries) == 1
    assert country_choices(rep) == ["UA"]
    assert country_choices(make_user("nobody", "read_only")) == []  # own team only, and no team


def test_nps_of_this_and_the_previous_year_in_one_query(company: Any) -> None:
    now = timezone.now() + timedelta(days=365 * 15)  # clear of the demo company's answers
    survey = Survey.objects.create(name="NPS", kind="nps", question="Recommend us?")
    csat = Survey.objects.create(name="CSAT", kind="csat", question="Happy?")
    answers = [  # (days ago, score): this year 2 promoters, 1 passive, 1 detractor
        (10, 10), (100, 9), (200, 8), (364, 3),
        (366, 0), (500, 2), (700, 10),  # last year: 1 promoter, 2 detractors
        (800, 10),  # older than two years: not counted
    ]
    for days, score in answers:
        SurveyResponse.objects.create(survey=survey, kind="nps", score=score, answered_at=now - timedelta(days=days))
    SurveyResponse.objects.create(survey=csat, kind="csat", score=5, answered_at=now - timedelta(days=5))
    with CaptureQueriesContext(connection) as ctx:
        n, this_year, last_year = _nps_by_year(now)
    assert len(ctx.captured_queries) == 1
    assert n == 4
    assert this_year == pytest.approx(100 * (2 - 1) / 4)
    assert last_year == pytest.approx(100 * (1 - 2) / 3)
    assert _nps_by_year(now - timedelta(days=2000)) == (0, None, None)
