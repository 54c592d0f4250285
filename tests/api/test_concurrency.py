"""Concurrent writers through a live server on loopback (PostgreSQL only)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.test import LiveServerTestCase, override_settings

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.postgres

WRITERS = 16
PATCHES_EACH = 200


def _call(url: str, method: str, token: str, body: Any = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# 6,400+ requests from one token: the rate limit is not what this test measures.
@pytest.mark.postgres
@override_settings(API_RATE_LIMIT="0/60")
class ConcurrentWrites(LiveServerTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL only")
        super().setUpClass()

    def setUp(self) -> None:
        self.user = User.objects.create(username="writer", role="admin")
        _, self.token = create_token(self.user)
        self.party = Party.objects.create(ref="HOT", name="Contended", owner=self.user)

    def test_16_writers_200_patches_each_with_if_match(self) -> None:
        url = f"{self.live_server_url}/api/v1/parties/{self.party.pk}"
        lock = threading.Lock()
        outcomes: list[int] = []
        applied: list[str] = []

        def writer(n: int) -> None:
            etag = None
            for i in range(PATCHES_EACH):
                if etag is None:  # first round, or after losing: read the current version
                    status, headers, _ = _call(url, "GET", self.token)
                    assert status == 200
                    etag = headers["ETag"]
                city = f"w{n}-{i}"
                status, headers, _ = _call(url, "PATCH", self.token, {"city": city}, **{"If-Match": etag})
                etag = headers.get("ETag") if status == 200 else None
                with lock:
                    outcomes.append(status)
                    if status == 200:
                        applied.append(city)

        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(writer, range(WRITERS)))

        wins = sum(1 for s in outcomes if s == 200)
        losers = [s for s in outcomes if s != 200]
        self.party.refresh_from_db()
        assert len(outcomes) == WRITERS * PATCHES_EACH
        assert set(losers) <= {412}, sorted(set(losers))
        assert self.party.version == 1 + wins
        assert wins >= 1
        print(f"\n16x200 PATCH: {wins} accepted, {len(losers)} answered 412, final version {self.party.version}")
        # nothing lost: every accepted change left an audit entry, in version order
        from clientela.crm.audit.models import AuditEntry

        cities = list(AuditEntry.objects.filter(entity="party", object_id=str(self.party.pk), field="city")
                      .order_by("id").values_list("new", flat=True))
        assert sorted(cities) == sorted(applied)
        assert self.party.city == cities[-1]

    def test_50_concurrent_posts_with_one_idempotency_key_create_one_record(self) -> None:
        url = f"{self.live_server_url}/api/v1/parties"
        body = {"ref": "IDEM-1", "name": "Once Only"}

        def post(_: int) -> tuple[int, bytes]:
            status, _, content = _call(url, "POST", self.token, body, **{"Idempotency-Key": "same-key"})
            return status, content

        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(post, range(50)))
        statuses = [s for s, _ in results]
        assert Party.objects.filter(ref="IDEM-1").count() == 1
        # A repeat arriving while the first still runs waits a moment for its response, and
        # on a busy machine may be told at once to come back (409, never a 30 s wait).
        assert set(statuses) <= {201, 409} and 201 in statuses, statuses
        in_progress = [c for s, c in results if s == 409]
        assert all(b"idempotency-in-progress" in c for c in in_progress)
        again = [post(0) for _ in in_progress]  # sent again later: the first response, replayed
        assert all(s == 201 for s, _ in again), again
        assert len({c for s, c in [*results, *again] if s == 201}) == 1  # every caller saw the first response
