"""What every official PDF shares, in the NĐ 30/2020 layout (Phụ lục I): page geometry and styles (``styles``), the
header and other side-by-side columns of short lines (``blocks``), grid tables of plain cells (``grid``), and the
page canvas that draws page numbers and the QR code once a document's page count is known (``pages``). The biên
bản (``minutes_pdf``) and the yearly report (``report_pdf``) are built from these. Import from the module that
holds a name."""
