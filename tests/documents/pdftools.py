"""Reading rendered PDFs back in tests: text with pypdf, pages to PNG with pdftoppm, QR codes with zbarimg."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """Path of a command-line tool; a missing tool fails the test in CI (CI=true) and skips it elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: poppler-utils / zbar-tools)"
        if IN_CI:
            pytest.fail(message + " but CI=true requires it")
        pytest.skip(message)
    return path


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(pdf).pages]


def page_png(pdf: bytes, page: int, workdir: Path, dpi: int = 150) -> Path:
    """Render one page (1-based) to PNG the way TOOLING.md says a phone photo of a print would look: 150 dpi."""
    pdftoppm = require_tool("pdftoppm")
    src = workdir / "doc.pdf"
    if not src.exists() or src.read_bytes() != pdf:
        src.write_bytes(pdf)
    out = workdir / f"page-{page}"
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(src),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.with_suffix(".png")


def printed_page_png(pdf: bytes, page: int, workdir: Path, dpi: int = 100, border_mm: float = 10) -> Path:
    """One page as an office printer puts it on paper and a plain scan reads it back: rendered at ``dpi`` with the
    ``border_mm`` the printer cannot print cut away on every side."""
    pdftoppm = require_tool("pdftoppm")
    box = reader(pdf).pages[page - 1].mediabox
    border = round(border_mm / 25.4 * dpi)
    width, height = (round(float(side) / 72 * dpi) for side in (box.width, box.height))
    src = workdir / "printed.pdf"
    src.write_bytes(pdf)
    out = workdir / f"printed-{page}"
    crop = [
        "-x",
        str(border),
        "-y",
        str(border),
        "-W",
        str(width - 2 * border),
        "-H",
        str(height - 2 * border),
    ]
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            *crop,
            "-singlefile",
            str(src),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.with_suffix(".png")


def decode_qr(png: Path) -> list[str]:
    """Every QR/barcode payload zbarimg finds on the image (empty list if none)."""
    zbarimg = require_tool("zbarimg")
    result = subprocess.run([zbarimg, "-q", "--raw", str(png)], check=False, capture_output=True, timeout=60)
    if result.returncode not in (0, 4):  # 4 = no symbol found
        raise RuntimeError(f"zbarimg failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return [line for line in result.stdout.decode("utf-8").splitlines() if line]
