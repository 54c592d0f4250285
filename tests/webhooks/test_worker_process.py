"""The done-when of webhooks with the worker as a real process (`clientela worker`, as the
jobs tests start it): subscriptions added and test events queued with the CLI, a receiver
on loopback that fails the first attempt; every event arrives signed, exactly once, after
the queue's retry with its backoff; the CLI's delivery log shows it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from webhooks.receiver import receiver

pytestmark = pytest.mark.slow

SECRET = "a-secret-of-the-process-test"


def test_the_worker_process_delivers_each_event_once_after_a_failed_attempt(processes: Any) -> None:
    processes.env.update({"CLIENTELA_WEBHOOK_ALLOW_PRIVATE": "1", "CLIENTELA_JOB_RETRY_SECONDS": "1"})
    with receiver(SECRET, fail_first=1) as hook:
        added = processes.cli("webhook", "add", "n8n", hook.url, "-e", "*", "--secret", SECRET)
        assert "Subscription 1 (n8n) added" in added and SECRET in added
        for _ in range(3):
            processes.cli("webhook", "test", "1")
        processes.start_worker("worker")
        started = time.monotonic()
        while len(hook.accepted) < 3 and time.monotonic() - started < 120:
            time.sleep(0.1)
        log = processes.cli("webhook", "deliveries")
        processes.stop_all()
    assert len(hook.accepted) == 3 and set(hook.accepted.values()) == {1}, hook.requests
    assert hook.bad_signatures == 0
    assert len(hook.requests) == 4  # one event twice: 500, then the retry
    rows = [line.split() for line in log.splitlines()[1:]]
    assert sorted((row[2], row[3], row[4]) for row in rows) == [
        ("succeeded", "1", "200"), ("succeeded", "1", "200"), ("succeeded", "2", "200")]
