"""The one outbound HTTP request of a delivery, and which addresses it may reach.

Only http and https; no redirects followed (a 3xx is a failed attempt); a timeout
(``WEBHOOK_TIMEOUT_SECONDS``). Server-side request forgery: a webhook URL is chosen by an
administrator, but the worker sits inside the network, so unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on, a URL whose host is or resolves to a loopback,
private, link-local, multicast, reserved or cloud-metadata address is refused — when it
is saved (a literal address or ``localhost``) and at each attempt.

DNS rebinding: each attempt resolves the host name once (``resolve``, the test seam),
checks every address of the answer, and connects to a checked address — the name is not
looked up again by the connection. The request still names the host (``Host`` header)
and TLS still sends it (SNI) and checks the certificate against it. Through a proxy
(``HTTPS_PROXY`` / ``HTTP_PROXY``) the connection goes to the proxy, which resolves the
name itself.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.crm.errors import InvalidInput

SCHEMES = ("http", "https")
# Cloud metadata services (AWS, GCP, Azure and others answer on the first; AWS's IPv6 one).
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(ValueError):
    """The URL may not be reached (its scheme, or a non-global address)."""


def refused(address: Address) -> bool:
    """Is ``address`` one a webhook may not reach (unless private addresses are allowed)?
    An IPv4 address written as IPv6 (``::ffff:127.0.0.1``, 6to4) is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return refused(embedded)
    return (address in METADATA or address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified or not address.is_global)


def _non_global(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower().rstrip(".") in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost")
    return refused(address)


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



def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (the system's resolver), asked once per attempt."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


def checked_addresses(url: str) -> list[str]:
    """Resolve the URL's host once and check every address of the answer: the addresses
    the attempt may connect to. ``RefusedAddress`` when one is not allowed (a mixed answer
    is refused whole); ``OSError`` when the name does not resolve (the attempt fails and is
    retried)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise RefusedAddress("scheme")
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    if not allow_private and _non_global(parts.hostname):
        raise RefusedAddress("non-global address")
    addresses = resolve(parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80))
    if not addresses:
        raise OSError("the host name resolved to no address")
    for text in addresses:
        if not allow_private and refused(ipaddress.ip_address(text)):
            raise RefusedAddress("non-global address")
    return addresses


def _pinned_connect(host: str, addresses: Sequence[str]) -> Callable[..., socket.socket]:
    """``socket.create_connection`` that reaches ``host`` at the checked ``addresses`` (in
    turn, as ``create_connection`` tries a name's addresses) and any other host (a proxy) as
    usual."""

    def connect(target: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
                source_address: Any = None) -> socket.socket:
        name, port = target
        if name != host:
            return socket.create_connection(target, timeout, source_address)
        last: OSError | None = None
        for address in addresses:
            try:
                return socket.create_connection((address, port), timeout, source_address)
            except OSError as exc:
                last = exc
        raise last or OSError("no address to connect to")

    return connect


def _handlers(host: str, addresses: Sequence[str]) -> list[urllib.request.BaseHandler]:
    connect = _pinned_connect(host, addresses)

    class PinnedHTTP(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class PinnedHTTPS(http.client.HTTPSConnection):
        # TLS is set up on the pinned socket with the host name: SNI and the certificate check.
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(PinnedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(PinnedHTTPS, req, context=ssl.create_default_context())

    return [HTTPHandler(), HTTPSHandler(), _NoRedirects()]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is raised as an HTTPError


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    error: str  # "" for a 2xx; else "HTTP 500" or the error's type


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to a checked address of the URL's host; the answer's status (its body
    is read and dropped, at most 64 KB). ``RefusedAddress`` when the host may not be reached."""
    try:
        addresses = checked_addresses(url)
    except OSError as exc:  # the name does not resolve now: a failed attempt, retried
        return Answer(None, type(exc).__name__)
    host = urlsplit(url).hostname or ""
    opener = urllib.request.build_opener(*_handlers(host, addresses))
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
