"""Forms of the yearly plan: a new plan's year (and unit, for a province's account), the draft's fields, adding and
removing a premise, the proposal's seed, and the administrator's risk weights. Numbers are read as text: the
service checks them and its Vietnamese messages come back onto the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.risk import FACTORS, RiskWeights
from ..domain.vocabulary import GROUPS, INSPECTION_KINDS
from ..web.forms import ChoiceField, SentOnce
from .service import QUARTERS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in (self.choices or [])}
        if any(str(value) not in allowed for value in self.data or []):
            from wtforms.validators import ValidationError

            raise ValidationError("Lựa chọn không hợp lệ.")


class NewPlanForm(SentOnce, FlaskForm):
    year = StringField("Năm kế hoạch")
    unit_id = ChoiceField("Đơn vị", choices=[], validate_choice=False)


class PlanForm(FlaskForm):
    number = StringField("Số kế hoạch (ví dụ 12/KH-UBND)")
    title = TextAreaField("Trích yếu")
    legal_basis = TextAreaField("Căn cứ")
    purpose = TextAreaField("I. Mục đích, yêu cầu")
    scope_groups = MultiCheckboxField("Nội dung kiểm tra", choices=list(GROUPS.items()))
    team = TextAreaField("Lực lượng kiểm tra")
    partners = TextAreaField("Cơ quan phối hợp")
    standard_ids = MultiCheckboxField("Chuẩn đo lường sử dụng", choices=[], coerce=int)
    signer_title = TextAreaField("Chức danh người ký")
    signer_name = StringField("Họ tên người ký")
    annex_size = StringField("Số cơ sở trong phụ lục")
    random_share = StringField("Tỷ lệ chọn ngẫu nhiên (%)")


for _code, _label in INSPECTION_KINDS.items():
    setattr(PlanForm, f"kind_{_code}", StringField(_label))
for _code, _label in GROUPS.items():
    setattr(PlanForm, f"group_{_code}", StringField(_label))
for _code, _label in QUARTERS.items():
    setattr(PlanForm, f"quarter_{_code}", TextAreaField(_label))


def plan_values(form: PlanForm) -> dict:
    """The form's data in the service's shape."""
    names = ("number", "title", "legal_basis", "purpose", "scope_groups", "team", "partners", "standard_ids")
    values = {name: getattr(form, name).data for name in names}
    values |= {name: getattr(form, name).data for name in ("signer_title", "signer_name")}
    values["annex_size"] = form.annex_size.data
    values["random_share"] = form.random_share.data
    values["targets"] = {
        "kinds": {code: getattr(form, f"kind_{code}").data for code in INSPECTION_KINDS},
        "groups": {code: getattr(form, f"group_{code}").data for code in GROUPS},
    }
    values["schedule"] = {code: getattr(form, f"quarter_{code}").data for code in QUARTERS}
    return values


def fill_plan_form(form: PlanForm, plan) -> None:
    for name in (
        "number", "title", "legal_basis", "purpose", "scope_groups", "team", "partners", "standard_ids",
        "signer_title", "signer_name", "annex_size", "random_share",
    ):  # fmt: skip
        getattr(form, name).data = getattr(plan, name)
    for code in INSPECTION_KINDS:
        getattr(form, f"kind_{code}").data = (plan.targets.get("kinds") or {}).get(code, 0)
    for code in GROUPS:
        getattr(form, f"group_{code}").data = (plan.targets.get("groups") or {}).get(code, 0)
    for code in QUARTERS:
        getattr(form, f"quarter_{code}").data = (plan.schedule or {}).get(code, "")


class ProposeForm(FlaskForm):
    seed = StringField("Mã lựa chọn ngẫu nhiên (để trống: hệ thống tự sinh)")


class AddPremiseForm(FlaskForm):
    premise_id = StringField("Mã cơ sở")
    note = StringField("Ghi chú")


class RemovePremiseForm(FlaskForm):
    premise_id = StringField("Mã cơ sở")
    reason = StringField("Lý do bỏ")


class ActionForm(FlaskForm):
    """A button that changes the plan's status (CSRF only)."""


class RiskWeightsForm(FlaskForm):
    repeat_years = StringField("Số năm tính vi phạm lặp lại")


for _name, _label in FACTORS.items():
    setattr(RiskWeightsForm, _name, StringField(_label))

WEIGHT_NAMES = RiskWeights.names()
