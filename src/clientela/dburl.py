"""Turn ``CLIENTELA_DATABASE_URL`` into a Django ``DATABASES`` entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def parse_database_url(url: str, *, default_sqlite: Path) -> dict[str, Any]:
    """Parse ``sqlite:///path`` or ``postgres://user[:pw]@host[:port]/db``.

    An empty URL means the SQLite file ``default_sqlite``.
    """
    if not url:
        return _sqlite(str(default_sqlite))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db -> path "relative.db"; sqlite:////abs/x.db -> "/abs/x.db"
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ImproperlyConfigured(f"CLIENTELA_DATABASE_URL {url!r} names no SQLite file")
        return _sqlite(path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"CLIENTELA_DATABASE_URL {url!r} names no database")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": f"test_{name}"},
        }
    raise ImproperlyConfigured(
        f"CLIENTELA_DATABASE_URL scheme {scheme!r} is not supported: use sqlite:/// or postgres://"
    )


def _sqlite(path: str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }
