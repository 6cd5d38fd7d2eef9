"""Registers one Vietnamese-capable serif family (regular, bold, italic, bold-italic) with ReportLab, once per process."""

from __future__ import annotations

import importlib.resources
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "VIETNAMESE_SAMPLE",
    "FontFamily",
    "FontNotFound",
    "register_serif_family",
]

LIBERATION2_DIR = Path("/usr/share/fonts/truetype/liberation2")

# Every lower- and upper-case Vietnamese letter with its diacritics, plus đ/Đ; used to check a font's coverage.
VIETNAMESE_SAMPLE = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
)

# File names of Times New Roman as shipped with Windows/Office: a ward can drop these into PDF_FONT_DIR.
_DEFAULT_CONFIGURED_FILES = ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf")
_LIBERATION_FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
)
_PLEX_FILES = (
    "IBMPlexSerif-Regular.ttf",
    "IBMPlexSerif-Bold.ttf",
    "IBMPlexSerif-Italic.ttf",
    "IBMPlexSerif-BoldItalic.ttf",
)


class FontNotFound(RuntimeError):
    """No usable serif family with full Vietnamese coverage was found."""


@dataclass(frozen=True)
class FontFamily:
    """Names of the four registered faces; use them in ReportLab styles."""

    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    source: str  # "configured", "liberation2" or "ibm-plex-serif"


_log = logging.getLogger(__name__)
_lock = threading.Lock()
_registered: dict[tuple[str, ...], FontFamily] = {}
# The characters every face of the registered family can draw (None until one is registered).
_covered: frozenset[int] | None = None


def covered_code_points() -> frozenset[int] | None:
    """The code points all four faces of the registered family have a glyph for; None before any registration."""
    return _covered


def _missing_glyphs(font: TTFont) -> str:
    cmap = font.face.charToGlyph
    return "".join(ch for ch in VIETNAMESE_SAMPLE if ord(ch) not in cmap)


def _register(family: str, paths: tuple[Path, Path, Path, Path], source: str) -> FontFamily:
    names = (family, f"{family}-Bold", f"{family}-Italic", f"{family}-BoldItalic")
    for name, path in zip(names, paths, strict=True):
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        font = TTFont(name, str(path))
        missing = _missing_glyphs(font)
        if missing:
            raise FontNotFound(f"{path} lacks Vietnamese letters: {missing}")
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
    )
    addMapping(family, 0, 0, names[0])
    addMapping(family, 1, 0, names[1])
    addMapping(family, 0, 1, names[2])
    addMapping(family, 1, 1, names[3])
    global _covered
    faces = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in names]
    _covered = frozenset(set.intersection(*faces))
    return FontFamily(family, *names, source=source)


def _plex_dir() -> Path | None:
    try:
        files = importlib.resources.files("fontpkg_ibm_plex_serif") / "files"
    except ModuleNotFoundError:
        return None
    path = Path(str(files))
    return path if path.is_dir() else None


def _candidates(
    font_dir: str | os.PathLike[str] | None, family: str | None, files: tuple[str, str, str, str] | None
) -> list[tuple[str, tuple[Path, Path, Path, Path], str]]:
    out: list[tuple[str, tuple[Path, Path, Path, Path], str]] = []
    configured_dir = font_dir if font_dir is not None else os.environ.get("PDF_FONT_DIR") or None
    if configured_dir:
        env_files = tuple(
            os.environ.get(var) or default
            for var, default in zip(
                ("PDF_FONT_REGULAR", "PDF_FONT_BOLD", "PDF_FONT_ITALIC", "PDF_FONT_BOLDITALIC"),
                _DEFAULT_CONFIGURED_FILES,
                strict=True,
            )
        )
        names = files or env_files
        base = Path(configured_dir)
        fam = family or os.environ.get("PDF_FONT_FAMILY") or "VNSerif"
        out.append((fam, tuple(base / n for n in names), "configured"))  # type: ignore[arg-type]
    out.append(("LiberationSerif", tuple(LIBERATION2_DIR / n for n in _LIBERATION_FILES), "liberation2"))  # type: ignore[arg-type]
    plex = _plex_dir()
    if plex is not None:
        out.append(("IBMPlexSerif", tuple(plex / n for n in _PLEX_FILES), "ibm-plex-serif"))  # type: ignore[arg-type]
    return out


def register_serif_family(
    font_dir: str | os.PathLike[str] | None = None,
    *,
    family: str | None = None,
    files: tuple[str, str, str, str] | None = None,
) -> FontFamily:
    """Register the first usable family (configured dir, Liberation Serif, IBM Plex Serif) and return its names.

    ``font_dir`` (or env ``PDF_FONT_DIR``) holds four TTF files named by ``files`` (regular, bold, italic,
    bold-italic; env ``PDF_FONT_REGULAR`` … ``PDF_FONT_BOLDITALIC``; default Times New Roman's ``times*.ttf``),
    registered as ``family`` (env ``PDF_FONT_FAMILY``). Results are cached: calling again is free.
    """
    key = (
        str(font_dir) if font_dir is not None else "",
        family or "",
        "|".join(files or ()),
        os.environ.get("PDF_FONT_DIR", ""),
        os.environ.get("PDF_FONT_FAMILY", ""),
    )
    cached = _registered.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _registered.get(key)
        if cached is not None:
            return cached
        errors: list[str] = []
        for fam, paths, source in _candidates(font_dir, family, files):
            if not all(p.is_file() for p in paths):
                errors.append(f"{source}: missing {[str(p) for p in paths if not p.is_file()]}")
                continue
            try:
                result = _register(fam, paths, source)
            except (
                FontNotFound,
                OSError,
                ValueError,
            ) as exc:  # a broken or incomplete font: try the next one
                errors.append(f"{source}: {exc}")
                continue
            if errors:
                _log.warning("PDF fonts: using %s after skipping: %s", source, "; ".join(errors))
            _registered[key] = result
            return result
        raise FontNotFound("no Vietnamese serif font family found; " + "; ".join(errors))
