"""The stall's QR sticker (desk) and the public page it opens (no login): the last inspection's result, the scales'
stamps, and a form that lands in the complaints register."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import act_as_system, get_or_404, permission_required
from ..complaints import service as complaints
from ..domain.errors import InvalidInput
from ..extensions import db
from ..models import Premise
from . import service
from .forms import PublicReportForm

bp = Blueprint("stalls", __name__)


@bp.route("/premises/<id:premise_id>/sticker.pdf")
@permission_required("sticker.print")
def sticker(premise_id: int):
    premise = get_or_404(Premise, premise_id)
    if not premise.unit.public_stall_page:
        flash(f"{premise.unit.name} chưa bật trang công khai của cơ sở; chưa in được tem mã QR.", "error")
        return redirect(url_for("premises.premise_detail", premise_id=premise.id))
    pdf = service.sticker_pdf(premise, current_user)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="tem-qr-co-so-{premise.id}.pdf"'},
    )


@bp.route("/s/<token>", methods=["GET", "POST"])
def stall_page(token: str):
    # No login: the signed token names the premise (and its unit turned the page on); its facts are read, and a
    # report filed, as the system (every unit) would.
    act_as_system()
    premise = service.premise_for_token(token)
    if premise is None:
        return render_template("stalls/unknown.html"), 404
    form = PublicReportForm()
    status, sent = 200, request.args.get("sent") == "1"
    if form.is_submitted():
        if form.validate():
            try:
                complaints.create_public_complaint(
                    premise,
                    subject=form.subject.data or "",
                    content=form.content.data or "",
                    name=form.name.data or "",
                    contact=form.contact.data or "",
                    address=request.remote_addr or "",
                    form_uuid=form.new_uuid(),
                )
            except complaints.TooMany as exc:
                db.session.rollback()
                form.content.errors = [exc.message]
                status = 429
            except InvalidInput as exc:
                db.session.rollback()
                for name, message in exc.errors.items():
                    getattr(form, name).errors = [message]
                status = 422
            else:
                return redirect(url_for(".stall_page", token=token, sent=1))
        else:
            status = 422
    page = render_template(
        "stalls/page.html", facts=service.stall_facts(premise), form=form, sent=sent, token=token
    )
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
