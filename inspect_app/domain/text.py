"""Vietnamese text folding for search: "Nguyễn Thị Hường" and "nguyen thi huong" fold to the same key."""

from __future__ import annotations

import re
import unicodedata

# Characters no document (XML inside DOCX and XLSX, PDF text) nor database (NUL in PostgreSQL) takes: the C0
# controls but tab and line ends, DEL, and the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def without_controls(text: str | None) -> str:
    """The text without control characters (a vertical tab pasted from Word, a NUL from a broken file)."""
    return _CONTROL.sub("", text) if text else ""


def fold(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def nfc(text: str | None) -> str:
    """Normalise to NFC and trim; phones and Excel mix composed and decomposed Vietnamese."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def number_key(text: str | None) -> str | None:
    """A serial or stamp number as compared: letters and digits only, upper case ("qn 26-0815" is "QN260815");
    None when nothing is left."""
    key = "".join(ch for ch in unicodedata.normalize("NFC", text or "").upper() if ch.isalnum())
    return key[:60] or None
