"""The one place that relies on ReportLab's internals: pinned to the version it was written for, and switchable off."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics

from inspect_app.documents.fonts import register_serif_family
from inspect_app.documents.minutes_pdf import render_batch, render_minutes_pdf
from inspect_app.documents import reportlab_tuning
from inspect_app.documents.fonts import VIETNAMESE_SAMPLE

from .pdftools import decode_qr, page_png, page_texts, reader
from .sample import replace, sample_document

URL = "https://tdc.ducpho.quangngai.gov.vn/xac-thuc/Zq3v8Yp1sK0aRt5uW2xN7Q"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pinned_reportlab() -> str:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [m.group(1) for dep in deps if (m := re.fullmatch(r"reportlab==([\w.]+)", dep.replace(" ", "")))]
    assert len(pins) == 1, f"pyproject.toml must pin reportlab with ==, found {deps}"
    return pins[0]


def test_reportlab_is_pinned_to_the_version_the_tuning_was_written_for() -> None:
    assert pinned_reportlab() == reportlab_tuning.REPORTLAB_VERSION
    if reportlab_tuning.ENABLED:
        assert reportlab.Version == reportlab_tuning.REPORTLAB_VERSION, (
            f"ReportLab {reportlab.Version} is installed, but documents/reportlab_tuning.py was written for "
            f"{reportlab_tuning.REPORTLAB_VERSION}: check each item there against the new version, then move "
            "REPORTLAB_VERSION and the pin in pyproject.toml together (or set ENABLED = False)"
        )
        assert reportlab_tuning.active()


def test_cached_font_objects_are_exactly_what_reportlab_writes(monkeypatch) -> None:
    doc = sample_document(with_images=True)
    tuned = render_minutes_pdf(doc, verify_url=URL, copy_mark=True)
    assert render_minutes_pdf(doc, verify_url=URL, copy_mark=True) == tuned  # from warm caches
    family = register_serif_family()
    for name in (family.regular, family.bold, family.italic, family.bold_italic):
        font = pdfmetrics.getFont(name)
        monkeypatch.delattr(font, "addObjects")  # back to ReportLab's own methods, subsets still seeded
        monkeypatch.delattr(font.face, "addSubsetObjects")
    assert render_minutes_pdf(doc, verify_url=URL, copy_mark=True) == tuned
    # A character outside the shared subset still prints and extracts (it gets a code after the seed).
    text = "\n".join(page_texts(render_minutes_pdf(replace(doc, outcome="Giá 5€ ≠ 6€"), verify_url=URL)))
    assert "Giá 5€ ≠ 6€" in text


def test_switched_off_the_document_is_still_complete_and_stable(monkeypatch, tmp_path) -> None:
    doc = sample_document(with_images=True)
    tuned = render_minutes_pdf(doc, verify_url=URL)
    monkeypatch.setattr(reportlab_tuning, "ENABLED", False)
    assert not reportlab_tuning.active()
    plain = render_minutes_pdf(doc, verify_url=URL)
    assert plain != tuned  # font subsets hold only the letters used
    assert render_minutes_pdf(doc, verify_url=URL) == plain
    assert page_texts(plain) == page_texts(tuned)
    assert reader(plain).metadata.get("/CreationDate", "").startswith("D:20261121000000+07")
    assert decode_qr(page_png(plain, len(reader(plain).pages), tmp_path)) == [URL]
    for photo in doc.photos:
        assert photo.jpeg in plain
    batch = render_batch([(doc, URL), (sample_document(number=13), URL)])
    assert len(reader(batch).pages) == 2 * len(reader(plain).pages) - 1  # the second has no photo appendix


def test_another_reportlab_version_turns_the_tuning_off_with_a_warning(monkeypatch) -> None:
    warnings: list[str] = []
    # Recorded on the logger object itself: Alembic's fileConfig, run by the database fixtures in the same
    # process, disables loggers that already exist, so caplog would see nothing in a full test run.
    monkeypatch.setattr(reportlab_tuning._log, "warning", lambda msg, *args: warnings.append(msg % args))
    monkeypatch.setattr(reportlab_tuning, "REPORTLAB_VERSION", "0.0.0")
    monkeypatch.setattr(reportlab_tuning, "_warned", False)
    assert not reportlab_tuning.active()
    assert not reportlab_tuning.active()
    assert warnings == [
        f"ReportLab {reportlab.Version} is installed but the PDF tuning was written for 0.0.0: "
        "using ReportLab's own code paths"
    ]
    pdf = render_minutes_pdf(sample_document(), verify_url=URL)
    assert "Biên bản kiểm tra số 12/BB-KT" in page_texts(pdf)[0]


def test_the_shared_subset_covers_every_vietnamese_letter() -> None:
    assert all(ch in reportlab_tuning.SUBSET_SEED for ch in VIETNAMESE_SAMPLE if ord(ch) > 127)
