"""What Clientela takes from its public address and from a TLS-terminating reverse proxy.

``CLIENTELA_PUBLIC_URL`` (``https://crm.example.com``) names the site's origin: it becomes a
trusted CSRF origin and an allowed host.  ``CLIENTELA_BEHIND_PROXY=1`` says that every
request comes through a proxy that overwrites ``X-Forwarded-Proto``, ``X-Forwarded-Host``
and appends the caller to ``X-Forwarded-For`` (deploy/nginx/clientela.conf does); only then
are those headers believed, because anyone can send them to a server that is reachable
directly.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def public_origin(url: str) -> tuple[str, str]:
    """``(origin, host)`` of the public URL: ``("https://crm.example.com:8443", "crm.example.com")``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"CLIENTELA_PUBLIC_URL: {url!r} is not an http(s) address such as https://crm.example.com"
        )
    host = parts.hostname
    netloc_host = f"[{host}]" if ":" in host else host
    origin = f"{parts.scheme}://{netloc_host}" + (f":{parts.port}" if parts.port else "")
    return origin, netloc_host


def allowed_hosts(*, configured: str | None, public_url: str | None) -> list[str]:
    """``CLIENTELA_ALLOWED_HOSTS`` (default ``*``) plus the public URL's host.

    When the public URL is set and the allowed hosts are not, only the public host and
    loopback (health checks on the machine itself) are answered."""
    hosts = [h.strip() for h in (configured or "").split(",") if h.strip()]
    if public_url:
        _, host = public_origin(public_url)
        if not hosts:
            hosts = [*LOOPBACK_HOSTS]
        if "*" not in hosts and host not in hosts:
            hosts.append(host)
    return hosts or ["*"]


def client_address(request: Any, *, behind_proxy: bool) -> str:
    """The caller's address: the proxy's last ``X-Forwarded-For`` entry (the address the
    proxy itself saw) when behind a proxy, else the socket's peer."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not behind_proxy:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote
