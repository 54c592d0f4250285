"""Read an import CSV into string columns, with clear errors for files that cannot be read.

The fast path parses with ``pyarrow.csv`` (C++, multi-threaded). Line numbers are
only needed when something is wrong; then ``line_numbers`` maps data rows to the
physical line where each starts (header = line 1), re-reading the text with the
``csv`` module if a quoted value spans lines. A file pyarrow refuses row by row
(a wrong number of fields) is read again with the ``csv`` module, which knows
the line of every record.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from clientela.crm.transfer.columns import COLUMNS, IGNORE_FIELD, Kind

UTF8_BOM = b"\xef\xbb\xbf"
# pyarrow reads in blocks; a row longer than a block needs a bigger one (see _parse_fast).
DEFAULT_BLOCK_SIZE = 8 << 20


class FileProblem(Exception):
    """The file as a whole cannot be imported (encoding, empty, header, --map)."""


@dataclass(frozen=True)
class CellError:
    """One bad cell (or row, when ``column`` is empty): 0-based data row index."""

    row: int
    column: str
    reason: str


@dataclass
class RawTable:
    """The data rows of a file as canonical string columns (mapped names)."""

    kind: Kind
    columns: dict[str, pa.Array]
    num_rows: int
    text: str = field(repr=False)
    row_errors: list[CellError] = field(default_factory=list)
    # Physical first line of each data row, when already known (slow path).
    _lines: np.ndarray | None = field(default=None, repr=False)

    def line_numbers(self, rows: np.ndarray) -> np.ndarray:
        """The physical line (header = 1) where each of the 0-based data ``rows`` starts."""
        if self._lines is None:
            self._lines = _record_start_lines(self.text, self.num_rows)
        return self._lines[np.asarray(rows, dtype=np.int64)]


def read_csv(source: Path | str | bytes, kind: Kind, mapping: Mapping[str, str] | None = None) -> RawTable:
    """Decode and parse ``source`` (a path or the file's bytes) for import as ``kind``.

    Raises ``FileProblem`` for an empty file, a file that is not UTF-8, or a header
    that lacks required columns, has unknown or duplicated ones, or a bad ``mapping``.
    """
    kind = Kind(kind)
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    data = _lf_line_ends(data)
    text = decode_utf8(data)
    if not text or text.isspace():  # (strip() would copy the whole file)
        raise FileProblem("the file is empty: expected a header line naming the columns")
    end = text.find("\n")
    header_line = text if end < 0 else text[:end]
    try:
        with _field_limit(len(text)):
            header = next(csv.reader([header_line.rstrip("\r")]))
    except csv.Error as exc:
        raise FileProblem(f"line 1 (the header) cannot be read as CSV: {exc}") from None
    names = _canonical_header(header, kind, mapping or {})
    keep = [i for i, name in enumerate(names) if name != IGNORE_FIELD]
    table = _parse_fast(data, len(header))
    if table is None:
        return _parse_slow(text, kind, names, keep)
    columns = {names[i]: table.column(i).combine_chunks() for i in keep}
    return RawTable(kind=kind, columns=columns, num_rows=table.num_rows, text=text)


def _lf_line_ends(data: bytes) -> bytes:
    """A file whose lines end with CR alone (classic Mac OS, some exports) with LF line
    ends instead, so that its lines are counted and parsed like any other file's. Only a
    file without any LF is changed: in another file a CR inside a quoted value is text."""
    if b"\r" in data and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def decode_utf8(data: bytes) -> str:
    """Decode UTF-8 (a leading BOM is dropped) or explain where the file is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("the file is UTF-16 encoded: save it as UTF-8 (\"CSV UTF-8\" in Excel)")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise FileProblem(
            f"the file is not valid UTF-8: line {line}, byte {exc.start - line_start + 1} "
            f"of that line is 0x{data[exc.start]:02X}. Save the file as UTF-8 "
            "(Windows exports in Central Europe are often cp1250 or ISO-8859-2)"
        ) from None


def _canonical_header(header: list[str], kind: Kind, mapping: Mapping[str, str]) -> list[str]:
    specs = {spec.name: spec for spec in COLUMNS[kind]}
    stripped = [h.strip() for h in header]
    for source_name, target in mapping.items():
        if source_name not in stripped:
            raise FileProblem(
                f"--map {source_name}={target}: the file has no column {source_name!r} "
                f"(its columns: {', '.join(stripped)})"
            )
        if target != IGNORE_FIELD and target not in specs:
            raise FileProblem(
                f"--map {source_name}={target}: {target!r} is not a {kind} field "
                f"(fields: {', '.join(specs)}, or - to skip the column)"
            )
    names = [mapping.get(h, h.lower()) for h in stripped]
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name == IGNORE_FIELD:
            continue
        if name in seen:
            raise FileProblem(
                f"the header names the column {name!r} twice (columns {seen[name] + 1} "
                f"and {position + 1})"
            )
        seen[name] = position
    unknown = [h for h, n in zip(stripped, names, strict=True) if n != IGNORE_FIELD and n not in specs]
    if unknown:
        raise FileProblem(
            f"unknown column(s) {', '.join(map(repr, unknown))} for {kind}: expected "
            f"{', '.join(specs)}; rename with --map COLUMN=field or skip with --map COLUMN=-"
        )
    missing = [s.name for s in COLUMNS[kind] if not s.optional_column and s.name not in seen]
    if missing:
        raise FileProblem(f"the header lacks the column(s) {', '.join(missing)} needed for {kind}")
    return names


def _parse_fast(body: bytes, width: int) -> pa.Table | None:
    """Parse with pyarrow, all columns as strings; ``None`` when a row has a wrong field count."""
    bad_rows: list[object] = []

    def on_invalid(row: object) -> str:
        bad_rows.append(row)
        return "skip"

    names = [f"c{i}" for i in range(width)]
    # Only a quoted value can hold a newline; without quotes pyarrow can split the file
    # into blocks at any newline and parse them in parallel (2-3x faster).
    quoted = b'"' in body
    block = DEFAULT_BLOCK_SIZE
    while True:
        try:
            table = pacsv.read_csv(
                io.BytesIO(body),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
                parse_options=pacsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block < len(body):
                block = len(body) + 1  # a row longer than a block: read in one block
                continue
            return None
        break
    return None if bad_rows else table


def _parse_slow(text: str, kind: Kind, names: list[str], keep: list[int]) -> RawTable:
    """Parse with the ``csv`` module, recording each record's first line and bad field counts."""
    values: list[list[str]] = [[] for _ in keep]
    lines: list[int] = []
    errors: list[CellError] = []
    width = len(names)
    for line, record in _records(text):
        if len(record) != width:
            # Keep the row (padded) so the row index still maps to its line.
            errors.append(CellError(len(lines), "", f"has {len(record)} fields, the header has {width}"))
            record = (record + [""] * width)[:width]
        lines.append(line)
        for out, i in zip(values, keep, strict=True):
            out.append(record[i])
    columns = {names[i]: pa.array(v, type=pa.string()) for i, v in zip(keep, values, strict=True)}
    return RawTable(
        kind=kind,
        columns=columns,
        num_rows=len(lines),
        text=text,
        row_errors=errors,
        _lines=np.asarray(lines, dtype=np.int64),
    )


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Data records with the physical line each starts on; blank lines skipped.
    ``FileProblem`` names the line where the text stops being CSV."""
    with _field_limit(len(text)):
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            next(reader, None)  # header
            previous_end = reader.line_num
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if record:
                    yield start, record
        except csv.Error as exc:
            raise FileProblem(f"line {reader.line_num} cannot be read as CSV: {exc}") from None


def _record_start_lines(text: str, num_rows: int) -> np.ndarray:
    newlines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if newlines == num_rows + 1:  # one line per record: no blank lines, no quoted newlines
        return np.arange(2, num_rows + 2, dtype=np.int64)
    return np.fromiter((line for line, _ in _records(text)), dtype=np.int64, count=num_rows)


@contextlib.contextmanager
def _field_limit(size: int) -> Iterator[None]:
    """Let the csv module read a field as long as the whole file (default limit: 128 KiB)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, min(size + 1, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(previous)
