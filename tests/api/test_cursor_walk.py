"""Every list of the API, under every ordering it offers, pages through the same rows as
one big page — no row twice, none lost — on a demo company whose records leave many
sort keys empty (tasks without a due date, deals without an expected close, cases
without an SLA …). Issue 20, F9: empty sort keys once made page 2 answer 500."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from .conftest import Api, api_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_admin(teams: Any) -> Api:
    from clientela.crm.scoring.actions import run_scoring
    from clientela.demo.build import build_demo_company

    build_demo_company(customers=60, seed=3, today=date(2026, 11, 23))
    run_scoring(None)
    api = api_for(make_user("walker", "admin", teams[0]))
    party = api.get("/parties?limit=1").data["items"][0]["id"]
    pipeline = api.post("/pipelines", {"name": "Walk", "stages": [
        {"name": "Lead", "win_probability": "0.1"}, {"name": "Won", "win_probability": "1", "is_won": True}]}).data
    for i in range(9):  # empty sort keys, on page boundaries of 7
        assert api.post("/tasks", {"title": f"Someday {i}"}).status_code == 201
        assert api.post("/deals", {"party_id": party, "pipeline_id": pipeline["id"], "name": f"Open-ended {i}",
                                   "amount": "10.00", "currency": "PLN"}).status_code == 201
        if i % 2:
            api.post("/tasks", {"title": f"Dated {i}", "due_on": f"2026-12-0{i}"})
            api.post("/deals", {"party_id": party, "pipeline_id": pipeline["id"], "name": f"Dated {i}",
                                "amount": "10.00", "currency": "PLN", "expected_close": f"2027-01-0{i}"})
    return api


def _key(row: dict[str, Any]) -> Any:
    return row["id"] if "id" in row else json.dumps(row, sort_keys=True)


def _orderings(schema: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get or "{" in path.removeprefix("/api/v1"):
            continue
        for param in get.get("parameters", []):
            if param["name"] == "ordering":
                for value in param["schema"].get("enum", []):
                    found.append((path, value))
    return found


def test_every_list_pages_through_every_row_under_every_ordering(company_admin: Api) -> None:
    orderings = _orderings(company_admin.get("/api/v1/openapi.json").json())
    assert len(orderings) > 20
    walked = 0
    for path, ordering in orderings:
        whole = company_admin.get(f"{path}?ordering={ordering}&limit=200")
        assert whole.status_code == 200, (path, ordering, whole.content[:200])
        everything = [_key(row) for row in whole.data["items"]]
        seen: list[Any] = []
        cursor = None
        for _ in range(200):
            query = f"{path}?ordering={ordering}&limit=7" + (f"&cursor={cursor}" if cursor else "")
            page = company_admin.get(query)
            assert page.status_code == 200, (path, ordering, page.content[:200])
            seen += [_key(row) for row in page.data["items"]]
            cursor = page.data["next_cursor"]
            if cursor is None:
                break
        if whole.data["next_cursor"] is None:  # the whole list fits one page of 200
            assert seen == everything, (path, ordering)
        else:
            assert len(seen) == len(set(seen)) and seen[: len(everything)] == everything, (path, ordering)
        walked += len(seen)
    assert walked > 1_000
