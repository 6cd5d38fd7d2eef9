"""Issue 13, items 11 and 12, read back from the issued PDF: the people who sign are the people who were there, section
V concludes in a sentence, the statement has room, photo captions say what and when, verdicts are a word or two."""

from __future__ import annotations

import re

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import InspectionMember, Minutes
from inspect_app.documents.minutes_pdf import render_minutes_pdf
from tests.documents.pdftools import page_texts
from tests.documents.sample import sample_document
from tests.factories import make_completed_inspection
from tests.minutes_helpers import issue_through_form

SIGN_HERE = "(Ký, ghi rõ họ tên)"


def team_of_three(world):
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    db.session.add_all(
        [
            InspectionMember(
                inspection=inspection,
                name="Lê Thị Thu Hà",
                position="Chuyên viên Phòng Kinh tế",
                position_in_team=1,
            ),
            InspectionMember(
                inspection=inspection,
                name="Phạm Quốc Dũng",
                position="Cán bộ Công an phường",
                organisation="Công an phường Đức Phổ",
                position_in_team=2,
            ),
        ]
    )
    db.session.commit()
    return inspection


def issued_text(client, **fields) -> tuple[Minutes, str]:
    minutes = db.session.scalars(select(Minutes)).one()
    content = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    return minutes, " ".join(" ".join(page_texts(content)).split())


def member(inspection, name):
    return next(m for m in inspection.members if m.display_name == name)


def test_the_recorder_is_the_team_member_chosen_and_every_member_has_a_place_to_sign(client, login, world):
    inspection = team_of_three(world)
    login(world.users["staff"])
    recorder = member(inspection, "Lê Thị Thu Hà")
    form = {"representative_name": "Nguyễn Thị Hường", "copies": "2", "recorder_member": str(recorder.id)}
    assert issue_through_form(client, inspection, form).status_code == 302
    minutes, text = issued_text(client)
    assert (minutes.recorder_member_id, minutes.recorder_name) == (recorder.id, "Lê Thị Thu Hà")
    signatures = text[text.index("ĐẠI DIỆN CƠ SỞ") :]
    # The recorder's block names the member, not the clerk who pressed the button.
    assert "NGƯỜI LẬP BIÊN BẢN (Ký, ghi rõ họ tên)" in signatures
    assert world.users["staff"].full_name not in signatures
    lead = world.users["inspector"].full_name
    for name in ("Nguyễn Thị Hường", "Lê Thị Thu Hà", lead, "Phạm Quốc Dũng"):
        assert name in signatures, name
    assert "THÀNH VIÊN ĐOÀN KIỂM TRA" in signatures and "Cán bộ Công an phường" in signatures
    assert signatures.count(SIGN_HERE) == 4  # business, recorder, leader, the other member


def test_a_recorder_from_outside_the_team_is_refused_and_nothing_is_issued(client, login, world):
    inspection = team_of_three(world)
    other = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    stranger = other.members[0]
    for value, message in ((str(stranger.id), "Lựa chọn không hợp lệ."), ("", "Cần chọn người lập biên bản")):
        form = {"representative_name": "Nguyễn Thị Hường", "copies": "2", "recorder_member": value}
        response = issue_through_form(client, inspection, form)
        assert response.status_code == 422 and message in response.get_data(as_text=True), value
    assert db.session.scalars(select(Minutes)).first() is None


def test_section_v_concludes_in_a_sentence_and_the_statement_has_room(client, login, world):
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    form = {"representative_name": "Nguyễn Thị Hường", "copies": "2", "include_photos": "y"}
    assert issue_through_form(client, inspection, form).status_code == 302
    _, text = issued_text(client)
    name = world.premise_a.name
    assert (
        f"Kết luận: Cơ sở {name} chưa chấp hành đúng quy định về ghi nhãn hàng hóa; Đoàn kiểm tra yêu cầu cơ sở "
        "khắc phục các nội dung không đạt nêu tại biên bản này trước ngày 05/12/2026." in text
    )
    assert "Biện pháp xử lý: Yêu cầu khắc phục" not in text and "Kết luận: Yêu cầu khắc phục" not in text
    # The photo's caption: what it shows and when it was taken or uploaded.
    assert re.search(r"Ảnh 1\. [^()]*Bảng giá \((chụp|tải lên) lúc \d\d/\d\d/\d{4} \d\d:\d\d\)", text), text[
        -400:
    ]


def test_an_empty_statement_leaves_six_dotted_lines():
    text = "\n".join(
        page_texts(render_minutes_pdf(sample_document(representative_statement=""), verify_url="x"))
    )
    statement = text[text.index("Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ") :]
    assert len(re.findall(r"\.{40,}", statement)) >= 6


def test_the_verdict_is_a_word_and_the_rule_a_numbered_note_under_the_table():
    text = " ".join(" ".join(page_texts(render_minutes_pdf(sample_document(), verify_url="x"))).split())
    table = text[text.index("Kết quả phép đo đối chứng") : text.index("(1) ĐLVN")]
    assert "Đạt (1)" in table and "ĐLVN 30:2019" not in table
    assert "(1) ĐLVN 30:2019, cấp IIII" in text and "(2) OIML R76, cấp III, MPE sử dụng" in text
