"""Issue 16's done-when journey in a real browser: a marketer creates an NPS survey on
/surveys/, invites a segment from the survey's page; the worker (here in the test's
process, as `clientela worker --burst` runs it) mails the invitations to an SMTP server
on loopback (aiosmtpd); a customer whose language is Polish opens the mail's link in an
English browser and sees the answer page in Polish, answers once, and a second use of the
link is refused; the marketer finds the themes again (a job) and the answer's theme shows
on the feedback page, beside the comment and among the drivers.

The site is tests/browser_site.py's (the scored demo company, wiped after the module)."""

from __future__ import annotations

import re
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser_site import Site, log_in, off_loopback, shot
from clientela_test_support import SmtpInbox

MARKETER, PASSWORD = "journey-marketer", "journey-marketer-pw"
ADDRESS = "polska.klientka@example.test"
COMMENT = "Dostawa znowu była opóźniona, kurier się spóźnił o tydzień."


@pytest.fixture(scope="module")
def cast(site: Site, django_db_blocker: Any) -> dict[str, Any]:
    """A marketer, and a scored customer made Polish with a surveys consent by e-mail and
    a segment that holds her (committed: the served site reads them; the module's end
    wipes them with the world)."""
    from django.utils import timezone

    from clientela.crm.accounts.models import User
    from clientela.crm.engagement.actions import create_segment
    from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Consent, Party
    from clientela.crm.scoring.models import CustomerScore

    with django_db_blocker.unblock():
        marketer = User.objects.create_user(MARKETER, password=PASSWORD, role="marketer")
        score = (CustomerScore.objects.filter(run__is_current=True, party__archived_at__isnull=True)
                 .exclude(party__in=Party.objects.filter(OUTSIDE_CUSTOMER_BASE)).exclude(party__email="")
                 .select_related("party").order_by("party_id").first())
        assert score is not None
        Party.objects.filter(pk=score.party_id).update(language="pl", email=ADDRESS)
        Consent.objects.create(party_id=score.party_id, purpose="surveys", channel="email", given_at=timezone.now())
        segment = create_segment(marketer, {"name": "Journey: her segment", "definition": {
            "rfm_segments": [score.rfm_segment], "ladder_stages": [score.ladder_stage]}})
    return {"party_id": score.party_id, "segment": segment.name}


def _run_worker(django_db_blocker: Any) -> None:
    from django.db import connections

    from clientela.crm.jobs.worker import JobWorker

    with django_db_blocker.unblock():
        JobWorker(worker_id="journey", interval=0.05, burst=True, housekeeping=False).run()
    connections.close_all()


def _text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def test_a_survey_from_the_app_to_a_polish_customer_and_its_theme(
        page: Any, browser: Any, site: Site, cast: dict[str, Any], inbox: SmtpInbox, settings: Any,
        django_db_blocker: Any) -> None:
    settings.PUBLIC_URL = site.url  # the links in the mails point at the served site
    # The marketer creates an NPS survey.
    log_in(page, site, "/surveys/", username=MARKETER, password=PASSWORD)
    page.get_by_test_id("survey-new").click()
    page.fill("#survey-name", "Journey NPS")
    page.select_option("#survey-kind", "nps")
    page.fill("#survey-question", "How likely are you to recommend us to a friend?")
    page.get_by_role("button", name="Create survey").click()
    page.wait_for_url(re.compile(re.escape(site.url) + r"/surveys/\d+/$"))
    survey_path = urlsplit(page.url).path
    # ... and invites the segment from the survey's page: a job.
    page.get_by_test_id("invite-segment").select_option(label=cast["segment"])
    page.get_by_test_id("invite-send").click()
    page.get_by_test_id("invite-queued").wait_for()
    assert inbox.messages == []  # only queued
    shot(page, "60-survey-invited")
    _run_worker(django_db_blocker)
    mails = inbox.to(ADDRESS)
    assert len(mails) == 1 and mails[0]["Subject"] == "Journey NPS"
    body = _text(mails[0])
    link = re.search(r"(https?://\S+/s/[^/\s]+/)", body)
    assert link is not None and link.group(1).startswith(site.url + "/s/")
    # The mail's own words are hers too (the question stays as the marketer wrote it).
    assert "Odpowiedz tutaj (jedna odpowiedź na link):" in body
    assert "Aby przestać otrzymywać te wiadomości:" in body
    page.goto(site.url + survey_path)
    assert page.get_by_test_id("survey-score").is_visible()

    # The customer opens the link in an English browser: the page speaks Polish.
    context = browser.new_context(locale="en-GB")
    customer = context.new_page()
    seen: list[str] = []
    customer.on("request", lambda r: (site.requests.append(r.url), seen.append(r.url)))
    customer.set_default_timeout(10_000)
    try:
        customer.goto(link.group(1))
        assert customer.locator("html").get_attribute("lang") == "pl"
        assert customer.get_by_text("Twoja ocena").is_visible()
        assert customer.get_by_text("How likely are you to recommend us to a friend?").is_visible()
        shot(customer, "61-survey-answer-pl")
        customer.check("input[name=score][value='2']")
        customer.fill("#comment", COMMENT)
        customer.get_by_role("button", name="Wyślij").click()
        customer.get_by_role("heading", name="Dziękujemy").wait_for()
        # A second use of the link is refused, in Polish, and records nothing.
        customer.goto(link.group(1))
        customer.get_by_role("heading", name="Już odpowiedziano").wait_for()
        assert customer.locator("input[name=score]").count() == 0
        shot(customer, "62-survey-used-pl")
    finally:
        context.close()
    assert not off_loopback(seen)
    from clientela.crm.feedback.models import SurveyResponse
    from clientela.crm.voice.models import AnswerTheme

    with django_db_blocker.unblock():
        answers = list(SurveyResponse.objects.filter(survey__name="Journey NPS").values_list("party_id", "score",
                                                                                             "comment", "pk"))
    assert [a[:3] for a in answers] == [(cast["party_id"], 2, COMMENT)]

    # The marketer finds the themes again (a job); the answer's theme is on the feedback page.
    page.goto(site.url + "/feedback/", timeout=90_000)  # the first visit finds the themes on the fly
    page.get_by_test_id("themes-refresh").get_by_role("button").click()
    page.wait_for_url(re.compile(re.escape(site.url) + r"/feedback/"))
    _run_worker(django_db_blocker)
    with django_db_blocker.unblock():
        link_rows = list(AnswerTheme.objects.filter(response_id=answers[0][3]).select_related("theme"))
        names = {(t.theme.merged_into or t.theme).name for t in link_rows}
    assert names, "the refresh gave the answer no theme"
    page.goto(site.url + "/feedback/?q=" + "kurier się spóźnił o tydzień")
    comment = page.get_by_test_id("comment").filter(has_text=COMMENT)
    comment.wait_for()
    assert set(comment.get_by_test_id("comment-theme").all_inner_texts()) == names
    drivers = page.get_by_test_id("driver").locator("th").all_inner_texts()
    assert any(name in row for row in drivers for name in names), (names, drivers)
    shot(page, "63-feedback-theme")
