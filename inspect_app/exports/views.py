"""Downloads of the desk lists: CSV streamed as it is read, XLSX written to a temporary file and then streamed."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, current_app, send_file, stream_with_context
from flask import request
from flask_login import current_user, login_required

from ..audit.service import log_export
from ..domain.time import today_vn
from ..web.errors import error_response
from .formats import csv_chunks, write_xlsx
from .queries import EXPORTS, InvalidFilters, build_export

bp = Blueprint("exports", __name__)

LISTS = tuple(EXPORTS)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route(f"/exports/<any({', '.join(LISTS)}):list_name>.<any(csv, xlsx):fmt>")
@login_required
def export(list_name: str, fmt: str):
    try:
        built = build_export(list_name, current_user, request.args)
    except InvalidFilters as exc:
        return error_response(400, "Không xuất được danh sách: " + " ".join(exc.errors.values()))
    filename = f"{built.filename}-{today_vn().strftime('%Y%m%d')}.{fmt}"
    log_export(current_user, list_name, fmt, request.args)
    if fmt == "csv":
        return Response(
            stream_with_context(csv_chunks(built.fields, built.rows())),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Type": "text/csv; charset=utf-8",
                "Cache-Control": "private, no-store",
            },
        )
    # The zip inside an XLSX is written once every row is in: the file is built in a temporary file (one row in
    # memory at a time) and streamed from there; the file is gone once the response is closed.
    tmpdir = current_app.config.get("EXPORT_TMPDIR") or None
    spooled = tempfile.TemporaryFile(dir=tmpdir)
    try:
        write_xlsx(spooled, built.fields, built.rows(), built.title, tmpdir=tmpdir)
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    response = send_file(
        spooled, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
