"""The browser tests' site: one server for the run, a fresh world for each module.

``served_url`` (session): waitress serves the app on 127.0.0.1 from a thread of the test
process, on the test database, for the whole run. ``site`` (module): the ``browser``
world of tests/shared_worlds.py — the scored 300-customer demo company, an admin
``browser`` and a 12-deal pipeline — restored before the module's first test and wiped
after its last, so a module's writes (deals won, parties created) never reach another
module and the modules may run in any order. ``browser`` (module): Debian's Chromium
driven by Playwright. ``page``: a fresh English tab that records its requests; at its end
no request may have left 127.0.0.1 and no script error may have happened.

A module with a world of its own defines its own ``site`` fixture on ``served_url`` and
``shared_worlds.use(<its world>)`` (tests/web/test_browser_cases.py).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from clientela_served import free_port
from clientela_test_support import need
from shared_worlds import BROWSER_EMAIL, BROWSER_PASSWORD, BROWSER_USER, SharedWorlds

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("CLIENTELA_SCREENSHOTS", ROOT / "screenshots"))
AXE = ROOT / "tests" / "web" / "vendor" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0), from npm
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = BROWSER_PASSWORD
__all__ = ["ARGS", "AXE", "BROWSER_EMAIL", "BROWSER_USER", "CHROMIUM", "PASSWORD", "SHOTS", "Site", "browser",
           "off_loopback", "page", "served_url", "shot", "site"]


@dataclass
class Site:
    url: str
    top_name: str = ""
    top_id: int = 0
    pipeline_id: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    deal_id: int = 0
    world: Any = None  # what the module's shared world's builder returned
    segment_paths: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def off_loopback(urls: list[str]) -> list[str]:
    """The requests that went anywhere but 127.0.0.1 (data: and about: URLs stay in the browser)."""
    return sorted({u for u in urls if not u.startswith(("data:", "about:")) and urlsplit(u).hostname != "127.0.0.1"})


@pytest.fixture(scope="session")
def served_url(shared_worlds: SharedWorlds) -> Iterator[str]:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[test]')")
    from django.db import connections
    from waitress import create_server

    from clientela.wsgi import application

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return application(environ, start_response)
        finally:  # the server thread keeps no connection, so the test database can be dropped
            connections.close_all()

    # One thread: SQLite's shared-cache test database. The port is CLIENTELA_TEST_PORTS' when set.
    server = create_server(app, host="127.0.0.1", port=free_port(), threads=1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def site(served_url: str, shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[Site]:
    """The scored demo company with an admin and a pipeline, served; wiped after the module."""
    with django_db_blocker.unblock():
        world = shared_worlds.use("browser")
    served = Site(url=served_url, top_name=world["top_name"], top_id=world["top_id"],
                  pipeline_id=world["pipeline_id"], stages=dict(world["stages"]), deal_id=world["deal_id"],
                  world=world)
    try:
        yield served
    finally:
        with django_db_blocker.unblock():
            shared_worlds.leave()
    outside = off_loopback(served.requests)
    assert not outside, f"requests outside 127.0.0.1: {outside}"


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, so Django's guard against
    # ORM calls from async code would refuse pytest-django's per-test transaction. No test
    # code here is async; the guard is lifted for the module's browser only.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield chromium
            chromium.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh browser context in English; records requests and script errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    tab = context.new_page()
    mine: list[str] = []
    tab.on("request", lambda r: (site.requests.append(r.url), mine.append(r.url)))
    tab.on("pageerror", lambda e: site.problems.append(f"page error: {e}"))
    tab.on("console", lambda m: m.type == "error" and site.problems.append(f"console: {m.text}"))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert not site.problems, site.problems
    assert not off_loopback(mine), f"requests outside 127.0.0.1: {off_loopback(mine)}"


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(tab: Any, site: Site, path: str = "/", *, username: str = BROWSER_USER,
           password: str = BROWSER_PASSWORD) -> None:
    tab.goto(site.url + path)
    assert "/login/" in tab.url
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(site.url + path) + "$"))
