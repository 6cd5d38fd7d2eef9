"""Printable documents, pure (no Flask, no database): the biên bản kiểm tra PDF (``minutes_pdf``), the pieces every
official PDF shares in the NĐ 30/2020 layout (``official_pdf``), the yearly report as PDF, DOCX, XLSX and CSV
(``report_pdf``, ``report_docx``, ``report_tables``, with ``report_layout`` for what they write alike), their fonts,
QR and signed verification tokens, and Vietnamese number and date wording. Import from the module that holds a
name."""
