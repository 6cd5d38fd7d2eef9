"""The phone's rules (static/field/metrology.js) give the server's engine's answers: Node's test runner on every
case of tests/js/engine_cases.py (a few hundred random readings and lots, and every band edge of the tables).

Node.js 18 or later is needed: a failure in CI (CI=true), a skip elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from tests.conftest import missing
from tests.js.engine_cases import build_cases

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


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
    node = shutil.which("node")
    if node is None:
        missing("Node.js (node)")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(build_cases(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(HERE / "metrology.test.mjs")],
        check=False,
        cwd=ROOT,
        env={**os.environ, "METROLOGY_CASES": str(cases)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    # The six tests ran (not zero of them) and none failed.
    assert re.search(r"^# pass 6$", result.stdout, re.M) and re.search(r"^# fail 0$", result.stdout, re.M), (
        output
    )
