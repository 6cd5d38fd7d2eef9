"""Administrative units (province → xã / phường / đặc khu): the CSV import."""
