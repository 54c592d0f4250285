"""Create, read, update, delete, list, filter and paginate every core resource."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from .conftest import Api, api_for, make_user

T = "2026-03-01T10:00:00Z"


@pytest.fixture
def admin(teams: Any) -> Api:
    return api_for(make_user("chief", "admin", teams[0]))


def _party(api: Api, ref: str = "R-1", **extra: Any) -> dict[str, Any]:
    response = api.post("/parties", {"ref": ref, "name": f"Name {ref}", **extra})
    assert response.status_code == 201, response.data
    return response.data


def _product(api: Api, sku: str = "SKU-A") -> dict[str, Any]:
    response = api.post("/products", {"sku": sku, "name": "Thing", "list_price": "12.50", "unit_cost": "5"})
    assert response.status_code == 201, response.data
    return response.data


def _campaign(api: Api) -> dict[str, Any]:
    response = api.post("/campaigns", {"name": "Spring", "kind": "retention", "channel": "email",
                                       "starts_on": "2026-03-01"})
    assert response.status_code == 201, response.data
    return response.data


# (collection path, body factory, patch body, filter query that matches, filter query that does not)
def _cases(api: Api) -> dict[str, tuple[str, Any, dict[str, Any], str, str]]:
    return {
        "parties": ("/parties", lambda i: {"ref": f"P-{i}", "name": f"Party {i}", "country": "PL"},
                    {"city": "Łódź"}, "country=PL", "country=DE"),
        "contacts": ("/contacts", lambda i: {"party_id": _party(api, f"C-{i}")["id"], "name": f"Contact {i}"},
                     {"job_title": "CEO"}, "q=Contact", "q=zzz"),
        "consents": ("/consents", lambda i: {"party_id": _party(api, f"K-{i}")["id"], "purpose": "marketing",
                                             "channel": "email", "given_at": T},
                     {"withdrawn_at": "2026-04-01T00:00:00Z"}, "purpose=marketing", "purpose=surveys"),
        "products": ("/products", lambda i: {"sku": f"S-{i}", "name": f"Product {i}", "category": "tools"},
                     {"name": "Renamed"}, "category=tools", "category=food"),
        "orders": ("/orders", lambda i: {"ref": f"O-{i}", "party_id": _party(api, f"OP-{i}")["id"],
                                         "ordered_at": T, "status": "paid",
                                         "lines": [{"product_id": _product(api, f"OS-{i}")["id"], "quantity": 2}]},
                   {"status": "shipped"}, "status=paid", "status=returned"),
        "interactions": ("/interactions", lambda i: {"party_id": _party(api, f"I-{i}")["id"], "channel": "email",
                                                     "direction": "outbound", "occurred_at": T},
                         {"notes": "called back"}, "channel=email", "channel=sms"),
        "campaigns": ("/campaigns", lambda i: {"name": f"Camp {i}", "kind": "win_back", "channel": "sms",
                                               "starts_on": "2026-05-01"},
                      {"budget": "100.00"}, "kind=win_back", "kind=acquisition"),
    }


RESOURCES = ["parties", "contacts", "consents", "products", "orders", "interactions", "campaigns"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_crud_list_filter_paginate(admin: Api, resource: str) -> None:
    path, body, patch, hit, miss = _cases(admin)[resource]
    created = [admin.post(path, body(i)) for i in range(5)]
    assert [r.status_code for r in created] == [201] * 5, [r.data for r in created]
    one = created[0].data
    url = f"{path}/{one['id']}"

    got = admin.get(url)
    assert got.status_code == 200 and got.data == one
    etag = got["ETag"]
    assert etag

    assert admin.patch(url, patch).status_code == 428
    assert admin.patch(url, patch, **{"If-Match": '"stale"'}).status_code == 412
    changed = admin.patch(url, patch, **{"If-Match": etag})
    assert changed.status_code == 200, changed.data
    for key, value in patch.items():
        assert str(changed.data[key]).startswith(str(value).rstrip("Z").replace("T00:00:00", "T00:00")) or \
            changed.data[key] == value
    assert changed["ETag"] != etag
    assert admin.patch(url, patch, **{"If-Match": etag}).status_code == 412  # old ETag is stale now

    # list, filter, paginate (2 per page over everything the filter matches)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        query = f"{path}?{hit}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = admin.get(query)
        assert page.status_code == 200, page.data
        seen.extend(item["id"] for item in page.data["items"])
        cursor = page.data["next_cursor"]
        if cursor is None:
            break
    untouched = {r.data["id"] for r in created[1:]}  # the first one was patched
    assert untouched <= set(seen) and len(seen) == len(set(seen))
    assert admin.get(f"{path}?{miss}").data["items"] == [] or resource == "contacts"
    assert admin.get(f"{path}?cursor=not-a-cursor").status_code == 400

    assert admin.delete(url).status_code == 428
    deleted = admin.delete(url, **{"If-Match": admin.get(url)["ETag"]})
    assert deleted.status_code == 204, deleted.data
    assert admin.get(url).status_code == 404


def test_campaign_members(admin: Api) -> None:
    campaign = _campaign(admin)
    parties = [_party(admin, f"M-{i}") for i in range(3)]
    for party in parties:
        assert admin.post(f"/campaigns/{campaign['id']}/members", {"party_id": party["id"]}).status_code == 201
    assert admin.post(f"/campaigns/{campaign['id']}/members", {"party_id": parties[0]["id"]}).status_code == 409
    page = admin.get(f"/campaigns/{campaign['id']}/members?limit=2")
    assert len(page.data["items"]) == 2 and page.data["next_cursor"]
    rest = admin.get(f"/campaigns/{campaign['id']}/members?limit=2&cursor={page.data['next_cursor']}")
    assert len(rest.data["items"]) == 1
    member = page.data["items"][0]
    url = f"/campaign-members/{member['id']}"
    got = admin.get(url)
    updated = admin.patch(url, {"responded_at": T}, **{"If-Match": got["ETag"]})
    assert updated.status_code == 200 and updated.data["responded_at"].startswith("2026-03-01")
    assert admin.get(f"/campaigns/{campaign['id']}/members?party_id={parties[1]['id']}").data["items"][0][
        "party_id"] == parties[1]["id"]
    assert admin.delete(url, **{"If-Match": updated["ETag"]}).status_code == 204
    assert admin.get(url).status_code == 404


def test_order_lines_and_totals(admin: Api) -> None:
    party = _party(admin)
    a, b = _product(admin, "A"), _product(admin, "B")
    order = admin.post("/orders", {"ref": "T-1", "party_id": party["id"], "ordered_at": T, "lines": [
        {"product_id": a["id"], "quantity": 2, "discount": "1"},
        {"product_id": b["id"], "quantity": 1, "unit_price": "3.00", "unit_cost": "1"}]})
    assert order.status_code == 201, order.data
    assert order.data["total_amount"] == "27.00" and order.data["total_cost"] == "11.00"
    changed = admin.patch(f"/orders/{order.data['id']}", {"lines": [{"product_id": b["id"], "quantity": 4}]},
                          **{"If-Match": order["ETag"]})
    assert changed.status_code == 200 and changed.data["total_amount"] == "50.00"
    assert len(changed.data["lines"]) == 1
    assert admin.post("/orders", {"ref": "T-2", "party_id": party["id"], "ordered_at": T, "lines": [
        {"product_id": 999999, "quantity": 1}]}).status_code == 422


def test_party_version_etag_and_put(admin: Api) -> None:
    party = _party(admin, email="a@example.com")
    url = f"/parties/{party['id']}"
    assert admin.get(url)["ETag"] == '"1"'
    replaced = admin.put(url, {"ref": party["ref"], "name": "Whole"}, **{"If-Match": '"1"'})
    assert replaced.status_code == 200 and replaced.data["version"] == 2 and replaced.data["email"] == ""
    assert replaced["ETag"] == '"2"'
    assert admin.post("/parties", {"ref": party["ref"], "name": "Dup"}).status_code in (409, 422)
    bad = admin.post("/parties", {"ref": "X", "name": "Bad", "email": "not-an-email", "country": "pol"})
    assert bad.status_code == 422 and {"email", "country"} <= set(bad.data["errors"])
    assert bad["Content-Type"] == "application/problem+json"


def test_field_level_visibility(teams: Any) -> None:
    admin = api_for(make_user("a", "admin", teams[0]))
    rep = api_for(make_user("rep", "sales_rep", teams[0]))
    product = _product(admin)
    assert admin.get(f"/products/{product['id']}").data["unit_cost"] is not None
    seen = rep.get(f"/products/{product['id']}").data
    assert seen["unit_cost"] is None and seen["margin_rate"] is None
    assert seen["list_price"] == "12.5000"
    order = admin.post("/orders", {"ref": "V-1", "party_id": _party(admin, owner_id=rep.user.pk)["id"],
                                   "ordered_at": T, "lines": [{"product_id": product["id"], "quantity": 1}]})
    assert order.data["total_cost"] == "5.00"
    hidden = rep.get(f"/orders/{order.data['id']}").data
    assert hidden["total_cost"] is None and hidden["lines"][0]["unit_cost"] is None


# The rate limiter's counter costs 2 queries a request, 3 on the first of a minute (it also
# purges expired counters): off here, so a minute turning between the two counts changes nothing.
@override_settings(API_RATE_LIMIT="0/60")
def test_party_list_query_count_does_not_grow(admin: Api) -> None:
    for i in range(3):
        _party(admin, f"Q-{i}")
    with CaptureQueriesContext(connection) as few:
        admin.get("/parties?limit=50")
    for i in range(3, 30):
        _party(admin, f"Q-{i}")
    with CaptureQueriesContext(connection) as many:
        admin.get("/parties?limit=50")
    assert len(many) == len(few)
    for path in ("/orders", "/contacts", "/consents", "/interactions", "/campaigns", "/products"):
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(path).status_code == 200
        assert len(ctx) <= 8, (path, len(ctx))
