"""The audit log's viewer (``/audit``, "Nhật ký") and its CSV export, for supervisors and administrators in their
scope."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from ..access import permission_required, scoped, visible_units
from ..domain.time import today_vn
from ..domain.vocabulary import AUDIT_ACTIONS, AUDIT_RECORD_TYPES, audit_action_label
from ..exports.formats import csv_chunks
from ..extensions import db
from ..models import User
from ..web.errors import error_response
from ..web.paging import InvalidCursor
from . import service

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50


@bp.route("/audit")
@permission_required("audit.view")
def list_events():
    listed = service.audit_list_args(request.args)
    try:
        page = service.audit_page(
            current_user,
            **listed.kwargs,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect(url_for(".list_events", **listed.echo))
    actors = db.session.execute(
        scoped(User).with_only_columns(User.id, User.full_name, User.username).order_by(User.full_name)
    ).all()
    return render_template(
        "audit/list.html",
        page=page,
        filters=listed.echo,
        errors=listed.errors,
        actors=actors,
        units=visible_units(),
        actions=AUDIT_ACTIONS,
        record_types=AUDIT_RECORD_TYPES,
        describe=service.describe_changes,
        action_label=audit_action_label,
    )


@bp.route("/audit.csv")
@permission_required("audit.view")
def export_events():
    listed = service.audit_list_args(request.args)
    if listed.errors:
        return error_response(400, "Không xuất được nhật ký: " + " ".join(listed.errors.values()))
    query = service.export_query(current_user, **listed.kwargs)
    service.log_export(current_user, "audit_events", "csv", listed.echo, record_type="audit_events")
    filename = f"nhat-ky-thao-tac-{today_vn().strftime('%Y%m%d')}.csv"
    return Response(
        stream_with_context(
            csv_chunks(service.EXPORT_FIELDS, service.export_rows(query))
        ),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "private, no-store",
        },
    )
