"""The public verification page's form: a file to compare with the issued one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyUploadForm(FlaskForm):
    file = FileField("Tệp cần đối chiếu", validators=[FileRequired("Vui lòng chọn tệp.")])
