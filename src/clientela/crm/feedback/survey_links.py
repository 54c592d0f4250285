"""Signed, single-use survey links: ``/s/<token>/``.

A token is ``django.core.signing`` over the invitation id and its nonce, with a
salt of its own, so a token for one purpose is worthless for another. Single use
is enforced by the invitation's ``answered_at`` and the one-to-one response.
"""

from __future__ import annotations

from django.core import signing

SALT = "clientela.feedback.survey-invitation"


def make(invitation_id: int, nonce: str) -> str:
    return signing.dumps([invitation_id, nonce], salt=SALT, compress=False)


def read(token: str) -> tuple[int, str] | None:
    """The (invitation id, nonce) a token names, or None when it is invalid or tampered."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]
