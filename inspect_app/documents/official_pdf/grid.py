"""Grid tables of short plain cells (text already broken to the column width, far cheaper than a Paragraph each),
and a sub-heading kept on the page with its table's head and first row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from .styles import Styles, break_lines, markup, nfc, para

__all__ = [
    "GridParts",
    "PlainCell",
    "TableHeadBreak",
    "grid_style",
    "plain_cell",
    "plain_cell_styles",
    "table_section",
]

# A grid's rows, column widths and extra style commands.
GridParts = tuple[list[list[object]], list[float], list[tuple]]


def grid_style(extra: Iterable[tuple] = ()) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


class PlainCell(str):
    """A table cell drawn as plain text lines (already broken to the column width) instead of a Paragraph.

    Tables are mostly short texts; a plain cell costs a fraction of a Paragraph to lay out and draw.
    """

    font = "regular"  # "regular", "bold" or "italic"
    align = "CENTER"


# A table row must fit on one page: a cell longer than this (a stored 2,000-character name) is cut short, and says
# how much of it is left out, rather than failing the whole document.
MAX_CELL_CHARS = 400
MAX_CELL_LINES = 30


def shortened(text: str, limit: int) -> str:
    return f"{text[:limit]} … [còn {len(text) - limit} ký tự]"


def plain_cell(
    text: str, width: float, st: Styles, *, font: str = "regular", align: str = "CENTER"
) -> object:
    """``text`` as a plain cell broken to fit a column ``width`` wide (a Paragraph only for over-long words)."""
    text = nfc(text)
    face = {"regular": st.fonts.regular, "bold": st.fonts.bold, "italic": st.fonts.italic}[font]
    if len(text) > MAX_CELL_CHARS:
        text = shortened(text, MAX_CELL_CHARS)
    lines = break_lines(text, face, st.cell.fontSize, width - 6)  # the cell padding is 3 pt each side
    if lines is not None and len(lines) > MAX_CELL_LINES:
        kept = "\n".join(lines[: MAX_CELL_LINES - 1])
        lines = [*lines[: MAX_CELL_LINES - 1], f"… [còn {len(text) - len(kept)} ký tự]"]
    if lines is None:
        text_markup = {"bold": "<b>{}</b>", "italic": "<i>{}</i>"}.get(font, "{}").format(markup(text))
        return Paragraph(text_markup, st.cell if align == "LEFT" else st.cell_center)
    cell = PlainCell("\n".join(lines))
    cell.font = font
    cell.align = align
    return cell


def plain_cell_styles(rows: list[list[object]], st: Styles) -> list[tuple]:
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.fonts.regular, st.cell.fontSize, st.cell.leading),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]
    faces = {"bold": st.fonts.bold, "italic": st.fonts.italic}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, PlainCell):
                if cell.font in faces:
                    cmds.append(("FONTNAME", (c, r), (c, r), faces[cell.font]))
                if cell.align != "CENTER":
                    cmds.append(("ALIGN", (c, r), (c, r), cell.align))
    return cmds


class TableHeadBreak(CondPageBreak):
    """Breaks the page before a table's heading unless the heading, the table head and first row fit.

    Measures the real table when the frame asks: the row heights Table.wrap leaves in ``_rowHeights``.
    """

    def __init__(self, above: Sequence[Flowable], table: Table, rows: int) -> None:
        super().__init__(0)
        self.above = above
        self.table = table
        self.rows = rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        need = 2.0
        for f in self.above:
            need += f.wrap(availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        self.table.wrap(availWidth, availHeight)
        need += sum(self.table._rowHeights[: self.rows])
        self.height = need
        return super().wrap(availWidth, availHeight)


def table_section(title: str, parts: GridParts, st: Styles, intro: Sequence[Flowable] = ()) -> list[Flowable]:
    """A sub-heading and its grid table, the heading kept on the page only if the table head and first row fit."""
    rows, widths, extra = parts
    extra = plain_cell_styles(rows, st) + extra
    lead_rows = min(len(rows), 3 if any(cmd[0] == "SPAN" for cmd in extra) else 2)  # head, (group,) first row
    heading = para(title, st.heading)
    table = Table(rows, colWidths=widths, repeatRows=1, style=grid_style(extra))
    return [TableHeadBreak([heading, *intro], table, lead_rows), heading, *intro, table]
