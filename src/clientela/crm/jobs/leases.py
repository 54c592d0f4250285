"""Leases: one holder at a time of a named piece of work, across processes and machines.

``acquire`` inserts the lease or takes it over once expired; the holder renews it while
it works (``holding`` does both, with a ``pulse`` beat) and deletes it when done. A holder
killed mid-work leaves the lease to expire, so whoever takes it next knows that the work
it finds unfinished was interrupted (scoring marks such model runs failed: issue 20 F18).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clientela.crm.jobs.models import Lease
from clientela.crm.jobs.pulse import beating


class LeaseHeld(RuntimeError):
    """Another live process holds the lease."""


def holder_name() -> str:
    """This process (host and pid) plus a random part, unique per holding."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def default_ttl() -> timedelta:
    return timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)


def acquire(name: str, holder: str, *, ttl: timedelta, now: datetime | None = None) -> bool:
    """Take the lease ``name`` for ``holder`` until ``now + ttl``: True when it was free,
    expired or already ``holder``'s; False while another holder's lease runs."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=now + ttl)
            return True
    except IntegrityError:
        pass
    taken = Lease.objects.filter(Q(expires_at__lt=now) | Q(holder=holder), name=name).update(
        holder=holder, expires_at=now + ttl)
    return taken == 1


def release(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def is_held(name: str, *, now: datetime | None = None) -> bool:
    """Does a live (unexpired) holder have the lease?"""
    return Lease.objects.filter(name=name, expires_at__gte=now or timezone.now()).exists()


@contextmanager
def holding(name: str, *, ttl: timedelta | None = None) -> Iterator[str]:
    """Hold the lease ``name`` for the block, renewing it every third of ``ttl``
    (default: ``JOB_TIMEOUT_SECONDS``); ``LeaseHeld`` when another holder has it."""
    ttl = ttl or default_ttl()
    holder = holder_name()
    if not acquire(name, holder, ttl=ttl):
        raise LeaseHeld(name)

    def renew() -> None:
        Lease.objects.filter(name=name, holder=holder).update(expires_at=timezone.now() + ttl)

    try:
        with beating(renew, every=max(ttl.total_seconds() / 3, 0.5), name=f"lease-{name}"):
            yield holder
    finally:
        release(name, holder)
