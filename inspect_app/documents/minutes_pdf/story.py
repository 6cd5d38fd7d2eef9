"""The biên bản from top to bottom as a list of flowables: header, sections I-VI, closing sentence and signatures,
then the photo appendix."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from ..vn_format import vn_short_date, vn_time_words
from .appendix import photo_appendix
from .blocks import header, signatures
from .content import MinutesDocument
from ..official_pdf.styles import TEXT_WIDTH, Styles, labelled, markup, para
from ..official_pdf.grid import table_section
from .tables import Notes, lots_table, meters_table, readings_table, results_table


STATEMENT_LINES = 6


def heading(text: str, st: Styles) -> list[Flowable]:
    # Move a heading to the next page unless a few lines (or a table's head and first rows) fit under it.
    return [CondPageBreak(32 * mm), para(text, st.heading)]


def dotted_lines(count: int, st: Styles) -> list[Flowable]:
    dots = "." * int(TEXT_WIDTH / stringWidth(".", st.fonts.regular, 13) - 2)
    return [Paragraph(dots, st.body) for _ in range(count)]


def document_story(doc: MinutesDocument, st: Styles) -> list[Flowable]:
    s: list[Flowable] = header(doc, st)
    body = st.body
    for line in doc.legal_basis:
        s.append(para(line, st.body_indent))

    started = doc.started_at
    s.append(
        para(
            f"Hôm nay, vào hồi {vn_time_words(started)}, ngày {started.day:02d}/{started.month:02d}/{started.year}, "
            f"tại {doc.place}, chúng tôi gồm:",
            st.body_indent,
        )
    )

    s.extend(heading("I. ĐOÀN KIỂM TRA", st))
    for n, m in enumerate(doc.team, start=1):
        parts = [f"{n}. {m.salutation} {m.name}", f"chức vụ: {m.position}"]
        if m.organisation:
            parts.append(f"đơn vị: {m.organisation}")
        text = ", ".join(parts)
        if m.role:
            text += f" – {m.role}"
        s.append(para(text + ";", body))

    s.extend(heading("II. CƠ SỞ ĐƯỢC KIỂM TRA", st))
    biz = doc.business
    s.append(labelled("Tên cơ sở", biz.name, body))
    s.append(labelled("Chủ cơ sở", biz.owner, body))
    if biz.registration_number:
        s.append(labelled("Số Giấy chứng nhận đăng ký kinh doanh", biz.registration_number, body))
    if biz.address:
        s.append(labelled("Địa chỉ", biz.address, body))
    if biz.market or biz.stall:
        s.append(labelled("Chợ, số sạp/ki-ốt", ", ".join(x for x in (biz.market, biz.stall) if x), body))
    rep = doc.representative
    rep_text = (
        f"Đại diện cơ sở: {rep.salutation} {markup(rep.name)}, "
        f"chức vụ/quan hệ với cơ sở: {markup(rep.position)}"
    )
    if rep.id_number:
        rep_text += f", số CCCD: {markup(rep.id_number)}"
    s.append(Paragraph(rep_text + ".", body))
    if doc.witness is not None:
        w = doc.witness
        s.append(
            Paragraph(
                f"Người chứng kiến: {w.salutation} {markup(w.name)}, chức vụ/đơn vị: {markup(w.position)}.",
                body,
            )
        )

    s.extend(heading("III. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA", st))
    section = 0
    if doc.result_groups:
        section += 1
        s.extend(
            table_section(
                f"{section}. Kết quả kiểm tra theo nội dung", results_table(doc.result_groups, st), st
            )
        )
    if doc.not_checked:
        s.append(para("Nội dung không kiểm tra: " + "; ".join(doc.not_checked) + ".", body))
    if doc.readings:
        section += 1
        intro = []
        if doc.reference_standards:
            intro.append(para("Chuẩn đo lường sử dụng: " + "; ".join(doc.reference_standards) + ".", body))
        notes = Notes()
        s.extend(
            table_section(
                f"{section}. Kết quả phép đo đối chứng, kiểm tra sai số phương tiện đo",
                readings_table(doc.readings, st, notes),
                st,
                intro,
            )
        )
        s.extend(notes.flowables(st))
    if doc.lots:
        section += 1
        notes = Notes()
        s.extend(
            table_section(
                f"{section}. Kết quả kiểm tra lượng của hàng đóng gói sẵn",
                lots_table(doc.lots, st, notes),
                st,
            )
        )
        s.extend(notes.flowables(st))
    if any(r.provisional for r in doc.readings) or any(lot.provisional for lot in doc.lots):
        names = dict.fromkeys(
            name for record in (*doc.readings, *doc.lots) for name in record.provisional_tables
        )
        s.append(
            para(
                "(*) Kết quả đánh giá theo bảng giới hạn sai số tạm thời, chưa được đối chiếu với văn bản chính thức"
                + (f": {'; '.join(names)}." if names else "."),
                st.note,
            )
        )
    if doc.meter_checks:
        section += 1
        s.extend(
            table_section(
                f"{section}. Công tơ điện, đồng hồ nước đã kiểm tra",
                meters_table(doc.meter_checks, st),
                st,
                [
                    para(
                        "Công tơ điện, đồng hồ nước thuộc đơn vị cấp điện, cấp nước. Đoàn ghi nhận hiện trạng, tiếp "
                        "nhận phản ánh và chuyển đơn vị cấp điện/cấp nước, sau đó Sở Khoa học và Công nghệ; "
                        "đoàn không kết luận về sai số của công tơ, đồng hồ nước.",
                        body,
                    )
                ],
            )
        )
    if section == 0:
        s.append(para("Không có kết quả kiểm tra chi tiết kèm theo.", body))

    s.extend(heading("IV. VI PHẠM PHÁT HIỆN", st))
    if doc.violations:
        for n, v in enumerate(doc.violations, start=1):
            text = f"{n}. {markup(v.text)}"
            if v.legal_basis:
                text += f" <i>(Căn cứ: {markup(v.legal_basis)})</i>"
            s.append(Paragraph(text, body))
    else:
        s.append(para("Không phát hiện vi phạm.", body))

    s.extend(heading("V. KẾT LUẬN VÀ BIỆN PHÁP XỬ LÝ", st))
    if doc.conclusion:
        s.append(Paragraph(f"<b>Kết luận:</b> {markup(doc.conclusion)}", body))
    elif doc.outcome:
        s.append(Paragraph(f"<b>Kết luận:</b> {markup(doc.outcome)}", body))
    if doc.handling:
        s.append(Paragraph(f"<b>Biện pháp xử lý:</b> {markup(doc.handling)}", body))
    if doc.requests:
        s.append(Paragraph("<b>Yêu cầu cơ sở:</b>", body))
        for n, req in enumerate(doc.requests, start=1):
            text = f"{n}. {markup(req.text)}"
            if req.deadline:
                text += f" Thời hạn hoàn thành: trước ngày {vn_short_date(req.deadline)}."
            s.append(Paragraph(text, body))

    next_section = "VI"
    if doc.stop_order is not None:
        s.extend(heading("VI. TẠM DỪNG SỬ DỤNG PHƯƠNG TIỆN ĐO, PHÉP ĐO", st))
        s.append(
            Paragraph(
                f"Yêu cầu cơ sở tạm dừng sử dụng: {markup(doc.stop_order.subject)}, "
                "cho đến khi khắc phục xong các nội dung không đạt.",
                body,
            )
        )
        s.append(
            Paragraph(
                f"<b>Thời hạn khắc phục:</b> trước ngày {vn_short_date(doc.stop_order.deadline)}.", body
            )
        )
        next_section = "VII"

    s.extend(heading(f"{next_section}. Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ", st))
    if doc.representative_statement:
        s.append(para(doc.representative_statement, body))
    elif not doc.refused_to_sign:
        # Room for a handwritten statement of a few sentences.
        s.extend(dotted_lines(STATEMENT_LINES, st))
    if doc.refused_to_sign:
        s.append(
            Paragraph(f"<b>Đại diện cơ sở không ký biên bản.</b> Lý do: {markup(doc.refusal_reason)}", body)
        )

    if doc.ended_at is not None:
        ended = doc.ended_at
        same_day = ended.date() == started.date()
        when = "cùng ngày" if same_day else f"ngày {ended.day:02d}/{ended.month:02d}/{ended.year}"
        s.append(para(f"Việc kiểm tra kết thúc vào hồi {vn_time_words(ended)} {when}.", st.body_indent))
    # The closing sentence stays with the signatures: a signature page never starts without it.
    closing: list[Flowable] = []
    if doc.copies == 2:
        kept = "mỗi bên giữ 01 bản"
    else:
        kept = f"cơ sở được kiểm tra giữ 01 bản, Đoàn kiểm tra giữ {doc.copies - 1:02d} bản"
    made = (
        f"Biên bản được lập thành {doc.copies:02d} bản có giá trị như nhau, {kept}"
        if doc.copies > 1
        else "Biên bản được lập thành 01 bản"
    )
    if doc.refused_to_sign:
        signers = "Trưởng đoàn kiểm tra, người lập biên bản" + (" và người chứng kiến" if doc.witness else "")
        read_out = (
            "đã đọc lại cho những người có tên trên cùng nghe. Đại diện cơ sở không ký biên bản; "
            f"biên bản có chữ ký của {signers} vẫn có giá trị "
            "(điểm b khoản 2 Điều 21 Thông tư số 28/2013/TT-BKHCN)."
        )
    else:
        read_out = "đã đọc lại cho những người có tên trên cùng nghe, công nhận đúng và ký tên dưới đây."
    closing.append(para(f"{made}; {read_out}", st.body_indent))
    closing.append(Spacer(1, 4 * mm))
    closing.extend(signatures(doc, st))
    s.append(KeepTogether(closing))

    if doc.photos:
        s.extend(photo_appendix(doc, st))
    return s
