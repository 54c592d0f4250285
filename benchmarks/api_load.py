"""A loop of REST API reads and writes against a running Clientela, for the benchmarks.

    python benchmarks/api_load.py URL TOKEN PARTY_ID STOP_FILE OUT_FILE

Until ``STOP_FILE`` exists (or 10 minutes pass) it cycles through: list parties, list
one party's orders (as its 360 does), read the party, log an interaction on it (a write). Each request's latency and
status go to ``OUT_FILE`` as JSON (``[[operation, status, seconds], …]``); a request
that fails to connect or times out (30 s) is recorded with status 0. Run as its own
process so that its timings do not share a GIL with the work being measured.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

LIMIT_SECONDS = 600


def request(url: str, token: str, method: str = "GET", body: dict | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={  # noqa: S310
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 (loopback URL from the caller)
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def main(url: str, token: str, party_id: str, stop_file: str, out_file: str) -> int:
    api = url.rstrip("/") + "/api/v1"
    operations = [
        ("list parties", lambda: request(f"{api}/parties?limit=20", token)),
        ("list a party's orders", lambda: request(f"{api}/orders?party_id={party_id}&limit=20", token)),
        ("read party", lambda: request(f"{api}/parties/{party_id}", token)),
        ("log interaction", lambda: request(f"{api}/interactions", token, "POST", {
            "party_id": int(party_id), "channel": "phone", "direction": "outbound",
            "occurred_at": datetime.now(UTC).isoformat(), "subject": "load test"})),
    ]
    results: list[tuple[str, int, float]] = []
    deadline = time.monotonic() + LIMIT_SECONDS
    i = 0
    while not Path(stop_file).exists() and time.monotonic() < deadline:
        name, call = operations[i % len(operations)]
        started = time.perf_counter()
        status = call()
        results.append((name, status, time.perf_counter() - started))
        i += 1
    Path(out_file).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
