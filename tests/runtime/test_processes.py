"""Several web processes share one state (issue 13 "done when", F16, F17).

Two ``clientela serve`` processes on two ports over one database; every request goes to
the other process than the one before. A login lockout earned across both holds in both;
the API rate limit counts the requests of both; a bogus token per request is limited by
address. ``serve --workers 2`` puts two processes on one port.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path
from urllib.parse import urlencode

import pytest

from clientela_served import Deployment, free_port, listeners

LIMIT = 4
RATE = 6
PASSWORD = "alternate-pw-123"


class Browserless:
    """A cookie-keeping HTTP client for one user, talking to whichever port it is told."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: str = "", **headers: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = answer.read().decode("utf-8", "replace")
        connection.close()
        return answer.status, text

    def log_in(self, port: int, username: str, password: str) -> bool:
        status, page = self.request(port, "GET", "/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
        status, _ = self.request(port, "POST", "/login/", form)
        return status == 302


def _api(port: int, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/api/v1/parties", headers={"Authorization": f"Bearer {token}"})
    status = connection.getresponse().status
    connection.close()
    return status


def _within_one_window(seconds_needed: float, window: int = 60) -> None:
    """The rate limit counts in fixed windows: start the burst early in one."""
    if time.time() % window > window - seconds_needed:
        time.sleep(window - time.time() % window + 0.5)


def test_lockout_and_rate_limit_hold_across_two_processes(deployment: Deployment) -> None:
    deployment.cli("user", "create", "alternate", "--role", "admin", "--password", PASSWORD)
    deployment.cli("user", "create", "bystander", "--role", "analyst", "--password", PASSWORD)
    out = deployment.cli("token", "create", "alternate", "--name", "processes")
    token = re.search(r"clt_\S+", out)
    assert token is not None, out
    limits = {"CLIENTELA_LOGIN_FAILURE_LIMIT": str(LIMIT), "CLIENTELA_API_RATE_LIMIT": f"{RATE}/60"}
    first, second = free_port(), free_port()
    worker_log = (deployment.workdir / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "clientela.cli", "worker", "--interval", "0.2"],  # noqa: S603
                              env={**deployment.env, **limits}, cwd=deployment.workdir, stdout=worker_log,
                              stderr=subprocess.STDOUT, text=True)
    try:
        with deployment.serve(port=first, **limits), deployment.serve(port=second, **limits):
            _alternate(first, second, token.group(0))
            assert worker.poll() is None, "the worker beside the web processes stopped"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        worker_log.close()


def _alternate(first: int, second: int, token: str) -> None:
    """Requests alternating between the two processes (a worker running beside them)."""
    ports = cycle([first, second])
    # login failures alternate between the processes; the lockout is shared
    attacker = Browserless()
    assert not any(attacker.log_in(next(ports), "alternate", "wrong") for _ in range(LIMIT))
    for port in (first, second):
        assert not Browserless().log_in(port, "alternate", PASSWORD), f"process on {port} let a locked user in"
    assert Browserless().log_in(first, "bystander", PASSWORD)  # others are not locked out
    assert Browserless().log_in(second, "bystander", PASSWORD)

    _within_one_window(30)
    statuses = [_api(next(ports), token) for _ in range(RATE + 2)]
    assert statuses == [200] * RATE + [429, 429], statuses
    bogus = [_api(next(ports), f"clt_{secrets.token_hex(4)}_{secrets.token_hex(16)}") for _ in range(RATE + 2)]
    assert bogus == [401] * RATE + [429, 429], bogus


def test_serve_workers_runs_that_many_processes_on_one_port(deployment: Deployment) -> None:
    port = free_port()
    with deployment.serve(port=port, workers=2) as supervisor:
        assert listeners(port) == 2
        for _ in range(10):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            assert connection.getresponse().status == 200
            connection.close()
        assert supervisor.poll() is None
    assert listeners(port) == 0  # stopping the parent stops every web process


COUNT_WHILE_LOCKED = """
import json, time
import django
django.setup()
from clientela.crm.shared_cache import count_hit
started = time.monotonic()
counts = [count_hit("busy:probe", window=60) for _ in range(3)]
print(json.dumps({"counts": counts, "seconds": time.monotonic() - started}))
"""


def test_a_locked_sqlite_database_does_not_hold_up_the_counters(deployment: Deployment) -> None:
    """SQLite while a large import holds the write lock: a web process's counter does not
    wait the busy timeout (20 s) for it, the count is kept in the process's memory."""
    url = deployment.env["CLIENTELA_DATABASE_URL"]
    if not url.startswith("sqlite:"):
        pytest.skip("SQLite's one write lock; PostgreSQL locks rows")
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
    other.execute("BEGIN IMMEDIATE")  # the import's transaction
    try:
        done = subprocess.run([sys.executable, "-c", COUNT_WHILE_LOCKED], capture_output=True, text=True,
                              timeout=120, check=False,
                              env={**deployment.env, "DJANGO_SETTINGS_MODULE": "clientela.settings"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["counts"] == [1, 2, 3]
    assert result["seconds"] < 5, result


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_a_killed_web_process_is_replaced(deployment: Deployment) -> None:
    port = free_port()
    with deployment.serve(port=port, workers=2) as supervisor:
        before = _children(supervisor.pid)
        assert len(before) == 2
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + 120
        while True:
            now = _children(supervisor.pid)
            if len(now) == 2 and before[0] not in now and listeners(port) == 2:
                break
            assert time.monotonic() < deadline, f"no replacement: children {now}, listeners {listeners(port)}"
            time.sleep(0.5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        assert supervisor.poll() is None


def test_workers_on_a_taken_port_is_a_clear_error(deployment: Deployment) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "clientela.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=deployment.env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert f"--port: cannot listen on 127.0.0.1:{port}" in done.stderr
