"""Time the supervisor's dashboard (Tổng hợp) and its figure lists on a province built by generate_province.py.

    .venv/bin/python bench/bench_dashboard.py sqlite:////tmp/bench_province_scale.sqlite3 \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale --runs 3

(Run ``flask rebuild-premise-state`` on a freshly generated province first.) Measured as bench_map.py measures the
map (Flask's test client in this process, one warm-up request, medians of --runs): CPU ms of this process plus, on
PostgreSQL, of the server backend (not of its parallel workers: the wall ms column includes them), and statements.

Cases, as the province supervisor (96 communes) and one commune's inspector: the dashboard of the generated year
(every figure, the month and unit bars), the same narrowed to one quarter and to one checklist group with a result,
and three figure lists (first page): completed inspections, the inspections that passed the measuring-instrument
group (a checklist-group figure: listed by semi-join, counted by distinct ids) and the open fix-by requests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_map import run_and_print

YEAR = {"from": "2025-12-01", "to": "2026-11-30"}
QUARTER = {"from": "2026-06-01", "to": "2026-08-31"}


def cases(role: str, user) -> list[tuple[str, str, dict, dict]]:
    """(label, url, query, app config overrides)."""
    return [
        ("dashboard, the year", "/dashboard", YEAR, {}),
        ("dashboard, one quarter", "/dashboard", QUARTER, {}),
        (
            "dashboard, the year, group PTD, violations",
            "/dashboard",
            {**YEAR, "group": "PTD", "result": "violation"},
            {},
        ),
        ("list: completed inspections", "/dashboard/inspections", YEAR, {}),
        ("list: PTD group passed", "/dashboard/group_ptd_pass", YEAR, {}),
        ("list: fix-by requests open", "/dashboard/fix_open", YEAR, {}),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+", help="database URLs built by generate_province.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="only cases whose label contains this text")
    args = parser.parse_args(argv)
    run_and_print(args.urls, args.runs, args.only, cases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
