"""The public verification of the app's documents (a biên bản, a sent report): the signed link its QR code carries,
and the comparison of an uploaded file with the bytes that were issued."""

from __future__ import annotations

import hashlib

from flask import current_app

from .tokens import InvalidToken, make_compact_token, make_verification_token, read_verification_token

__all__ = ["compare_upload", "public_id_of", "verification_token", "verification_url"]


def _secret() -> bytes:
    configured = current_app.config.get("VERIFY_SECRET")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    return hashlib.sha256(b"minutes-verification:" + current_app.config["SECRET_KEY"].encode()).digest()


def verification_token(public_id: str) -> str:
    return make_verification_token(public_id, _secret())


def verification_url(public_id: str) -> str:
    """The public page's address, as printed in the QR code: in capitals and digits where it can be (the scheme and
    host are case-blind, the path is /V/ and the token base32), which a QR code stores in fewer modules, so the code
    stays large enough to read on an office print while fitting in the left margin."""
    base = current_app.config["PUBLIC_BASE_URL"]
    compact = make_compact_token(public_id, _secret())
    if compact is None:
        return f"{base}/v/{verification_token(public_id)}"
    scheme, sep, rest = base.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.upper()}{sep}{host.upper()}{slash}{path}/V/{compact}"


def public_id_of(token: str) -> str | None:
    """The public id a token names, or None for a forged, tampered or malformed token."""
    try:
        return read_verification_token(token, _secret())
    except InvalidToken:
        return None


# File signatures: what an upload must start with to be compared at all.
MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04"}
KIND_NAMES = {"pdf": "PDF", "docx": "Word (DOCX)"}


def compare_upload(upload: bytes, issued: dict[str, str], what: str) -> tuple[str, str]:
    """Compare an uploaded file with the issued ones ({format: SHA-256}; only the formats it names are accepted):
    ("same" | "different" | "error", the Vietnamese sentence to show). ``what`` names the document ("biên bản")."""
    kinds = [kind for kind in MAGIC if kind in issued]
    kind = next((k for k in kinds if upload.startswith(MAGIC[k])), None)
    if kind is None:
        names = " hoặc ".join(KIND_NAMES[k] for k in kinds)
        return "error", f"Tệp tải lên không phải là tệp {names}."
    if hashlib.sha256(upload).hexdigest() == issued[kind]:
        return "same", f"Tệp {KIND_NAMES[kind]} này trùng khớp từng byte với {what} đã phát hành."
    return (
        "different",
        f"Tệp {KIND_NAMES[kind]} này KHÁC với {what} đã phát hành (có thể là bản sao in lại, hoặc đã bị chỉnh sửa).",
    )
