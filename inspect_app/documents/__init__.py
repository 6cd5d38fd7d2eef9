"""Printable documents, pure (no Flask, no database): the biên bản kiểm tra PDF (``minutes_pdf``), its fonts, its QR
and signed verification tokens, and Vietnamese number and date wording. Import from the module that holds a name."""
