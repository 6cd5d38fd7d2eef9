"""Photos of an inspection: uploaded as multipart (idempotent by UUID), served back as JPEG with a thumbnail."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from marshmallow import ValidationError, validates_schema

from ..access import get_or_404
from ..files.uploads import storage_for
from ..inspections import service
from ..models import Photo
from .core import JPEG, RECORDS, allowed, bp, request_part, send_jpeg, shows_conflicts, with_inspection
from .fields import UUID, DateTime, Int, Link, Number, Str, StrictSchema, Upload, length


class PhotoSchema(StrictSchema):
    """A photo: the multipart form that uploads it (file + uuid, item_code, caption), and what is answered."""

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    inspection_id = Int(dump_only=True)
    item_code = Str(load_default=None, allow_none=True, validate=length(20))
    caption = Str(load_default="", validate=length(300))
    file = Upload(
        load_default=None, metadata={"type": "string", "format": "binary", "description": "Bắt buộc"}
    )
    width = Int(dump_only=True)
    height = Int(dump_only=True)
    size_bytes = Int(dump_only=True)
    sha256 = Str(dump_only=True)
    taken_at = DateTime(dump_only=True, allow_none=True)
    exif_latitude = Number(dump_only=True, allow_none=True)
    exif_longitude = Number(dump_only=True, allow_none=True)
    image_url = Link("api.photo_image", photo_id="id")
    thumbnail_url = Link("api.photo_thumbnail", photo_id="id")

    @validates_schema
    def _file(self, data, **kwargs):
        # Checked once the form fields are valid, so a bad form is reported first, as it always was.
        if data.get("file") is None:
            raise ValidationError("Chưa có tệp ảnh.", "file")


shows_conflicts(Photo, PhotoSchema())


@bp.post("/inspections/<inspection_id>/photos", errors=(403, 404, 409, 413, 422))
@bp.response(201, PhotoSchema)
@bp.alt_response(200, schema=PhotoSchema, description="Đã có (gửi lại cùng ảnh)", success=True)
@with_inspection
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(PhotoSchema, "PhotoForm"), location="form_and_files")
def upload_photo(data, inspection):
    """Tải ảnh (multipart: file + uuid, item_code, caption; idempotent theo uuid)"""
    upload = data.pop("file")
    photo, created = service.add_photo(
        inspection, data, upload.read(), current_user, storage_for(current_app)
    )
    return photo, 201 if created else 200


@bp.get("/photos/<id:photo_id>/image", errors=(404,))
@bp.response(200, JPEG, content_type="image/jpeg")
def photo_image(photo_id: int):
    """Ảnh JPEG"""
    photo = get_or_404(Photo, photo_id)
    return send_jpeg(photo.storage_key, photo.sha256)


@bp.get("/photos/<id:photo_id>/thumbnail", errors=(404,))
@bp.response(200, JPEG, content_type="image/jpeg")
def photo_thumbnail(photo_id: int):
    """Ảnh thu nhỏ"""
    photo = get_or_404(Photo, photo_id)
    return send_jpeg(photo.thumbnail_key, photo.sha256)
