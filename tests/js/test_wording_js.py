"""The phone's pure wording rules give the server's answers: Node's test runner (tests/js/wording.test.mjs) on the
handling suggested for every small set of failed items, and on stored texts naming tables by id.

Node.js 18 or later is needed: a failure in CI (CI=true), a skip elsewhere.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict

from inspect_app.domain.handling_rules import Failure, suggested_handling
from inspect_app.domain.vocabulary import FAIL_HANDLING
from inspect_app.tolerances import get_table, tables_as_json, with_table_names
from tests.js.node import run_node_tests


def _handling_cases() -> list[dict]:
    kinds = [Failure(code, indicative) for code in FAIL_HANDLING for indicative in (False, True)]
    cases = []
    for size in range(4):
        for failures in itertools.combinations_with_replacement(kinds, size):
            suggestion = suggested_handling(failures)
            cases.append(
                {
                    "failures": [{"handling": f.handling, "indicative": f.indicative} for f in failures],
                    "expected": {
                        "codes": list(suggestion.codes),
                        "violations": suggestion.violations,
                        "referred": suggestion.referred,
                    },
                    "basis": suggestion.basis,
                }
            )
    return cases


def _name_cases() -> list[dict]:
    texts = [
        "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: "
        "tt09_2017_permitted_shortfall 2026.1, tt21_2014_sample_k 2026.1",
        "tt09_2017_permitted_shortfall 2026.1",
        "theo tt09_2017_spring_shortfall 2026.2 và oiml_r76_mpe.",
        "Không có hệ số k cho cỡ mẫu n = 7",
        "",
    ]
    return [{"text": text, "expected": with_table_names(text)} for text in texts]


def test_the_cases_check_something():
    cases = _handling_cases()
    assert {tuple(case["expected"]["codes"]) for case in cases} >= {
        ("pass",),
        ("referral",),
        ("reminder", "referral"),
    }
    names = _name_cases()
    assert get_table("tt09_2017_spring_shortfall").cited_as in names[2]["expected"]
    assert not any("_" in case["expected"] for case in names)
    assert asdict(suggested_handling([]))["codes"] == ("pass",)


def test_the_phones_wording_rules_give_the_servers_answers(tmp_path):
    cases = {"handling": _handling_cases(), "names": _name_cases(), "tables": tables_as_json()}
    run_node_tests(
        "wording.test.mjs", cases, tmp_path / "cases.json", "WORDING_CASES", expected=3, timeout=120
    )
