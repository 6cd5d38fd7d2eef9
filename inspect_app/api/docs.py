"""The OpenAPI document (/api/v1/openapi.json), built by flask-smorest from the routes and their schemas, and the
Swagger UI page that reads it (/api/docs), served from the flask-swagger-ui package: no CDN, works offline."""

from __future__ import annotations

from flask import Flask, jsonify
from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin
from flask_swagger_ui import get_swaggerui_blueprint

from .core import PREFIX, ErrorSchema, bp, schema_name

DOCS_URL = "/api/docs"
TITLE = "Kiểm tra TC-ĐL-CL API"


class V1Paths(FlaskPlugin):
    """Paths relative to the server URL /api/v1, as the document has always given them."""

    def path_helper(self, rule, operations, parameters, **kwargs):
        return (
            super()
            .path_helper(rule=rule, operations=operations, parameters=parameters, **kwargs)
            .removeprefix(PREFIX)
        )


class V1Api(Api):
    """flask-smorest, documenting only: the app keeps its own error handlers (Vietnamese pages, the phone's JSON
    shape), the error responses use this API's error schema, and there is no catch-all "default" response."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass

    def _register_pagination_header(self):
        pass  # nothing is paginated


def register_api(app: Flask) -> V1Api:
    from apispec.ext.marshmallow import MarshmallowPlugin

    api = V1Api(
        app,
        spec_kwargs={
            "title": TITLE,
            "version": "1",
            "openapi_version": "3.1.0",
            "flask_plugin": V1Paths(),
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "servers": [{"url": PREFIX}],
            "security": [{"bearer": []}, {"session": []}],
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme(
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "Phiên đăng nhập của trang; yêu cầu ghi cần tiêu đề X-CSRFToken",
        },
    )
    api.register_blueprint(bp)
    app.register_blueprint(
        get_swaggerui_blueprint(
            DOCS_URL, f"{PREFIX}/openapi.json", config={"app_name": TITLE}, blueprint_name="api_docs"
        )
    )
    return api


@bp.route("/openapi.json", public=True)
@bp.response(200, {"type": "object"}, description="Tài liệu OpenAPI 3.1")
def openapi():
    """Tài liệu OpenAPI này"""
    from flask_smorest import current_api

    return jsonify(current_api.spec.to_dict())
