"""The outbound request against DNS rebinding: each attempt resolves the host name once,
checks every address of the answer and connects to a checked address, keeping the host
name for the ``Host`` header and for TLS (SNI and the certificate check).

``outbound.resolve`` is the seam a test answers for (a resolver that answers one thing to
the check and another afterwards); where the worker connects is watched at the socket
layer by an audit hook (``socket.connect``), which also refuses every connection off
loopback, so no packet leaves the machine."""

from __future__ import annotations

import ipaddress
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from clientela.crm.accounts.models import User
from clientela.crm.webhooks import actions, outbound
from clientela.crm.webhooks.models import Delivery, DeliveryStatus
from jobs_in_process import run_jobs
from webhooks.receiver import Receiver, receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-outbound-tests"
PUBLIC = "93.184.215.14"  # a global address: the audit hook below keeps it from being reached
_watched: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "socket.connect" or not _watched or not isinstance(args[1], tuple):
        return
    host = str(args[1][0])
    _watched[-1].append(host)
    if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
        raise ConnectionRefusedError(f"the tests reach loopback only, not {host}")


sys.addaudithook(_audit)


@contextmanager
def connections() -> Iterator[list[str]]:
    """The addresses sockets connect to inside the block (any off loopback is refused)."""
    seen: list[str] = []
    _watched.append(seen)
    try:
        yield seen
    finally:
        _watched.remove(seen)


@pytest.fixture
def admin() -> User:
    return User.objects.create_user("outbound-admin", password="x", role="admin")


def _answering(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> list[str]:
    """``outbound.resolve`` answers ``answers`` in turn (the last one from then on)."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return asked


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "169.254.169.254", "169.254.1.1",
    "0.0.0.0", "224.0.0.1",  # noqa: S104 - an address refused, not bound "239.1.2.3", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
    "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
    "2002:7f00:1::1", "2001:db8::1",
])
def test_every_non_global_address_is_refused(address: str) -> None:
    assert outbound.refused(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_global_addresses_are_allowed(address: str) -> None:
    assert not outbound.refused(ipaddress.ip_address(address))


def _deliver(admin: User, host: str, *, tls: ssl.SSLContext | None = None) -> tuple[Receiver, Delivery, list[str]]:
    """A test event to a receiver on loopback, named ``host`` in the subscription's URL: the
    receiver, the delivery after the worker's attempt, and the addresses connected to."""
    with receiver(SECRET, tls=tls) as hook, connections() as reached:
        url = f"{'https' if tls else 'http'}://{host}:{urlsplit(hook.url).port}/hook"
        subscription = actions.create_subscription(admin, name=host, url=url, event_types=["*"], secret=SECRET)
        delivery = actions.send_test_event(admin, subscription)
        run_jobs()
    delivery.refresh_from_db()
    return hook, delivery, reached


def test_a_name_rebound_to_loopback_after_the_check_is_not_reached(
    admin: User, settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    asked = _answering(monkeypatch, [PUBLIC], ["127.0.0.1"])  # public to the check, loopback afterwards
    hook, delivery, reached = _deliver(admin, "hooks.rebind.test")
    assert asked == ["hooks.rebind.test"]  # one look-up for the attempt
    assert reached == [PUBLIC]  # the checked address, never the loopback of the second answer
    assert hook.requests == []
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        DeliveryStatus.FAILED, None, "ConnectionRefusedError")


def test_an_answer_with_one_private_address_is_refused_whole(
    admin: User, settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    asked = _answering(monkeypatch, [PUBLIC, "::ffff:169.254.169.254"])
    hook, delivery, reached = _deliver(admin, "hooks.mixed.test")
    assert asked == ["hooks.mixed.test"] and reached == [] and hook.requests == []
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.FAILED, 1, "address refused")


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (openssl), and its key."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(  # noqa: S603 - fixed arguments
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),  # noqa: S607
         "-out", str(cert), "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize(("certified", "delivered"), [("hooks.clientela.test", True),
                                                      ("other.clientela.test", False)])
def test_https_to_a_checked_address_still_checks_the_certificate_for_the_host_name(
    admin: User, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, certified: str, delivered: bool,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    cert, key = _certificate(tmp_path, certified)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the worker trusts this certificate, as a private CA
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    asked = _answering(monkeypatch, ["127.0.0.1"])
    hook, delivery, reached = _deliver(admin, "hooks.clientela.test", tls=server)
    port = urlsplit(delivery.subscription.url).port
    assert asked == ["hooks.clientela.test"] and reached == ["127.0.0.1"]
    if delivered:
        assert delivery.status == DeliveryStatus.SUCCEEDED and len(hook.accepted) == 1
        assert hook.requests[0]["host"] == f"hooks.clientela.test:{port}" and hook.requests[0]["good"]
    else:  # the certificate names another host: no request is sent
        assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "SSLCertVerificationError")
        assert hook.requests == []
