"""Vietnamese text folding for search: "Nguyễn Thị Hường" and "nguyen thi huong" fold to the same key."""

from __future__ import annotations

import unicodedata


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
