"""Signed verification tokens for the QR on a printed biên bản: opaque public id + truncated HMAC-SHA256."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

__all__ = [
    "InvalidToken",
    "make_compact_token",
    "make_verification_token",
    "new_public_id",
    "read_verification_token",
]

_SIG_BYTES = 16  # 128 bits of HMAC-SHA256: enough against forgery, short enough for a small QR
_SIG_CHARS = 22  # base64url length of 16 bytes without padding
_DOMAIN = b"inspect_app.minutes.verify.v1\x00"  # binds the MAC to this use, so the same secret can sign other things
_PUBLIC_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The compact form printed in QR codes: the 16-byte id and the first 10 bytes of the same MAC, in base32 (digits and
# capitals only, which a QR code stores in its alphanumeric mode: 5.5 bits a character instead of 8).
_COMPACT_SIG_BYTES = 10
_COMPACT_RE = re.compile(r"[A-Z2-7]{42}")
_SIG_RE = re.compile(rf"[A-Za-z0-9_-]{{{_SIG_CHARS}}}")


class InvalidToken(ValueError):
    """The token is malformed, was altered, or was signed with another secret."""


def new_public_id() -> str:
    """A random opaque id for a document (128 bits, base64url, 22 characters)."""
    return secrets.token_urlsafe(16)


def _key(secret: bytes | str) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        raise ValueError("the verification secret must not be empty")
    return key


def _signature(public_id: str, secret: bytes | str) -> str:
    mac = hmac.new(_key(secret), _DOMAIN + public_id.encode("ascii"), hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).rstrip(b"=").decode("ascii")


def make_compact_token(public_id: str, secret: bytes | str) -> str | None:
    """The 42-character capitals-and-digits token of an id made by new_public_id(); None for any other id."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{21}[AQgw]", public_id):
        return None
    raw = base64.urlsafe_b64decode(public_id + "==")
    mac = hmac.new(_key(secret), _DOMAIN + public_id.encode("ascii"), hashlib.sha256).digest()
    return _b32(raw) + _b32(mac[:_COMPACT_SIG_BYTES])


def _read_compact(token: str, secret: bytes | str) -> str:
    if not _COMPACT_RE.fullmatch(token):
        raise InvalidToken("malformed verification token")
    try:
        raw = base64.b32decode(token[:26] + "======")
    except ValueError:
        raise InvalidToken("malformed verification token") from None
    public_id = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    if not hmac.compare_digest(make_compact_token(public_id, secret) or "", token):
        raise InvalidToken("verification token signature does not match")
    return public_id


def make_verification_token(public_id: str, secret: bytes | str) -> str:
    """Return ``public_id + "." + signature`` (base64url, URL- and QR-safe, 45 characters for a 22-character id)."""
    if not _PUBLIC_ID_RE.fullmatch(public_id):
        raise ValueError("public_id must be 16-64 base64url characters (use new_public_id())")
    return f"{public_id}.{_signature(public_id, secret)}"


def read_verification_token(token: str, secret: bytes | str) -> str:
    """Check the signature and return the public id; raise :class:`InvalidToken` on any tampering or garbage."""
    if not isinstance(token, str) or len(token) > 128:
        raise InvalidToken("malformed verification token")
    if "." not in token:
        return _read_compact(token, secret)
    public_id, sep, sig = token.partition(".")
    if not sep or not _PUBLIC_ID_RE.fullmatch(public_id) or not _SIG_RE.fullmatch(sig):
        raise InvalidToken("malformed verification token")
    # Comparing the canonical text (not decoded bytes) also rejects variants that differ only in unused bits.
    expected = _signature(public_id, secret)
    if not hmac.compare_digest(expected.encode("ascii"), sig.encode("ascii")):
        raise InvalidToken("verification token signature does not match")
    return public_id
