"""Stored feedback themes (issue 16, items 2-3): refreshed by a job or the nightly schedule,
each answer with its themes; a person renames, merges and pins them and a later refresh
keeps that; the feedback page shows the stored themes' drivers and month counts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.audit.models import AuditEntry
from clientela.crm.feedback.actions import create_survey, record_response
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.jobs.models import Job
from clientela.crm.parties.models import Party
from clientela.crm.voice import actions
from clientela.crm.voice.models import AnswerTheme, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered() -> dict[str, Any]:
    from insight.test_insight_themes import planted_answers

    texts, languages, labels, scores = planted_answers(per_theme=25, noise=25)
    survey = create_survey(None, name="NPS", kind="nps", question="?")
    now = timezone.now()
    ids = []
    for i, (text, language, score) in enumerate(zip(texts, languages, scores, strict=True)):
        party = Party.objects.create(ref=f"V{i}", name=f"Klient {i}", is_customer=True, language=language)
        ids.append(record_response(None, survey=survey, party=party, score=int(score), comment=text,
                                   answered_at=now - timedelta(days=1 + i % 200)).pk)
    return {"ids": ids, "labels": labels, "languages": languages}


def _theme_of(answered: dict[str, Any], label: str, language: str) -> Theme:
    wanted = {rid for rid, lab, lang in zip(answered["ids"], answered["labels"], answered["languages"], strict=True)
              if lab == label and lang == language}
    counts: dict[int, int] = {}
    for tid in AnswerTheme.objects.filter(response_id__in=wanted).values_list("theme_id", flat=True):
        counts[tid] = counts.get(tid, 0) + 1
    return Theme.objects.get(pk=max(counts, key=counts.get))


def test_refresh_stores_themes_per_answer_and_is_stable(answered: dict[str, Any]) -> None:
    first = actions.refresh_themes(None)
    assert first["themes"] >= 9 and first["answers"] == len(answered["ids"])
    ids = set(Theme.objects.values_list("pk", flat=True))
    late = _theme_of(answered, "late", "pl")
    assert AnswerTheme.objects.filter(theme=late).count() >= 20
    again = actions.refresh_themes(None)
    assert again["new"] == 0 and set(Theme.objects.values_list("pk", flat=True)) == ids  # same themes, same rows
    assert AuditEntry.objects.filter(entity="theme", object_id="refresh", field="themes").count() == 2


def test_a_persons_rename_merge_and_pin_survive_a_refresh(answered: dict[str, Any]) -> None:
    actions.refresh_themes(None)
    late, damaged = _theme_of(answered, "late", "pl"), _theme_of(answered, "damaged", "pl")
    actions.rename_theme(None, late, "Spóźnione dostawy")
    actions.merge_themes(None, damaged, late)
    staff = _theme_of(answered, "staff", "en")
    actions.pin_theme(None, staff, True)
    with pytest.raises(actions.ThemeError):
        actions.merge_themes(None, staff, late)  # another language
    # the English staff comments disappear: the pinned theme and its answers stay
    staff_answers = set(AnswerTheme.objects.filter(theme=staff).values_list("response_id", flat=True))
    SurveyResponse.objects.filter(pk__in=staff_answers).update(comment="")
    actions.refresh_themes(None)
    late.refresh_from_db()
    assert late.name == "Spóźnione dostawy"
    damaged.refresh_from_db()
    assert damaged.merged_into_id == late.pk
    assert not AnswerTheme.objects.filter(theme=damaged).exists()  # its answers count for the target
    wanted = {rid for rid, lab, lang in zip(answered["ids"], answered["labels"], answered["languages"], strict=True)
              if lab in ("late", "damaged") and lang == "pl"}
    assert len(wanted & set(AnswerTheme.objects.filter(theme=late).values_list("response_id", flat=True))) \
        >= 0.8 * len(wanted)
    assert Theme.objects.filter(pk=staff.pk, pinned=True).exists()
    assert AnswerTheme.objects.filter(theme=staff).count() == len(staff_answers)


def test_the_page_shows_stored_themes_and_their_controls(answered: dict[str, Any], make_user: Any) -> None:
    actions.refresh_themes(None)
    late = _theme_of(answered, "late", "pl")
    marketer = make_user("mk", "marketer")
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(marketer)
    c.post(f"/feedback/themes/{late.pk}/rename/", {"name": "Late deliveries (PL)"})
    page = c.get("/feedback/").content.decode()
    assert "Late deliveries (PL)" in page and 'data-testid="theme-rename"' in page
    assert re.search(r'data-testid="theme-months">Answers in each of the last 12 months: [\d · ]+', page)
    assert AuditEntry.objects.filter(entity="theme", object_id=str(late.pk), actor_id=marketer.pk,
                                     field="name").exists()
    c.post("/feedback/themes/refresh/")
    assert Job.objects.filter(kind="voice.refresh", created_by=marketer).exists()
    rep = Client()
    rep.force_login(make_user("rep", "sales_rep"))
    assert rep.post(f"/feedback/themes/{late.pk}/rename/", {"name": "x"}).status_code == 403
    assert rep.post("/feedback/themes/refresh/").status_code == 403
    assert Theme.objects.get(pk=late.pk).name == "Late deliveries (PL)"
