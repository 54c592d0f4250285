"""From a user's sheet and mapping to the importer's canonical file of a kind.

The mapping names, for each column of the file, the field it holds or ``-`` (skip it);
it is checked before anything is read further: every required field mapped, no field
taken by two columns. The canonical file is UTF-8 CSV with the fields' names as its
header, one record per data row; ``lines`` keeps the line (or sheet row) of the user's
file each record came from, so that the importer's errors name the user's lines.

Dates written day first with dots (``31.01.2026``, ``31.01.2026 14:05``: the usual form
in Polish and Russian files, never month first) are written as ISO-8601 here; the
importer reads every other form it reads itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clientela.crm.errors import InvalidInput
from clientela.crm.imports.headers import fields, required_fields
from clientela.crm.transfer.columns import IGNORE_FIELD, CellType, Kind

DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass
class CanonicalFile:
    kind: Kind
    data: bytes
    rows: int
    lines: list[int] = field(default_factory=list)  # record i (0-based) came from lines[i]
    starts: dict[int, int] = field(default_factory=dict, repr=False)  # canonical line → record

    def source_line(self, canonical_line: int) -> int:
        """The user's line of the importer's ``canonical_line`` (header = 1)."""
        index = self.starts.get(canonical_line)
        return self.lines[index] if index is not None else canonical_line


def check_mapping(header: list[str], mapping: Mapping[str, str], kind: Kind | str) -> None:
    """``InvalidInput`` (field ``mapping``) naming each required field left unmapped and
    each field two columns are mapped to."""
    names = {spec.name for spec in fields(kind)}
    problems: list[str] = []
    seen: dict[str, str] = {}
    for column in header:
        target = mapping.get(column, IGNORE_FIELD)
        if target == IGNORE_FIELD:
            continue
        if target not in names:
            problems.append(_("Column “%(column)s”: %(field)s is not a field of this kind of file.")
                            % {"column": column, "field": target})
        elif target in seen:
            problems.append(_("Columns “%(first)s” and “%(second)s” are both mapped to %(field)s: "
                              "map one of them to another field or skip it.")
                            % {"first": seen[target], "second": column, "field": target})
        else:
            seen[target] = column
    for name in required_fields(kind):
        if name not in seen:
            problems.append(_("The required field %(field)s is not mapped to any column.") % {"field": name})
    if problems:
        raise InvalidInput({"mapping": " ".join(problems)})


def write_canonical(kind: Kind | str, header: list[str], rows: Iterable[tuple[int, list[str]]],
                    mapping: Mapping[str, str], *, limit: int | None = None) -> CanonicalFile:
    """The canonical file of ``rows`` (at most ``limit``), the mapping checked first."""
    kind = Kind(kind)
    check_mapping(header, mapping, kind)
    specs = list(fields(kind))
    position = {mapping.get(h, IGNORE_FIELD): i for i, h in enumerate(header)}
    present = [spec for spec in specs if spec.name in position or not spec.optional_column]
    dated = {spec.name for spec in present if spec.type is CellType.DATETIME}
    take = [(position.get(spec.name, -1), spec.name in dated) for spec in present]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spec.name for spec in present])
    lines: list[int] = []
    starts: dict[int, int] = {}
    physical = 2
    for line, row in _limited(rows, limit):
        record = [_cell(row, i, is_date) for i, is_date in take]
        writer.writerow(record)
        starts[physical] = len(lines)
        lines.append(line)
        physical += 1 + sum(value.count("\n") for value in record)
    return CanonicalFile(kind=kind, data=out.getvalue().encode("utf-8"), rows=len(lines), lines=lines,
                         starts=starts)


def _limited(rows: Iterable[tuple[int, list[str]]], limit: int | None) -> Iterator[tuple[int, list[str]]]:
    for count, item in enumerate(rows):
        if limit is not None and count >= limit:
            return
        yield item


def _cell(row: list[str], index: int, is_date: bool) -> str:
    value = row[index] if 0 <= index < len(row) else ""
    if is_date:
        return iso_date(value)
    return value


def iso_date(value: str) -> str:
    """``31.01.2026 14:05`` as ``2026-01-31T14:05``; any other text unchanged."""
    match = DOTTED_DATE.match(value.strip())
    if not match:
        return value
    day, month, year, hour, minute, second = match.groups()
    text = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        text += f"T{int(hour):02d}:{minute}" + (f":{second}" if second else "")
    return text
