"""A background beat: call a function every few seconds while a block of work runs.

Jobs and leases prove they are alive this way (``Job.heartbeat_at``, ``Lease.expires_at``),
so a process killed with ``kill -9`` is recognised by its silence. The beat runs in its own
thread with its own database connection; a failed beat (a locked SQLite file, a dropped
connection) is skipped, the next one tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)


@contextmanager
def beating(beat: Callable[[], object], *, every: float, name: str = "heartbeat") -> Iterator[None]:
    """Run ``beat()`` every ``every`` seconds (the first after one interval) until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except DatabaseError as exc:
                    log.warning("%s skipped: %s", name, type(exc).__name__)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 30)
