"""Times the biên bản PDF renderer (one 2-page document with QR, and a batch of 100) against WeasyPrint on equal HTML,
and the same biên bản with a photo appendix of 6 field photos (CPU time and size).

Run from the repository root:  .venv/bin/python bench/bench_minutes.py [--runs 50] [--batch 100] [--photo-runs 5]
[--no-tuning] [--no-baseline]
The baseline needs the optional group ``bench`` (``pip install -e .[bench]``) and Debian's Pango; without it the
script still times our renderer and says the baseline is missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reportlab
from pypdf import PdfReader, PdfWriter

from inspect_app.documents.minutes_pdf import MinutesDocument, render_batch, render_minutes_pdf
from inspect_app.documents import reportlab_tuning
from inspect_app.documents.vn_format import format_vn_decimal, vn_short_date, vn_time_words
from inspect_app.documents.tokens import make_verification_token, new_public_id
from inspect_app.documents.fonts import register_serif_family
from inspect_app.documents.qr import qr_matrix
from tests.documents.sample import field_photos, sample_document

SECRET = b"bench-secret"
TARGET_MS = 50.0
TARGET_RATIO = 20.0
PHOTOS = 6
TARGET_PHOTOS_CPU_MS = 300.0  # one biên bản with PHOTOS field photos


def bench_document(number: int = 12) -> MinutesDocument:
    """The sample cut to a typical two-page biên bản: one checklist group, three readings, one violation, one request."""
    full = sample_document()
    return sample_document(
        number=number,
        team=full.team[:2],
        result_groups=full.result_groups[:1],
        readings=full.readings[:3],
        lots=(),
        violations=full.violations[:1],
        requests=full.requests[:1],
    )


def verify_url() -> str:
    return "https://tdc.ducpho.quangngai.gov.vn/xac-thuc/" + make_verification_token(new_public_id(), SECRET)


# ---------------------------------------------------------------------------------------------------------------
# The baseline: the same document as HTML + CSS paged media, rendered by WeasyPrint.
# ---------------------------------------------------------------------------------------------------------------

_CSS = """
@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm;
        @top-center { content: "Trang " counter(page) "/" counter(pages); font: 13pt 'Liberation Serif'; }
        @bottom-left-corner { content: element(qr); vertical-align: bottom; } }
@page :first { @top-center { content: none; } }
body { font-family: 'Liberation Serif', serif; font-size: 13pt; line-height: 15.5pt; text-align: justify; }
p { margin: 0 0 3pt 0; } p.i { text-indent: 10mm; margin-bottom: 6pt; }
h2 { font-size: 13pt; margin: 6pt 0 3pt 0; }
.head { width: 100%; border-collapse: collapse; text-align: center; }
.head td { vertical-align: top; padding: 0; } .head td.l { width: 38%; }
.body { font-size: 12.5pt; } .nat { font-weight: bold; font-size: 13pt; }
.motto { font-weight: bold; text-decoration: underline; } .date { font-style: italic; padding-top: 7pt; }
.title { text-align: center; font-weight: bold; font-size: 14pt; margin-top: 16pt; }
.sub { margin-left: -3mm; margin-right: -3mm; }
.sub { text-align: center; font-weight: bold; margin-bottom: 10pt; line-height: 16pt; }
table.grid { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 11pt; line-height: 13pt; text-align: left; }
table.grid td, table.grid th { border: 0.5pt solid black; padding: 2.5pt 3pt 3.5pt 3pt; vertical-align: middle; }
table.grid th { text-align: center; } td.c { text-align: center; } .small { font-size: 9pt; line-height: 10.5pt; font-style: italic; }
table.sign { width: 100%; text-align: center; margin-top: 4mm; page-break-inside: avoid; }
table.sign { table-layout: fixed; } table.sign td { width: 33%; vertical-align: top; font-size: 11.5pt; line-height: 14pt; } .sp { height: 24mm; }
table.sign td b.n { font-size: 13pt; }
.qr { position: running(qr); width: 22mm; }
.cap { position: fixed; bottom: -14mm; left: 0; font-size: 8pt; font-style: italic; }
"""


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _qr_svg(url: str) -> str:
    matrix = qr_matrix(url)
    n = len(matrix)
    rects = "".join(f"M{c} {r}h1v1h-1z" for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="22mm" height="22mm"><path d="{rects}"/></svg>'


def minutes_html(doc: MinutesDocument, url: str) -> str:
    """An HTML page with the same content and layout rules as the PDF renderer produces."""
    p: list[str] = [
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"
    ]
    p.append(f"<div class='qr'>{_qr_svg(url)}</div>")
    p.append(
        f"<div class='cap'>Quét mã để kiểm tra tính xác thực<br>Biên bản kiểm tra số {_e(doc.number_text)}</div>"
    )
    body = "".join(f"<div>{_e(x.upper())}</div>" for x in doc.issuing_body_lines[:-1])
    body += f"<div><b>{_e(doc.issuing_body_lines[-1].upper())}</b></div>"
    p.append(
        f"<table class='head'><tr><td class='body l'>{body}</td><td><div class='nat'>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        "</div><div class='motto'>Độc lập - Tự do - Hạnh phúc</div></td></tr>"
        f"<tr><td>Số: {_e(doc.number_text)}</td><td class='date'>{_e(doc.place_date_text)}</td></tr></table>"
    )
    p.append(f"<div class='title'>{_e(doc.title)}</div><div class='sub'>{_e(doc.subtitle)}</div>")
    p.extend(f"<p class='i'>{_e(x)}</p>" for x in doc.legal_basis)
    s = doc.started_at
    p.append(
        f"<p class='i'>Hôm nay, vào hồi {vn_time_words(s)}, ngày {s:%d/%m/%Y}, tại {_e(doc.place)}, chúng tôi gồm:</p>"
    )
    p.append("<h2>I. ĐOÀN KIỂM TRA</h2>")
    for n, m in enumerate(doc.team, 1):
        p.append(
            f"<p>{n}. Ông/Bà {_e(m.name)}, chức vụ: {_e(m.position)}, đơn vị: {_e(m.organisation)} – {_e(m.role)};</p>"
        )
    b, r = doc.business, doc.representative
    p.append("<h2>II. CƠ SỞ ĐƯỢC KIỂM TRA</h2>")
    for label, value in (
        ("Tên cơ sở", b.name),
        ("Chủ cơ sở", b.owner),
        ("Số Giấy chứng nhận đăng ký kinh doanh", b.registration_number),
        ("Địa chỉ", b.address),
        ("Chợ, số sạp/ki-ốt", f"{b.market}, {b.stall}"),
    ):
        p.append(f"<p>{label}: {_e(value)}</p>")
    p.append(
        f"<p>Đại diện cơ sở: Ông/Bà {_e(r.name)}, chức vụ/quan hệ với cơ sở: {_e(r.position)}, số CCCD: "
        f"{_e(r.id_number)}.</p>"
    )
    p.append("<h2>III. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA</h2>")
    if doc.result_groups:
        p.append(
            "<h2>1. Kết quả kiểm tra theo nội dung</h2><table class='grid'><colgroup><col style='width:10mm'>"
            "<col style='width:86mm'><col style='width:26mm'><col></colgroup><thead><tr><th>STT</th>"
            "<th>Nội dung kiểm tra</th><th>Kết quả</th><th>Ghi chú</th></tr></thead>"
        )
        for gi, g in enumerate(doc.result_groups, 1):
            p.append(f"<tr><td colspan='4'><b>{gi}. {_e(g.title)}</b></td></tr>")
            for ii, it in enumerate(g.items, 1):
                p.append(
                    f"<tr><td class='c'>{gi}.{ii}</td><td>{_e(it.question)}</td><td class='c'>{_e(it.answer)}</td>"
                    f"<td>{_e(it.note)}</td></tr>"
                )
        p.append("</table>")
    if doc.readings:
        p.append(
            f"<h2>2. Kết quả phép đo đối chứng, kiểm tra sai số phương tiện đo</h2><p>Chuẩn đo lường sử dụng: "
            f"{_e('; '.join(doc.reference_standards))}.</p><table class='grid'><colgroup>"
            + "<col style='width:10mm'><col style='width:42mm'>"
            + "<col style='width:20mm'>" * 4
            + "<col></colgroup><thead><tr><th>STT</th>"
            "<th>Phương tiện đo</th><th>Tải/lượng chuẩn</th><th>Số chỉ</th><th>Sai số</th><th>Sai số cho phép</th>"
            "<th>Kết quả</th></tr></thead>"
        )
        previous = None
        for n, rd in enumerate(doc.readings, 1):
            u = _e(rd.unit)
            instrument = "<i>Như trên</i>" if rd.instrument == previous else _e(rd.instrument)
            previous = rd.instrument
            p.append(
                f"<tr><td class='c'>{n}</td><td>{instrument}</td><td class='c'>{format_vn_decimal(rd.reference)} {u}"
                f"</td><td class='c'>{format_vn_decimal(rd.indication)} {u}</td><td class='c'>"
                f"{format_vn_decimal(rd.error, signed=True)} {u}</td><td class='c'>±{format_vn_decimal(rd.permitted_error)}"
                f" {u}</td><td class='c'>{_e(rd.verdict)}<div class='small'>{_e(rd.rule)}</div></td></tr>"
            )
        p.append("</table>")
    p.append("<h2>IV. VI PHẠM PHÁT HIỆN</h2>")
    p.extend(
        f"<p>{n}. {_e(v.text)} <i>(Căn cứ: {_e(v.legal_basis)})</i></p>"
        for n, v in enumerate(doc.violations, 1)
    )
    p.append(
        f"<h2>V. KẾT LUẬN VÀ BIỆN PHÁP XỬ LÝ</h2><p><b>Kết luận:</b> {_e(doc.outcome)}</p>"
        f"<p><b>Biện pháp xử lý:</b> {_e(doc.handling)}</p><p><b>Yêu cầu cơ sở:</b></p>"
    )
    for n, rq in enumerate(doc.requests, 1):
        due = f" Thời hạn hoàn thành: trước ngày {vn_short_date(rq.deadline)}." if rq.deadline else ""
        p.append(f"<p>{n}. {_e(rq.text)}{due}</p>")
    p.append(f"<h2>VI. Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ</h2><p>{_e(doc.representative_statement)}</p>")
    if doc.ended_at:
        p.append(f"<p class='i'>Việc kiểm tra kết thúc vào hồi {vn_time_words(doc.ended_at)} cùng ngày.</p>")
    p.append(
        f"<p class='i'>Biên bản được lập thành {doc.copies:02d} bản có giá trị như nhau, mỗi bên giữ 01 bản; đã đọc "
        "lại cho những người có tên trên cùng nghe, công nhận đúng và ký tên dưới đây.</p>"
    )
    signers = (
        ("ĐẠI DIỆN CƠ SỞ", r.name),
        ("NGƯỜI LẬP BIÊN BẢN", doc.recorder.name),
        ("TRƯỞNG ĐOÀN KIỂM TRA", doc.team_leader.name),
    )
    cells = "".join(
        f"<td><b>{t}</b><br><i>(Ký, ghi rõ họ tên)</i><div class='sp'></div><b class='n'>{_e(nm)}</b></td>"
        for t, nm in signers
    )
    p.append(f"<table class='sign'><tr>{cells}</tr></table></body></html>")
    return "".join(p)


def weasyprint_render() -> Callable[[MinutesDocument, str], bytes] | None:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango/HarfBuzz shared libraries are missing
        print(f"baseline unavailable: WeasyPrint could not be imported ({exc})", file=sys.stderr)
        return None

    def render(doc: MinutesDocument, url: str) -> bytes:
        return weasyprint.HTML(string=minutes_html(doc, url)).write_pdf()

    return render


def merge(pdfs: list[bytes]) -> bytes:
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------


def _time(fn: Callable[[], bytes], samples: list[float]) -> bytes:
    start = time.perf_counter()
    out = fn()
    samples.append((time.perf_counter() - start) * 1000)
    return out


def interleaved(
    ours: Callable[[], bytes], base: Callable[[], bytes] | None, ours_runs: int, base_runs: int
) -> tuple[float, bytes, float | None, bytes]:
    """Median ms of each side, measured in alternating rounds so both see the same machine load."""
    rounds = max(1, base_runs if base is not None else 1)
    per_round = max(1, -(-ours_runs // rounds))
    ours_ms: list[float] = []
    base_ms: list[float] = []
    ours_out = base_out = b""
    for _ in range(rounds):
        for _ in range(per_round):
            ours_out = _time(ours, ours_ms)
        if base is not None:
            base_out = _time(base, base_ms)
    return (
        statistics.median(ours_ms),
        ours_out,
        statistics.median(base_ms) if base_ms else None,
        base_out,
    )


def cpu_ms(fn: Callable[[], bytes], runs: int) -> tuple[float, float, bytes]:
    """Median CPU ms and median wall ms of ``runs`` calls, and the last output."""
    cpu: list[float] = []
    wall: list[float] = []
    out = b""
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall), out


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50, help="timed runs for one biên bản (ours)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch", type=int, default=100, help="documents in the batch")
    ap.add_argument("--batch-runs", type=int, default=3)
    ap.add_argument("--baseline-runs", type=int, default=10, help="timed runs for one biên bản (baseline)")
    ap.add_argument("--baseline-batch-runs", type=int, default=1)
    ap.add_argument(
        "--photo-runs", type=int, default=5, help=f"timed runs for one biên bản with {PHOTOS} photos"
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument(
        "--no-tuning",
        action="store_true",
        help="switch documents/reportlab_tuning.py off (ReportLab's own code)",
    )
    args = ap.parse_args(argv)
    if args.no_tuning:
        reportlab_tuning.ENABLED = False

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    fonts = register_serif_family()
    first_ms = (time.perf_counter() - t0) * 1000
    doc, url = bench_document(), verify_url()
    batch = [(bench_document(12 + k), verify_url()) for k in range(args.batch)]

    render = None if args.no_baseline else weasyprint_render()
    for _ in range(args.warmup):
        render_minutes_pdf(doc, verify_url=url)
    render_batch(batch[:2])
    if render is not None:
        render(doc, url)
        render(doc, url)

    ours_one, pdf_one, base_one, html_one = interleaved(
        lambda: render_minutes_pdf(doc, verify_url=url),
        (lambda: render(doc, url)) if render is not None else None,
        args.runs,
        args.baseline_runs,
    )
    ours_batch, pdf_batch, base_batch, html_batch = interleaved(
        lambda: render_batch(batch),
        (lambda: merge([render(d, u) for d, u in batch])) if render is not None else None,
        args.batch_runs,
        args.baseline_batch_runs,
    )
    rows = [
        ("ours: 1 biên bản", ours_one, pages(pdf_one), len(pdf_one)),
        (
            f"ours: batch of {args.batch} (per biên bản)",
            ours_batch / args.batch,
            pages(pdf_batch),
            len(pdf_batch),
        ),
    ]
    if base_one is not None and base_batch is not None:
        import weasyprint

        rows.append(
            (f"WeasyPrint {weasyprint.__version__}: 1 biên bản", base_one, pages(html_one), len(html_one))
        )
        rows.append(
            (
                f"WeasyPrint: batch of {args.batch} (per biên bản)",
                base_batch / args.batch,
                pages(html_batch),
                len(html_batch),
            )
        )

    one_cpu, one_wall, _ = cpu_ms(lambda: render_minutes_pdf(doc, verify_url=url), args.runs)
    photos = field_photos(PHOTOS)
    with_photos = dataclasses.replace(doc, photos=photos)
    render_minutes_pdf(with_photos, verify_url=url)
    photo_cpu, photo_wall, pdf_photos = cpu_ms(
        lambda: render_minutes_pdf(with_photos, verify_url=url), args.photo_runs
    )
    photo_bytes = sum(len(p.jpeg) for p in photos)

    cpu = os.cpu_count()
    print(
        f"machine: {platform.machine()}, {cpu} cores, Python {platform.python_version()}, {platform.system()}; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print(f"font family: {fonts.family} ({fonts.source}); font registration (first call): {first_ms:.0f} ms")
    print(f"ReportLab {reportlab.Version}; reportlab_tuning {'on' if reportlab_tuning.active() else 'OFF'}")
    print(
        f"runs (median of): ours {args.runs} (+{args.warmup} warm-up), batch {args.batch_runs}; "
        f"baseline {args.baseline_runs}, batch {args.baseline_batch_runs}; rounds alternate ours and baseline\n"
    )
    print(f"{'case':<44} {'ms/biên bản':>12} {'pages':>6} {'bytes':>10}")
    for name, ms, pg, size in rows:
        print(f"{name:<44} {ms:>12.1f} {pg:>6} {size:>10}")
    print(
        f"\n{'case':<44} {'CPU ms':>12} {'wall ms':>8} {'pages':>6} {'bytes':>10}\n"
        f"{'ours: 1 biên bản (not interleaved)':<44} {one_cpu:>12.1f} {one_wall:>8.1f} "
        f"{pages(pdf_one):>6} {len(pdf_one):>10}\n"
        f"{f'ours: 1 biên bản + {PHOTOS} photos':<44} {photo_cpu:>12.1f} {photo_wall:>8.1f} "
        f"{pages(pdf_photos):>6} {len(pdf_photos):>10}\n"
        f"{f'  (the {PHOTOS} JPEGs alone)':<44} {'':>12} {'':>8} {'':>6} {photo_bytes:>10}"
    )
    ok = ours_one <= TARGET_MS
    if base_one is not None and base_batch is not None:
        r1, rb = base_one / ours_one, base_batch / ours_batch
        print(f"\nratio baseline/ours: single {r1:.1f}x, batch {rb:.1f}x (target >= {TARGET_RATIO:.0f}x)")
        ok = ok and r1 >= TARGET_RATIO
    print(f"target <= {TARGET_MS:.0f} ms per biên bản: {'met' if ours_one <= TARGET_MS else 'MISSED'}")
    photos_ok = photo_cpu <= TARGET_PHOTOS_CPU_MS
    print(
        f"target <= {TARGET_PHOTOS_CPU_MS:.0f} ms CPU with {PHOTOS} photos: {'met' if photos_ok else 'MISSED'}"
    )
    return 0 if ok and photos_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
