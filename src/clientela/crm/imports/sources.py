"""Reading a user's file: CSV in one of four encodings with any common delimiter, or XLSX.

The wizard guesses the encoding and the delimiter of a CSV and shows its guess; the user
may change either. A guess between the two Windows code pages looks at the letters the
file's non-ASCII bytes make in each: Polish text read as Windows-1250 is mostly Polish
letters (ą, ę, ł, ó, ś, ż …), Russian text read as Windows-1250 is mostly letters no Polish
word has (Đ, ŕ, ĺ …) and reads as Cyrillic in Windows-1251.

An XLSX sheet is read with openpyxl twice in read-only mode: once for the values Excel
last computed (what is imported) and once to find the cells that hold formulas (shown to
the user, who confirms that the computed values are what they want).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from clientela.crm.errors import InvalidInput

if TYPE_CHECKING:
    from _csv import Reader  # csv.reader()'s type

ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
}
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
UTF8_BOM = b"\xef\xbb\xbf"
POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
XLSX_MAGIC = b"PK\x03\x04"
# Formula cells listed on the page (more are counted, not listed).
FORMULA_LIST_CAP = 20


@dataclass
class Sheet:
    """A file's header and an iterator over its data rows with the line (CSV) or sheet
    row (XLSX) where each starts."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    formula_cells: list[str] = field(default_factory=list)  # "C5", first FORMULA_LIST_CAP
    formula_count: int = 0
    uncomputed_cells: list[str] = field(default_factory=list)  # formulas without a saved value
    sheet_name: str = ""


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def file_format(name: str, data: bytes) -> str:
    """``xlsx`` for an Excel workbook (by its content: a ZIP), else ``csv``;
    ``InvalidInput`` for the formats the wizard does not read (.xls, UTF-16 text)."""
    if data.startswith(OLE2_MAGIC):
        raise InvalidInput({"file": _("This is an Excel 97-2003 workbook (.xls): save it as .xlsx or as CSV.")})
    if data.startswith(UTF16_BOMS):
        raise InvalidInput({"file": _("The file is UTF-16 text: save it as CSV in UTF-8 (“CSV UTF-8” in Excel).")})
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def guess_encoding(data: bytes) -> str:
    """One of ``ENCODINGS``: UTF-8 (with or without BOM) when the bytes are valid UTF-8,
    else Windows-1250 or Windows-1251 by the letters the non-ASCII bytes make."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    sample = data[: 1 << 20]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(data) > len(sample):  # cut in a character
            return "utf-8"
    high = bytes(b for b in sample if b >= 0x80)
    as_polish = high.decode("cp1250", errors="replace")
    polish = sum(ch in POLISH_LETTERS for ch in as_polish)
    return "cp1250" if polish >= 0.6 * max(len(high), 1) else "cp1251"


def decode(data: bytes, encoding: str) -> str:
    """The file's text in ``encoding``; ``InvalidInput`` (field ``encoding``) naming the
    line and byte where the bytes are not that encoding."""
    if encoding not in ENCODINGS:
        raise InvalidInput({"encoding": _("%(value)s is not one of the encodings offered") % {"value": encoding}})
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput({"encoding": _(
            "The file is not %(encoding)s: line %(line)s, byte %(byte)s is 0x%(hex)s. "
            "Choose the encoding the file was saved in."
        ) % {"encoding": ENCODINGS[encoding], "line": line, "byte": column,
             "hex": f"{data[exc.start]:02X}"}}) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text and "\n" not in text:  # classic Mac line ends
        text = text.replace("\r", "\n")
    return text


def guess_delimiter(text: str) -> str:
    """The delimiter of ``DELIMITERS`` that splits the first lines into the same number
    of fields most often (comma when none does)."""
    lines = [line for line in text[: 64 * 1024].splitlines()[:20] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        score = sum(width == widths[0] for width in widths) * widths[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_sheet(text: str, delimiter: str) -> Sheet:
    """The header and rows of CSV ``text``; ``InvalidInput`` for an empty file."""
    if delimiter not in DELIMITERS:
        raise InvalidInput({"delimiter": _("%(value)s is not one of the delimiters offered")
                            % {"value": repr(delimiter)}})
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, 2**31 - 1)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput({"file": _("Line 1 cannot be read as CSV: %(error)s") % {"error": exc}}) from None
    if header is None:
        raise InvalidInput({"file": _("The file is empty: expected a header line naming the columns.")})
    return Sheet(header=[h.strip() for h in header], rows=_csv_rows(reader))


def _csv_rows(reader: Reader) -> Iterator[tuple[int, list[str]]]:
    previous_end = reader.line_num
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in record):
                yield start, record
    except csv.Error as exc:
        raise InvalidInput({"file": _("Line %(line)s cannot be read as CSV: %(error)s")
                            % {"line": reader.line_num, "error": exc}}) from None


def xlsx_sheet(data: bytes) -> Sheet:
    """The first sheet of a workbook that holds anything, read as Excel last computed it."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidInput({"file": _("The file cannot be read as an Excel workbook (.xlsx).")}) from None
    for name in values.sheetnames:
        value_rows = values[name].iter_rows(values_only=True)
        formula_rows = formulas[name].iter_rows(values_only=True)
        header: list[str] | None = None
        row_no = 0
        for row_no, row in enumerate(value_rows, start=1):  # noqa: B007
            next(formula_rows, None)
            if any(_cell_text(v) for v in row):
                header = [_cell_text(v) for v in row]
                break
        if header is None:
            continue
        sheet = Sheet(header=header, rows=iter(()), sheet_name=name)
        sheet.rows = _xlsx_rows(value_rows, formula_rows, row_no, len(header), sheet)
        return sheet
    raise InvalidInput({"file": _("The workbook's sheets are empty: expected a header row naming the columns.")})


def _xlsx_rows(value_rows: Iterator[tuple[object, ...]], formula_rows: Iterator[tuple[object, ...]],
               header_row: int, width: int, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    from openpyxl.utils import get_column_letter

    for row_no, row in enumerate(value_rows, start=header_row + 1):
        raw = next(formula_rows, ())
        cells = [_cell_text(v) for v in row[:width]] + [""] * max(0, width - len(row))
        for index, source in enumerate(raw[:width]):
            if isinstance(source, str) and source.startswith("="):
                where = f"{get_column_letter(index + 1)}{row_no}"
                sheet.formula_count += 1
                if len(sheet.formula_cells) < FORMULA_LIST_CAP:
                    sheet.formula_cells.append(where)
                if row[index] is None and len(sheet.uncomputed_cells) < FORMULA_LIST_CAP:
                    sheet.uncomputed_cells.append(where)
        if any(cells):
            yield row_no, cells


def _cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold (dates in ISO-8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def open_sheet(data: bytes, *, file_format: str, encoding: str, delimiter: str) -> Sheet:
    """The header and rows of an upload with its reading settings."""
    if file_format == "xlsx":
        return xlsx_sheet(data)
    return csv_sheet(decode(data, encoding), delimiter)
