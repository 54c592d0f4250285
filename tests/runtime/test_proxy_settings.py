"""HTTPS behind a TLS-terminating proxy (issue 13 item 4, F12): what the environment sets,
and what a request through such a proxy gets.

The settings are read in a fresh interpreter per environment (settings.py reads the
environment once); the requests go through Django's test client with the headers nginx
sends (deploy/nginx/clientela.conf). The end-to-end check through a real nginx is in
test_nginx_https.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from clientela.crm.accounts.models import User
from clientela.proxy import allowed_hosts, client_address, public_origin
from clientela_served import settings_with


def test_public_url_and_proxy_flag_set_origin_hosts_and_forwarded_headers() -> None:
    s = settings_with(CLIENTELA_PUBLIC_URL="https://crm.example.com", CLIENTELA_BEHIND_PROXY="1")
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://crm.example.com"]
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "crm.example.com"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["USE_X_FORWARDED_HOST"] is True and s["BEHIND_PROXY"] is True
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_HSTS_SECONDS"] >= 31536000


def test_without_the_flag_forwarded_headers_are_not_trusted() -> None:
    s = settings_with(CLIENTELA_PUBLIC_URL="https://crm.example.com:8443")
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://crm.example.com:8443"]
    assert s["SECURE_PROXY_SSL_HEADER"] is None and not s["USE_X_FORWARDED_HOST"]
    plain = settings_with()
    assert plain["ALLOWED_HOSTS"] == ["*"] and plain["CSRF_TRUSTED_ORIGINS"] == []


def test_explicit_allowed_hosts_keep_their_list_plus_the_public_host() -> None:
    s = settings_with(CLIENTELA_PUBLIC_URL="https://crm.example.com", CLIENTELA_ALLOWED_HOSTS="a.test,b.test")
    assert s["ALLOWED_HOSTS"] == ["a.test", "b.test", "crm.example.com"]


def test_a_public_url_that_is_not_http_is_refused_with_its_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="CLIENTELA_PUBLIC_URL"):
        public_origin("crm.example.com")
    assert public_origin("https://[::1]:8443/x") == ("https://[::1]:8443", "[::1]")
    assert allowed_hosts(configured="*", public_url="https://a.test") == ["*"]


def test_client_address_takes_the_proxy_s_entry_only_behind_the_proxy() -> None:
    class R:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.5"}

    assert client_address(R, behind_proxy=True) == "203.0.113.5"
    assert client_address(R, behind_proxy=False) == "127.0.0.1"
    R.META["HTTP_X_FORWARDED_FOR"] = "not-an-address"
    assert client_address(R, behind_proxy=True) == "127.0.0.1"


PROXIED = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "crm.example.com",
           "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
BEHIND = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "USE_X_FORWARDED_HOST": True, "BEHIND_PROXY": True,
    "CSRF_TRUSTED_ORIGINS": ["https://crm.example.com"], "ALLOWED_HOSTS": ["crm.example.com", "127.0.0.1"],
    "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_HSTS_SECONDS": 31536000,
}


def _login(client: Client, **meta: str) -> Any:
    page = client.get("/login/", **meta)
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    return client.post("/login/", {"username": "proxied", "password": "proxied-pw-123",
                                   "csrfmiddlewaretoken": token}, **meta)


@override_settings(**BEHIND)
def test_login_through_the_proxy_gets_secure_cookies_and_hsts(db: Any) -> None:
    User.objects.create_user("proxied", password="proxied-pw-123", role="analyst")
    client = Client(enforce_csrf_checks=True)
    answer = _login(client, HTTP_ORIGIN="https://crm.example.com", **PROXIED)
    assert answer.status_code == 302, answer.content[:300]
    assert answer.cookies["sessionid"]["secure"] and answer.cookies["csrftoken"]["secure"]
    home = client.get("/", **PROXIED)
    assert home.status_code == 200
    assert home["Strict-Transport-Security"].startswith("max-age=31536000")


@override_settings(**{**BEHIND, "SECURE_PROXY_SSL_HEADER": None, "USE_X_FORWARDED_HOST": False,
                      "CSRF_TRUSTED_ORIGINS": []})
def test_before_the_fix_the_same_login_is_refused(db: Any) -> None:
    """Without the proxy settings the app sees http and its own host: Origin checking fails
    (the 403 of issue 13) and no HSTS is sent (F12)."""
    User.objects.create_user("proxied", password="proxied-pw-123", role="analyst")
    client = Client(enforce_csrf_checks=True)
    answer = _login(client, HTTP_ORIGIN="https://crm.example.com", HTTP_HOST="127.0.0.1", **PROXIED)
    assert answer.status_code == 403
    assert "Strict-Transport-Security" not in client.get("/login/", HTTP_HOST="127.0.0.1", **PROXIED)
