"""Running Clientela as production does, from the tests: a database the web processes
share, ``clientela serve`` in subprocesses, free loopback ports.

On PostgreSQL the web processes use pytest-django's test database (created here when no
test of the run has created it yet) and the data they write is flushed afterwards; on
SQLite they share a database file made by ``clientela migrate``. The subprocesses run with
production defaults: the test run's markers (PYTEST_*) and CLIENTELA_* variables are not
passed on, so cookies are Secure and HSTS is on unless a test says otherwise.
Ports come from the OS, or from CLIENTELA_TEST_PORTS ("8270-8289") when set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from clientela_test_support import database_vendor

CLI = [sys.executable, "-m", "clientela.cli"]
START_TIMEOUT = 120.0  # the web processes import Django and the app; CI machines are shared


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nobody listens on and not handed out before in this run."""
    wanted = os.environ.get("CLIENTELA_TEST_PORTS", "")
    candidates = range(int(wanted.split("-")[0]), int(wanted.split("-")[1]) + 1) if wanted else [0] * 20
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            found = int(s.getsockname()[1])
        if found not in _handed_out:
            _handed_out.add(found)
            return found
    raise RuntimeError(f"no free port (CLIENTELA_TEST_PORTS={wanted or 'unset'})")


def _is_test_database(name: str) -> bool:
    return name.startswith("file:memorydb_") or Path(name).name.startswith("test_")


READ = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST",
    "BEHIND_PROXY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "CACHES")}))
"""


def settings_with(**env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CLIENTELA_"))}
    clean.update(DJANGO_SETTINGS_MODULE="clientela.settings", CLIENTELA_SECRET_KEY="s" * 50, **env)
    done = subprocess.run([sys.executable, "-c", READ], env=clean, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


class Deployment:
    """Environment and commands of a served Clientela."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir

    def cli(self, *args: str, **extra_env: str) -> str:
        done = subprocess.run([*CLI, *args], env={**self.env, **extra_env}, cwd=self.workdir,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"clientela {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    @contextmanager
    def serve(self, *, port: int, workers: int = 1, **extra_env: str) -> Iterator[subprocess.Popen[str]]:
        log = (self.workdir / f"serve-{port}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            [*CLI, "serve", "--port", str(port), "--workers", str(workers), "--threads", "4"],
            env={**self.env, **extra_env}, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process, expected_listeners=workers, port=port)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_until_up(url: str, process: subprocess.Popen[str], *, expected_listeners: int, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"clientela serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback)
                if answer.status == 200 and listeners(port) >= expected_listeners:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {START_TIMEOUT:.0f} s")


def listeners(port: int) -> int:
    """Listening sockets on 127.0.0.1:port (one per web process with SO_REUSEPORT)."""
    hex_port = f"{port:04X}"
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(":" + hex_port) and fields[3] == "0A":  # 0A = LISTEN
            count += 1
    return count


@pytest.fixture(scope="module")
def deployment(django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from django.conf import settings

    workdir = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CLIENTELA_"))}
    env.update(CLIENTELA_SECRET_KEY="served-test-" + "k" * 40, PYTHONUNBUFFERED="1")
    if database_vendor() == "sqlite":
        env["CLIENTELA_DATABASE_URL"] = f"sqlite:///{workdir / 'served.sqlite3'}"
        served = Deployment(env, workdir)
        served.cli("migrate")
        yield served
        return
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = None
        if not _is_test_database(str(connection.settings_dict["NAME"])):
            config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        db = settings.DATABASES["default"]
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["CLIENTELA_DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        try:
            yield Deployment(env, workdir)
        finally:
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()
            if config is not None:
                teardown_databases(config, verbosity=0)
