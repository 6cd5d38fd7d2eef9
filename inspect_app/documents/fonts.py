"""Registers one Vietnamese-capable serif family (regular, bold, italic, bold-italic) with ReportLab, once per process."""

from __future__ import annotations

import copy
import importlib.resources
import logging
import os
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

__all__ = [
    "SUBSET_SEED",
    "VIETNAMESE_SAMPLE",
    "FontFamily",
    "FontNotFound",
    "register_serif_family",
    "seed_subsets",
]

LIBERATION2_DIR = Path("/usr/share/fonts/truetype/liberation2")

# Every lower- and upper-case Vietnamese letter with its diacritics, plus đ/Đ; used to check a font's coverage.
VIETNAMESE_SAMPLE = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
)

# Non-ASCII characters given fixed codes, in this order, in every PDF (ASCII already has fixed codes in ReportLab).
# Every document then embeds the same subset of each face, so the subset is built and compressed once per process
# instead of once per document; a character outside this list still works (it is appended after these).
SUBSET_SEED = "".join(ch for ch in VIETNAMESE_SAMPLE if ord(ch) > 127) + "–—‘’“”…•·±×°²³≤≥→€"

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


def _missing_glyphs(font: TTFont) -> str:
    cmap = font.face.charToGlyph
    return "".join(ch for ch in VIETNAMESE_SAMPLE if ord(ch) not in cmap)


def _install_subset_cache(font: TTFont) -> None:
    """Make ``font`` reuse built and compressed subsets across documents (same PDF objects, same bytes).

    Mirrors ``TTFontFace.addSubsetObjects`` of ReportLab 4-5; the stream carries its Filter already, which
    ReportLab's PDFStream treats as "encoded elsewhere". A test checks the output equals the uncached one.
    """
    face = font.face
    cache: dict[tuple[int, ...], tuple[int, bytes]] = {}

    def add_subset_objects(doc: pdfdoc.PDFDocument, fontname: str, subset: list[int]) -> pdfdoc.PDFReference:
        if not doc.compression:  # never used here; keep ReportLab's own path for it
            return type(face).addSubsetObjects(face, doc, fontname, subset)
        key = tuple(subset)
        hit = cache.get(key)
        if hit is None:
            raw = face.makeSubset(subset)
            hit = (len(raw), zlib.compress(raw))
            if len(cache) >= 64:
                cache.clear()
            cache[key] = hit
        raw_len, data = hit
        font_file = pdfdoc.PDFStream(content=data)
        font_file.dictionary["Length1"] = raw_len
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)

    face.addSubsetObjects = add_subset_objects


class _Preformatted(pdfdoc.PDFObject):
    """PDF object text computed once (a font's Widths array) and reused in every document."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        return self.data


def _install_font_object_cache(font: TTFont) -> None:
    """Make ``font`` reuse its per-subset Widths array and ToUnicode CMap across documents.

    Mirrors ``TTFont.addObjects`` of ReportLab 4-5 (formatting ~250 widths and compressing the CMap per subset per
    document is a visible share of a 2-page PDF). A test checks the output equals the uncached one.
    """
    face = font.face
    cache: dict[tuple[int, tuple[int, ...]], tuple[bytes, bytes]] = {}

    def add_objects(doc: pdfdoc.PDFDocument) -> None:
        if not doc.compression:  # never used here; keep ReportLab's own path for it
            TTFont.addObjects(font, doc)
            return
        try:
            state = font.state[doc]
        except KeyError:
            state = font.state[doc] = TTFont.State(font._asciiReadable)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal_name = font.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            key = (n, tuple(subset))
            hit = cache.get(key)
            if hit is None:
                widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset))).format(doc)
                cmap = makeToUnicodeCMap(base_name, subset).encode("utf-8")
                hit = (widths, zlib.compress(cmap))
                if len(cache) >= 64:
                    cache.clear()
                cache[key] = hit
            widths_bytes, cmap_bytes = hit
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {font.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Preformatted(widths_bytes)
            cmap_stream = pdfdoc.PDFStream(content=cmap_bytes)
            cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del font.state[doc]

    font.addObjects = add_objects


def _install_width_cache(font: TTFont) -> None:
    """Remember the width of each word: line breaking measures every word of every paragraph, and Vietnamese,
    written in short syllables, repeats the same few thousand words across all documents.

    Same arithmetic as ReportLab's own ``instanceStringWidthTTF``, so widths (and PDFs) are bit-identical.
    """
    char_widths = font.face.charWidths
    default = font.face.defaultWidth
    cache: dict[str, float] = {}

    def string_width(text: str | bytes, size: float, encoding: str = "utf8") -> float:
        if not isinstance(text, str):
            text = text.decode(encoding or "utf8")
        units = cache.get(text)
        if units is None:
            get = char_widths.get
            units = sum(get(ord(ch), default) for ch in text)
            if len(cache) >= 200_000:
                cache.clear()
            cache[text] = units
        return 0.001 * size * units

    font.stringWidth = string_width


def _install_fast_split(font: TTFont) -> None:
    """Map text to subset codes with ``str.translate`` when every character already has a code in subset 0.

    ``splitString`` runs for every line drawn; with the seeded subsets nearly every line qualifies. Anything else
    (a character not yet coded, a second subset) goes through ReportLab's own loop, so the output is identical.
    """
    original = font.splitString

    def split_string(text: str | bytes, doc: object, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        if isinstance(text, str):
            state = font.state.get(doc)
            if state is not None:
                assignments = state.assignments
                fast = state.__dict__.get("_fast")
                if fast is None or fast[0] != len(assignments):
                    table = {cp: code for cp, code in assignments.items() if code < 256}
                    if 32 in table:
                        table[0xA0] = table[32]  # ReportLab prints a no-break space as a space
                    fast = state._fast = (len(assignments), table, frozenset(map(chr, table)))
                if fast[2].issuperset(text):
                    return [(0, text.translate(fast[1]).encode("latin-1"))] if text else []
        return original(text, doc, encoding)

    font.splitString = split_string


_seed_states: dict[str, TTFont.State] = {}


def seed_subsets(family: FontFamily, pdf_document: pdfdoc.PDFDocument) -> None:
    """Give :data:`SUBSET_SEED` its fixed codes in ``pdf_document`` before any text is drawn (see SUBSET_SEED).

    The seeded font state is built once per face and copied into each new document.
    """
    for name in (family.regular, family.bold, family.italic, family.bold_italic):
        font = pdfmetrics.getFont(name)
        template = _seed_states.get(name)
        if template is None:
            scratch = object.__new__(pdfdoc.PDFDocument)  # only a key for the font's per-document state
            font.splitString(SUBSET_SEED, scratch)
            template = _seed_states[name] = font.state.pop(scratch)
        state = copy.copy(template)
        state.__dict__.pop("_fast", None)
        state.assignments = dict(template.assignments)
        state.subsets = [list(subset) for subset in template.subsets]
        font.state[pdf_document] = state


def _register(family: str, paths: tuple[Path, Path, Path, Path], source: str) -> FontFamily:
    names = (family, f"{family}-Bold", f"{family}-Italic", f"{family}-BoldItalic")
    for name, path in zip(names, paths, strict=True):
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        font = TTFont(name, str(path))
        missing = _missing_glyphs(font)
        if missing:
            raise FontNotFound(f"{path} lacks Vietnamese letters: {missing}")
        _install_subset_cache(font)
        _install_font_object_cache(font)
        _install_width_cache(font)
        _install_fast_split(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
    )
    addMapping(family, 0, 0, names[0])
    addMapping(family, 1, 0, names[1])
    addMapping(family, 0, 1, names[2])
    addMapping(family, 1, 1, names[3])
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
