"""The import wizard in a real browser (Debian's Chromium, Playwright) against Clientela
served as in production (``clientela serve`` in a subprocess, ``tests/clientela_served.py``)
with ``clientela worker`` running the import jobs beside it:

- a Polish marketer uploads a Windows-1250 file with Polish headers and semicolons, fixes
  the one column the wizard could not map, sees the preview and the three bad rows named,
  uploads the fixed file, imports it, watches the progress bar finish, then undoes the
  import, and the database is as before (compared through ``clientela export``);
- a Shopify orders export is recognised and imported in one click.

Screenshots go to docs/screenshots/ (``CLIENTELA_SCREENSHOTS`` overrides).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientela_served import Deployment, deployment, free_port  # noqa: F401 (fixture)
from clientela_test_support import need
from imports.wizard_files import POLISH_BAD, POLISH_GOOD, polish_orders, shopify_orders
from web.test_browser import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("CLIENTELA_SCREENSHOTS", ROOT / "docs" / "screenshots"))
PASSWORD = "import-wizard-pw"
SERVE_ENV = {"CLIENTELA_SECURE_COOKIES": "0"}


@pytest.fixture(scope="module")
def site(deployment: Deployment) -> Iterator[tuple[Deployment, str]]:  # noqa: F811
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[test]')")
    deployment.cli("user", "create", "marta", "--role", "marketer", "--password", PASSWORD)
    customers = deployment.workdir / "customers.csv"
    customers.write_text("customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel\n"
                         "KL-1,Kawiarnia Pod Lipą,organisation,,,PL,,\nKL-2,Jan Kowalski,person,,,PL,,\n",
                         encoding="utf-8")
    deployment.cli("import", "customers", str(customers))
    log = (deployment.workdir / "worker.log").open("wb")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "clientela.cli", "worker", "--interval", "0.2"],
        env={**deployment.env, **SERVE_ENV}, cwd=deployment.workdir, stdout=log, stderr=subprocess.STDOUT)
    port = free_port()
    try:
        with deployment.serve(port=port, **SERVE_ENV):
            yield deployment, f"http://127.0.0.1:{port}"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(site: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def logged_in(browser: Any, url: str, language: str, *, bypass_csp: bool = False) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  locale={"en": "en-GB", "pl": "pl-PL"}[language], bypass_csp=bypass_csp)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.set_default_timeout(15_000)
    tab.goto(url + "/import/")
    tab.fill("input[name=username]", "marta")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(url) + "/import/$"))
    if language != "en":
        tab.click(f"[data-testid=lang-{language}]")
        tab.wait_for_load_state()
    tab.problems = problems
    return tab


def put_file(tab: Any, selector: str, name: str, data: bytes) -> None:
    tab.set_input_files(selector, files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def exported(deployment: Deployment) -> dict[str, list[str]]:  # noqa: F811
    """The orders and customers as ``clientela export`` writes them, rows sorted."""
    out = {}
    for kind in ("orders", "customers"):
        lines = deployment.cli("export", kind).splitlines()
        out[kind] = [lines[0], *sorted(lines[1:])]
    return out


def wait_done(tab: Any) -> None:
    tab.wait_for_selector("[data-testid=import-done]", timeout=90_000)
    bar = tab.locator("[data-testid=import-bar]")
    assert bar.get_attribute("value") == bar.get_attribute("max")


def test_polish_marketer_fixes_a_mapping_and_the_file_imports_and_undoes(browser: Any, site: Any) -> None:
    served, url = site
    before = exported(served)
    tab = logged_in(browser, url, "pl")
    put_file(tab, "[data-testid=import-file]", "zamówienia.csv", polish_orders(POLISH_BAD))
    tab.click("[data-testid=import-upload]")
    tab.wait_for_url(re.compile(r".*/import/\d+/$"))
    assert tab.locator("[data-testid=import-encoding]").input_value() == "cp1250"
    assert tab.locator("[data-testid=import-delimiter]").input_value() == ";"
    assert "Nr zamówienia" in tab.locator("[data-testid=import-mapping]").inner_text()
    problem = tab.locator("[data-testid=import-mapping-problem]").inner_text()
    assert "Wymagane pole unit_price nie jest przypisane do żadnej kolumny." in problem
    # The one column the wizard could not map: "Cena brutto" holds the unit price.
    tab.select_option("[data-testid='map-Cena brutto']", "unit_price")
    tab.click("[data-testid=import-save-mapping]")
    tab.wait_for_selector("[data-testid=import-preview-orders]")
    preview = tab.locator("[data-testid=import-preview-orders]").inner_text()
    assert "HERBATA-2" in preview and "12.5" in preview
    bad = tab.locator("[data-testid=bad-row]")
    assert bad.count() == 3
    rows = [bad.nth(i).inner_text().split("\t") for i in range(3)]
    assert [(r[0], r[1]) for r in rows] == [("2", "quantity"), ("4", "ordered_at"), ("5", "currency")]
    assert "nie jest liczbą całkowitą" in rows[0][2]
    assert tab.locator("[data-testid=import-start]").is_disabled()
    shot(tab, "import-wizard-bad-rows-pl")
    # The corrected file: the mapping is kept, no bad rows, the import starts.
    put_file(tab, "[data-testid=import-replace-file]", "zamówienia-poprawione.csv", polish_orders(POLISH_GOOD))
    tab.click("[data-testid=import-replace]")
    tab.wait_for_selector("[data-testid=import-dry-run]")
    assert tab.locator("[data-testid=bad-row]").count() == 0
    tab.click("[data-testid=import-start]")
    wait_done(tab)
    shot(tab, "import-wizard-done-pl")
    after = exported(served)
    assert len(after["orders"]) == len(before["orders"]) + 4  # four order lines
    assert any(line.startswith("ZAM-1,KL-1,") for line in after["orders"])
    tab.click("[data-testid=import-undo]")
    tab.wait_for_selector("[data-testid=import-undone]")
    assert exported(served) == before
    tab.goto(url + "/import/")
    assert "Cofnięty" in tab.locator("[data-testid=import-history]").inner_text()
    assert tab.problems == []


def test_a_shopify_export_is_imported_in_one_click(browser: Any, site: Any) -> None:
    served, url = site
    tab = logged_in(browser, url, "en")
    put_file(tab, "[data-testid=import-file]", "orders_export_1.csv", shopify_orders())
    tab.click("[data-testid=import-upload]")
    tab.wait_for_selector("[data-testid=import-recipe]")
    assert "Recognised: Shopify orders export" in tab.locator("[data-testid=import-recipe]").inner_text()
    shot(tab, "import-wizard-shopify")
    tab.locator("[data-testid=import-recipe] [data-testid=import-start]").click()
    wait_done(tab)
    orders = exported(served)["orders"]
    assert sum(line.startswith("#1001,anna@example.test,") for line in orders) == 2
    assert sum(line.startswith("#1002,bob@example.test,") for line in orders) == 1
    customers = exported(served)["customers"]
    assert any(line.startswith("anna@example.test,Anna Nowak,") for line in customers)
    assert tab.problems == []


def test_a_200_mb_file_is_refused_with_the_limit_named(site: Any) -> None:
    """200 MB (the proxy's client_max_body_size lets it through) sent to the served API in
    chunks: 413 with the limit named, answered without the file being read by Clientela."""
    import http.client
    import json
    from urllib.parse import urlsplit

    served, url = site
    token = re.search(r"clt_\S+", served.cli("token", "create", "marta", "--name", "big-file"))
    assert token is not None
    size, chunk = 200_000_000, b"order_ref,customer_ref\n" + b"A,B\n" * 16_378
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    connection.putrequest("POST", "/api/v1/imports/upload?file_name=huge.csv")
    connection.putheader("Authorization", f"Bearer {token.group(0)}")
    connection.putheader("Content-Type", "text/csv")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    sent = 0
    try:
        while sent < size:
            piece = chunk[: size - sent]
            connection.send(piece)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before the whole body is sent
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()
    assert answer.status == 413
    assert body["errors"] == {"file": "at most 100 MB"}


def test_accessibility_of_the_wizard(browser: Any, site: Any) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) finds no violation on /import/ and on an import
    with its mapping, preview and bad rows, in English and in Polish. The context bypasses
    the CSP only to inject axe, as in test_browser."""
    from web.test_browser import AXE

    _served, url = site
    tab = logged_in(browser, url, "en", bypass_csp=True)
    # A column more than the other tests' files: mappings are remembered per header, and
    # this test must not teach the wizard the mapping another test expects to be missing.
    lines = polish_orders(POLISH_BAD).decode("cp1250").split("\r\n")
    annotated = "\r\n".join([lines[0] + ";Uwagi", *(line + ";" if line else line for line in lines[1:])])
    put_file(tab, "[data-testid=import-file]", "zamówienia.csv", annotated.encode("cp1250"))
    tab.click("[data-testid=import-upload]")
    tab.wait_for_url(re.compile(r".*/import/\d+/$"))
    tab.select_option("[data-testid='map-Cena brutto']", "unit_price")
    tab.click("[data-testid=import-save-mapping]")
    tab.wait_for_selector("[data-testid=bad-row]")
    detail = tab.url
    found = {}
    for lang in ("en", "pl"):
        tab.get_by_test_id(f"lang-{lang}").click()
        tab.wait_for_selector(f"html[lang={lang}]")
        for page in (detail, url + "/import/"):
            tab.goto(page)
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate(
                "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
            )
            if result:
                found[f"{lang} {page}"] = result
    assert not found, found
