"""Forms for issuing, correcting and revoking a biên bản."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json

from flask import current_app
from flask_wtf import FlaskForm
from PIL import Image, UnidentifiedImageError
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, ValidationError

from ..web.forms import ChoiceField, DateField, rule
from ..domain.errors import RuleError
from ..domain.minutes_rules import LegalDetails, legal_details_errors, salutation_code
from ..domain.vocabulary import SALUTATIONS
from ..premises.rules import text

MAX_SIGNATURE_BYTES = 300 * 1024
SALUTATION_CHOICES = [("", "Chưa rõ (in “Ông/Bà”)"), *SALUTATIONS.items()]


def signature_png(data_url: str | None) -> bytes | None:
    """A signature drawn on screen, sent as a PNG data URL; re-encoded so nothing but pixels is kept."""
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix) or len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + len(prefix) + 4:
        raise RuleError("Chữ ký không hợp lệ; vui lòng ký lại.")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.width * image.height > 2_000_000:
                raise RuleError("Chữ ký không hợp lệ; vui lòng ký lại.")
            image.load()
            output = io.BytesIO()
            image.convert("LA").save(output, "PNG", optimize=True)
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        raise RuleError("Chữ ký không hợp lệ; vui lòng ký lại.") from None
    return output.getvalue()


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Phải là một số nguyên.") from None


class IssueForm(FlaskForm):
    representative_salutation = ChoiceField("Danh xưng", choices=SALUTATION_CHOICES, default="")
    representative_name = StringField(
        "Họ tên người đại diện cơ sở",
        validators=[rule(lambda v: text(v, "Họ tên người đại diện", 120, required=True))],
    )
    representative_position = StringField(
        "Chức vụ / quan hệ với cơ sở", validators=[rule(lambda v: text(v, "Chức vụ", 120))]
    )
    representative_id_number = StringField(
        "Số CCCD (không bắt buộc)", validators=[rule(lambda v: text(v, "Số CCCD", 20))]
    )
    representative_statement = TextAreaField(
        "Ý kiến của người đại diện cơ sở", validators=[rule(lambda v: text(v, "Ý kiến", 2000))]
    )
    copies = VnIntegerField(
        "Số bản",
        default=2,
        validators=[NumberRange(1, 10, message="Số bản phải từ 1 đến 10.")],
    )
    include_photos = BooleanField("Kèm phụ lục ảnh")
    refused_to_sign = BooleanField("Đại diện cơ sở không ký biên bản")
    refusal_reason = TextAreaField("Lý do không ký")
    witness_salutation = ChoiceField("Danh xưng người chứng kiến", choices=SALUTATION_CHOICES, default="")
    witness_name = StringField("Họ tên người chứng kiến")
    witness_position = StringField("Chức vụ, đơn vị của người chứng kiến")
    stop_order_subject = TextAreaField("Phương tiện đo / phép đo phải tạm dừng sử dụng")
    stop_order_deadline = DateField("Thời hạn khắc phục (tạm dừng đến khi khắc phục, chậm nhất trước ngày)")
    recorder_member = ChoiceField("Người lập biên bản", choices=[])
    business_signature = HiddenField()
    recorder_signature = HiddenField()
    leader_signature = HiddenField()
    # The digest of the inputs last previewed: "Lập và khóa" issues only what was seen in the preview.
    preview_digest = HiddenField()

    def __init__(self, *args, inspected_on=None, recorders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._inspected_on = inspected_on
        recorders = [(str(member_id), label) for member_id, label in recorders]
        placeholder = [] if len(recorders) == 1 else [("", "— Chọn thành viên đoàn kiểm tra —")]
        self.recorder_member.choices = placeholder + recorders
        if len(recorders) == 1 and not self.recorder_member.data:
            self.recorder_member.data = recorders[0][0]

    def inputs_digest(self, inspection) -> str:
        """A keyed digest of every input (signatures included) and of the inspection's version: the same only for
        the very form that was previewed, of the inspection as it was then."""
        values = {
            f.name: f.data
            for f in self
            if f.name not in ("csrf_token", "preview_digest") and f.type != "SubmitField"
        }
        payload = json.dumps([inspection.id, inspection.version, values], sort_keys=True, default=str)
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, b"minutes-preview\x00" + payload.encode(), hashlib.sha256).hexdigest()

    def legal_details(self) -> LegalDetails:
        return LegalDetails(
            refused_to_sign=bool(self.refused_to_sign.data),
            refusal_reason=self.refusal_reason.data or "",
            witness_name=self.witness_name.data or "",
            witness_position=self.witness_position.data or "",
            witness_salutation=salutation_code(self.witness_salutation.data),
            stop_order_subject=self.stop_order_subject.data or "",
            stop_order_deadline=self.stop_order_deadline.data,
        )

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.stop_order_deadline.errors or self.witness_salutation.errors or self._inspected_on is None:
            return valid
        errors = legal_details_errors(
            self.legal_details(), self._inspected_on, bool(self.business_signature.data)
        )
        for name, message in errors.items():
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return valid and not errors

    def validate_business_signature(self, field):
        self._signature(field)

    def validate_recorder_signature(self, field):
        self._signature(field)

    def validate_leader_signature(self, field):
        self._signature(field)

    def validate_recorder_member(self, field):
        if not field.data:
            raise ValidationError("Cần chọn người lập biên bản trong đoàn kiểm tra.")

    def recorder_member_id(self) -> int | None:
        return int(self.recorder_member.data) if self.recorder_member.data else None

    @staticmethod
    def _signature(field):
        try:
            signature_png(field.data)
        except RuleError as error:
            raise ValidationError(str(error)) from None


class ReasonForm(FlaskForm):
    reason = TextAreaField("Lý do", validators=[rule(lambda v: text(v, "Lý do", 1000, required=True))])


class DayForm(FlaskForm):
    day = StringField("Ngày")
