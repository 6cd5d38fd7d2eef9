"""The biên bản's legal details, read back from the issued PDF: two-digit numbers with the unit's ký hiệu (frozen
on each issued biên bản), the decision that formed the team in the legal basis, Ông / Bà from the records, a refusal
to sign with its reason, a witness's signature block, and the stop-use section; bad input on each new field is
refused with a Vietnamese message and nothing is saved."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inspect_app.documents.minutes_pdf.content import MinutesDocument
from inspect_app.domain.minutes_rules import minutes_number_text
from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import Inspection, Minutes, MinutesCounter, Unit, User
from tests.factories import mark_not_checked
from tests.api_helpers import inspection_payload, token_for
from tests.documents.pdftools import page_texts
from tests.test_minutes import completed_inspection, issue

SIGN_HERE = "(Ký, ghi rõ họ tên)"


def issued_text(client, minutes: Minutes) -> str:
    """The issued PDF's text with whitespace collapsed, so a phrase broken over two lines still matches."""
    return " ".join(" ".join(page_texts(client.get(f"/minutes/{minutes.id}/pdf").get_data())).split())


def only_minutes() -> Minutes:
    return db.session.scalars(select(Minutes)).one()


def minutes_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Minutes))


def refused(response, *messages):
    """A 422 page that shows every message; nothing issued and no number used."""
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body
    for message in messages:
        assert message in body, message
    assert minutes_count() == 0
    assert db.session.scalar(select(func.coalesce(func.max(MinutesCounter.last_number), 0))) == 0


# ---- numbers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"), [(1, "01/BB-KT"), (9, "09/BB-KT"), (12, "12/BB-KT"), (123, "123/BB-KT")]
)
def test_numbers_have_two_digits_at_least(number, text):
    assert minutes_number_text(number, "BB-KT") == text
    doc = MinutesDocument.__new__(MinutesDocument)
    object.__setattr__(doc, "number", number)
    object.__setattr__(doc, "number_suffix", "BB-KT")
    assert doc.number_text == text


def test_the_units_suffix_is_used_and_frozen_on_issued_minutes(client, login, world):
    unit = world.unit_a
    login(world.users["admin_province"])
    page = client.get(f"/admin/units/{unit.id}").get_data(as_text=True)
    assert "Số: 01/BB-KT" in page
    response = client.post(f"/admin/units/{unit.id}/minutes-suffix", data={"minutes_suffix": " bb-ubnd "})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).minutes_suffix == "BB-UBND"

    login(world.users["staff"])
    issue(client, completed_inspection(world))
    first = only_minutes()
    assert (first.label, first.number_suffix) == ("01/BB-UBND", "BB-UBND")
    assert "Số: 01/BB-UBND" in issued_text(client, first)
    assert "Số 01/BB-UBND" in client.get("/minutes").get_data(as_text=True)
    assert "Biên bản số 01/BB-UBND" in client.get(f"/minutes/{first.id}").get_data(as_text=True)
    token_page = client.get(f"/v/{_token(first)}").get_data(as_text=True)
    assert "Số</dt><dd>01/BB-UBND" in token_page

    # A later change applies to new numbers only; the unit in the other province keeps the default.
    login(world.users["admin_province"])
    client.post(f"/admin/units/{unit.id}/minutes-suffix", data={"minutes_suffix": "BB-ĐL"})
    login(world.users["staff"])
    issue(client, completed_inspection(world))
    db.session.expire_all()
    numbers = [m.label for m in db.session.scalars(select(Minutes).order_by(Minutes.number))]
    assert numbers == ["01/BB-UBND", "02/BB-ĐL"]
    assert "Số: 01/BB-UBND" in issued_text(client, db.session.get(Minutes, first.id))
    assert db.session.get(Unit, world.unit_b.id).minutes_suffix == "BB-KT"


def _token(minutes: Minutes) -> str:
    from inspect_app.minutes.service import verification_token

    return verification_token(minutes)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ký hiệu biên bản không được để trống"),
        ("BB KT", "chỉ gồm chữ in hoa, chữ số và dấu gạch ngang"),
        ("BB--KT", "chỉ gồm chữ in hoa, chữ số và dấu gạch ngang"),
        ("-BB", "chỉ gồm chữ in hoa, chữ số và dấu gạch ngang"),
        ("BB-KT-" + "X" * 20, "dài từ 2 đến 20 ký tự"),
        ("BB/KT", "chỉ gồm chữ in hoa, chữ số và dấu gạch ngang"),
    ],
)
def test_a_bad_suffix_is_explained_and_not_saved(client, login, world, value, message):
    login(world.users["admin_province"])
    response = client.post(f"/admin/units/{world.unit_a.id}/minutes-suffix", data={"minutes_suffix": value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, world.unit_a.id).minutes_suffix == "BB-KT"


def test_only_an_administrator_sets_the_suffix(client, login, world):
    login(world.users["staff"])
    response = client.post(f"/admin/units/{world.unit_a.id}/minutes-suffix", data={"minutes_suffix": "BB-X"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, world.unit_a.id).minutes_suffix == "BB-KT"


# ---- Ông / Bà -----------------------------------------------------------------------------------------------------


def test_salutations_come_from_the_records(client, login, world):
    inspector = world.users["inspector"]
    login(world.users["admin_province"])
    form = {
        "username": inspector.username,
        "full_name": inspector.full_name,
        "salutation": "ba",
        "position": "Công chức Văn hóa - Xã hội",
        "role": "inspector",
        "home": f"unit:{world.unit_a.id}",
        "active": "y",
    }
    assert client.post(f"/admin/users/{inspector.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, inspector.id).salutation == "ba"

    headers = token_for(client, inspector)
    team = [
        {"user_id": inspector.id, "team_role": "lead"},
        {"name": "Trần Văn Công", "position": "Công an phường", "salutation": "ong"},
        {"name": "Lê Thu Hà", "position": "Quản lý thị trường"},
    ]
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a, team=team), headers=headers
    )
    assert created.status_code == 201, created.get_json()
    assert [m.get("salutation") for m in created.get_json()["team"]] == [None, "ong", None]
    inspection = _complete(client, created.get_json(), headers)

    login(world.users["staff"])
    assert issue(client, inspection, representative_salutation="ba").status_code == 302
    text = issued_text(client, only_minutes())
    assert f"1. Bà {inspector.full_name}" in text
    assert "2. Ông Trần Văn Công" in text
    assert "3. Ông/Bà Lê Thu Hà" in text
    assert "Đại diện cơ sở: Bà Nguyễn Thị Hường" in text


def test_an_unknown_salutation_prints_ong_ba(client, login, world):
    login(world.users["staff"])
    issue(client, completed_inspection(world))
    text = issued_text(client, only_minutes())
    assert "Đại diện cơ sở: Ông/Bà Nguyễn Thị Hường" in text
    assert f"1. Ông/Bà {world.users['inspector'].full_name}" in text


def test_a_bad_salutation_is_refused(client, login, world):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    refused(issue(client, inspection, representative_salutation="co"), "Lựa chọn không hợp lệ.")
    headers = token_for(client, world.users["inspector"])
    bad = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, team=[{"name": "A", "salutation": "anh"}]),
        headers=headers,
    )
    assert bad.status_code == 422 and "Danh xưng không hợp lệ" in str(bad.get_json())


def _complete(client, created: dict, headers) -> Inspection:
    mark_not_checked(created["id"])
    done = client.patch(
        f"/api/v1/inspections/{created['id']}",
        json={"version": created["version"], "status": "completed", "outcome": "reminder"},
        headers=headers,
    )
    assert done.status_code == 200, done.get_json()
    db.session.expire_all()
    return db.session.get(Inspection, created["id"])


# ---- refusal to sign, witness -------------------------------------------------------------------------------------


def test_a_refusal_to_sign_is_printed_in_place_of_the_signature(client, login, world):
    login(world.users["staff"])
    response = issue(
        client,
        completed_inspection(world),
        representative_statement="",
        refused_to_sign="y",
        refusal_reason="Không đồng ý với kết quả cân đối chứng",
    )
    assert response.status_code == 302
    minutes = only_minutes()
    assert minutes.refused_to_sign and minutes.business_signature is None
    text = issued_text(client, minutes)
    assert "Đại diện cơ sở không ký biên bản. Lý do: Không đồng ý với kết quả cân đối chứng" in text
    assert "điểm b khoản 2 Điều 21 Thông tư số 28/2013/TT-BKHCN" in text
    assert "công nhận đúng và ký tên dưới đây" not in text
    # Only the team (here its leader, who also wrote the biên bản) signs; the representative's block carries the
    # refusal.
    assert text.count(SIGN_HERE) == 1
    assert "NGƯỜI CHỨNG KIẾN" not in text


def test_a_witness_signs_a_block_of_their_own(client, login, world):
    login(world.users["staff"])
    response = issue(
        client,
        completed_inspection(world),
        refused_to_sign="y",
        refusal_reason="Bận bán hàng",
        witness_salutation="ong",
        witness_name="Phạm Văn Chứng",
        witness_position="Trưởng Ban quản lý chợ Đức Phổ",
    )
    assert response.status_code == 302
    text = issued_text(client, only_minutes())
    assert "Người chứng kiến: Ông Phạm Văn Chứng, chức vụ/đơn vị: Trưởng Ban quản lý chợ Đức Phổ." in text
    assert "NGƯỜI CHỨNG KIẾN" in text and text.count(SIGN_HERE) == 2
    assert "Trưởng đoàn kiểm tra, người lập biên bản và người chứng kiến" in text


def test_a_witness_without_refusal_adds_a_fourth_signature(client, login, world):
    login(world.users["staff"])
    issue(
        client, completed_inspection(world), witness_name="Võ Thị Thôn", witness_position="Trưởng thôn An Hải"
    )
    text = issued_text(client, only_minutes())
    assert text.count(SIGN_HERE) == 3 and "Ông/Bà Võ Thị Thôn" in text
    assert "công nhận đúng và ký tên dưới đây" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"refused_to_sign": "y"}, "Cần ghi lý do đại diện cơ sở không ký biên bản."),
        ({"refused_to_sign": "y", "refusal_reason": "  "}, "Cần ghi lý do đại diện cơ sở không ký biên bản."),
        ({"refusal_reason": "Không ký"}, "Chỉ ghi lý do khi đánh dấu"),
        ({"refused_to_sign": "y", "refusal_reason": "x" * 1001}, "Lý do dài quá 1000 ký tự."),
        ({"witness_name": "Phạm Văn Chứng"}, "Cần ghi chức vụ, đơn vị của người chứng kiến"),
        ({"witness_position": "Ban quản lý chợ"}, "Cần ghi họ tên người chứng kiến."),
        ({"witness_name": "A" * 121, "witness_position": "Ban quản lý chợ"}, "dài quá 120 ký tự"),
        ({"witness_salutation": "x", "witness_name": "A", "witness_position": "B"}, "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_refusal_or_witness_input_is_explained(client, login, world, fields, message):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    refused(issue(client, inspection, **fields), message)
    db.session.expire_all()
    assert db.session.get(Inspection, inspection.id).status == "completed"


def test_a_refusal_with_the_representatives_signature_is_refused(client, login, world):
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("LA", (60, 20), (0, 255)).save(buffer, "PNG")
    signature = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    login(world.users["staff"])
    response = issue(
        client,
        completed_inspection(world),
        refused_to_sign="y",
        refusal_reason="Không đồng ý",
        business_signature=signature,
    )
    refused(response, "không được có chữ ký của đại diện cơ sở")


# ---- stop-use order -----------------------------------------------------------------------------------------------


def test_a_stop_use_order_gets_its_own_section(client, login, world):
    deadline = today_vn() + timedelta(days=10)
    login(world.users["staff"])
    response = issue(
        client,
        completed_inspection(world),
        stop_order_subject="Cân đồng hồ lò xo 15 kg tại sạp A01",
        stop_order_deadline=deadline.isoformat(),
    )
    assert response.status_code == 302
    text = issued_text(client, only_minutes())
    assert "VI. TẠM DỪNG SỬ DỤNG PHƯƠNG TIỆN ĐO, PHÉP ĐO" in text
    assert "Yêu cầu cơ sở tạm dừng sử dụng: Cân đồng hồ lò xo 15 kg tại sạp A01" in text
    assert f"Thời hạn khắc phục: trước ngày {deadline:%d/%m/%Y}" in text
    assert "VII. Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ" in text


def test_without_a_stop_use_order_there_is_no_such_section(client, login, world):
    login(world.users["staff"])
    issue(client, completed_inspection(world))
    text = issued_text(client, only_minutes())
    assert "TẠM DỪNG" not in text and "VI. Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"stop_order_subject": "Cân đồng hồ"}, "Cần ghi thời hạn khắc phục của yêu cầu tạm dừng."),
        ({"stop_order_deadline": "2040-01-01"}, "Cần ghi phương tiện đo hoặc phép đo phải tạm dừng sử dụng."),
        ({"stop_order_subject": "Cân", "stop_order_deadline": "31/02/2026"}, "Ngày không hợp lệ"),
        ({"stop_order_subject": "Cân", "stop_order_deadline": "ngày mai"}, "Ngày không hợp lệ"),
        (
            {"stop_order_subject": "Cân", "stop_order_deadline": "2000-01-01"},
            "không được trước ngày kiểm tra",
        ),
    ],
)
def test_bad_stop_use_input_is_explained(client, login, world, fields, message):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    refused(issue(client, inspection, **fields), message)


# ---- the decision that formed the team ----------------------------------------------------------------------------


def test_the_decision_is_printed_in_the_legal_basis(client, login, world):
    inspection = completed_inspection(world)
    signed = today_vn() - timedelta(days=18)
    login(world.users["staff"])
    response = client.post(
        f"/inspections/{inspection.id}/decision",
        data={
            "decision_number": "12/QĐ-UBND",
            "decision_date": f"{signed:%d/%m/%Y}",
            "decision_signer": "Chủ tịch UBND phường Đức Phổ",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f"Quyết định số 12/QĐ-UBND ngày {signed:%d/%m/%Y} của Chủ tịch UBND phường Đức Phổ" in page
    issue(client, inspection)
    text = issued_text(client, only_minutes())
    assert (
        f"Căn cứ Quyết định số 12/QĐ-UBND ngày {signed:%d/%m/%Y} của Chủ tịch UBND phường Đức Phổ "
        "về việc thành lập Đoàn kiểm tra;"
    ) in text
    # Locked with its biên bản: the decision can no longer change.
    locked = client.post(
        f"/inspections/{inspection.id}/decision",
        data={"decision_number": "13/QĐ-UBND", "decision_date": f"{signed:%d/%m/%Y}", "decision_signer": "X"},
    )
    assert locked.status_code == 422 and "không thể sửa" in locked.get_data(as_text=True)


def test_without_a_decision_the_basis_has_none(client, login, world):
    login(world.users["staff"])
    issue(client, completed_inspection(world))
    assert "Căn cứ Quyết định" not in issued_text(client, only_minutes())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"decision_number": "12/QĐ-UBND", "decision_signer": "Chủ tịch"},
            "Cần ghi ngày ký quyết định kiểm tra.",
        ),
        ({"decision_number": "12/QĐ-UBND", "decision_date": "2026-01-05"}, "Cần ghi người ký quyết định"),
        (
            {"decision_date": "2026-01-05", "decision_signer": "Chủ tịch"},
            "Cần ghi số của quyết định kiểm tra",
        ),
        (
            {"decision_number": "QĐ mười hai", "decision_date": "2026-01-05", "decision_signer": "Chủ tịch"},
            "dạng số/ký hiệu",
        ),
        (
            {"decision_number": "12/QĐ-UBND", "decision_date": "2040-01-05", "decision_signer": "Chủ tịch"},
            "không được sau ngày kiểm tra",
        ),
        (
            {"decision_number": "12/QĐ-UBND", "decision_date": "05.01.2026", "decision_signer": "Chủ tịch"},
            "Ngày không hợp lệ",
        ),
    ],
)
def test_a_bad_decision_is_explained_and_not_saved(client, login, world, fields, message):
    inspection = completed_inspection(world)
    version = inspection.version
    login(world.users["staff"])
    response = client.post(f"/inspections/{inspection.id}/decision", data=fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Inspection, inspection.id)
    assert (stored.decision_number, stored.decision_date, stored.decision_signer, stored.version) == (
        "",
        None,
        "",
        version,
    )


def test_the_phone_sends_the_decision(client, world):
    headers = token_for(client, world.users["inspector"])
    decision = {
        "decision_number": "07/QĐ-UBND",
        "decision_date": "2026-11-03",
        "decision_signer": "Chủ tịch UBND",
    }
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a, **decision), headers=headers
    )
    assert created.status_code == 201, created.get_json()
    assert {k: created.get_json()[k] for k in decision} == decision
    url = f"/api/v1/inspections/{created.get_json()['id']}"
    bad = client.patch(url, json={"version": 1, "decision_date": "2026-12-01"}, headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["fields"]["decision_date"] == [
        "Ngày ký quyết định kiểm tra không được sau ngày kiểm tra."
    ]
    db.session.expire_all()
    assert db.session.get(Inspection, created.get_json()["id"]).decision_date == date(2026, 11, 3)
    half = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, decision_number="08/QĐ-UBND"),
        headers=headers,
    )
    assert half.status_code == 422 and "decision_date" in half.get_json()["fields"]
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1
    # Without the new fields, a payload is stored as before.
    plain = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, uuid=str(uuid.uuid4())),
        headers=headers,
    )
    assert plain.status_code == 201 and plain.get_json()["decision_number"] == ""


@pytest.mark.database_owner
def test_a_biên_bản_issued_before_two_digit_numbers_keeps_the_number_its_pdf_prints(client, login, world):
    """Migration 0010 keeps "5/BB-KT" on the pages of a biên bản whose stored PDF says "Số: 5/BB-KT"."""
    from flask_migrate import downgrade, upgrade

    login(world.users["staff"])
    issue(client, completed_inspection(world))
    minutes_id = only_minutes().id
    db.session.commit()
    downgrade(revision="0009")
    upgrade()
    db.session.expire_all()
    login(world.users["staff"])  # the way down dropped the sessions kept on the server
    minutes = db.session.get(Minutes, minutes_id)
    assert (minutes.number, minutes.label) == (1, "1/BB-KT")
    assert "Biên bản số 1/BB-KT" in client.get(f"/minutes/{minutes_id}").get_data(as_text=True)
    # A new one is numbered the new way.
    issue(client, completed_inspection(world))
    newest = db.session.scalars(select(Minutes).order_by(Minutes.id.desc())).first()
    assert newest.label == "02/BB-KT"
