"""Helpers for API tests: tokens, payloads, test images."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from tests.factories import PASSWORD


def token_for(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def upload_photo(client, inspection_id, auth, content: bytes, photo_uuid: str):
    """POST a JPEG to an inspection through the API, as the phone sends it."""
    return client.post(
        f"/api/v1/inspections/{inspection_id}/photos",
        data={"uuid": photo_uuid, "file": (io.BytesIO(content), "anh.jpg")},
        headers=auth,
        content_type="multipart/form-data",
    )


def inspection_payload(premise, **changes) -> dict:
    payload = {
        "uuid": str(uuid.uuid4()),
        "premise_id": premise.id,
        "kind": "planned",
        "basis": "Kế hoạch số 50/KH-UBND ngày 29/9/2025 của UBND phường Đức Phổ",
        "started_at": "2026-11-21T08:30:00+07:00",
        "gps": {"latitude": 14.81125, "longitude": 108.95712, "accuracy_m": 12.0},
    }
    payload.update(changes)
    return payload


def jpeg_bytes(width: int = 800, height: int = 600, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
