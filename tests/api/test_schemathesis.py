"""Schemathesis against the app's own schema, in-process (WSGI), every operation.

Checks: no server errors, status codes, content types, headers and bodies as the
schema documents them. ``CLIENTELA_FUZZ_EXAMPLES`` sets the examples per operation
(default 50, the CI floor). Cases are derandomised so a run is reproducible.

It runs on the PostgreSQL pass (the production database) only: 88 operations x 50
examples take minutes, and the schema and handlers are the same on both databases,
whose behaviour the resource tests already cover on each pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User

EXAMPLES = int(os.environ.get("CLIENTELA_FUZZ_EXAMPLES", "50"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    """The schema, loaded through the WSGI app. Like Django's test client, keep the
    request signals from closing the test's database connection (it holds the test
    transaction; on PostgreSQL closing it would end the test)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from clientela.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db: Any) -> str:
    team = Team.objects.create(name="Fuzz")
    user = User.objects.create(username="fuzzer", role="admin", team=team)
    return create_token(user)[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Generated cases only (no separate coverage/explicit phases) keep the run bounded.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, admin_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
