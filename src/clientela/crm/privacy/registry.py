"""Where every app declares the personal data it keeps about a party.

An app registers once, from its ``AppConfig.ready()``::

    from clientela.crm.privacy.registry import register

    def export_deals(party):            # -> list of JSON-able dicts
        return [{"id": d.pk, "name": d.name, ...} for d in Deal.objects.filter(party=party)]

    def erase_deals(party, actor):      # -> number of rows anonymised
        return Deal.objects.filter(party=party).update(notes="")

    register("deals", export=export_deals, erase=erase_deals)

``export`` returns the section of the person's export; ``erase`` blanks every personal
field in the app's rows about the party (free text included) without deleting rows that
aggregates need. Both run inside the GDPR action's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], list[dict[str, Any]]]
Eraser = Callable[[Any, Any], int]


@dataclass(frozen=True)
class Section:
    name: str
    export: Exporter
    erase: Eraser


_SECTIONS: dict[str, Section] = {}


def register(name: str, *, export: Exporter, erase: Eraser) -> None:
    """Add (or replace) the section ``name``."""
    _SECTIONS[name] = Section(name=name, export=export, erase=erase)


def sections() -> list[Section]:
    return list(_SECTIONS.values())
