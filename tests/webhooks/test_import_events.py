"""Imports announce what they loaded to a receiver on loopback, through the job queue's
worker: a small file one event per record it created or changed and ``import.completed``;
a large file (over ``RECORD_EVENTS_UP_TO`` rows) ``import.completed`` alone, with its counts
and where the API serves the records; the import wizard's import names its id. A dry run
or a refused file announces nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import ImportFailed, import_file
from clientela.crm.webhooks import actions
from clientela.crm.webhooks.import_events import RECORD_EVENTS_UP_TO
from clientela.crm.webhooks.models import Event
from jobs_in_process import run_jobs
from webhooks.receiver import receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-import-events"
ORDERS_HEADER = "order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency\n"


@pytest.fixture
def admin(settings: Any) -> User:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.JOB_RETRY_SECONDS = 0
    return User.objects.create_user("import-hooks", password="x", role="admin")


def _customers(*rows: tuple[str, str]) -> bytes:
    header = "customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel\n"
    return (header + "".join(f"{ref},{name},person,,,PL,,\n" for ref, name in rows)).encode()


def _orders(count: int, *, customers: int) -> bytes:
    when = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [f"IE-{n},IC-{n % customers},{when},SKU-IE,1,10.00,PLN" for n in range(count)]
    return (ORDERS_HEADER + "\n".join(rows)).encode()


def _received(hook: Any) -> dict[str, list[dict[str, Any]]]:
    assert hook.bad_signatures == 0 and all(r["good"] for r in hook.requests)
    assert set(hook.accepted.values()) <= {1}  # each event once
    by_type: dict[str, list[dict[str, Any]]] = {}
    unique = {r["id"]: r for r in hook.requests}  # a receiver de-duplicates on the event id
    assert set(unique) == set(hook.accepted)
    for request in unique.values():
        by_type.setdefault(request["type"], []).append(request["data"])
    return by_type


def test_a_small_import_sends_each_record_and_its_completion(admin: User) -> None:
    Party.objects.create(ref="IC-0", name="Known", is_customer=True, country="DE")
    customers = _customers(("IC-0", "Known"), ("IC-1", "Nowy"), ("IC-2", "Inny"), ("IC-3", "Trzeci"))
    with receiver(SECRET, fail_first=1) as hook:
        actions.create_subscription(admin, name="n8n", url=hook.url, event_types=["*"], secret=SECRET)
        result = import_file("customers", customers, actor=admin)
        orders = import_file("orders", _orders(3, customers=3), actor=admin)
        run_jobs()
    assert (result.created, result.updated, orders.created) == (3, 1, 3)
    got = _received(hook)
    ids = dict(Party.objects.filter(ref__startswith="IC-").values_list("ref", "pk"))
    assert sorted(e["party_id"] for e in got["party.created"]) == sorted([ids["IC-1"], ids["IC-2"], ids["IC-3"]])
    assert [e["party_id"] for e in got["party.updated"]] == [ids["IC-0"]]
    assert sorted(e["ref"] for e in got["order.created"]) == ["IE-0", "IE-1", "IE-2"]
    assert all("Nowy" not in str(e) for e in got["party.created"])  # ids and codes, no names
    done = {e["kind"]: e for e in got["import.completed"]}
    assert (done["customers"]["created"], done["customers"]["updated"], done["customers"]["rows"]) == (3, 1, 4)
    assert done["customers"]["record_events"] is True and done["customers"]["import_id"] is None
    assert sorted(done["customers"]["records"]["parties_created"]) == sorted(e["party_id"] for e in got["party.created"])
    assert len(done["customers"]["file_sha256"]) == 64
    assert sorted(done["orders"]["records"]["orders_created"]) == sorted(e["order_id"] for e in got["order.created"])
    assert done["orders"]["links"]["orders"].startswith("/api/v1/orders?ordered_from=")


def test_a_large_import_sends_its_completion_alone(admin: User) -> None:
    rows = RECORD_EVENTS_UP_TO + 50
    with receiver(SECRET) as hook:
        actions.create_subscription(admin, name="Make", url=hook.url, event_types=["*"], secret=SECRET)
        result = import_file("orders", _orders(rows, customers=rows), create_missing=True, actor=admin)
        run_jobs()
    assert result.created == rows
    got = _received(hook)
    assert list(got) == ["import.completed"]
    (done,) = got["import.completed"]
    assert (done["kind"], done["rows"], done["created"], done["record_events"], done["records"]) == (
        "orders", rows, rows, False, {})
    assert set(done["links"]) == {"parties", "orders"}


def test_the_wizards_import_names_its_id_and_a_refused_or_dry_run_file_announces_nothing(admin: User) -> None:
    from clientela.crm.imports import actions as wizard

    actions.create_subscription(admin, name="all", url="https://hooks.example.com/in", event_types=["*"])
    import_file("orders", _orders(2, customers=2), create_missing=True, dry_run=True)
    with pytest.raises(ImportFailed):
        import_file("orders", (ORDERS_HEADER + "X-1,NOBODY,2026-01-01,S,1,1.00,PLN\n").encode())
    assert not Event.objects.exists()
    upload = wizard.upload_file(admin, file_name="klienci.csv", data=_customers(("WZ-1", "Nowa")))
    wizard.start_import(admin, upload)
    run_jobs()  # the import's job; the deliveries to hooks.example.com fail and wait for a retry
    done = Event.objects.get(type="import.completed").payload
    assert (done["import_id"], done["created"], done["links"]["import"]) == (
        upload.pk, 1, f"/api/v1/imports/{upload.pk}")
    assert Event.objects.get(type="party.created").payload["ref"] == "WZ-1"
