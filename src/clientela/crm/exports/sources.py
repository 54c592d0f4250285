"""What can be exported, each as the rows the asking user may see.

``SOURCES`` maps an export kind to its source: the records (narrowed to the user's record
scope, the way ``accounts.permissions.scope_queryset`` narrows every list), the field
groups it carries (a user who may not see one of them may not export it), and the writer
of the CSV — the same formula-safe writers as ``clientela export``. Add an entry to offer
another export (a saved list, a report table) from the pages and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from clientela.crm.accounts.permissions import can_see, has_capability, scope_queryset
from clientela.crm.errors import InvalidInput, NotPermitted


@dataclass(frozen=True)
class Source:
    entity: str  # the permission entity whose scope narrows the rows
    owner_field: str
    team_field: str
    field_groups: tuple[str, ...]  # hidden field groups (cost, margin, clv) the file carries
    queryset: Callable[[], Any]
    write: Callable[..., int]  # write(stream, *, narrow) -> rows

    def narrow(self, actor: Any) -> Callable[[Any], Any]:
        def narrowed(qs: Any) -> Any:
            return scope_queryset(actor, qs, entity=self.entity, owner_field=self.owner_field,
                                  team_field=self.team_field)
        return narrowed


def _canonical(kind: str) -> tuple[Callable[[], Any], Callable[..., int]]:
    def queryset() -> Any:
        from clientela.crm.transfer.csv_export import source_queryset

        return source_queryset(kind)

    def write(stream: TextIO, *, narrow: Callable[[Any], Any]) -> int:
        from clientela.crm.transfer.csv_export import export_csv

        return export_csv(kind, stream, narrow=narrow)

    return queryset, write


def _scores() -> tuple[Callable[[], Any], Callable[..., int]]:
    def queryset() -> Any:
        from clientela.crm.scoring.export import current_scores

        return current_scores()

    def write(stream: TextIO, *, narrow: Callable[[Any], Any]) -> int:
        from clientela.crm.scoring.export import export_scores_csv

        return export_scores_csv(stream, narrow=narrow)

    return queryset, write


SOURCES: dict[str, Source] = {
    "customers": Source("party", "owner", "team", (), *_canonical("customers")),
    "orders": Source("order", "order__party__owner", "order__party__team", ("cost",), *_canonical("orders")),
    "interactions": Source("interaction", "party__owner", "party__team", (), *_canonical("interactions")),
    "scores": Source("party", "party__owner", "party__team", ("clv", "margin", "cost"), *_scores()),
}


def source_for(actor: Any, kind: str) -> Source:
    """The source of ``kind`` for ``actor``: ``InvalidInput`` for an unknown kind,
    ``NotPermitted`` without the export capability or a field group the file carries."""
    source = SOURCES.get(kind)
    if source is None:
        raise InvalidInput({"kind": f"must be one of {', '.join(SOURCES)}"})
    if not has_capability(actor, "export"):
        raise NotPermitted("you may not export records")
    if not all(can_see(actor, group) for group in source.field_groups):
        raise NotPermitted(f"the {kind} export carries fields you may not see")
    return source


def count_rows(actor: Any, source: Source) -> int:
    """How many rows the export would have for ``actor`` (``LookupError`` when there is
    nothing to export yet, e.g. no scoring run)."""
    return int(source.narrow(actor)(source.queryset()).count())
