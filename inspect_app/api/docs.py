"""The OpenAPI document (/api/v1/openapi.json), built by flask-smorest from the routes and their schemas, and the
Swagger UI page that reads it (/api/docs/), its assets served from the flask-swagger-ui package: no CDN, works
offline."""

from __future__ import annotations

import json
import threading
from importlib.resources import files

from flask import Blueprint, Flask, jsonify, render_template_string, send_from_directory
from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin

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
    shape), the error responses use this API's error schema, and there is no catch-all "default" response.

    The routes are documented when the document is first read, not when the app starts: building the document costs
    three quarters of starting the app (flask-smorest deep-copies every route's schemas), which every gunicorn
    worker, command and test app paid though few ever serve the document."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, *args, **kwargs):
        self._undocumented = []
        self._documenting = threading.Lock()
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        with self._documenting:
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

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
    app.register_blueprint(docs_page)
    return api


# Swagger UI 5 (OpenAPI 3.1), as the flask-swagger-ui package ships it. One rule per file, with no URL argument:
# every route that takes an argument names a record somewhere in this app.
SWAGGER_UI = files("flask_swagger_ui") / "dist"
ASSETS = (
    "swagger-ui.css",
    "index.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
)
PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ base }}/index.css">
  <link rel="stylesheet" href="{{ base }}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{{ base }}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ base }}/swagger-ui-bundle.js"></script>
  <script src="{{ base }}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.onload = function () {
      window.ui = SwaggerUIBundle(Object.assign({{ config | safe }}, {
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
      }));
    };
  </script>
</body>
</html>
"""

docs_page = Blueprint("api_docs", __name__, url_prefix=DOCS_URL)


@docs_page.get("/")
def swagger_ui():
    config = {"url": f"{PREFIX}/openapi.json", "dom_id": "#swagger-ui", "deepLinking": True}
    return render_template_string(PAGE, title=TITLE, base=DOCS_URL, config=json.dumps(config))


def _asset(name: str):
    def send():
        return send_from_directory(str(SWAGGER_UI), name, max_age=86400)

    send.__name__ = "asset_" + name.replace("-", "_").replace(".", "_")
    return send


for _name in ASSETS:
    docs_page.add_url_rule(f"/{_name}", view_func=_asset(_name))


@bp.route("/openapi.json", public=True)
@bp.response(200, {"type": "object"}, description="Tài liệu OpenAPI 3.1")
def openapi():
    """Tài liệu OpenAPI này"""
    from flask_smorest import current_api

    return jsonify(current_api.spec.to_dict())
