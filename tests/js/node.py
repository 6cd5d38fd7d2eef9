"""Running one of the Node test files of tests/js on cases the Python side wrote, and checking all of it ran."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def run_node_tests(
    test_file: str, cases: object, cases_path: Path, env_name: str, expected: int, timeout: int = 300
):
    """Writes ``cases`` as JSON to ``cases_path``, runs ``node --test tests/js/<test_file>`` with ``env_name`` naming
    that file, and asserts that exactly ``expected`` tests ran and none failed. Node.js 18 or later is needed: a
    failure in CI (CI=true), a skip elsewhere."""
    node = shutil.which("node")
    if node is None:
        missing("Node.js (node)")
    cases_path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(HERE / test_file)],
        check=False,
        cwd=ROOT,
        env={**os.environ, env_name: str(cases_path)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    assert re.search(rf"^# pass {expected}$", result.stdout, re.M), output
    assert re.search(r"^# fail 0$", result.stdout, re.M), output
