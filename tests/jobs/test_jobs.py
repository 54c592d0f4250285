"""Jobs in one process: enqueue, the worker runs (``--burst``), retries with backoff are
recorded per attempt, a job whose worker went silent is taken up again, schedules fire when
the clock reaches them (and ``clientela schedule list`` shows the next run), and the jobs
page is for administrators and managers only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from clientela.cli.main import main as cli
from clientela.crm.jobs import actions, attempts, registry, schedules
from clientela.crm.jobs.models import Job, JobStatus, ScheduleState
from clientela.crm.jobs.worker import JobWorker

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, Any]] = []


def flaky_handler(job: Any, *, fail_times: int) -> dict[str, Any]:
    """Fails ``fail_times`` times, then succeeds (a job kind registered by the tests)."""
    CALLS.append({"attempt": job.attempt})
    job.progress(1, 2, force=True)
    if len(CALLS) <= fail_times:
        raise LookupError("the thing is not there yet")
    return {"ok": True}


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    CALLS.clear()
    monkeypatch.setitem(registry.KINDS, "test.flaky", f"{__name__}.flaky_handler")
    settings.JOB_RETRY_SECONDS = 0  # retried at once, so one burst runs every attempt


def run_worker() -> int:
    return JobWorker(worker_id="test-worker", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


def test_a_job_runs_and_records_its_result(flaky: None) -> None:
    job = actions.enqueue_job(None, kind="test.flaky", params={"fail_times": 0}, label="Flaky")
    assert job.status == JobStatus.QUEUED
    assert run_worker() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 1, {"ok": True})
    assert job.progress_done == 1 and job.progress_total == 2
    assert [h["outcome"] for h in job.history] == ["succeeded"]


def test_a_failing_job_is_retried_with_backoff_and_each_attempt_is_kept(flaky: None, settings: Any) -> None:
    job = actions.enqueue_job(None, kind="test.flaky", params={"fail_times": 2}, label="Flaky")
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 3
    assert [h["outcome"] for h in job.history] == ["failed", "failed", "succeeded"]
    assert job.history[0]["error"] == "LookupError: the thing is not there yet"
    assert job.last_error == "LookupError: the thing is not there yet"
    # Backoff: the first retry waits JOB_RETRY_SECONDS, each later one twice as long (≤ 1 h).
    settings.JOB_RETRY_SECONDS = 30
    assert [attempts.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [30, 60, 120, 3600]


def test_a_job_fails_after_its_last_attempt(flaky: None) -> None:
    job = actions.enqueue_job(None, kind="test.flaky", params={"fail_times": 9}, label="Flaky", max_attempts=2)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert job.finished_at is not None


def test_a_retry_waits_for_its_backoff(flaky: None, settings: Any) -> None:
    settings.JOB_RETRY_SECONDS = 3600
    job = actions.enqueue_job(None, kind="test.flaky", params={"fail_times": 1}, label="Flaky")
    assert run_worker() == 1  # the retry is not due yet
    job.refresh_from_db()
    assert job.status == JobStatus.RETRYING and job.run_after > timezone.now() + timedelta(minutes=59)


def test_a_job_whose_worker_went_silent_is_taken_up_again(flaky: None, settings: Any) -> None:
    job = actions.enqueue_job(None, kind="test.flaky", params={"fail_times": 0}, label="Flaky")
    # A worker claimed it and died: running, its heartbeat older than the timeout.
    claimed = attempts.claim_attempt(job.pk, 1, worker_id="dead-worker", task_id="")
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS + 1))
    assert attempts.recover_lost_jobs() == [job.pk]
    assert attempts.recover_lost_jobs() == []  # once
    run_worker()  # the first task finds its attempt taken; the retry runs
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert [h["outcome"] for h in job.history] == ["worker lost", "succeeded"]
    assert job.history[0]["error"].startswith("WorkerLost")


def test_a_live_job_is_left_alone() -> None:
    job = actions.enqueue_job(None, kind="schedule", params={"name": "purge-sessions", "now": timezone.now().isoformat()},
                              label="x")
    attempts.claim_attempt(job.pk, 1, worker_id="live", task_id="")
    assert attempts.recover_lost_jobs() == []


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(actions.JobError, match="kind"):
        actions.enqueue_job(None, kind="nope", params={}, label="x")
    assert not Job.objects.exists()


def test_a_schedule_fires_when_the_clock_reaches_it_and_schedule_list_shows_the_next_run(settings: Any) -> None:
    from clientela.api.models import IdempotencyKey
    from clientela.crm.accounts.models import User

    settings.TIME_ZONE = "UTC"
    settings.SCORING_TIME = "03:15"
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert schedules.tick(start) == []  # first sight: every schedule gets its next run
    nightly = ScheduleState.objects.get(name="nightly-scoring")
    assert nightly.next_run_at == datetime(2026, 12, 2, 3, 15, tzinfo=UTC)
    purge = ScheduleState.objects.get(name="purge-idempotency-keys")
    assert purge.next_run_at == start + timedelta(hours=1)

    user = User.objects.create_user(username="api", password="pw-api", role="admin")
    old = IdempotencyKey.objects.create(user=user, key="old", fingerprint="f", created_at=start - timedelta(days=2))
    fresh = IdempotencyKey.objects.create(user=user, key="new", fingerprint="f", created_at=start + timedelta(minutes=50))

    assert sorted(j.schedule for j in schedules.tick(start + timedelta(minutes=59))) == [
        "loyalty-points", "playbooks", "sla-breaches"]  # every 15 min
    fired = schedules.tick(start + timedelta(minutes=61))  # the clock moves past the hour
    assert sorted(j.schedule for j in fired) == [
        "purge-exports", "purge-idempotency-keys", "purge-imports", "purge-sessions", "survey-reminders",
        "task-reminders"]  # sla-breaches ran at 59
    assert schedules.tick(start + timedelta(minutes=62)) == []  # once
    run_worker()
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}  # actions run as the system
    job = Job.objects.get(schedule="purge-idempotency-keys")
    assert job.status == JobStatus.SUCCEEDED and job.result == {"deleted": 1}
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()

    # Nightly scoring at 03:15: not at 03:14, once at 03:16, which queues a scoring job.
    assert [j.schedule for j in schedules.tick(datetime(2026, 12, 2, 3, 14, tzinfo=UTC))
            if j.schedule == "nightly-scoring"] == []
    night = [j for j in schedules.tick(datetime(2026, 12, 2, 3, 16, tzinfo=UTC)) if j.schedule == "nightly-scoring"]
    assert len(night) == 1
    assert ScheduleState.objects.get(name="nightly-scoring").next_run_at == datetime(2026, 12, 3, 3, 15, tzinfo=UTC)

    result = CliRunner().invoke(cli, ["schedule", "list"])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith("nightly-scoring"))
    assert "daily 03:15" in line and "2026-12-03 03:15 UTC" in line
    assert f"(job {night[0].pk} queued)" in line
    purge_line = next(row for row in result.output.splitlines() if row.startswith("purge-idempotency-keys"))
    # It ran again at 03:14 (hourly), so its next run is an hour after that.
    assert "every 60 min" in purge_line and "2026-12-02 04:14 UTC" in purge_line


def test_a_new_scoring_time_moves_the_next_run(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Warsaw"
    settings.SCORING_TIME = "02:30"
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    schedules.tick(now)
    # 02:30 in Warsaw in summer is 00:30 UTC.
    assert ScheduleState.objects.get(name="nightly-scoring").next_run_at == datetime(2026, 7, 2, 0, 30, tzinfo=UTC)
    settings.SCORING_TIME = "04:00"
    schedules.tick(now)
    assert ScheduleState.objects.get(name="nightly-scoring").next_run_at == datetime(2026, 7, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("marketer", 403),
                                              ("sales_rep", 403), ("analyst", 403)])
def test_the_jobs_page_is_for_administrators_and_managers(role: str, status: int, django_assert_max_num_queries: Any) -> None:
    from clientela.crm.accounts.models import User

    for i in range(30):
        actions.enqueue_job(None, kind="scoring.run", params={}, label=f"Scoring {i}")
    c = Client()
    c.force_login(User.objects.create_user(username="u", password="pw-u", role=role))
    with django_assert_max_num_queries(8):
        page = c.get("/jobs/")
    assert page.status_code == status
    if status == 200:
        body = page.content.decode()
        assert body.count('data-testid="job-status"') == 30
        assert 'data-testid="schedule-nightly-scoring"' in body
        assert 'href="/jobs/"' in body  # in the menu


def test_the_jobs_page_asks_anonymous_visitors_to_log_in() -> None:
    answer = Client().get("/jobs/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_a_bad_status_filter_shows_all_jobs() -> None:
    from clientela.crm.accounts.models import User

    actions.enqueue_job(None, kind="scoring.run", params={}, label="Scoring")
    c = Client()
    c.force_login(User.objects.create_user(username="a", password="pw-a", role="admin"))
    page = c.get("/jobs/?status=<script>&page=x")
    assert page.status_code == 200 and page.content.decode().count('data-testid="job-status"') == 1


def test_an_erasure_queued_from_the_cli_runs_in_the_worker() -> None:
    from clientela.crm.accounts.models import User
    from clientela.crm.parties.models import Party

    User.objects.create_user(username="dpo", password="pw-dpo", role="admin")
    party = Party.objects.create(ref="ER1", name="Zofia Kowalska", email="zofia@example.test")
    result = CliRunner().invoke(cli, ["gdpr", "erase", "ER1", "--yes", "--by", "dpo", "--queue"])
    assert result.exit_code == 0, result.output
    party.refresh_from_db()
    assert party.name == "Zofia Kowalska"  # queued, not erased yet
    run_worker()
    job = Job.objects.get(kind="privacy.erase")
    assert job.status == JobStatus.SUCCEEDED and job.created_by.username == "dpo"
    party.refresh_from_db()
    assert "Kowalska" not in party.name and party.email != "zofia@example.test"
    run_worker()  # a second run of the same job (a retry) changes nothing
    assert Job.objects.get(kind="privacy.erase").attempts == 1


def stopping_handler(job: Any) -> dict[str, Any]:
    """Asks the worker to stop (as SIGTERM does), then reports progress."""
    from clientela.crm.jobs import runner

    runner.stopping.set()
    job.progress(1, 2, force=True)
    raise AssertionError("progress should have stopped the job")


def test_a_stopping_worker_queues_its_job_again_without_counting_the_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    from clientela.crm.jobs import runner

    monkeypatch.setitem(registry.KINDS, "test.stopping", f"{__name__}.stopping_handler")
    job = actions.enqueue_job(None, kind="test.stopping", params={}, label="Stopping", max_attempts=1)
    try:
        run_worker()
    finally:
        runner.stopping.clear()
    job.refresh_from_db()
    assert job.status == JobStatus.RETRYING and job.attempts == 1 and job.max_attempts == 2
    assert [h["outcome"] for h in job.history] == ["worker stopped"]
    assert job.last_error == ""
