"""HTTPS through a real reverse proxy (issue 13 items 3-4, F12).

Debian's nginx on loopback, with a self-signed certificate and the repository's own site
configuration (deploy/nginx/clientela.conf, addresses and certificate swapped for the
test's), in front of ``clientela serve --workers 2`` (two web processes on one port).
Chromium logs in through https://127.0.0.1:PORT/, opens the dashboard and saves a
segment (a form with its CSRF token); the session and CSRF cookies carry ``Secure`` and
the dashboard carries ``Strict-Transport-Security``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from clientela_served import Deployment, free_port, listeners
from clientela_test_support import need

ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = ROOT / "deploy" / "nginx" / "clientela.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "proxy-browser-pw-1"


def site_config(*, app_port: int, https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """The repository's nginx site with the test's ports and certificate."""
    text = SITE_CONF.read_text(encoding="utf-8")
    swaps = [
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{app_port};"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (r"\n\s*listen \[::\]:\d+( ssl)?;", ""),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
        (r"server_name crm\.example\.com;", "server_name 127.0.0.1;"),
    ]
    for pattern, replacement in swaps:
        text, count = re.subn(pattern, replacement.replace("\\", "\\\\"), text)
        assert count, f"deploy/nginx/clientela.conf no longer has {pattern!r}: update this test"
    return text


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@contextmanager
def nginx(folder: Path, site: str, https_port: int) -> Iterator[None]:
    (folder / "clientela.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"  {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  access_log {folder / "access.log"};
{temp}
  include {folder / "clientela.conf"};
}}
"""
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr",  # noqa: S603
                                "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while listeners(https_port) < 1:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {process.stderr.read() if process.stderr else ''}")
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def test_browser_logs_in_through_nginx_with_https(deployment: Deployment, browser: Any, tmp_path: Path) -> None:
    need(os.access(NGINX, os.X_OK), "nginx is not installed (apt-get install nginx)")
    need(shutil.which("openssl") is not None, "openssl is not installed (apt-get install openssl)")
    deployment.cli("user", "create", "proxyadmin", "--role", "admin", "--password", PASSWORD)
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    cert, key = self_signed(tmp_path)
    site = site_config(app_port=app_port, https_port=https_port, http_port=http_port, cert=cert, key=key)
    production = {"CLIENTELA_PUBLIC_URL": base, "CLIENTELA_BEHIND_PROXY": "1"}
    with deployment.serve(port=app_port, workers=2, **production), nginx(tmp_path, site, https_port):
        assert listeners(app_port) == 2  # two web processes behind the proxy
        context = browser.new_context(ignore_https_errors=True, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_url(re.compile(re.escape(base) + r"/login/"))
            page.fill("input[name=username]", "proxyadmin")
            page.fill("input[name=password]", PASSWORD)
            page.click("[data-testid=login-submit]")
            page.wait_for_url(base + "/")
            cookies = {c["name"]: c for c in context.cookies(base)}
            assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
            assert cookies["csrftoken"]["secure"]
            dashboard = page.goto(base + "/")
            assert dashboard is not None and dashboard.status == 200
            assert dashboard.headers["strict-transport-security"].startswith("max-age=")
            # a form with its CSRF token, posted through the proxy
            page.goto(base + "/segments/new/")
            page.fill("#segment-name", "Through the proxy")
            page.get_by_test_id("segment-save").click()
            page.wait_for_url(re.compile(re.escape(base) + r"/segments/\d+/$"))
            assert "Through the proxy" in page.content()
        finally:
            context.close()
    log = (tmp_path / "access.log").read_text()
    assert "POST /login/" in log and "POST /segments/new/" in log
