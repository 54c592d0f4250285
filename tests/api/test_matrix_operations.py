"""The authorization matrix for the operational resources (rows in matrix_operations.py),
on the shared test company: every operation × role × owner, and every refusal leaves the
operational tables and the audit trail unchanged."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.audit.models import AuditEntry
from clientela.crm.engagement.models import CampaignMember
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Programme, Tier
from clientela.crm.parties.models import Consent
from clientela.crm.sales.models import Deal, DealStageChange, Pipeline, Stage
from clientela.crm.service.models import Case
from clientela.crm.tasks.models import Task
from clientela.crm.voice.models import AnswerTheme, Theme

from .fixtures_world import OWNERS, ROLES, build_world
from .matrix_operations import (
    BODIES_OPERATIONS,
    EXPECTATIONS_OPERATIONS,
    PATH_VALUES_OPERATIONS,
    SUCCESS_OVERRIDE_OPERATIONS,
    add_operation_records,
)

SUCCESS = {"GET": 200, "POST": 201, "PATCH": 200, "PUT": 200, "DELETE": 204}
WATCHED = (Pipeline, Stage, Deal, DealStageChange, Task, Case, Survey, SurveyResponse, LoyaltyAccount,
           Programme, Tier, Theme, AnswerTheme,
           PointsEntry, CampaignMember, Consent, AuditEntry)


def _snapshot() -> dict[str, list[str]]:
    return {m.__name__: sorted(map(repr, m.objects.order_by("pk").values_list())) for m in WATCHED}


def _want(method: str, path: str, role: str, owner: str) -> int:
    cells = [cell.split() for cell in EXPECTATIONS_OPERATIONS[(method, path)].split("|")]
    cell = cells[ROLES.index(role)][OWNERS.index(owner)]
    return SUCCESS_OVERRIDE_OPERATIONS.get((method, path), SUCCESS[method]) if cell == "ok" else int(cell)


def test_operational_authorization_matrix(db: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    add_operation_records(world)
    world.campaign.message_subject, world.campaign.message_body = "Hi", "Hello"
    world.campaign.save()
    client = Client()
    tokens = {role: create_token(user)[1] for role, user in world.users.items()}
    failures: list[str] = []
    for (method, path) in sorted(EXPECTATIONS_OPERATIONS):
        for role in ROLES:
            for owner in OWNERS:
                records = world.records[(role, owner)]
                url = path.format(**{n: f(world, records) for n, f in PATH_VALUES_OPERATIONS.items()
                                     if "{" + n + "}" in path} | (
                    {"campaign_id": world.campaign.pk} if "{campaign_id}" in path else {}))
                body = BODIES_OPERATIONS.get((method, path), lambda w, r: None)(world, records)
                want = _want(method, path, role, owner)
                headers = {"HTTP_IF_MATCH": "*"} if method in ("PATCH", "PUT", "DELETE") else {}
                with transaction.atomic():
                    # A call expected to succeed that is refused already fails below; the
                    # (costly) snapshot is taken where a refusal is expected.
                    before = _snapshot() if want >= 400 else None
                    response = client.generic(
                        method, url, data=json.dumps(body) if body is not None else "",
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens[role]}", **headers,
                    )
                    if response.status_code != want:
                        failures.append(f"{method} {path} as {role} on {owner}: {response.status_code} "
                                        f"(want {want}) {response.content[:160]!r}")
                    if before is not None and response.status_code >= 400 and _snapshot() != before:
                        failures.append(f"{method} {path} as {role} on {owner}: refused but changed the database")
                    transaction.set_rollback(True)
    assert not failures, f"{len(failures)} wrong:\n" + "\n".join(failures)
