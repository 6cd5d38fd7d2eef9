"""The OpenAPI 3.1 document of API v1, built from the same marshmallow schemas that validate requests."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..measurements import schemas as metrology_schemas
from . import schemas

REQUEST_SCHEMAS = {
    "TokenRequest": schemas.TokenRequestSchema,
    "InspectionCreate": schemas.InspectionCreateSchema,
    "InspectionUpdate": schemas.InspectionUpdateSchema,
    "FindingCreate": schemas.FindingCreateSchema,
    "FindingUpdate": schemas.FindingUpdateSchema,
    "PhotoForm": schemas.PhotoFormSchema,
    "Gps": schemas.GpsSchema,
    "Member": schemas.MemberSchema,
    "StandardCreate": metrology_schemas.StandardCreateSchema,
    "StandardUpdate": metrology_schemas.StandardUpdateSchema,
    "InstrumentCreate": metrology_schemas.InstrumentCreateSchema,
    "InstrumentUpdate": metrology_schemas.InstrumentUpdateSchema,
    "InstrumentPhotoForm": metrology_schemas.InstrumentPhotoFormSchema,
    "ReadingCreate": metrology_schemas.ReadingCreateSchema,
    "LotCreate": metrology_schemas.LotCreateSchema,
}
NAMES = {cls: name for name, cls in REQUEST_SCHEMAS.items()}


def field_schema(field: fields.Field) -> dict:
    if getattr(field, "openapi_schema", None):
        out = dict(field.openapi_schema)
    elif isinstance(field, fields.Nested):
        nested = field.nested if isinstance(field.nested, type) else type(field.nested)
        out = {"$ref": f"#/components/schemas/{NAMES[nested]}"}
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.UUID):
        out = {"type": "string", "format": "uuid"}
    elif isinstance(field, fields.DateTime):
        out = {"type": "string", "format": "date-time"}
    elif isinstance(field, fields.Date):
        out = {"type": "string", "format": "date"}
    elif isinstance(field, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(field, fields.Float):
        out = {"type": "number"}
    elif isinstance(field, fields.Boolean):
        out = {"type": "boolean"}
    else:
        out = {"type": "string"}
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            out["enum"] = list(validator.choices)
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                out["minimum"] = validator.min
            if validator.max is not None:
                out["maximum"] = validator.max
        elif isinstance(validator, validate.Length):
            key = ("minItems", "maxItems") if out.get("type") == "array" else ("minLength", "maxLength")
            if validator.min is not None:
                out[key[0]] = validator.min
            if validator.max is not None:
                out[key[1]] = validator.max
    if field.allow_none and "$ref" not in out:
        out["type"] = [out.get("type", "string"), "null"]
    return out


def object_schema(schema: type[Schema]) -> dict:
    declared = schema._declared_fields
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: field_schema(f) for name, f in declared.items()},
        "required": sorted(name for name, f in declared.items() if f.required),
    }


def body(name: str, content_type: str = "application/json") -> dict:
    return {"required": True, "content": {content_type: {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def answers(*codes: int) -> dict:
    text = {
        200: "Đã có (gửi lại cùng nội dung) hoặc thành công",
        201: "Đã tạo",
        401: "Chưa đăng nhập hoặc token không hợp lệ",
        403: "Không có quyền",
        404: "Không tìm thấy (hoặc không thuộc phạm vi)",
        409: "Xung đột: UUID đã có nội dung khác, phiên bản cũ, hoặc biên bản đã lập; kèm bản hiện tại",
        413: "Tệp quá lớn",
        422: "Dữ liệu không hợp lệ; thông báo theo từng trường",
    }
    return {str(code): {"description": text[code]} for code in codes}


def build_openapi() -> dict:
    ref = "#/components/schemas/"
    inspection_id = {
        "name": "inspection_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Số id hoặc UUID của cuộc kiểm tra",
    }
    paths = {
        "/auth/token": {
            "post": {
                "summary": "Cấp token",
                "security": [],
                "requestBody": body("TokenRequest"),
                "responses": answers(201, 401, 422),
            }
        },
        "/auth/tokens": {"get": {"summary": "Danh sách token của tôi", "responses": answers(200, 401)}},
        "/auth/tokens/{token_id}": {
            "delete": {
                "summary": "Thu hồi token",
                "parameters": [
                    {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": answers(200, 404),
            }
        },
        "/me": {
            "get": {"summary": "Người dùng hiện tại, đồng nghiệp, thiết lập", "responses": answers(200, 401)}
        },
        "/checklists": {"get": {"summary": "Danh mục kiểm tra mới nhất", "responses": answers(200)}},
        "/checklists/{version}": {
            "get": {
                "summary": "Danh mục kiểm tra theo phiên bản",
                "parameters": [
                    {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": answers(200, 404),
            }
        },
        "/premises": {
            "get": {
                "summary": "Cơ sở trong phạm vi, gần nhất trước khi có near",
                "parameters": [
                    {
                        "name": "near",
                        "in": "query",
                        "schema": {"type": "string"},
                        "example": "14.8112,108.9571",
                    },
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                ],
                "responses": answers(200, 401, 422),
            }
        },
        "/premises/{premise_id}": {
            "get": {
                "summary": "Một cơ sở",
                "parameters": [
                    {"name": "premise_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": answers(200, 404),
            }
        },
        "/inspections": {
            "get": {"summary": "Danh sách cuộc kiểm tra", "responses": answers(200, 401)},
            "post": {
                "summary": "Tạo cuộc kiểm tra (idempotent theo uuid)",
                "requestBody": body("InspectionCreate"),
                "responses": answers(200, 201, 403, 409, 422),
            },
        },
        "/inspections/{inspection_id}": {
            "parameters": [inspection_id],
            "get": {"summary": "Một cuộc kiểm tra, kèm đoàn, kết quả, ảnh", "responses": answers(200, 404)},
            "patch": {
                "summary": "Sửa (cần version hiện tại)",
                "requestBody": body("InspectionUpdate"),
                "responses": answers(200, 404, 409, 422),
            },
        },
        "/inspections/{inspection_id}/findings": {
            "parameters": [inspection_id],
            "get": {"summary": "Kết quả theo nội dung", "responses": answers(200, 404)},
            "post": {
                "summary": "Ghi kết quả một nội dung (idempotent theo uuid)",
                "requestBody": body("FindingCreate"),
                "responses": answers(200, 201, 404, 409, 422),
            },
        },
        "/findings/{finding_id}": {
            "patch": {
                "summary": "Sửa kết quả (cần version hiện tại)",
                "requestBody": body("FindingUpdate"),
                "parameters": [
                    {"name": "finding_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": answers(200, 404, 409, 422),
            }
        },
        "/inspections/{inspection_id}/photos": {
            "post": {
                "summary": "Tải ảnh (multipart: file + uuid, item_code, caption; idempotent theo uuid)",
                "parameters": [inspection_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "allOf": [
                                    {"$ref": ref + "PhotoForm"},
                                    {
                                        "type": "object",
                                        "properties": {"file": {"type": "string", "format": "binary"}},
                                        "required": ["file"],
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": answers(200, 201, 404, 409, 413, 422),
            }
        },
        "/photos/{photo_id}/image": {
            "get": {
                "summary": "Ảnh JPEG",
                "parameters": [
                    {"name": "photo_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": answers(200, 404),
            }
        },
        "/photos/{photo_id}/thumbnail": {
            "get": {
                "summary": "Ảnh thu nhỏ",
                "parameters": [
                    {"name": "photo_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": answers(200, 404),
            }
        },
    }
    paths.update(metrology_paths(inspection_id))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kiểm tra TC-ĐL-CL API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "Phiên đăng nhập của trang; yêu cầu ghi cần tiêu đề X-CSRFToken",
                },
            },
            "schemas": {name: object_schema(cls) for name, cls in REQUEST_SCHEMAS.items()},
        },
        "paths": paths,
    }


def _path_id(name: str, kind: str = "integer", description: str = "") -> dict:
    out = {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
    if description:
        out["description"] = description
    return out


def _multipart(properties: dict, required: list[str], ref: str | None = None) -> dict:
    part = {"type": "object", "properties": {**properties, "file": {"type": "string", "format": "binary"}}}
    part["required"] = ["file", *required]
    schema = {"allOf": [{"$ref": f"#/components/schemas/{ref}"}, part]} if ref else part
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def metrology_paths(inspection_id: dict) -> dict:
    """Reference standards, instruments, readings, lots, automatic findings and the tolerance tables."""
    standard_id = _path_id("standard_id")
    instrument_id = _path_id("instrument_id", "string", "Số id hoặc UUID của phương tiện đo")
    photo_id = _path_id("instrument_photo_id")
    return {
        "/metrology/tables": {
            "get": {
                "summary": "Bảng giới hạn sai số (dữ liệu, kèm phiên bản) và giới hạn áp dụng khi kiểm tra nhà nước",
                "responses": answers(200, 401),
            }
        },
        "/standards": {
            "get": {
                "summary": "Chuẩn đo lường của đơn vị; due_within_days: chỉ các chuẩn đến hạn trong số ngày đó",
                "parameters": [
                    {"name": "due_within_days", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "include_inactive", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": answers(200, 401, 422),
            },
            "post": {
                "summary": "Thêm chuẩn đo lường (idempotent theo uuid)",
                "requestBody": body("StandardCreate"),
                "responses": answers(200, 201, 403, 409, 422),
            },
        },
        "/standards/{standard_id}": {
            "parameters": [standard_id],
            "get": {"summary": "Một chuẩn đo lường", "responses": answers(200, 404)},
            "patch": {
                "summary": "Sửa chuẩn (cần version hiện tại)",
                "requestBody": body("StandardUpdate"),
                "responses": answers(200, 403, 404, 409, 422),
            },
        },
        "/standards/{standard_id}/certificate": {
            "parameters": [standard_id],
            "get": {"summary": "Ảnh giấy chứng nhận hiệu chuẩn (JPEG)", "responses": answers(200, 404)},
            "post": {
                "summary": "Tải ảnh giấy chứng nhận (multipart: file), thay ảnh cũ",
                "requestBody": _multipart({}, []),
                "responses": answers(200, 403, 404, 413, 422),
            },
        },
        "/premises/{premise_id}/instruments": {
            "parameters": [_path_id("premise_id")],
            "get": {"summary": "Phương tiện đo của cơ sở", "responses": answers(200, 404)},
            "post": {
                "summary": "Thêm phương tiện đo (idempotent theo uuid)",
                "requestBody": body("InstrumentCreate"),
                "responses": answers(200, 201, 403, 404, 409, 422),
            },
        },
        "/instruments/{instrument_id}": {
            "parameters": [instrument_id],
            "get": {"summary": "Một phương tiện đo, kèm ảnh", "responses": answers(200, 404)},
            "patch": {
                "summary": "Sửa phương tiện đo (cần version hiện tại)",
                "requestBody": body("InstrumentUpdate"),
                "responses": answers(200, 403, 404, 409, 422),
            },
        },
        "/instruments/{instrument_id}/photos": {
            "post": {
                "summary": "Tải ảnh phương tiện đo (multipart: file + uuid, caption; idempotent theo uuid)",
                "parameters": [instrument_id],
                "requestBody": _multipart({}, [], "InstrumentPhotoForm"),
                "responses": answers(200, 201, 403, 404, 409, 413, 422),
            }
        },
        "/instrument-photos/{instrument_photo_id}/image": {
            "get": {"summary": "Ảnh JPEG", "parameters": [photo_id], "responses": answers(200, 404)}
        },
        "/instrument-photos/{instrument_photo_id}/thumbnail": {
            "get": {"summary": "Ảnh thu nhỏ", "parameters": [photo_id], "responses": answers(200, 404)}
        },
        "/inspections/{inspection_id}/readings": {
            "parameters": [inspection_id],
            "get": {
                "summary": "Kết quả đo của cuộc kiểm tra, kèm kết luận máy chủ tính",
                "responses": answers(200, 404),
            },
            "post": {
                "summary": (
                    "Ghi một phép đo (cân, cột đo xăng dầu, đối chứng); máy chủ tính sai số, giới hạn cho phép "
                    "và kết luận (idempotent theo uuid; 409 khi biên bản đã lập)"
                ),
                "requestBody": body("ReadingCreate"),
                "responses": answers(200, 201, 403, 404, 409, 422),
            },
        },
        "/inspections/{inspection_id}/lots": {
            "parameters": [inspection_id],
            "get": {"summary": "Lô hàng đóng gói sẵn đã lấy mẫu", "responses": answers(200, 404)},
            "post": {
                "summary": "Ghi một lô hàng đóng gói sẵn; máy chủ tính trung bình, s, T, số đơn vị thiếu, kết luận",
                "requestBody": body("LotCreate"),
                "responses": answers(200, 201, 403, 404, 409, 422),
            },
        },
        "/inspections/{inspection_id}/automatic-findings": {
            "parameters": [inspection_id],
            "get": {
                "summary": "Gợi ý tự động cho các nội dung Phương tiện đo và hàng đóng gói sẵn (không lưu)",
                "responses": answers(200, 404),
            },
        },
    }
