"""Every use the PDF renderer makes of ReportLab's internals, in one place and behind one switch: ``ENABLED``.

What is here depends on how ReportLab works inside (private attributes, the methods it calls on its own objects),
not on its documented API, and was written for and checked against ReportLab ``REPORTLAB_VERSION`` exactly.
pyproject.toml pins that version; tests/documents/test_reportlab_tuning.py fails when another one is installed
while ``ENABLED``, and at run time another version turns everything here off (one warning in the log).

1. Font subsets shared across documents (speed). Every PDF gives the Vietnamese alphabet the same codes in subset 0
   of each face (``SUBSET_SEED``), so each face embeds the same subset in every PDF; the subset is built and
   compressed, and its Widths array and ToUnicode map formatted, once per process instead of once per document.
   This halves the time of a 2-page biên bản (bench/README.md) and costs ~15 KB per PDF (the whole alphabet is
   embedded, not only the letters used). The cached methods mirror ``TTFontFace.addSubsetObjects`` and
   ``TTFont.addObjects``; a test checks they write exactly what ReportLab's own would.
2. The file ID derives from the document (determinism). ReportLab seeds the trailer ID with its timestamp, which
   follows SOURCE_DATE_EPOCH when that is set; here it is seeded with the document's date, so an issued PDF can be
   rebuilt byte for byte anywhere. (The creation date itself is set through the public ``setDateFormatter``.)
3. JPEG photos drawn without decoding them (speed). ``Canvas.drawImage`` decodes every pixel of an ImageReader
   only to name the image inside the file (~50 ms for a 2000 px photo); :func:`jpeg_image` hands it a source named
   by the JPEG's hash instead. The bytes embedded are the same JPEG either way.

With ``ENABLED = False`` every biên bản is still complete and correct, written by ReportLab's own code: about
twice as slow, photos decoded once each for nothing, and the file ID following SOURCE_DATE_EPOCH when it is set. Turn it
off to try a new ReportLab version, then check each item above against that version before moving the pin.
"""

from __future__ import annotations

import copy
import hashlib
import io
import logging
import threading
import zlib
from collections.abc import Sequence
from datetime import date

import reportlab
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

from .fonts import VIETNAMESE_SAMPLE

__all__ = ["ENABLED", "REPORTLAB_VERSION", "SUBSET_SEED", "active", "jpeg_image", "prepare_document"]

REPORTLAB_VERSION = "5.1.0"  # keep equal to the pin in pyproject.toml
ENABLED = True

# Every non-ASCII letter of Vietnamese, lower and upper case, then punctuation and signs a biên bản uses, given fixed
# codes in this order in every PDF (ASCII has fixed codes in ReportLab already). A character outside this list still
# prints: it is appended after these, in a subset of that document's own.
SUBSET_SEED = "".join(ch for ch in VIETNAMESE_SAMPLE if ord(ch) > 127) + "–—‘’“”…•·±×°²³≤≥→€"

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_warned = False


def active() -> bool:
    """True when the switch is on and the installed ReportLab is the version all this was written for."""
    global _warned
    if not ENABLED:
        return False
    if reportlab.Version == REPORTLAB_VERSION:
        return True
    if not _warned:
        _warned = True
        _log.warning(
            "ReportLab %s is installed but the PDF tuning was written for %s: using ReportLab's own code paths",
            reportlab.Version,
            REPORTLAB_VERSION,
        )
    return False


# ---------------------------------------------------------------------------------------------------------------
# 1. Font subsets shared across documents
# ---------------------------------------------------------------------------------------------------------------

_CACHE_LIMIT = 64


def _install_subset_cache(font: TTFont) -> None:
    """Make ``font`` reuse built and compressed subsets across documents (same PDF objects, same bytes).

    Mirrors ``TTFontFace.addSubsetObjects``; the stream carries its Filter already, which ReportLab's PDFStream
    treats as "encoded elsewhere".
    """
    face = font.face
    cache: dict[tuple[int, ...], tuple[int, bytes]] = {}

    def add_subset_objects(doc: pdfdoc.PDFDocument, fontname: str, subset: list[int]) -> pdfdoc.PDFReference:
        if not doc.compression or not active():
            return type(face).addSubsetObjects(face, doc, fontname, subset)
        key = tuple(subset)
        hit = cache.get(key)
        if hit is None:
            raw = face.makeSubset(subset)
            hit = (len(raw), zlib.compress(raw))
            if len(cache) >= _CACHE_LIMIT:
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

    Mirrors ``TTFont.addObjects`` (formatting ~250 widths and compressing the CMap per subset per document is a
    visible share of a 2-page PDF).
    """
    face = font.face
    cache: dict[tuple[int, tuple[int, ...]], tuple[bytes, bytes]] = {}

    def add_objects(doc: pdfdoc.PDFDocument) -> None:
        if not doc.compression or not active():
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
                if len(cache) >= _CACHE_LIMIT:
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


def _tune_font(font: TTFont) -> None:
    """Install the two caches on ``font`` once; from then on they defer to ReportLab's own unless :func:`active`."""
    if "_inspect_app_tuned" in font.__dict__:
        return
    with _lock:
        if "_inspect_app_tuned" not in font.__dict__:
            _install_subset_cache(font)
            _install_font_object_cache(font)
            font._inspect_app_tuned = True


_seed_states: dict[str, TTFont.State] = {}


def _seed_subsets(font_names: Sequence[str], pdf: pdfdoc.PDFDocument) -> None:
    """Give :data:`SUBSET_SEED` its fixed codes in ``pdf`` before any text is drawn.

    The seeded font state is built once per face and copied into each new document.
    """
    for name in font_names:
        font = pdfmetrics.getFont(name)
        _tune_font(font)
        template = _seed_states.get(name)
        if template is None:
            scratch = object.__new__(pdfdoc.PDFDocument)  # only a key for the font's per-document state
            font.splitString(SUBSET_SEED, scratch)
            template = _seed_states[name] = font.state.pop(scratch)
        state = copy.copy(template)
        state.assignments = dict(template.assignments)
        state.subsets = [list(subset) for subset in template.subsets]
        font.state[pdf] = state


# ---------------------------------------------------------------------------------------------------------------
# 3. JPEG photos drawn without decoding them
# ---------------------------------------------------------------------------------------------------------------


class _JpegBytes:
    """JPEG bytes as ``Canvas.drawImage`` takes an image, without the pixel decode an ImageReader costs.

    drawImage names the image after ``str(image)`` for anything that is not an ImageReader (here the JPEG's hash,
    so a photo used twice is stored once), and ``PDFImageXObject`` embeds whatever ``jpeg_fh()`` returns as it is,
    under DCTDecode (with rl_config.useA85 off, as the renderer sets it).
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._name = "jpeg-sha256:" + hashlib.sha256(data).hexdigest()

    def jpeg_fh(self) -> io.BytesIO:
        return io.BytesIO(self._data)

    def __str__(self) -> str:
        return self._name


def jpeg_image(data: bytes) -> object:
    """What to hand ``Canvas.drawImage`` for JPEG ``data``: embedded as its own bytes either way."""
    if active():
        return _JpegBytes(data)
    return ImageReader(io.BytesIO(data))


# ---------------------------------------------------------------------------------------------------------------
# Per document
# ---------------------------------------------------------------------------------------------------------------


def prepare_document(pdf: pdfdoc.PDFDocument, font_names: Sequence[str], day: date) -> None:
    """Apply what is active to a new ``pdf`` (called by the canvas before anything is drawn): the shared font
    subsets of item 1 and the file ID of item 2."""
    if not active():
        return
    pdf.signature = hashlib.md5(usedforsecurity=False)
    pdf.signature.update(b"inspect_app minutes " + day.isoformat().encode())
    _seed_subsets(font_names, pdf)
