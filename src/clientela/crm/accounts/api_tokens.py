"""Personal API tokens: create (shown once), verify, revoke.

A token reads ``clt_<prefix>_<secret>``: ``prefix`` (8 hex characters) finds the row,
``secret`` is 32 random bytes (URL-safe base64); the row keeps SHA-256 of the whole token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import IntegrityError, OperationalError, transaction

from clientela.crm.accounts.models import ApiToken, User
from clientela.crm.busy import is_busy, no_wait

TOKEN_PREFIX = "clt_"  # noqa: S105 - a public marker, not a secret
# Write last_used_at at most this often per token (saves a write per request).
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A token could not be created or revoked; the message names the argument."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; return the row and the token text (never stored)."""
    if len(name) > 100:
        raise TokenError("name: at most 100 characters")
    for _ in range(5):
        prefix = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(
                    user=user, name=name, prefix=prefix, token_hash=_hash(token)
                )
        except IntegrityError:  # prefix collision: draw again
            continue
        return row, token
    raise TokenError("prefix: could not draw a free prefix")  # pragma: no cover


def authenticate_token(token: str) -> User | None:
    """The active user a token belongs to, or ``None`` (unknown, wrong or revoked)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret or len(prefix) > 16:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.token_hash, _hash(token)):
        return None
    if not row.user.is_active:
        return None
    now = dt.datetime.now(dt.UTC)
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        _note_use(row.pk, now)
    return row.user


def revoke_token(token_id: int) -> ApiToken:
    row = ApiToken.objects.filter(pk=token_id).first()
    if row is None:
        raise TokenError(f"id: no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        row.save(update_fields=["revoked_at"])
    return row


def list_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def _note_use(token_id: int, now: dt.datetime) -> None:
    """Record when a token was last used, if the database can take the write now: a read
    must not wait for, or fail on, another transaction's write lock (SQLite during a large
    import) for the sake of this note; the next use records it."""
    try:
        with no_wait(), transaction.atomic():
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    except OperationalError as error:
        if not is_busy(error):
            raise
