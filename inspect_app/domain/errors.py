"""Errors a person can act on, shared by every feature; views turn them into a Vietnamese message (HTML) or a
422 / 409 JSON answer with the phone's shape ``{"error", "fields"}``."""

from __future__ import annotations

from dataclasses import dataclass, field


class RuleError(ValueError):
    """One value a person can fix; the message is Vietnamese and says how."""


class InvalidInput(Exception):
    """Input a person can fix: field → Vietnamese message (HTTP 422)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Conflict(Exception):
    """Different content under a known UUID, or an edit from a stale version (HTTP 409)."""

    message: str
    current: object = field(default=None)


class Locked(Exception):
    """The inspection's minutes are issued; nothing of it can change (HTTP 409)."""

    message = "Biên bản kiểm tra đã được lập; cuộc kiểm tra không thể sửa được nữa."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
