"""List exports as files: rows of plain values → CSV (UTF-8 with BOM) or XLSX (XlsxWriter, constant_memory).

Pure: no Flask, no database. A list is described by its ``Field``s (Vietnamese header, kind, labels); rows are
tuples of stored values in the same order. Decisions, in one place:

- Codes become their Vietnamese labels; dates are dd/mm/yyyy, instants Việt Nam wall-clock time (UTC+7).
- Decimals are exact. CSV writes the stored digits (``5.150``, a dot, as every other system reads them). XLSX writes
  a number cell with a format showing exactly the stored decimal places, so Excel shows them in the user's locale
  (``5,150`` in Việt Nam) and can sum them; a value of more than 15 significant digits, which a spreadsheet's double
  cannot hold, is written as text instead. Nothing is ever rounded to fewer digits than stored.
- Formula injection: a CSV text cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe
  (OWASP), so Excel and LibreOffice show it as text. XLSX text is written as string cells (never ``write()``, which
  would guess formulas or links), which no spreadsheet evaluates, so it is kept exactly as stored.
- Text a format cannot hold is cut or replaced, never a failed export: XLSX cells hold at most 32,767 characters and
  no XML-illegal control characters; a sheet holds 1,048,576 rows (more continue on a new sheet).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from ..domain.time import DATE_TIME_FORMAT, in_vn

BOM = "\ufeff"
KINDS = ("text", "int", "decimal", "float", "date", "datetime", "bool")
# Characters that make a spreadsheet read a CSV cell as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_TEXT = 32_767
XLSX_MAX_ROWS = 1_048_576
# A double holds every decimal of up to 15 significant digits exactly enough that it prints back the same.
XLSX_EXACT_DIGITS = 15
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CSV_ROWS_PER_CHUNK = 500


@dataclass(frozen=True)
class Field:
    """One column of an export: its Vietnamese header and how a stored value becomes a cell.

    ``labels`` maps codes to Vietnamese labels (a comma-separated list of codes becomes their labels joined by
    "; "); ``convert`` turns the stored value (or values) into the cell's value before the kind applies; ``places``
    is the number of decimals shown for a float; ``width`` the XLSX column width in characters.
    """

    header: str
    kind: str = "text"
    labels: Mapping[str, str] | None = None
    convert: Callable[..., Any] | None = None
    places: int = 0
    width: float = 14
    # What the column holds, for a layout others read (the XLSX gets a sheet "Mô tả cột" when a field has one).
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    def value(self, raw: Any) -> Any:
        """The cell's plain value (before the CSV or XLSX form): a label, a converted value, or the stored one."""
        if self.convert is not None:
            raw = self.convert(*raw) if isinstance(raw, tuple) else self.convert(raw)
        if raw is None:
            return None
        if self.labels is not None:
            codes = [code for code in str(raw).split(",") if code]
            return "; ".join(self.labels.get(code, code) for code in codes)
        return raw


def neutralise(text: str) -> str:
    """Text a spreadsheet opening a CSV will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local_datetime(value: datetime) -> datetime:
    """An instant as naive Việt Nam wall-clock time (a naive value is taken as UTC)."""
    return in_vn(value).replace(tzinfo=None)


def decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]
    return text


def csv_cell(field: Field, raw: Any) -> str:
    value = field.value(raw)
    if value is None:
        return ""
    kind = field.kind
    if kind == "text" or field.labels is not None:
        return neutralise(str(value))
    if kind == "decimal":
        return decimal_text(value if isinstance(value, Decimal) else Decimal(str(value)))
    if kind == "int":
        return str(int(value))
    if kind == "float":
        return f"{value:.{field.places}f}" if math.isfinite(value) else ""
    if kind == "datetime":
        return local_datetime(value).strftime(DATE_TIME_FORMAT)
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if kind == "bool":
        return "Có" if value else "Không"
    raise AssertionError(kind)


def csv_chunks(fields: Sequence[Field], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file in chunks of a few hundred rows: a BOM (so Excel reads UTF-8), the headers, then each row.
    Memory holds one chunk, whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([field.header for field in fields])
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(field, raw) for field, raw in zip(fields, row, strict=True)])
        pending += 1
        if pending >= CSV_ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def xlsx_text(text: str) -> str:
    text = _XML_ILLEGAL.sub("\ufffd", text)
    if len(text) > XLSX_MAX_TEXT:
        text = text[: XLSX_MAX_TEXT - 1] + "…"
    return text


def _significant_digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


# A header row's cells: bold, wrapped, on a light background.
HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"}


def open_workbook(target: str | IO[bytes], *, tmpdir: str | None = None) -> Any:
    """An XlsxWriter workbook written row by row in constant_memory mode (write each sheet's rows in order), that
    never turns a string into a formula, a link or a number."""
    import xlsxwriter

    options: dict[str, Any] = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    }
    if tmpdir:
        options["tmpdir"] = tmpdir
    return xlsxwriter.Workbook(target, options)


def write_xlsx(
    target: str | IO[bytes],
    fields: Sequence[Field],
    rows: Iterable[Sequence[Any]],
    sheet_title: str,
    *,
    tmpdir: str | None = None,
) -> int:
    """Write the XLSX file to `target` (a path or a seekable binary file) row by row in constant_memory mode:
    memory holds one row, whatever the number of rows. Returns the number of data rows written."""
    workbook = open_workbook(target, tmpdir=tmpdir)
    header_format = workbook.add_format(HEADER_FORMAT)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    datetime_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    decimal_formats: dict[int, Any] = {}

    def decimal_format(places: int):
        if places not in decimal_formats:
            decimal_formats[places] = workbook.add_format(
                {"num_format": "0." + "0" * places if places > 0 else "0"}
            )
        return decimal_formats[places]

    float_formats = [decimal_format(field.places) if field.kind == "float" else None for field in fields]

    def new_sheet(number: int):
        title = sheet_title[:31] if number == 1 else f"{sheet_title[:24]} ({number})"
        sheet = workbook.add_worksheet(title)
        for col, field in enumerate(fields):
            sheet.set_column(col, col, field.width)
        sheet.freeze_panes(1, 0)
        for col, field in enumerate(fields):
            sheet.write_string(0, col, field.header, header_format)
        return sheet

    sheets = 1
    sheet = new_sheet(sheets)
    row_index = 0
    written = 0
    for row in rows:
        row_index += 1
        if row_index >= XLSX_MAX_ROWS:
            sheet.autofilter(0, 0, row_index - 1, len(fields) - 1)
            sheets += 1
            sheet = new_sheet(sheets)
            row_index = 1
        written += 1
        for col, (field, raw) in enumerate(zip(fields, row, strict=True)):
            value = field.value(raw)
            if value is None or (isinstance(value, str) and not value):
                continue  # a blank cell
            kind = field.kind
            if kind == "text" or field.labels is not None:
                sheet.write_string(row_index, col, xlsx_text(str(value)))
            elif kind == "decimal":
                value = value if isinstance(value, Decimal) else Decimal(str(value))
                if _significant_digits(value) > XLSX_EXACT_DIGITS:
                    sheet.write_string(row_index, col, decimal_text(value))
                else:
                    places = max(0, -value.as_tuple().exponent)
                    sheet.write_number(row_index, col, float(value), decimal_format(places))
            elif kind == "int":
                sheet.write_number(row_index, col, int(value))
            elif kind == "float":
                if math.isfinite(value):
                    sheet.write_number(row_index, col, value, float_formats[col])
            elif kind == "datetime":
                sheet.write_datetime(row_index, col, local_datetime(value), datetime_format)
            elif kind == "date":
                sheet.write_datetime(row_index, col, value, date_format)
            elif kind == "bool":
                sheet.write_string(row_index, col, "Có" if value else "Không")
    sheet.autofilter(0, 0, max(row_index, 1), len(fields) - 1)
    if any(field.note for field in fields):
        described = workbook.add_worksheet("Mô tả cột")
        described.set_column(0, 0, 6)
        described.set_column(1, 1, 34)
        described.set_column(2, 2, 90)
        for col, text in enumerate(("Cột", "Tên cột", "Nội dung")):
            described.write_string(0, col, text, header_format)
        for index, field in enumerate(fields, start=1):
            described.write_number(index, 0, index)
            described.write_string(index, 1, field.header)
            described.write_string(index, 2, field.note)
    workbook.close()
    return written
