"""QR codes drawn as vector paths into ReportLab (module matrix from the `qrcode` library, error correction M, or L
where that takes fewer modules and the code must stay small)."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

__all__ = ["QRFlowable", "draw_qr", "qr_matrix"]


def _matrix(data: str, level: int) -> tuple[tuple[bool, ...], ...]:
    code = qrcode.QRCode(error_correction=level, border=0, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


@lru_cache(maxsize=512)
def qr_matrix(data: str, fewest_modules: bool = False) -> tuple[tuple[bool, ...], ...]:
    """Module matrix (True = dark) for ``data``, without quiet zone; cached because every page repeats it.

    With ``fewest_modules`` a code that error correction L makes smaller than M uses L: in a fixed small square,
    larger modules read better from a print than the extra correction would help."""
    matrix = _matrix(data, ERROR_CORRECT_M)
    if fewest_modules:
        low = _matrix(data, ERROR_CORRECT_L)
        if len(low) < len(matrix):
            return low
    return matrix


@lru_cache(maxsize=512)
def _path_ops(data: str, fewest_modules: bool = False) -> str:
    """PDF fill operators for the dark modules in module units, rows top-down (y grows downwards).

    Horizontal runs of dark modules become one ``re`` each: far fewer operators than one per module, all integers,
    so the string is built once per URL and reused on every page.
    """
    ops: list[str] = []
    for r, row in enumerate(qr_matrix(data, fewest_modules)):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {r} {c - start} 1 re")
            else:
                c += 1
    ops.append("f")
    return "\n".join(ops)


def draw_qr(
    canvas: Canvas,
    data: str,
    x: float,
    y: float,
    size: float,
    *,
    quiet_zone: bool = True,
    fewest_modules: bool = False,
) -> None:
    """Draw the QR for ``data`` with its lower-left corner at (x, y), ``size`` points wide, as one filled path.

    With ``quiet_zone`` a white square one module wider on each side is painted first, so text or lines drawn
    nearby later cannot touch the code; the full 4-module quiet zone must come from the surrounding layout.
    """
    n = len(qr_matrix(data, fewest_modules))
    module = size / n
    canvas.saveState()
    if quiet_zone:
        canvas.setFillColor(colors.white)
        canvas.rect(x - module, y - module, size + 2 * module, size + 2 * module, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.translate(x, y + size)
    canvas.scale(module, -module)
    canvas.addLiteral(_path_ops(data, fewest_modules))
    canvas.restoreState()


class QRFlowable(Flowable):
    """A square QR code of ``size`` points for use in platypus stories."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.data = data
        self.size = size
        self.width = self.height = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.data, 0, 0, self.size)
