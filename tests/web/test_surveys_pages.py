"""Survey pages (issue 16, item 1): a marketer creates, reads and edits surveys in the app;
figures per survey; roles; translated errors; query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.audit.models import AuditEntry
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.models import Survey
from clientela.crm.parties.actions import create_party

pytestmark = pytest.mark.django_db


def client_for(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _answered_survey(n_parties: int = 6) -> Survey:
    survey = feedback.create_survey(None, name="Po zakupie", kind="nps", question="Czy polecisz nas?")
    for i in range(n_parties):
        party = create_party(None, {"ref": f"SV-{i}", "name": f"Klient {i}", "kind": "person"})
        invitation = feedback.invite(None, survey, party)
        if i < 4:  # 4 of 6 answer: 10, 9, 7, 3 -> NPS (2 - 1) / 4 = 25
            feedback.answer(feedback.invitation_token(invitation), score=(10, 9, 7, 3)[i],
                            comment="Szybka dostawa" if i == 0 else "")
    return survey


def test_a_marketer_creates_a_survey_and_lands_on_its_page(make_user: Any) -> None:
    marketer = make_user("mk", "marketer")
    c = client_for(marketer)
    assert 'data-testid="menu-surveys"' in c.get("/").content.decode()
    assert c.get("/surveys/new/").status_code == 200
    response = c.post("/surveys/new/", {"name": "CSAT after a call", "kind": "csat",
                                        "question": "How satisfied were you?"})
    survey = Survey.objects.get(name="CSAT after a call")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert survey.kind == "csat" and survey.is_active
    assert AuditEntry.objects.filter(entity="survey", object_id=str(survey.pk), actor_id=marketer.pk,
                                     action="create").exists()
    page = c.get(f"/surveys/{survey.pk}/").content.decode()
    assert "How satisfied were you?" in page and 'data-testid="score-distribution"' in page
    assert len(re.findall(r"<tr><th scope=\"row\">\d</th>", page)) == 5  # scores 1..5


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Give the survey a name."), ("pl", "Nadaj ankiecie nazwę."), ("ru", "Дайте опросу название."),
])
def test_a_survey_without_a_name_is_refused_in_the_users_language(make_user: Any, lang: str, message: str) -> None:
    c = client_for(make_user("mk", "marketer"), lang)
    response = c.post("/surveys/new/", {"name": "  ", "kind": "nps", "question": "?"})
    assert response.status_code == 422 and message in response.content.decode()
    assert not Survey.objects.exists()


def test_the_list_and_the_page_show_each_surveys_figures(make_user: Any) -> None:
    survey = _answered_survey()
    c = client_for(make_user("mk", "marketer"))
    listing = c.get("/surveys/").content.decode()
    row = re.search(r'data-testid="survey-link">Po zakupie</a>.*?</tr>', listing, re.S).group(0)
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)
    assert cells == ["6", "66.7\u00a0%", "4", "25"], cells
    page = c.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Szybka dostawa" in page
    counts = dict(re.findall(r'<tr><th scope="row">(\d+)</th><td class="num">(\d+)</td>', page))
    assert counts["10"] == "1" and counts["3"] == "1" and counts["0"] == "0" and len(counts) == 11


def test_editing_and_deactivating_is_audited_and_only_for_those_who_may(make_user: Any) -> None:
    survey = _answered_survey(1)
    marketer, rep = make_user("mk", "marketer"), make_user("rep", "sales_rep")
    c = client_for(marketer)
    response = c.post(f"/surveys/{survey.pk}/", {"name": "Po zakupie 2", "question": "Polecisz?"})
    assert response.status_code == 200 and 'data-testid="saved"' in response.content.decode()
    survey.refresh_from_db()
    assert (survey.name, survey.question, survey.is_active) == ("Po zakupie 2", "Polecisz?", False)
    fields = set(AuditEntry.objects.filter(entity="survey", object_id=str(survey.pk), action="update",
                                           actor_id=marketer.pk).values_list("field", flat=True))
    assert fields == {"name", "question", "is_active"}
    blank = c.post(f"/surveys/{survey.pk}/", {"name": "x", "question": ""})
    assert blank.status_code == 422 and "Write the question the customer answers." in blank.content.decode()

    r = client_for(rep)
    assert r.get(f"/surveys/{survey.pk}/").status_code == 200  # a sales rep reads surveys …
    assert 'data-testid="survey-edit"' not in r.get(f"/surveys/{survey.pk}/").content.decode()
    assert r.post(f"/surveys/{survey.pk}/", {"name": "Hacked", "question": "?"}).status_code == 403
    assert r.get("/surveys/new/").status_code == 403  # … but does not create them
    assert 'data-testid="menu-surveys"' not in r.get("/").content.decode()
    assert Survey.objects.get(pk=survey.pk).name == "Po zakupie 2"
    assert client_for(marketer).get("/surveys/999999/").status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(make_user: Any) -> None:
    c = client_for(make_user("mk", "marketer"))
    _answered_survey(2)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/surveys/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        feedback.create_survey(None, name=f"S{i}", kind="csat", question="?")
    assert count() == few


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_the_survey_pages_are_translated(make_user: Any, lang: str) -> None:
    from web.test_i18n import catalogue, untranslated

    survey = _answered_survey()
    translations = set(catalogue(lang).values())
    user = make_user("mk", "marketer")
    problems = {}
    for path in ("/surveys/", "/surveys/new/", f"/surveys/{survey.pk}/"):
        en = client_for(user, "en").get(path).content.decode()
        xx = client_for(user, lang).get(path).content.decode()
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, problems
