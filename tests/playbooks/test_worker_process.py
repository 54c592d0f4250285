"""At the event with the worker as a real process (`clientela worker`, as the jobs tests
start it): a playbook imported with the CLI waits on first orders; a file of orders
imported with the CLI makes the worker act on each new customer within seconds — long
before the 15-minute schedule's first look — and the receiver on loopback gets one
``playbook.fired`` per customer and the file's ``import.completed``, each once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from webhooks.receiver import receiver

pytestmark = pytest.mark.slow

SECRET = "a-secret-of-the-playbook-process-test"


def test_the_worker_process_acts_on_imported_first_orders_at_the_event(processes: Any) -> None:
    processes.env.update({"CLIENTELA_WEBHOOK_ALLOW_PRIVATE": "1"})
    playbook = processes.tmp_path / "welcome.json"
    playbook.write_text(json.dumps({"format": "clientela.playbooks/1", "playbooks": [{
        "name": "Welcome", "enabled": True, "trigger": {"kind": "first_order"},
        "actions": [{"kind": "webhook"}], "control_share": 0}]}))
    with receiver(SECRET) as hook:
        processes.cli("webhook", "add", "n8n", hook.url, "-e", "playbook.fired", "-e", "import.completed",
                      "--secret", SECRET)
        processes.cli("playbook", "import", str(playbook))
        processes.start_worker("worker")
        time.sleep(1.1)  # the file's orders (dated to the second) come after the playbook was switched on
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders = processes.tmp_path / "orders.csv"
        orders.write_text("order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency\n" + "".join(
            f"PW-{n},PWC-{n},{when},SKU-PW,1,10.00,PLN\n" for n in range(3)))
        processes.cli("import", "orders", str(orders), "--create-missing")
        started = time.monotonic()
        while len(hook.accepted) < 4 and time.monotonic() - started < 120:
            time.sleep(0.1)
        processes.stop_all()
    assert hook.bad_signatures == 0 and set(hook.accepted.values()) == {1}, hook.requests
    fired = sorted(r["data"]["party"]["ref"] for r in hook.requests if r["type"] == "playbook.fired")
    assert fired == ["PWC-0", "PWC-1", "PWC-2"]
    (done,) = [r["data"] for r in hook.requests if r["type"] == "import.completed"]
    assert (done["kind"], done["created"]) == ("orders", 3)
