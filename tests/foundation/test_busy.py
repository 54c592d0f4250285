"""A database busy with another write answers 503 with Retry-After, never 500 (issue 20, F8).

The end-to-end check (a 200k-line import with API clients beside it) is
tests/transfer/test_import_busy.py; these pin the mapping itself.
"""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from clientela.crm.busy import is_busy
from clientela.errors import server_error


def _answer(path: str, error: Exception):
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:
        return server_error(request)


@pytest.mark.parametrize("message", ["database is locked", "database table is locked: parties_party",
                                     "canceling statement due to lock timeout"])
def test_a_locked_database_is_busy(message):
    assert is_busy(OperationalError(message))
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OperationalError(message)
    assert is_busy(wrapped)


def test_other_errors_are_not_busy():
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))
    assert not is_busy(None)


def test_api_answers_a_busy_database_with_a_503_problem_document():
    response = _answer("/api/v1/parties", OperationalError("database is locked"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    body = json.loads(response.content)
    assert body["type"] == "urn:clientela:problem:database-busy" and body["status"] == 503


@pytest.mark.django_db
def test_pages_answer_a_busy_database_with_a_503_page_in_the_users_language(settings):
    request = RequestFactory().get("/customers/", HTTP_ACCEPT_LANGUAGE="pl")
    from django.utils import translation

    with translation.override("pl"):
        try:
            raise OperationalError("database is locked")
        except Exception:
            response = server_error(request)
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "Nic nie zostało zapisane" in response.content.decode()


def test_any_other_error_is_still_a_500():
    assert _answer("/customers/", OperationalError("disk I/O error")).status_code == 500
    assert _answer("/api/v1/parties", KeyError("x")).status_code == 500
