"""The worker as a real process, killed with ``kill -9`` in the middle of its work (issue
13's "done when"): a 2,000-member send through a real SMTP server on loopback ends with
every consenting member mailed exactly once and the retry on the jobs page; a scoring run
killed mid-way leaves the previous run's scores served, is marked failed, and the next
attempt completes. The test and the processes share a file database (SQLite in tmp, or a
PostgreSQL database of its own)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpInbox, int]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = SmtpInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05) -> Any:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_kill_9_mid_send_then_restart_mails_every_consenting_member_once(processes: Any, smtp: Any) -> None:
    inbox, port = smtp
    processes.env.update({"CLIENTELA_SMTP_HOST": "127.0.0.1", "CLIENTELA_SMTP_PORT": str(port),
                          "CLIENTELA_FROM_EMAIL": "crm@example.test"})
    seeded = processes.script("seed-send", "2000")
    consenting = sorted(seeded["consenting"])
    assert len(consenting) == 1500

    first = processes.start_worker("worker-1")
    wait_for(lambda: len(inbox.messages) >= 300, timeout=180, what="the first 300 mails")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    mailed_before = len(inbox.messages)
    assert mailed_before < len(consenting), "the send ended before the kill; nothing was tested"
    dead = processes.script("state")
    assert dead["jobs"][0]["status"] == "running" and dead["jobs"][0]["attempts"] == 1

    processes.start_worker("worker-2")

    def finished() -> Any:
        job = processes.script("state")["jobs"][0]
        return job if job["status"] in ("succeeded", "failed") else None

    job = wait_for(finished, timeout=300, what="the retried send to finish", every=1.0)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    assert [h["outcome"] for h in job["history"]] == ["worker lost", "succeeded"]
    assert job["history"][0]["error"].startswith("WorkerLost")

    members = processes.script("state")["members"]
    assert sorted(inbox.recipients) == consenting, members  # every consenting member, each exactly once
    assert members == {"sent": 1500, "suppressed": 500}

    page = processes.script("jobs-page")
    assert page["status"] == 200
    html = page["html"]
    assert 'data-testid="job-history"' in html and "Worker lost" in html and "WorkerLost" in html
    assert '<span class="num">2 / 5</span>' in html


def running_model_runs(database_url: str) -> int:
    """Model runs marked running, read straight from the shared database."""
    sql = "SELECT count(*) FROM scoring_modelrun WHERE status = 'running'"
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url[len("sqlite:///"):], timeout=20) as conn:
            return int(conn.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_kill_9_mid_scoring_keeps_the_previous_scores_and_the_next_run_completes(
    processes: Any, database_url: str
) -> None:
    processes.cli("demo", "--no-serve", "--customers", "300", "--seed", "3")
    queued = processes.script("queue-scoring")
    previous_run, previous_scores = queued["current_run"], queued["scores"]
    assert previous_scores > 0

    first = processes.start_worker("worker-1")
    wait_for(lambda: running_model_runs(database_url) > 0, timeout=180, what="the scoring run to start", every=0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    killed = processes.script("state")
    assert [r["status"] for r in killed["runs"]][-1] == "running"
    # The previous run is still the current one, with all its scores: the pages serve it.
    assert (killed["current_run"], killed["current_scores"]) == (previous_run, previous_scores)

    processes.start_worker("worker-2")

    def finished() -> Any:
        job = processes.script("state")["jobs"][-1]
        return job if job["status"] in ("succeeded", "failed") else None

    job = wait_for(finished, timeout=300, what="the retried scoring to finish", every=1.0)
    assert job["status"] == "succeeded", job
    assert job["history"][0]["outcome"] == "worker lost"
    done = processes.script("state")
    interrupted = [r for r in done["runs"] if r["status"] == "failed"]
    assert len(interrupted) == 1 and interrupted[0]["error"].startswith("interrupted")  # issue 20 F18
    assert not [r for r in done["runs"] if r["status"] == "running"]
    assert done["current_run"] not in (previous_run, interrupted[0]["pk"])
    assert done["current_scores"] == previous_scores

    # The same with `clientela score` killed (issue 20 F18): the next `clientela score`
    # (once the killed one's lease has expired) marks it failed and completes.
    scoring = subprocess.Popen([sys.executable, "-m", "clientela.cli", "score", "--model", "bgnbd"],
                               env=processes.env, cwd=processes.tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: running_model_runs(database_url) > 0, timeout=180, what="`clientela score` to start", every=0.02)
    os.kill(scoring.pid, signal.SIGKILL)
    scoring.wait(timeout=10)
    time.sleep(4)  # CLIENTELA_JOB_TIMEOUT=3: the killed process's lease expires
    assert "Run " in processes.cli("score", "--model", "bgnbd")
    final = processes.script("state")
    assert not [r for r in final["runs"] if r["status"] == "running"]
    assert len([r for r in final["runs"] if r["status"] == "failed" and r["error"].startswith("interrupted")]) == 2
