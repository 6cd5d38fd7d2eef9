"""The phone's rules (static/field/metrology.js) give the server's engine's answers: Node's test runner on every
case of tests/js/engine_cases.py (a few hundred random readings and lots, and every band edge of the tables).

Node.js 18 or later is needed: a failure in CI (CI=true), a skip elsewhere.
"""

from __future__ import annotations

from collections import Counter

from tests.js.engine_cases import build_cases
from tests.js.node import run_node_tests


def test_the_cases_check_something():
    """Both outcomes of every kind, many cases: the node test cannot pass on an empty or one-sided set."""
    cases = build_cases()
    for kind in ("weighings", "dispensers", "controls", "lots"):
        outcomes = Counter(case["expected"].get("outcome", "refused") for case in cases[kind])
        assert len(cases[kind]) >= 100 and outcomes["pass"] >= 20 and outcomes["fail"] >= 20, (kind, outcomes)
    assert any(case["expected"].get("refused") for case in cases["controls"])
    assert any(case["expected"]["outcome"] == "inconclusive" for case in cases["weighings"])
    stamps = Counter(case["expected"]["ok"] for case in cases["stamps"])
    assert stamps[True] >= 50 and stamps[False] >= 50, stamps


def test_metrology_js_gives_the_engines_answers(tmp_path):
    # The six tests ran (not zero of them) and none failed.
    run_node_tests(
        "metrology.test.mjs", build_cases(), tmp_path / "cases.json", "METROLOGY_CASES", expected=6
    )
