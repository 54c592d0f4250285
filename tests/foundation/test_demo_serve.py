"""`clientela demo` end to end: a real process builds the company, serves it with waitress,
and the admin lists parties, orders and interactions to a logged-in demo user."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from clientela_test_support import database_vendor


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the kind this pass runs on."""
    if database_vendor() == "sqlite":
        yield f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"clientela_e2e_{os.getpid()}"
    admin = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                 password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (":" + db["PASSWORD"] if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_healthy(base: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError(f"clientela demo exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"/healthz did not answer 200 within {timeout} s")


def _login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {"username": "demo", "password": "demo", "csrfmiddlewaretoken": token.group(1),
         "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(f"{base}/admin/login/", data=data,
                                     headers={"Referer": f"{base}/admin/login/"})
    landing = opener.open(request).read().decode()
    assert "Log out" in landing or "logout" in landing, "demo/demo did not log in"
    return opener


def test_demo_builds_serves_and_admin_lists_the_record(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "CLIENTELA_DATABASE_URL": database_url}
    env.pop("CLIENTELA_SECRET_KEY", None)
    env.pop("PYTEST_VERSION", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "clientela.cli", "demo", "--port", str(port),
           "--customers", "300", "--seed", "3"]
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(cli, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, timeout=180)
        opener = _login(base)
        for path, marker in (
            ("/admin/parties/party/", "C0"),
            ("/admin/commerce/order/", "ORD-"),
            ("/admin/engagement/interaction/", "Interaction"),
        ):
            body = opener.open(f"{base}{path}").read().decode()
            assert marker in body, f"{path} does not list the demo data"
        parties_page = opener.open(f"{base}/admin/parties/party/").read().decode()
        assert re.search(r"\b[1-9][0-9]* parties", parties_page), "the party list is empty"
        static = opener.open(f"{base}/static/admin/css/base.css")
        assert static.status == 200, "admin static files are not served"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    output = (tmp_path / "demo.log").read_text(errors="replace")
    assert "password 'demo'" in output
    assert f"Links in mails point to http://127.0.0.1:{port}." in output  # the demo's own port
    assert "CLIENTELA_SECRET_KEY" not in output


def test_demo_mail_links_use_the_demos_port() -> None:
    from clientela.cli.demo import demo_public_url

    assert demo_public_url("127.0.0.1", 8251) == "http://127.0.0.1:8251"
    assert demo_public_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"  # noqa: S104
    assert demo_public_url("crm.example.com", 8080) == "http://crm.example.com:8080"
    assert demo_public_url("::1", 8080) == "http://[::1]:8080"
