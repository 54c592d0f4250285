"""Fixtures of the API tests: teams, users of every role, tokens, a client per user."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User

ROLES = ("admin", "manager", "sales_rep", "service_agent", "marketer", "analyst", "read_only")


class Api:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, token: str, user: User) -> None:
        self.client = Client()
        self.token = token
        self.user = user

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        for name, value in headers.items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        data = json.dumps(body) if body is not None else None
        url = path if path.startswith("/api/") else "/api/v1" + path
        response = self.client.generic(method, url, data=data or "", content_type="application/json", **extra)
        is_json = "json" in response.get("Content-Type", "")
        response.data = json.loads(response.content) if response.content and is_json else None
        return response

    def get(self, path: str, **headers: str) -> Any:
        return self.call("GET", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("POST", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("PATCH", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("PUT", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.call("DELETE", path, **headers)


def make_user(username: str, role: str, team: Team | None) -> User:
    return User.objects.create_user(username=username, password="x-test-password", role=role, team=team)


def api_for(user: User) -> Api:
    _, token = create_token(user, name="test")
    return Api(token, user)


@pytest.fixture
def teams(db: Any) -> tuple[Team, Team]:
    return Team.objects.create(name="North"), Team.objects.create(name="South")


@pytest.fixture
def admin_api(teams: tuple[Team, Team]) -> Api:
    return api_for(make_user("root", "admin", teams[0]))
