"""The one outbound HTTP request of a delivery, and which addresses it may reach.

Only http and https; no redirects followed (a 3xx is a failed attempt); a timeout
(``WEBHOOK_TIMEOUT_SECONDS``). Server-side request forgery: a webhook URL is chosen by an
administrator, but the worker sits inside the network, so unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on, a URL whose host is or resolves to a loopback,
private, link-local or otherwise non-global address is refused — when it is saved (for a
literal address or ``localhost``) and again before each attempt (the name resolved then).
A name that resolves differently between the check and the connection (DNS rebinding)
is not caught here; docs/webhooks.md recommends an egress proxy or firewall for that.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.crm.errors import InvalidInput

SCHEMES = ("http", "https")


class RefusedAddress(ValueError):
    """The URL may not be reached (its scheme, or a non-global address)."""


def _non_global(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower().rstrip(".") in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost")
    return not address.is_global


def check_url(url: str, *, field: str = "url") -> str:
    """The URL, stripped, when a subscription may have it; ``InvalidInput`` naming
    ``field`` otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput({field: _("the address must start with http:// or https://")})
    if not parts.hostname:
        raise InvalidInput({field: _("the address has no host name")})
    if parts.username or parts.password:
        raise InvalidInput({field: _("put no user name or password in the address")})
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and _non_global(parts.hostname):
        raise InvalidInput({field: _("the address is on a private or local network")})
    return url


def check_reachable(url: str) -> None:
    """``RefusedAddress`` unless every address the URL's host resolves to is allowed."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise RefusedAddress("scheme")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    if _non_global(parts.hostname):
        raise RefusedAddress("non-global address")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except OSError:
        return  # the request itself fails and is retried
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global:
            raise RefusedAddress("non-global address")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is raised as an HTTPError


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    error: str  # "" for a 2xx; else "HTTP 500" or the error's type


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body``; the answer's status (its body is read and dropped, at most 64 KB)."""
    check_reachable(url)
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            answer.read(65536)
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Answer(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None)
        name = type(reason).__name__ if isinstance(reason, BaseException) else type(exc).__name__
        return Answer(None, name)
    return Answer(status, "" if 200 <= status < 300 else f"HTTP {status}")
