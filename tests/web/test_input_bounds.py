"""Crafted query strings and dates on the pages (issue 20): ids beyond every database's
integers are left out with a message, never a 500 (F14); dates are held to the bounds
the API and the import use (F22)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63


@pytest.fixture
def admin(make_user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("bounds-admin", "admin"))
    return client


@pytest.mark.parametrize("query", [f"owner={HUGE}", "owner=-5", "owner=abc", "owner=1e3", f"owner={HUGE}&page={HUGE}"])
def test_customer_list_leaves_out_an_owner_that_is_no_id(admin: Client, query: str) -> None:
    Party.objects.create(ref="B-1", name="Bounded")
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}):
        response = admin.get(f"/customers/?{query}", **headers)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="ignored-filters"' in page and "Owner" in page


def test_customer_list_says_nothing_for_a_good_owner(admin: Client) -> None:
    response = admin.get("/customers/?owner=1")
    assert response.status_code == 200 and b"ignored-filters" not in response.content


@pytest.mark.parametrize(("lang", "words"), [("pl", "Pominięto te filtry"), ("ru", "Эти фильтры не применены")])
def test_the_message_is_translated(admin: Client, lang: str, words: str) -> None:
    page = admin.get(f"/customers/?owner={HUGE}", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert words in page


@pytest.mark.parametrize("query", [f"survey={HUGE}", "since=0001-01-01&until=9999-12-31", "since=2024-02-30",
                                   f"survey={HUGE}&since=0001-01-01&page={HUGE}"])
def test_feedback_filters_out_of_range_are_left_out(admin: Client, query: str) -> None:
    response = admin.get(f"/feedback/?{query}")
    assert response.status_code == 200
    assert b'data-testid="ignored-filters"' in response.content


@pytest.mark.parametrize("before", ["2024-13-45T00:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00",
                                    "", "x" * 100])
def test_timeline_before_out_of_range_is_404_not_500(admin: Client, before: str) -> None:
    party = Party.objects.create(ref="B-2", name="Timeline")
    assert admin.get(f"/customers/{party.pk}/timeline/", {"before": before}).status_code == 404
    assert admin.get(f"/customers/{party.pk}/timeline/", {"before": "2024-01-01T00:00:00+00:00"}).status_code == 200


@pytest.mark.parametrize(("lang", "words"), [("en", "must not lie in the future"),
                                             ("pl", "nie może przypadać w przyszłości"),
                                             ("ru", "не может быть в будущем")])
def test_logging_an_interaction_in_2099_is_refused_in_the_users_language(admin: Client, lang: str, words: str) -> None:
    party = Party.objects.create(ref="B-3", name="Future")
    response = admin.post(f"/customers/{party.pk}/interactions/", {
        "channel": "phone", "direction": "outbound", "occurred_at": "2099-03-01T10:00", "subject": "Call",
    }, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 422 and words in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_campaign_starting_after_2999_is_refused(admin: Client) -> None:
    from clientela.crm.engagement.actions import create_segment

    segment = create_segment(None, {"name": "All", "definition": {}})
    response = admin.post(f"/segments/{segment.pk}/campaign/", {
        "name": "Far", "kind": "retention", "message_channel": "email", "starts_on": "3000-01-01",
        "message_subject": "Hi", "message_body": "Hello {{ name }}",
    })
    assert response.status_code == 422
    assert "must lie between 1900-01-01 and 2999-12-31" in response.content.decode()
