"""Font choice for the biên bản: configured directory first, then Liberation Serif, then IBM Plex Serif."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics

from inspect_app.documents import fonts
from inspect_app.documents.fonts import VIETNAMESE_SAMPLE, FontNotFound, register_serif_family

PLEX = fonts._plex_dir()
TIMES_NAMES = ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf")
PLEX_NAMES = (
    "IBMPlexSerif-Regular.ttf",
    "IBMPlexSerif-Bold.ttf",
    "IBMPlexSerif-Italic.ttf",
    "IBMPlexSerif-BoldItalic.ttf",
)


def _faces(family: fonts.FontFamily) -> list[str]:
    return [family.regular, family.bold, family.italic, family.bold_italic]


def test_default_family_is_liberation_serif_when_debian_ships_it() -> None:
    family = register_serif_family()
    if fonts.LIBERATION2_DIR.is_dir():
        assert (family.family, family.source) == ("LiberationSerif", "liberation2")
    else:
        assert family.source == "ibm-plex-serif"
    assert register_serif_family() is family  # once per process
    for name in _faces(family):
        face = pdfmetrics.getFont(name).face
        assert all(ord(ch) in face.charToGlyph for ch in VIETNAMESE_SAMPLE)


@pytest.mark.skipif(PLEX is None, reason="fontpkg-ibm-plex-serif not installed")
def test_the_pypi_fallback_covers_vietnamese() -> None:
    assert PLEX is not None
    family = fonts._register("IBMPlexSerifTest", tuple(PLEX / n for n in PLEX_NAMES), "ibm-plex-serif")
    for name in _faces(family):
        assert all(ord(ch) in pdfmetrics.getFont(name).face.charToGlyph for ch in VIETNAMESE_SAMPLE)


@pytest.mark.skipif(PLEX is None, reason="fontpkg-ibm-plex-serif not installed")
def test_a_configured_directory_comes_first(tmp_path: Path) -> None:
    assert PLEX is not None
    for src, dst in zip(PLEX_NAMES, TIMES_NAMES, strict=True):
        shutil.copy(PLEX / src, tmp_path / dst)  # stands in for Times New Roman dropped in by a ward
    family = register_serif_family(tmp_path, family="WardTimes")
    assert (family.family, family.source) == ("WardTimes", "configured")
    assert family.bold == "WardTimes-Bold"


def test_env_directory_without_usable_fonts_falls_back(tmp_path: Path, monkeypatch) -> None:
    vera = Path(reportlab.__file__).parent / "fonts"
    for src, dst in zip(("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"), TIMES_NAMES, strict=True):
        shutil.copy(vera / src, tmp_path / dst)  # Bitstream Vera has no Vietnamese letters
    monkeypatch.setenv("PDF_FONT_DIR", str(tmp_path))
    monkeypatch.setenv("PDF_FONT_FAMILY", "NoVietnamese")
    family = register_serif_family()
    assert family.source in ("liberation2", "ibm-plex-serif")


def test_nothing_usable_raises(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(fonts, "LIBERATION2_DIR", tmp_path / "none")
    monkeypatch.setattr(fonts, "_plex_dir", lambda: None)
    with pytest.raises(FontNotFound):
        register_serif_family(tmp_path / "empty", family="Nothing")
