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


def decode_qr(png: Path) -> list[str]:
    """Every QR/barcode payload zbarimg finds on the image (empty list if none)."""
    zbarimg = require_tool("zbarimg")
    result = subprocess.run([zbarimg, "-q", "--raw", str(png)], check=False, capture_output=True, timeout=60)
    if result.returncode not in (0, 4):  # 4 = no symbol found
        raise RuntimeError(f"zbarimg failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return [line for line in result.stdout.decode("utf-8").splitlines() if line]
