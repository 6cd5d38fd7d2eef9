"""Quyết định kiểm tra (TT 28/2013 Mẫu 4) and the notices of Điều 21 (Mẫu 6, Mẫu 7): drafts, issuing, PDFs."""
