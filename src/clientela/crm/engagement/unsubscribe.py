"""Signed one-click unsubscribe links: ``/u/<token>/``.

The token signs (party id, purpose, channel) with a salt of its own. It needs no
database row, never expires (an unsubscribe link must keep working, RFC 8058),
and a tampered token fails the signature check.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "clientela.engagement.unsubscribe"


def make(party_id: int, purpose: str, channel: str) -> str:
    return signing.dumps([party_id, purpose, channel], salt=SALT, compress=False)


def read(token: str) -> tuple[int, str, str] | None:
    """(party id, purpose, channel), or None when the token is invalid."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int)):
        return None
    if not all(isinstance(v, str) for v in value[1:]):
        return None
    return value[0], value[1], value[2]


def public_url(path: str) -> str:
    """An absolute link on the public site (``CLIENTELA_PUBLIC_URL``)."""
    return settings.PUBLIC_URL.rstrip("/") + path


def url(party_id: int, purpose: str, channel: str) -> str:
    return public_url(reverse("public-unsubscribe", args=[make(party_id, purpose, channel)]))
