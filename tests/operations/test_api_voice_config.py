"""Issue 16 through the API: feedback themes (list, drivers, rename, pin, merge, refresh as a
job) and the loyalty programme's configuration (programme with its earn rule, tiers), each
write audited and each bad request a 422 naming the field with nothing written. Who may
call what is tests/api/matrix_operations.py's."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.feedback import actions as feedback
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.loyalty.models import Programme, Tier
from clientela.crm.parties.models import Party
from clientela.crm.voice.models import AnswerTheme, Theme
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, role: str) -> None:
        self.user = User.objects.create_user(username=f"api-{role}", password="pw", role=role)
        _, self.token = create_token(self.user, name="t")

    def __call__(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        response = Client().generic(method, "/api/v1" + path, data=json.dumps(body) if body is not None else "",
                                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.token}",
                                    **headers)
        response.data = json.loads(response.content) if response.content else None
        return response


COMMENTS = {
    "en": ["The parcel arrived late again", "Late delivery, the courier was late", "Delivery was very late",
           "Very late parcel and late courier", "Staff were helpful and kind", "Helpful staff in the shop",
           "Kind and helpful staff", "The staff was helpful"],
}


@pytest.fixture
def answers() -> list[Any]:
    survey = feedback.create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    made = []
    for i, text in enumerate(COMMENTS["en"] * 3):
        party = Party.objects.create(ref=f"VT-{i}", name=f"Customer {i}", language="en", is_customer=True)
        made.append(feedback.record_response(None, survey=survey, party=party, score=2 if "late" in text.lower() else 10,
                                             comment=text, answered_at=timezone.now() - timedelta(days=i)))
    return made


def test_themes_are_found_by_a_job_and_shaped_through_the_api(answers: list[Any]) -> None:
    api = Api("marketer")
    assert api("GET", "/feedback-themes").data["items"] == []
    queued = api("POST", "/feedback-themes/refresh")
    assert queued.status_code == 202 and queued.data["kind"] == "voice.refresh"
    run_jobs()
    assert api("GET", queued["Location"].removeprefix("/api/v1")).data["status"] == "succeeded"
    themes = api("GET", "/feedback-themes?language=en").data["items"]
    assert len(themes) >= 2 and all(t["answers"] > 0 and t["terms"] for t in themes)
    late = next(t for t in themes if "late" in t["terms"])
    assert late["answers"] == AnswerTheme.objects.filter(theme_id=late["id"]).count()
    drivers = api("GET", "/feedback-themes/drivers").data
    assert drivers[0]["theme_id"] == late["id"] and drivers[0]["nps_effect"] < 0  # the worst driver first

    one = api("GET", f"/feedback-themes/{late['id']}")
    assert api("PATCH", f"/feedback-themes/{late['id']}", {"name": "Late parcels"}).status_code == 428
    renamed = api("PATCH", f"/feedback-themes/{late['id']}", {"name": "Late parcels", "pinned": True},
                  HTTP_IF_MATCH=one["ETag"])
    assert renamed.status_code == 200, renamed.data
    assert renamed.data | {"refreshed_at": None} == late | {"name": "Late parcels", "renamed": True, "pinned": True,
                                                            "refreshed_at": None}
    stale = api("PATCH", f"/feedback-themes/{late['id']}", {"pinned": False}, HTTP_IF_MATCH=one["ETag"])
    assert stale.status_code == 412
    too_long = api("PATCH", f"/feedback-themes/{late['id']}", {"name": "x" * 121}, HTTP_IF_MATCH="*")
    assert too_long.status_code == 422 and "name" in too_long.data["errors"]

    other = next(t for t in themes if t["id"] != late["id"])
    polish = Theme.objects.create(language="pl", name="opóźnienie", terms=["opóźnienie"])
    refused = api("POST", f"/feedback-themes/{other['id']}/merge", {"into_id": polish.pk})
    assert refused.status_code == 422 and "into_id" in refused.data["errors"]
    assert api("POST", f"/feedback-themes/{other['id']}/merge", {"into_id": 999_999}).status_code == 422
    merged = api("POST", f"/feedback-themes/{other['id']}/merge", {"into_id": late["id"]})
    assert merged.status_code == 200 and merged.data["id"] == late["id"]
    assert merged.data["answers"] == late["answers"] + other["answers"]
    assert other["id"] not in {t["id"] for t in api("GET", "/feedback-themes").data["items"]}
    assert api("GET", "/feedback-themes?merged=true").data["items"][0]["merged_into_id"] in (None, late["id"])
    audited = AuditEntry.objects.filter(actor=api.user, entity="theme").values_list("object_id", flat=True)
    assert {str(late["id"]), str(other["id"])} <= set(audited)
    # Reading is not shaping: a sales representative reads themes, changes none.
    rep = Api("sales_rep")
    assert rep("GET", "/feedback-themes").status_code == 200
    assert rep("POST", "/feedback-themes/refresh").status_code == 403
    assert rep("PATCH", f"/feedback-themes/{late['id']}", {"pinned": False}, HTTP_IF_MATCH="*").status_code == 403


def test_the_loyalty_programme_is_configured_through_the_api() -> None:
    api = Api("marketer")
    made = api("POST", "/loyalty-programmes", {"name": "Klub", "points_per_unit": "2.5", "referral_points": 100,
                                               "points_valid_days": 365, "tier_basis": "spend"})
    assert made.status_code == 201, made.data
    pid = made.data["id"]
    assert Decimal(made.data["points_per_unit"]) == Decimal("2.5")
    assert made.data | {"id": 0, "points_per_unit": ""} == {"id": 0, "name": "Klub", "currency": "PLN", "points_per_unit": "",
                                     "tier_basis": "spend", "referral_points": 100, "points_valid_days": 365,
                                     "is_active": True}
    twice = api("POST", "/loyalty-programmes", {"name": "Klub"})
    assert twice.status_code == 422 and "name" in twice.data["errors"]
    negative = api("POST", "/loyalty-programmes", {"name": "Other", "points_per_unit": "-1"})
    assert negative.status_code == 422 and Programme.objects.count() == 1
    changed = api("PATCH", f"/loyalty-programmes/{pid}", {"points_per_unit": "3", "is_active": False},
                  HTTP_IF_MATCH=api("GET", f"/loyalty-programmes/{pid}")["ETag"])
    assert changed.status_code == 200 and Decimal(changed.data["points_per_unit"]) == 3 and not changed.data["is_active"]
    assert api("PATCH", f"/loyalty-programmes/{pid}", {"currency": "EUR"}, HTTP_IF_MATCH="*").status_code == 422

    gold = api("POST", f"/loyalty-programmes/{pid}/tiers", {"name": "Gold", "threshold": "5000", "benefits": "-10%"})
    assert gold.status_code == 201, gold.data
    api("POST", f"/loyalty-programmes/{pid}/tiers", {"name": "Silver", "threshold": "1000"})
    clash = api("POST", f"/loyalty-programmes/{pid}/tiers", {"name": "Bronze", "threshold": "1000"})
    assert clash.status_code == 422 and "threshold" in clash.data["errors"]
    assert [t["name"] for t in api("GET", f"/loyalty-programmes/{pid}/tiers").data] == ["Silver", "Gold"]
    moved = api("PATCH", f"/loyalty-tiers/{gold.data['id']}", {"threshold": "500"}, HTTP_IF_MATCH="*")
    assert moved.status_code == 200 and Decimal(moved.data["threshold"]) == 500
    assert [t["name"] for t in api("GET", f"/loyalty-programmes/{pid}/tiers").data] == ["Gold", "Silver"]
    # Deleting is the administrator's; a programme with members is deactivated, not deleted.
    assert api("DELETE", f"/loyalty-tiers/{gold.data['id']}", HTTP_IF_MATCH="*").status_code == 403
    admin = Api("admin")
    assert admin("DELETE", f"/loyalty-tiers/{gold.data['id']}", HTTP_IF_MATCH="*").status_code == 204
    assert list(Tier.objects.values_list("name", flat=True)) == ["Silver"]
    party = Party.objects.create(ref="LC-1", name="Member", is_customer=True)
    loyalty.open_account(None, party, Programme.objects.get(pk=pid))
    kept = admin("DELETE", f"/loyalty-programmes/{pid}", HTTP_IF_MATCH="*")
    assert kept.status_code == 422 and "programme" in kept.data["errors"] and Programme.objects.filter(pk=pid).exists()
    spare = admin("POST", "/loyalty-programmes", {"name": "Spare"}).data["id"]
    assert admin("DELETE", f"/loyalty-programmes/{spare}", HTTP_IF_MATCH="*").status_code == 204
    entries = set(AuditEntry.objects.filter(entity__in=["programme", "tier"]).values_list("action", flat=True))
    assert entries == {"create", "update", "delete"}
