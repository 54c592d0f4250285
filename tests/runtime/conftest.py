"""Fixtures of the runtime tests (served Clientela: see tests/clientela_served.py)."""

from clientela_served import deployment  # noqa: F401
