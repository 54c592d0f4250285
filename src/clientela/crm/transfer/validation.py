"""Validate every cell of an import, column at a time (vectorised with pyarrow/NumPy).

Nothing is dropped for speed: each cell is checked against its column's rules
(see columns.py), then the rules that span rows (duplicated refs, an order whose
lines disagree on the customer, date or currency). The result holds typed
columns ready to load, and every error found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clientela.crm import input_bounds
from clientela.crm.transfer.columns import (
    COLUMNS,
    KEYS,
    MAX_QUANTITY,
    ORDER_HEADER,
    WORD_SEPARATOR,
    CellType,
    ColumnSpec,
    Kind,
)
from clientela.crm.transfer.csv_reader import RawTable

TIMESTAMP = pa.timestamp("us", tz="UTC")
ISO_DATETIME = (
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
# A value export neutralised against formula injection: one leading quote is dropped.
NEUTRALISED = r"^'('*[=+\-@\t\r])"
# A phone is also protected before a digit (a spreadsheet reads 0048600… as a number).
NEUTRALISED_PHONE = r"^'('*[=+\-@\t\r0-9])"
TRUE_WORDS = ("true", "yes", "1", "t", "y", "tak", "да")
FALSE_WORDS = ("false", "no", "0", "f", "n", "nie", "нет")


@dataclass
class ErrorLog:
    """Errors kept as arrays of rows, so a file with a million bad cells stays cheap."""

    entries: list[tuple[np.ndarray, str, str, pa.Array | None, np.ndarray | None]] = field(
        default_factory=list
    )

    def add(
        self,
        rows: np.ndarray,
        column: str,
        reason: str,
        *,
        values: pa.Array | None = None,
        other_rows: np.ndarray | None = None,
    ) -> None:
        """Record ``reason`` for each of ``rows``; ``{value}`` and ``{line}`` are filled per row."""
        if len(rows):
            self.entries.append((rows, column, reason, values, other_rows))

    def drop_cells_of(self, rows: np.ndarray) -> None:
        """Forget the cell errors (those with a column) of ``rows``."""
        kept = []
        for rows_, column, reason, values, other in self.entries:
            if column:
                keep = ~np.isin(rows_, rows)
                rows_ = rows_[keep]
                values = _take(values, keep)
                other = other[keep] if other is not None else None
            if len(rows_):
                kept.append((rows_, column, reason, values, other))
        self.entries = kept

    @property
    def count(self) -> int:
        return sum(len(e[0]) for e in self.entries)

    def summary(self, table: RawTable) -> list[tuple[str, str, int, int]]:
        """(column, reason, rows, first line) for each kind of error, by first line: a
        file whose every row fails for one reason (customers not imported yet, a column
        in another format) reads as one line, not a hundred alike. The reason's per-row
        value and line are left out as "…"."""
        groups: dict[tuple[str, str], tuple[int, int]] = {}
        for rows, column, reason, *_rest in self.entries:
            key = (column, reason.format(value="…", line="…"))
            count, first = groups.get(key, (0, len(table.text)))
            groups[key] = (count + len(rows), min(first, int(rows.min())))
        order = {spec.name: i for i, spec in enumerate(COLUMNS[table.kind])}
        ordered = sorted(groups.items(), key=lambda kv: (kv[1][1], order.get(kv[0][0], -1), kv[0][1]))
        lines = table.line_numbers(np.array([first for _key, (_n, first) in ordered], dtype=np.int64))
        return [(column, reason, count, int(line))
                for ((column, reason), (count, _first)), line in zip(ordered, lines, strict=True)]

    def first(self, table: RawTable, limit: int) -> list[tuple[int, str, str]]:
        """The first ``limit`` errors by line then column order: (line, column, reason)."""
        order = {spec.name: i for i, spec in enumerate(COLUMNS[table.kind])}
        candidates: list[tuple[int, int, int, int]] = []
        for entry_no, (rows, column, *_rest) in enumerate(self.entries):
            take = np.argsort(rows, kind="stable")[:limit]
            candidates.extend(
                (int(rows[i]), order.get(column, -1), entry_no, int(i)) for i in take
            )
        candidates.sort()
        out = []
        for row, _, entry_no, i in candidates[:limit]:
            _, column, reason, values, other_rows = self.entries[entry_no]
            value = _shorten(values[i].as_py()) if values is not None else ""
            line = (
                int(table.line_numbers(np.array([other_rows[i]]))[0]) if other_rows is not None else 0
            )
            line_no = int(table.line_numbers(np.array([row]))[0])
            out.append((line_no, column, reason.format(value=value, line=line)))
        return out


@dataclass
class CheckedTable:
    kind: Kind
    columns: dict[str, pa.Array]
    num_rows: int
    errors: ErrorLog
    # Orders only: 1-based position of each line within its order, and per order
    # (in order of first appearance) the row where it first appears and its line count.
    line_no: np.ndarray | None = None
    order_first_rows: np.ndarray | None = None
    order_line_counts: np.ndarray | None = None
    # Orders only: each row's order, as a 0-based index into order_first_rows.
    order_index: np.ndarray | None = None
    # The columns the file has (an optional column left out leaves its field untouched).
    present: set[str] = field(default_factory=set)
    # Filled by csv_import: the id each row's reference column names (null: none).
    ids: dict[str, pa.Array] = field(default_factory=dict)


def check_table(raw: RawTable) -> CheckedTable:
    """Check every cell of ``raw`` and the rules between rows."""
    errors = ErrorLog()
    for err in raw.row_errors:
        errors.add(np.array([err.row]), err.column, err.reason)
    bad: dict[str, np.ndarray] = {}
    columns: dict[str, pa.Array] = {}
    for spec in COLUMNS[raw.kind]:
        cells = raw.columns.get(spec.name)
        if cells is None:
            cells = pa.array([""] * raw.num_rows, type=pa.string())
        typed, bad_mask = _check_column(spec, cells, errors)
        columns[spec.name] = typed
        bad[spec.name] = bad_mask
    checked = CheckedTable(kind=raw.kind, columns=columns, num_rows=raw.num_rows, errors=errors,
                           present=set(raw.columns))
    key = list(KEYS[raw.kind])
    if raw.kind is Kind.ORDERS:
        _check_orders(checked, bad)
    elif len(key) == 1:
        _check_unique(checked, key, key[0], f"the same {key[0]} is on line {{line}}")
    else:
        _check_unique(checked, key, key[-1] if raw.kind is not Kind.INTERACTIONS else "occurred_at",
                      f"line {{line}} has the same {', '.join(key[:-1])} and {key[-1]}")
    _check_kind_rules(checked, bad)
    if raw.row_errors:
        # A row with the wrong number of fields has no meaningful cells: report only that.
        errors.drop_cells_of(np.array([e.row for e in raw.row_errors]))
    return checked


def _check_column(spec: ColumnSpec, cells: pa.Array, errors: ErrorLog) -> tuple[pa.Array, np.ndarray]:
    """Check each distinct value of ``cells`` once (a file repeats SKUs, prices, an order's
    date and customer on each of its lines), then map the results back to the rows."""
    encoded = pc.dictionary_encode(cells)
    codes = np.asarray(encoded.indices)
    found = ErrorLog()
    typed, bad = _check_distinct(spec, encoded.dictionary, found)
    for distinct_rows, column, reason, values, _ in found.entries:
        position = np.full(len(encoded.dictionary), -1, dtype=np.int64)
        position[distinct_rows] = np.arange(len(distinct_rows))
        rows = np.flatnonzero(position[codes] >= 0)
        row_values = None if values is None else pc.take(values, pa.array(position[codes[rows]]))
        errors.add(rows, column, reason, values=row_values)
    return pc.take(typed, encoded.indices), bad[codes]


def _check_distinct(spec: ColumnSpec, cells: pa.Array, errors: ErrorLog) -> tuple[pa.Array, np.ndarray]:
    value = pc.utf8_trim_whitespace(cells)
    empty = _np(pc.equal(pc.utf8_length(value), 0))
    bad = np.zeros(len(cells), dtype=bool)
    if spec.required:
        errors.add(np.flatnonzero(empty), spec.name, "is empty")
        bad |= empty
    filled = ~empty

    def fail(mask: np.ndarray, reason: str, values: pa.Array | None = None) -> None:
        nonlocal bad
        mask = mask & filled & ~bad
        errors.add(np.flatnonzero(mask), spec.name, reason, values=_take(values, mask))
        bad |= mask

    # Neither database stores U+0000 the same way (PostgreSQL refuses it): no cell holds one.
    fail(_np(pc.match_substring(value, "\x00")), "holds a NUL character (U+0000), which cannot be stored")
    kind = spec.type
    if kind is CellType.TEXT or kind is CellType.EMAIL or kind is CellType.PHONE:
        pattern = NEUTRALISED_PHONE if kind is CellType.PHONE else NEUTRALISED
        value = pc.replace_substring_regex(value, pattern=pattern, replacement=r"\1")
        if kind is CellType.EMAIL:
            fail(~_np(pc.match_substring_regex(value, r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
                 "is not an email address")
    elif kind is CellType.COUNTRY or kind is CellType.CURRENCY:
        value = pc.utf8_upper(value)
        size = 2 if kind is CellType.COUNTRY else 3
        name = "an ISO 3166 country code" if size == 2 else "an ISO 4217 currency code"
        fail(~_np(pc.match_substring_regex(value, f"^[A-Z]{{{size}}}$")), f"{{value}} is not {name}", value)
    elif kind is CellType.CHOICE:
        value = pc.utf8_lower(value)
        choices = allowed_words(spec)
        allowed = ", ".join(choices)
        fail(~_np(pc.is_in(value, value_set=pa.array(choices, pa.string()))),
             f"{{value}} is not one of {allowed}", value)
        if spec.default is not None:
            value = pc.if_else(pa.array(empty), spec.default, value)
    elif kind is CellType.WORDS:
        value = pc.replace_substring_regex(value, pattern=NEUTRALISED, replacement=r"\1")
        return _check_words(spec, value, bad, fail)
    elif kind is CellType.BOOLEAN:
        value = pc.utf8_lower(value)
        truth = _np(pc.is_in(value, value_set=pa.array(TRUE_WORDS)))
        fail(~truth & ~_np(pc.is_in(value, value_set=pa.array(FALSE_WORDS))),
             "{value} is not true or false", value)
        value = pa.array(np.where(truth, "true", "false"), pa.string())
        if spec.default is not None:
            value = pc.if_else(pa.array(empty), spec.default, value)
        return value, bad
    elif kind is CellType.DATE:
        return _check_date(value, empty, bad, fail)
    elif kind is CellType.INTEGER:
        return _check_integer(spec, value, empty, bad, fail)
    elif kind is CellType.DATETIME:
        return _check_datetime(spec, value, empty, bad, fail)
    elif kind is CellType.QUANTITY:
        return _check_quantity(value, bad, fail)
    elif kind is CellType.AMOUNT:
        return _check_amount(spec, value, empty, bad, fail)
    if spec.max_length is not None:
        length = pc.utf8_length(value)
        fail(_np(pc.greater(length, spec.max_length)),
             f"is {{value}} characters long; at most {spec.max_length} are allowed", length)
    return value, bad


def allowed_words(spec: ColumnSpec) -> list[str]:
    """The words a CHOICE or WORDS column takes: its choices, or its vocabulary's current words."""
    if spec.choices:
        return list(spec.choices)
    if spec.vocabulary is None:
        return []
    from clientela.crm.vocabularies.queries import words

    return words(spec.vocabulary)


def _check_words(spec, value, bad, fail):  # type: ignore[no-untyped-def]
    """A list separated by ";": each word trimmed, empty ones and repeats dropped, kept as
    one text joined by ";" (the loader splits it). Closed lists (roles) are lower-case."""
    choices = set(spec.choices)
    texts = value.to_pylist()
    out: list[str] = []
    wrong: list[str | None] = []
    long: list[str | None] = []
    for text in texts:
        words: list[str] = []
        first_wrong = first_long = None
        for word in (text or "").split(WORD_SEPARATOR):
            word = word.strip()
            if choices:
                word = word.lower()
            if not word or word in words:
                continue
            if choices and word not in choices and first_wrong is None:
                first_wrong = word
            if spec.max_length is not None and len(word) > spec.max_length and first_long is None:
                first_long = word
            words.append(word)
        out.append(WORD_SEPARATOR.join(words))
        wrong.append(first_wrong)
        long.append(first_long)
    wrong_values, long_values = pa.array(wrong, pa.string()), pa.array(long, pa.string())
    fail(~_np(pc.is_null(wrong_values)), f"{{value}} is not one of {', '.join(spec.choices)}", wrong_values)
    fail(~_np(pc.is_null(long_values)), f"{{value}} is longer than {spec.max_length} characters", long_values)
    return pa.array(out, pa.string()), bad


def _check_date(value, empty, bad, fail):  # type: ignore[no-untyped-def]
    fail(~_np(pc.match_substring_regex(value, r"^\d{4}-\d{2}-\d{2}$")), "{value} is not a date (YYYY-MM-DD)",
         value)
    candidates = pc.if_else(pa.array(bad | empty), pa.scalar(None, pa.string()), value).to_pandas()
    parsed = pd.to_datetime(candidates, format="%Y-%m-%d", errors="coerce")
    result = pa.Array.from_pandas(parsed).cast(pa.timestamp("s"), safe=False)
    fail(_np(pc.is_null(result)) & ~empty, "{value} is not a valid date", value)
    years = pc.fill_null(pc.year(result), 2000)
    fail(_np(pc.less(years, 1900)) | _np(pc.greater(years, 2999)), f"{{value}} {input_bounds.OUT_OF_RANGE}",
         value)
    return pc.cast(result, pa.date32()), bad


def _check_integer(spec, value, empty, bad, fail):  # type: ignore[no-untyped-def]
    fail(~_np(pc.match_substring_regex(value, r"^[+-]?\d{1,10}$")), "{value} is not a whole number", value)
    digits = pc.replace_substring_regex(value, r"^\+", "")
    numbers = pc.cast(pc.if_else(pa.array(bad | empty), "0", digits), pa.int64())
    if spec.minimum is not None:
        fail(~bad & _np(pc.less(numbers, spec.minimum)), f"must be at least {spec.minimum} (got {{value}})", value)
    if spec.maximum is not None:
        fail(~bad & _np(pc.greater(numbers, spec.maximum)), f"must be at most {spec.maximum} (got {{value}})",
             value)
    return pc.if_else(pa.array(empty), pa.scalar(None, pa.int64()), numbers), bad


def _check_datetime(spec, value, empty, bad, fail):  # type: ignore[no-untyped-def]
    fail(~_np(pc.match_substring_regex(value, ISO_DATETIME)),
         "{value} is not an ISO-8601 date or date-time (YYYY-MM-DD[THH:MM[:SS]][±HH:MM])", value)
    # The values are distinct (see _check_column), so each is parsed once.
    candidates = pc.if_else(pa.array(bad | empty), pa.scalar(None, pa.string()), value).to_pandas()
    parsed = pd.to_datetime(candidates.str.replace(",", ".", regex=False), format="ISO8601",
                            utc=True, errors="coerce")
    result = pa.Array.from_pandas(parsed).cast(TIMESTAMP, safe=False)
    fail(_np(pc.is_null(result)) & ~empty, "{value} is not a valid date or is out of range", value)
    # The times of imported records (orders, interactions, acquisitions) are events: the
    # rule of input_bounds, as in the API and on the pages.
    earliest, latest = input_bounds.event_window()
    fail(_np(pc.less(result, pa.scalar(earliest, TIMESTAMP))),
         f"{{value}} {input_bounds.OUT_OF_RANGE}", value)
    fail(_np(pc.greater(result, pa.scalar(latest, TIMESTAMP))),
         f"{{value}} {input_bounds.IN_THE_FUTURE}", value)
    return result, bad


def _check_quantity(value, bad, fail):  # type: ignore[no-untyped-def]
    fail(~_np(pc.match_substring_regex(value, r"^[+-]?\d+$")), "{value} is not a whole number", value)
    fail(_np(pc.greater(pc.utf8_length(pc.replace_substring_regex(value, r"^[+-]?0*", "")), 10)),
         "{value} is too large", value)
    # "+5" is 5: the sign is dropped before the cast (Arrow's cast refuses it).
    digits = pc.replace_substring_regex(value, r"^\+", "")
    numbers = pc.cast(pc.if_else(pa.array(bad), "0", digits), pa.int64())
    fail(~bad & _np(pc.less_equal(numbers, 0)), "must be greater than 0 (got {value})", value)
    fail(~bad & _np(pc.greater(numbers, MAX_QUANTITY)), "{value} is too large", value)
    return numbers, bad


def _check_amount(spec, value, empty, bad, fail):  # type: ignore[no-untyped-def]
    written = value  # errors quote the cell as written, not as rewritten below
    value = pc.replace_substring(value, ",", ".")
    fail(~_np(pc.match_substring_regex(value, r"^[+-]?\d+(\.\d+)?$")),
         "{value} is not a number (write 1234.50 or 1234,50, without thousands separators)", written)
    fail(_np(pc.starts_with(value, "-")), "must not be negative (got {value})", written)
    value = pc.replace_substring_regex(value, r"^\+?0*(\d)", r"\1")
    fail(_np(pc.match_substring_regex(value, rf"\.\d{{{spec.decimals + 1},}}$")),
         f"{{value}} has more than {spec.decimals} decimal places", written)
    fail(~_np(pc.match_substring_regex(value, rf"^\d{{1,{spec.integer_digits}}}(\.|$)")),
         f"{{value}} is too large (at most {spec.integer_digits} digits before the decimal point)",
         written)
    if spec.default is not None:
        value = pc.if_else(pa.array(empty), spec.default, value)
    else:
        value = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), value)
    return value, bad


def _check_kind_rules(checked: CheckedTable, bad: dict[str, np.ndarray]) -> None:
    """The rules between a row's cells, per kind."""
    cols, kind = checked.columns, checked.kind
    if kind in (Kind.PARTIES, Kind.CUSTOMERS) and "referred_by" in checked.present:
        itself = _np(pc.equal(cols["referred_by"], cols["customer_ref"]))
        checked.errors.add(np.flatnonzero(itself), "referred_by", "names the party itself")
    elif kind is Kind.DEALS:
        closed = _np(pc.is_in(cols["status"], value_set=pa.array(["won", "lost"])))
        has_date = ~_np(pc.is_null(cols["closed_at"]))
        ok = ~bad["status"] & ~bad["closed_at"]
        checked.errors.add(np.flatnonzero(ok & closed & ~has_date), "closed_at", "is empty; a won or lost deal "
                           "has the time it closed")
        checked.errors.add(np.flatnonzero(ok & ~closed & has_date), "closed_at", "must be empty for an open deal")
    elif kind is Kind.SURVEY_ANSWERS:
        score = pc.fill_null(cols["score"], 0)
        csat = _np(pc.equal(cols["survey_kind"], "csat"))
        out = csat & (_np(pc.less(score, 1)) | _np(pc.greater(score, 5)))
        checked.errors.add(np.flatnonzero(out & ~bad["score"] & ~bad["survey_kind"]), "score",
                           "a CSAT score lies between 1 and 5")
    elif kind is Kind.LOYALTY:
        points = pc.fill_null(cols["points"], 0)
        entry = cols["kind"]
        wrong = _np(pc.equal(points, 0))
        wrong |= _np(pc.equal(entry, "earn")) & _np(pc.less(points, 0))
        wrong |= _np(pc.is_in(entry, value_set=pa.array(["redeem", "expire"]))) & _np(pc.greater(points, 0))
        checked.errors.add(np.flatnonzero(wrong & ~bad["points"] & ~bad["kind"]), "points",
                           "must not be 0; earn is positive, redeem and expire negative")
    elif kind is Kind.EXCHANGE_RATES:
        # Only cells that passed their check are cast (a bad one could not be).
        rate = pc.fill_null(pc.if_else(pa.array(~bad["rate"]), cols["rate"], "1"), "1")
        zero = _np(pc.equal(pc.cast(rate, pa.decimal128(19, 8)), pa.scalar(0, pa.decimal128(19, 8))))
        checked.errors.add(np.flatnonzero(zero & ~bad["rate"]), "rate", "must be greater than 0")
    elif kind is Kind.ORDERS and "returned_at" in checked.present:
        stray = ~_np(pc.is_null(cols["returned_at"])) & ~_np(pc.equal(cols["status"], "returned"))
        checked.errors.add(np.flatnonzero(stray & ~bad["status"]), "returned_at",
                           "is set, but the order's status is not returned")


def _check_unique(checked: CheckedTable, key: list[str], column: str, reason: str) -> None:
    codes = _codes(checked, key)
    first_row = _first_rows(codes)[codes]
    dup = np.flatnonzero(first_row != np.arange(len(codes)))
    checked.errors.add(dup, column, reason, other_rows=first_row[dup])


def _check_orders(checked: CheckedTable, bad: dict[str, np.ndarray]) -> None:
    cols = checked.columns
    codes = _np(pc.dictionary_encode(cols["order_ref"]).indices).astype(np.int64)
    n = len(codes)
    firsts = _first_rows(codes)
    first_row = firsts[codes]
    for name in ORDER_HEADER:
        if name not in checked.present and name not in ("customer_ref", "ordered_at", "currency"):
            continue
        differs = ~_np(pc.fill_null(pc.equal(pc.take(cols[name], pa.array(first_row)), cols[name]),
                                    pc.and_(pc.is_null(pc.take(cols[name], pa.array(first_row))),
                                            pc.is_null(cols[name]))))
        differs &= ~bad[name] & ~bad[name][first_row]
        rows = np.flatnonzero(differs)
        checked.errors.add(
            rows, name, f"differs from line {{line}} of the same order_ref (an order has one {name})",
            other_rows=first_row[rows],
        )
    # Position of each line within its order, in file order.
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1] if n else np.array([], np.int64)
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    line_no = np.empty(n, dtype=np.int64)
    line_no[order] = np.arange(n) - group_start + 1
    checked.line_no = line_no
    first_rows = np.sort(firsts)
    checked.order_first_rows = first_rows
    rank = np.empty(len(firsts), dtype=np.int64)
    rank[np.argsort(firsts, kind="stable")] = np.arange(len(firsts))
    checked.order_index = rank[codes]
    checked.order_line_counts = np.bincount(codes)[codes[first_rows]] if n else first_rows
    # A discount is money off the whole line: it cannot exceed the line's amount.
    ok = ~(bad["quantity"] | bad["unit_price"] | bad["discount"])
    quantity = pc.cast(pc.if_else(pa.array(ok), cols["quantity"], 0), pa.decimal128(19, 0))
    price = pc.cast(pc.if_else(pa.array(ok), cols["unit_price"], "0"), pa.decimal128(16, 4))
    discount = pc.cast(pc.if_else(pa.array(ok), cols["discount"], "0"), pa.decimal128(16, 4))
    too_big = _np(pc.greater(discount, pc.multiply(quantity, price)))
    checked.errors.add(np.flatnonzero(too_big), "discount", "is larger than quantity × unit_price")


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """For dense codes 0..k-1, the first row holding each code."""
    firsts = np.full(int(codes.max()) + 1 if len(codes) else 0, len(codes), dtype=np.int64)
    np.minimum.at(firsts, codes, np.arange(len(codes)))
    return firsts


def _codes(checked: CheckedTable, key: list[str]) -> np.ndarray:
    parts = [pc.fill_null(pc.cast(checked.columns[k], pa.string()), "") for k in key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    return _np(pc.fill_null(pc.dictionary_encode(joined).indices, -1)).astype(np.int64)


def _np(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False) if pa.types.is_boolean(array.type) else array)


def _take(values: pa.Array | None, mask: np.ndarray) -> pa.Array | None:
    return None if values is None else pc.filter(values, pa.array(mask))


def _shorten(value: object) -> str:
    if not isinstance(value, str):
        return "" if value is None else str(value)
    return repr(value if len(value) <= 40 else value[:37] + "...")
