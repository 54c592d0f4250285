"""Authorization matrix, generated from the OpenAPI schema.

Every operation in ``/api/v1/openapi.json`` × every role × the record's owner (the
caller, a teammate, someone in another team) is called and its status compared with
``EXPECTATIONS``. An operation the schema has and the table lacks fails the test, so a
new endpoint cannot ship without its row. Every refused request (4xx) must leave the
database exactly as it was.

A row reads ``"admin | manager | sales_rep | service_agent | marketer | analyst |
read_only"``, each cell three statuses for owner self, teammate, other team; ``ok`` is
the operation's success status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client

from clientela.api.models import IdempotencyKey
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, ContactPerson, Party

from .fixtures_world import OWNERS, ROLES, T0, Records, World, build_world
from .matrix_operations import EXPECTATIONS_OPERATIONS

# Patterns (admin | manager | sales_rep | service_agent | marketer | analyst | read_only)
ALL_OK = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok"
SCOPED_VIEW = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|ok ok ok|ok ok ok|ok ok 404"
# create/update allowed for admin, manager, sales_rep, service_agent
WRITE_4 = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404"
# create/update allowed for admin, manager, sales_rep
WRITE_3 = "ok ok ok|ok ok 404|ok 404 404|403 403 404|403 403 403|403 403 403|403 403 404"
# + marketer (consents)
WRITE_5 = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|ok ok ok|403 403 403|403 403 404"
# delete allowed for admin and manager
DELETE_2 = "ok ok ok|ok ok 404|403 404 404|403 403 404|403 403 403|403 403 403|403 403 404"
# delete allowed for admin, manager, sales_rep
DELETE_3 = "ok ok ok|ok ok 404|ok 404 404|403 403 404|403 403 403|403 403 403|403 403 404"
PARTY_UPDATE = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404"
# marketers create people (with their consents) but do not edit them
PARTY_CREATE = "ok ok ok|ok ok 403|ok 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
ADMIN_ONLY = "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403"
ADMIN_ONLY_404 = "ok ok ok|404 404 404|404 404 404|404 404 404|404 404 404|404 404 404|404 404 404"
GDPR = "ok ok ok|403 403 404|403 404 404|403 403 404|403 403 403|403 403 403|403 403 404"
CAMPAIGN_LIST = "ok ok ok|ok ok ok|ok ok ok|403 403 403|ok ok ok|ok ok ok|ok ok ok"
CAMPAIGN_GET = "ok ok ok|ok ok ok|ok ok ok|404 404 404|ok ok ok|ok ok ok|ok ok ok"
CAMPAIGN_WRITE = "ok ok ok|403 403 403|403 403 403|404 404 404|ok ok ok|403 403 403|403 403 403"
CAMPAIGN_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
MEMBER_GET = "ok ok ok|ok ok 404|ok 404 404|404 404 404|ok ok ok|ok ok ok|ok ok 404"
MEMBER_WRITE = "ok ok ok|403 403 404|403 404 404|404 404 404|ok ok ok|403 403 403|403 403 404"
MEMBER_ADD = "ok ok ok|403 403 403|403 403 403|404 404 404|ok ok ok|403 403 403|403 403 403"

EXPECTATIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/parties"): ALL_OK,
    ("POST", "/api/v1/parties"): PARTY_CREATE,
    ("GET", "/api/v1/parties/{party_id}"): SCOPED_VIEW,
    ("PATCH", "/api/v1/parties/{party_id}"): PARTY_UPDATE,
    ("PUT", "/api/v1/parties/{party_id}"): PARTY_UPDATE,
    ("DELETE", "/api/v1/parties/{party_id}"): DELETE_2,
    ("GET", "/api/v1/scores"): ALL_OK,
    ("GET", "/api/v1/parties/{party_id}/score"): SCOPED_VIEW,
    ("GET", "/api/v1/contacts"): ALL_OK,
    ("POST", "/api/v1/contacts"): WRITE_4,
    ("GET", "/api/v1/contacts/{contact_id}"): SCOPED_VIEW,
    ("PATCH", "/api/v1/contacts/{contact_id}"): WRITE_4,
    ("DELETE", "/api/v1/contacts/{contact_id}"): DELETE_3,
    ("GET", "/api/v1/consents"): ALL_OK,
    ("POST", "/api/v1/consents"): WRITE_5,
    ("GET", "/api/v1/consents/{consent_id}"): SCOPED_VIEW,
    ("PATCH", "/api/v1/consents/{consent_id}"): WRITE_5,
    ("DELETE", "/api/v1/consents/{consent_id}"): DELETE_2,
    ("GET", "/api/v1/products"): ALL_OK,
    ("POST", "/api/v1/products"): ADMIN_ONLY,
    ("GET", "/api/v1/products/{product_id}"): ALL_OK,
    ("PATCH", "/api/v1/products/{product_id}"): ADMIN_ONLY,
    ("DELETE", "/api/v1/products/{product_id}"): ADMIN_ONLY,
    ("GET", "/api/v1/orders"): ALL_OK,
    ("POST", "/api/v1/orders"): WRITE_3,
    ("GET", "/api/v1/orders/{order_id}"): SCOPED_VIEW,
    ("PATCH", "/api/v1/orders/{order_id}"): WRITE_3,
    ("DELETE", "/api/v1/orders/{order_id}"): DELETE_2,
    ("GET", "/api/v1/interactions"): ALL_OK,
    ("POST", "/api/v1/interactions"): WRITE_4,
    ("GET", "/api/v1/interactions/{interaction_id}"): SCOPED_VIEW,
    ("PATCH", "/api/v1/interactions/{interaction_id}"): WRITE_4,
    ("DELETE", "/api/v1/interactions/{interaction_id}"): DELETE_3,
    ("GET", "/api/v1/campaigns"): CAMPAIGN_LIST,
    ("POST", "/api/v1/campaigns"): CAMPAIGN_CREATE,
    ("GET", "/api/v1/campaigns/{campaign_id}"): CAMPAIGN_GET,
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): CAMPAIGN_WRITE,
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): CAMPAIGN_WRITE,
    ("GET", "/api/v1/campaigns/{campaign_id}/members"): CAMPAIGN_GET,
    ("POST", "/api/v1/campaigns/{campaign_id}/members"): MEMBER_ADD,
    ("GET", "/api/v1/campaign-members/{member_id}"): MEMBER_GET,
    ("PATCH", "/api/v1/campaign-members/{member_id}"): MEMBER_WRITE,
    ("DELETE", "/api/v1/campaign-members/{member_id}"): MEMBER_WRITE,
    ("GET", "/api/v1/audit-entries"): ADMIN_ONLY,
    ("GET", "/api/v1/audit-entries/{entry_id}"): ADMIN_ONLY_404,
    ("GET", "/api/v1/parties/{party_id}/personal-data"): GDPR,
    ("POST", "/api/v1/parties/{party_id}/erasure"): GDPR,
    ("GET", "/api/v1/vocabularies/{name}"): ALL_OK,
    ("PUT", "/api/v1/vocabularies/{name}"): ADMIN_ONLY,
}

SUCCESS = {"GET": 200, "POST": 201, "PATCH": 200, "PUT": 200, "DELETE": 204}
SUCCESS_OVERRIDE = {("POST", "/api/v1/parties/{party_id}/erasure"): 202}

# How to fill each path parameter from the owner's records.
PATH_VALUES: dict[str, Callable[[World, Records], int]] = {
    "party_id": lambda w, r: r.party.pk,
    "contact_id": lambda w, r: r.contact.pk,
    "consent_id": lambda w, r: r.consent.pk,
    "product_id": lambda w, r: w.spare_product.pk,  # not on orders, so it can be deleted
    "order_id": lambda w, r: r.order.pk,
    "interaction_id": lambda w, r: r.interaction.pk,
    "campaign_id": lambda w, r: w.campaign.pk,
    "member_id": lambda w, r: r.member.pk,
    "entry_id": lambda w, r: r.entry.pk,
    "name": lambda w, r: "sales_channels",  # type: ignore[dict-item]
}

# Valid bodies for the operations that take one.
BODIES: dict[tuple[str, str], Callable[[World, Records], dict[str, Any]]] = {
    ("POST", "/api/v1/parties"): lambda w, r: {
        "ref": "NEW-1", "name": "New Party", "owner_id": r.owner.pk, "team_id": r.owner.team_id},
    ("PATCH", "/api/v1/parties/{party_id}"): lambda w, r: {"city": "Gdańsk"},
    ("PUT", "/api/v1/parties/{party_id}"): lambda w, r: {
        "ref": r.party.ref, "name": "Renamed", "owner_id": r.owner.pk, "team_id": r.owner.team_id},
    ("POST", "/api/v1/contacts"): lambda w, r: {"party_id": r.party.pk, "name": "New Contact"},
    ("PATCH", "/api/v1/contacts/{contact_id}"): lambda w, r: {"job_title": "CFO"},
    ("POST", "/api/v1/consents"): lambda w, r: {
        "party_id": r.party.pk, "purpose": "newsletter", "channel": "email", "given_at": T0.isoformat()},
    ("PATCH", "/api/v1/consents/{consent_id}"): lambda w, r: {"withdrawn_at": "2026-02-01T00:00:00Z"},
    ("POST", "/api/v1/products"): lambda w, r: {"sku": "NEW-SKU", "name": "Gadget", "list_price": "5"},
    ("PATCH", "/api/v1/products/{product_id}"): lambda w, r: {"name": "Widget 2"},
    ("POST", "/api/v1/orders"): lambda w, r: {
        "ref": "NEW-O", "party_id": r.party.pk, "ordered_at": T0.isoformat(),
        "lines": [{"product_id": w.product.pk, "quantity": 1}]},
    ("PATCH", "/api/v1/orders/{order_id}"): lambda w, r: {"status": "cancelled"},
    ("POST", "/api/v1/interactions"): lambda w, r: {
        "party_id": r.party.pk, "channel": "email", "direction": "outbound", "occurred_at": T0.isoformat()},
    ("PATCH", "/api/v1/interactions/{interaction_id}"): lambda w, r: {"subject": "Follow-up"},
    ("POST", "/api/v1/campaigns"): lambda w, r: {
        "name": "Autumn", "kind": "win_back", "channel": "email", "starts_on": "2026-09-01"},
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): lambda w, r: {"name": "Spring 2"},
    ("POST", "/api/v1/campaigns/{campaign_id}/members"): lambda w, r: {"party_id": r.party2.pk},
    ("PATCH", "/api/v1/campaign-members/{member_id}"): lambda w, r: {"sent_at": T0.isoformat()},
    ("PUT", "/api/v1/vocabularies/{name}"): lambda w, r: {"words": [{"word": "web"}, {"word": "allegro"}]},
}

WATCHED = (Party, ContactPerson, Consent, Product, Order, OrderLine, Interaction, Campaign,
           CampaignMember, AuditEntry, IdempotencyKey)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {m.__name__: sorted(map(repr, m.objects.order_by("pk").values_list())) for m in WATCHED}


def schema_operations(client: Client, token: str) -> set[tuple[str, str]]:
    response = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    schema = json.loads(response.content)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def expected_status(method: str, path: str, role: str, owner: str) -> int:
    cells = [cell.split() for cell in EXPECTATIONS[(method, path)].split("|")]
    cell = cells[ROLES.index(role)][OWNERS.index(owner)]
    return SUCCESS_OVERRIDE.get((method, path), SUCCESS[method]) if cell == "ok" else int(cell)


def _if_match(method: str, path: str, records: Records) -> dict[str, str]:
    if method not in ("PATCH", "PUT", "DELETE"):
        return {}
    if path.startswith("/api/v1/parties/{party_id}"):
        return {"HTTP_IF_MATCH": f'"{records.party.version}"'}
    return {"HTTP_IF_MATCH": "*"}


def test_every_operation_in_the_schema_has_a_matrix_row(db: Any) -> None:
    world = build_world(roles=("admin",))
    _, token = create_token(world.users["admin"])
    operations = schema_operations(Client(), token)
    # The operational apps' rows live in matrix_operations.py and run in
    # test_matrix_operations.py; every operation must have a row in one of the two.
    rows = set(EXPECTATIONS) | set(EXPECTATIONS_OPERATIONS)
    missing = sorted(operations - rows)
    stale = sorted(rows - operations)
    assert not missing, f"operations without authorization-matrix rows: {missing}"
    assert not stale, f"matrix rows for operations the API no longer has: {stale}"


def test_authorization_matrix(db: Any) -> None:
    world = build_world()
    client = Client()
    tokens = {role: create_token(user)[1] for role, user in world.users.items()}
    operations = sorted(schema_operations(client, tokens["admin"]) - set(EXPECTATIONS_OPERATIONS))
    failures: list[str] = []
    calls = 0
    # Every call runs in a rolled-back transaction, so the state before each is this one.
    baseline = snapshot()
    for method, path in operations:
        if (method, path) not in EXPECTATIONS:
            failures.append(f"{method} {path}: no matrix row")
            continue
        for role in ROLES:
            for owner in OWNERS:
                records = world.records[(role, owner)]
                url = path.format(**{
                    name: fill(world, records) for name, fill in PATH_VALUES.items()
                    if "{" + name + "}" in path
                })
                body = BODIES.get((method, path), lambda w, r: None)(world, records)
                want = expected_status(method, path, role, owner)
                with transaction.atomic():
                    response = client.generic(
                        method, url, data=json.dumps(body) if body is not None else "",
                        content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {tokens[role]}", **_if_match(method, path, records),
                    )
                    calls += 1
                    if response.status_code != want:
                        failures.append(
                            f"{method} {path} as {role} on {owner}'s record: "
                            f"{response.status_code} (want {want}) {response.content[:200]!r}"
                        )
                    if response.status_code >= 400 and snapshot() != baseline:
                        failures.append(f"{method} {path} as {role} on {owner}'s record: "
                                        f"refused ({response.status_code}) but changed the database")
                    transaction.set_rollback(True)
    assert not failures, f"{len(failures)} of {calls} calls wrong:\n" + "\n".join(failures)
    assert calls == len(EXPECTATIONS) * len(ROLES) * len(OWNERS)
