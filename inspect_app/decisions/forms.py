"""Desk forms: a decision's draft (with up to ten team lines), the issue confirmation, and a notice."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.decision_rules import MAX_MEMBERS, DecisionDraft, MemberLine
from ..domain.text import nfc
from ..domain.vocabulary import DECISION_KINDS, DECISION_SCOPE_GROUPS, NOTICE_KINDS, TEAM_ROLES
from ..web.forms import ChoiceField, DateField, SentOnce, int_or_none

DEFAULT_BASES = (
    "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025\n"
    "Luật Đo lường ngày 11 tháng 11 năm 2011\n"
    "Thông tư số 28/2013/TT-BKHCN ngày 17 tháng 12 năm 2013 của Bộ trưởng Bộ Khoa học và Công nghệ quy định "
    "kiểm tra nhà nước về đo lường, được sửa đổi, bổ sung bởi Thông tư số 10/2022/TT-BKHCN"
)


class MemberForm(Form):
    name = StringField("Họ tên")
    position = StringField("Chức vụ")
    organisation = StringField("Cơ quan")
    team_role = ChoiceField("Vai trò", choices=list(TEAM_ROLES.items()), default="member")
    technical = BooleanField("Thành viên kỹ thuật")
    certificate_number = StringField("Số chứng chỉ TĐC")
    certificate_date = DateField("Ngày cấp")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # the service names a wrong group in Vietnamese


class DecisionForm(SentOnce, FlaskForm):
    unit_id = ChoiceField("Đơn vị ban hành", coerce=int_or_none, validate_choice=True)
    kind = ChoiceField("Hình thức kiểm tra", choices=list(DECISION_KINDS.items()))
    subject = StringField(
        "Về việc",
        default="Kiểm tra nhà nước về đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa",
    )
    legal_bases = TextAreaField("Căn cứ (mỗi dòng một căn cứ)", default=DEFAULT_BASES)
    scope_groups = MultiCheckboxField("Nội dung kiểm tra", choices=list(DECISION_SCOPE_GROUPS.items()))
    scope_place = StringField("Cơ sở, chợ hoặc địa bàn kiểm tra")
    period_from = DateField("Kiểm tra từ ngày")
    period_to = DateField("Đến ngày")
    signer_title = TextAreaField("Chức vụ người ký (mỗi dòng một dòng in)", default="CHỦ TỊCH")
    signer_name = StringField("Họ tên người ký")
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)", default="Như Điều 3;\nLưu: VT.")
    members = FieldList(FormField(MemberForm), min_entries=6, max_entries=MAX_MEMBERS)

    def draft(self) -> DecisionDraft:
        members = tuple(
            MemberLine(
                name=nfc(m.form.name.data),
                position=nfc(m.form.position.data),
                organisation=nfc(m.form.organisation.data),
                team_role=m.form.team_role.data or "member",
                technical=bool(m.form.technical.data),
                certificate_number=nfc(m.form.certificate_number.data),
                certificate_date=m.form.certificate_date.data,
            )
            for m in self.members
            if nfc(m.form.name.data)
        )
        return DecisionDraft(
            kind=self.kind.data or "",
            subject=self.subject.data or "",
            period_from=self.period_from.data,
            period_to=self.period_to.data,
            legal_bases=self.legal_bases.data or "",
            signer_title=self.signer_title.data or "",
            signer_name=self.signer_name.data or "",
            scope_groups=tuple(self.scope_groups.data or ()),
            scope_place=self.scope_place.data or "",
            recipients=self.recipients.data or "",
            members=members,
        )


class IssueForm(FlaskForm):
    confirm = BooleanField("Tôi đã xem cảnh báo và vẫn ban hành quyết định")


class NoticeForm(FlaskForm):
    kind = ChoiceField("Loại thông báo", choices=list(NOTICE_KINDS.items()))
    subject = TextAreaField("Phương tiện đo, phép đo")
    fix_deadline = DateField("Thời hạn khắc phục (thông báo tạm dừng)")
    follow_up_id = ChoiceField("Cuộc kiểm tra lại (thông báo được tiếp tục)", coerce=int_or_none)
    note = TextAreaField("Ghi chú thêm")
    signer_title = TextAreaField("Chức vụ người ký", default="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")
    signer_name = StringField("Họ tên người ký")
