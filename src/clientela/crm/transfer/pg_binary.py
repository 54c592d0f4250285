"""Arrow columns to PostgreSQL's binary COPY format, a whole column at a time (NumPy).

The server parses binary values much faster than text: a ``timestamptz`` is eight
bytes to copy instead of a date-time string to parse, a ``numeric`` is its base-10000
digits instead of decimal text. On a 1M-line order import this cut the server's time
storing the rows by about a third (benchmarks/README.md).

Format (PostgreSQL documentation, "COPY", section "Binary Format"): a signature
and two zero int32 words; then per row an int16 field count and, per field, an
int32 byte length (-1 for NULL) followed by the value in the type's binary
(``*_recv``) representation, all integers big-endian; then the int16 trailer -1.

Value representations used (PostgreSQL source, ``src/backend/utils/adt``):

- int2/int4/int8: big-endian two's complement; bool: one byte 0/1;
- text/varchar/bpchar: the UTF-8 bytes (the server checks the encoding);
- timestamptz/timestamp: int64 microseconds since 2000-01-01 00:00 UTC;
  date: int32 days since 2000-01-01;
- numeric: int16 ndigits, int16 weight, int16 sign (0x0000 or 0x4000), int16
  dscale, then ndigits int16 base-10000 digits, most significant first, the first
  one worth 10000**weight. ``numeric_recv`` accepts leading and trailing zero digits
  (``make_result`` strips them), so every value of a column gets the same number of
  digits and the column encodes as a fixed-width block.

``column_types`` reads what to encode for from the catalog; ``prepare`` returns None
for a column type or value it does not handle, and the caller falls back to CSV.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01
PG_EPOCH_DAYS = 10_957
NUMERIC_NEGATIVE = 0x4000
FIXED = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}
TEXT = {"text", "varchar", "bpchar"}


def column_types(cur: Any, table: str, columns: list[str]) -> list[tuple[str, int]] | None:
    """(type name, numeric scale or -1) of each of ``table``'s ``columns``; None if one is missing."""
    cur.execute(
        "SELECT a.attname, t.typname, CASE WHEN t.typname = 'numeric' AND a.atttypmod >= 4 "
        "THEN (a.atttypmod - 4) & 65535 ELSE -1 END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [table],
    )
    found = {name: (typname, scale) for name, typname, scale in cur.fetchall()}
    if any(c not in found for c in columns):
        return None
    return [found[c] for c in columns]


def prepare(data: pa.Table, types: list[tuple[str, int]]) -> pa.Table | None:
    """``data`` ready for ``encode``: numeric columns as decimal128(18, column scale),
    rounded as PostgreSQL rounds (half away from zero); None when a column's type
    or values are not handled here (the caller then uses CSV)."""
    columns = []
    for column, (typname, scale) in zip(data.columns, types, strict=True):
        column = _flat(column)
        if typname == "numeric" and scale >= 0:
            column = _decimal(column, scale)
        elif not _handled(column.type, typname):
            column = None
        if column is None:
            return None
        columns.append(column)
    return pa.table(columns, names=data.column_names)


def _handled(arrow: pa.DataType, typname: str) -> bool:
    if pa.types.is_null(arrow):
        return True
    if typname in FIXED:
        return pa.types.is_integer(arrow) or pa.types.is_boolean(arrow)
    if typname == "bool":
        return pa.types.is_boolean(arrow)
    if typname in ("timestamptz", "timestamp"):
        return pa.types.is_timestamp(arrow) and (typname == "timestamptz") == (arrow.tz is not None)
    if typname == "date":
        return pa.types.is_date32(arrow)
    if typname in TEXT:
        return pa.types.is_string(arrow) or pa.types.is_large_string(arrow)
    return False


def _decimal(column: pa.Array, scale: int) -> pa.Array | None:
    if pa.types.is_null(column.type):
        return column
    if not (pa.types.is_decimal(column.type) or pa.types.is_string(column.type)
            or pa.types.is_integer(column.type)):
        return None
    try:
        wide = pc.cast(column, pa.decimal128(38, max(scale, 12)))
        rounded = pc.round(wide, ndigits=scale, round_mode="half_towards_infinity")
        return pc.cast(rounded, pa.decimal128(18, scale))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # more digits than decimal128 holds here: let the server parse text


def encode(data: pa.Table, types: list[tuple[str, int]], *, first: bool, last: bool) -> bytes:
    """``data`` (from ``prepare``) as binary COPY rows, with the signature if ``first``
    and the trailer if ``last``.

    Runs of fixed-width columns without nulls become one (rows x bytes) matrix, filled a
    column at a time; text and nullable columns become per-row byte strings; pyarrow's
    ``binary_join_element_wise`` then concatenates the pieces of each row, and the
    joined array's data buffer is the COPY payload."""
    rows = data.num_rows
    if rows == 0:
        return (SIGNATURE if first else b"") + (TRAILER if last else b"")
    pieces: list[pa.Array] = []
    block: list[np.ndarray] = [_word(len(types), ">i2", rows)]
    for column, (typname, scale) in zip(data.columns, types, strict=True):
        column = _flat(column)
        valid = _valid(column)
        payload = _payload(column, typname, scale)
        if payload is not None and valid.all():
            block += [_word(payload.shape[1], ">i4", rows), payload]
            continue
        if block:
            pieces.append(_matrix(block, rows))
            block = []
        pieces.append(_variable(column, payload, valid))
    if block:
        pieces.append(_matrix(block, rows))
    if len(pieces) == 1:
        body = pieces[0].buffers()[1]
    else:
        joined = pc.binary_join_element_wise(*[pc.cast(p, pa.binary()) for p in pieces], b"")
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
        body = joined.buffers()[2][int(offsets[joined.offset]):int(offsets[joined.offset + rows])]
    return b"".join([SIGNATURE if first else b"", memoryview(body), TRAILER if last else b""])


def _word(value: int, dtype: str, rows: int) -> np.ndarray:
    """The big-endian integer ``value`` repeated on every row, as a (rows x bytes) view."""
    word = np.array([value], dtype=dtype).view(np.uint8)
    return np.broadcast_to(word, (rows, word.size))


def _payload(column: pa.Array, typname: str, scale: int) -> np.ndarray | None:
    """The values of a fixed-width column as a (rows x width) uint8 matrix of their binary
    form (nulls as zeros), or None for a variable-width (text) column."""
    if pa.types.is_null(column.type):
        return np.zeros((len(column), 0), dtype=np.uint8)
    if typname in FIXED:
        values = _ints(column).astype(FIXED[typname])
    elif typname == "bool":
        values = _ints(column).astype(np.uint8)
    elif typname in ("timestamptz", "timestamp"):
        values = (_ints(pc.cast(column, pa.timestamp("us", column.type.tz))) - PG_EPOCH_US).astype(">i8")
    elif typname == "date":
        values = (_ints(column) - PG_EPOCH_DAYS).astype(">i4")
    elif typname == "numeric":
        values = _numeric(column, scale)
    else:
        return None
    return np.ascontiguousarray(values).view(np.uint8).reshape(len(column), -1)


def _matrix(parts: list[np.ndarray], rows: int) -> pa.Array:
    """Side-by-side byte blocks as one FixedSizeBinary array (one value per row)."""
    width = sum(p.shape[1] for p in parts)
    matrix = np.empty((rows, width), dtype=np.uint8)
    at = 0
    for part in parts:
        matrix[:, at:at + part.shape[1]] = part
        at += part.shape[1]
    return _fixed_binary(matrix)


def _fixed_binary(matrix: np.ndarray) -> pa.Array:
    matrix = np.ascontiguousarray(matrix)
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(matrix.shape[1]), matrix.shape[0],
                                                [None, pa.py_buffer(matrix)])


def _variable(column: pa.Array, payload: np.ndarray | None, valid: np.ndarray) -> pa.Array:
    """Each row's field (length word, then the value's bytes; -1 alone for NULL) as binary."""
    if payload is None:  # text: its UTF-8 bytes
        values = pc.fill_null(column.cast(pa.binary()), b"")
        lengths = np.asarray(pc.binary_length(values)).astype(np.int64)
    else:
        values = pc.if_else(pa.array(valid), pc.cast(_fixed_binary(payload), pa.binary()),
                            pa.scalar(b"", pa.binary()))
        lengths = np.full(len(column), payload.shape[1], dtype=np.int64)
    words = np.where(valid, lengths, -1).astype(">i4").view(np.uint8).reshape(-1, 4)
    return pc.binary_join_element_wise(pc.cast(_fixed_binary(words), pa.binary()), values, b"")


def _numeric(decimal: pa.Array, scale: int) -> np.ndarray:
    """numeric_recv's form of decimal128(18, scale) values (nulls as zero): header and
    enough base-10000 digits for the column's largest value, as big-endian int16 rows."""
    valid = _valid(decimal)
    words = np.frombuffer(decimal.buffers()[1], dtype=np.int64).reshape(-1, 2)
    unscaled = words[decimal.offset:decimal.offset + len(decimal), 0].copy()
    unscaled[~valid] = 0
    whole, fraction = np.divmod(np.abs(unscaled), 10 ** scale)
    n_frac = -(-scale // 4)
    n_whole = 1
    largest = int(whole.max(initial=0))
    while largest >= 10_000 ** n_whole:
        n_whole += 1
    out = np.empty((len(unscaled), 4 + n_whole + n_frac), dtype=">i2")
    out[:, 0] = n_whole + n_frac
    out[:, 1] = n_whole - 1
    out[:, 2] = np.where(unscaled < 0, NUMERIC_NEGATIVE, 0)
    out[:, 3] = scale
    for i in range(n_whole):
        out[:, 3 + n_whole - i] = (whole // 10_000 ** i) % 10_000
    fraction = fraction * 10 ** (4 * n_frac - scale)
    for i in range(n_frac):
        out[:, 3 + n_whole + n_frac - i] = (fraction // 10_000 ** i) % 10_000
    return out


def _flat(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return column


def _valid(column: pa.Array) -> np.ndarray:
    if column.null_count == 0:
        return np.ones(len(column), dtype=bool)
    return np.asarray(column.is_valid())


def _ints(column: pa.Array) -> np.ndarray:
    """The values of an integer, boolean or temporal column as int64 (nulls as 0)."""
    if pa.types.is_boolean(column.type):
        return np.asarray(pc.fill_null(column, False)).astype(np.int64)
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        column = column.view(pa.int64() if pa.types.is_timestamp(column.type) else pa.int32())
    return np.asarray(pc.fill_null(column, 0)).astype(np.int64)
