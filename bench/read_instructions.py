"""Instructions per API read, counted by valgrind: the CPU ratio of ``load_test.py`` without this machine's drift.

The CPU time of a request on this shared machine drifts by a quarter or more within minutes (the same code's premise
read took 2.7 ms in one session and 4.8–5.8 ms in the next), so a change of a few percent cannot be seen in it.
The instructions the worker's process executes for a request do not drift: this script counts them with valgrind's
callgrind tool (Debian's ``valgrind`` package), in process (Flask's test client, no gunicorn, no network but the
database's), for a bearer-token read of one premise and for the bare Flask endpoint of ``load/bare_app.py``.

Each case runs twice, with N and 2N requests after the same warm-up; the difference divided by N is the count per
request, with start-up and warm-up taken out. Instructions executed by the kernel and by PostgreSQL's own process
are not counted; neither is time lost to cache misses, so the ratio here is a floor for the CPU-time ratio.

    .venv/bin/python bench/read_instructions.py sqlite:////tmp/province.sqlite3
    .venv/bin/python bench/read_instructions.py postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_load

The database must hold a generated province (``generate_province.py``, or the one ``load_test.py`` leaves behind).
On PostgreSQL the reads are served as the app's own role, as ``load_test.py`` serves them (row-level security on).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 100
COLLECTED = re.compile(r"Collected : (\d+)")


def prepare(url: str) -> dict:
    """A token of one inspector and a premise of theirs with a market (as the system: nobody is logged in)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "instructions-" * 4)
    from sqlalchemy import select

    from inspect_app import create_app
    from inspect_app.access import act_as_system
    from inspect_app.api.auth import issue_token
    from inspect_app.extensions import db
    from inspect_app.models import Premise, User

    app = create_app()
    with app.app_context():
        act_as_system()
        user = db.session.scalars(select(User).where(User.role == "inspector").order_by(User.id)).first()
        if user is None:
            raise SystemExit("no inspector in this database: generate a province first (generate_province.py)")
        premise_id = db.session.scalar(
            select(Premise.id)
            .where(Premise.unit_id == user.unit_id, Premise.market_id.is_not(None))
            .order_by(Premise.id)
            .limit(1)
        )
        record, token = issue_token(user, "read_instructions")
        plan = {"token": token, "token_id": record.id, "path": f"/api/v1/premises/{premise_id}"}
        db.session.remove()
        db.engine.dispose()
    return plan


def revoke(url: str, plan: dict) -> None:
    """The run's token is not left usable: revoked through the API, as its owner would."""
    from inspect_app import create_app

    os.environ["DATABASE_URL"] = url
    app = create_app()
    answer = app.test_client().delete(
        f"/api/v1/auth/tokens/{plan['token_id']}", headers={"Authorization": f"Bearer {plan['token']}"}
    )
    if answer.status_code != 200:
        print(f"the token {plan['token_id']} was not revoked ({answer.status_code})", file=sys.stderr)
    with app.app_context():
        from inspect_app.extensions import db

        db.session.remove()
        db.engine.dispose()


def child(case: str, url: str, plan_file: str, reads: int) -> None:
    """Run inside valgrind: the warm-up, then ``reads`` requests."""
    if case == "bare":
        sys.path.insert(0, str(ROOT / "bench" / "load"))
        from bare_app import app

        path, headers = "/bare/1", {}
    else:
        sys.path.insert(0, str(ROOT))
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("SECRET_KEY", "instructions-" * 4)
        from inspect_app import create_app

        from datetime import timedelta

        from inspect_app.api import auth

        plan = json.loads(Path(plan_file).read_text(encoding="utf-8"))
        # Both runs read with the same token at once, for minutes: no last-use stamp (an UPDATE and a COMMIT, once a
        # minute) may fall into one run's count and not the other's.
        auth.STAMP_EVERY = timedelta(days=365)
        app = create_app()
        path, headers = plan["path"], {"Authorization": f"Bearer {plan['token']}"}
    client = app.test_client()
    for _ in range(WARM_UP):
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    for _ in range(reads):
        client.get(path, headers=headers)


def counted(case: str, url: str, plan_file: str, reads: int, valgrind: str) -> int:
    command = [
        valgrind,
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        case,
        "--reads",
        str(reads),
        "--plan",
        plan_file,
        url,
    ]
    # The same string hashes in both runs, so their dictionaries do the same work.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    found = COLLECTED.findall(done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"valgrind failed for {case} ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found[-1])


def per_request(case: str, url: str, plan_file: str, reads: int, valgrind: str) -> float:
    with ThreadPoolExecutor(max_workers=2) as pool:
        once, twice = pool.map(lambda n: counted(case, url, plan_file, n, valgrind), (reads, 2 * reads))
    return (twice - once) / reads


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the database of a generated province (its owner's URL on PostgreSQL)")
    parser.add_argument("--reads", type=int, default=300, help="N: requests of the shorter run")
    parser.add_argument("--child", choices=("bare", "premise"), help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.url, args.plan, args.reads)
        return 0
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is needed (Debian: apt install valgrind)")
    served = args.url
    if args.url.startswith("postgresql"):
        sys.path.insert(0, str(ROOT / "bench"))
        from load_test import APP_ROLE, app_role_url

        served = app_role_url(args.url, APP_ROLE)
    plan = prepare(args.url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            plan_file = str(Path(folder) / "plan.json")
            Path(plan_file).write_text(json.dumps(plan), encoding="utf-8")
            bare = per_request("bare", served, plan_file, args.reads, valgrind)
            premise = per_request("premise", served, plan_file, args.reads, valgrind)
    finally:
        revoke(served, plan)
    backend = "PostgreSQL (the app's role)" if served != args.url else "SQLite"
    print(f"Instructions per request, in process, {backend}, difference of {2 * args.reads} and {args.reads} reads:")
    print()
    print("| case | instructions (millions) | × bare |")
    print("|---|---:|---:|")
    print(f"| GET /bare/1 (`bench/load/bare_app.py`) | {bare / 1e6:.2f} | 1 |")
    print(f"| GET /api/v1/premises/<id> with a bearer token | {premise / 1e6:.2f} | {premise / bare:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
