"""PostgreSQL's row-level security keeps communes apart even when a query forgets the scoping door (migration 0030).

The app connects as its own role (``APP_ROLE``: not the tables' owner, not a superuser), as the whole PostgreSQL half
of the suite does. A query written without the door, ``select(Premise)``, run as a commune's inspector returns that
commune's premises only; the same check run on a copy of the database whose policies were dropped sees the other
commune's premise, so it is the policies that keep it out.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from inspect_app import create_app
from inspect_app.access import NOTHING, SYSTEM, act_as, database_scope, scoped
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Photo, Premise
from inspect_app.premises.service import create_premise
from tests.conftest import APP_ROLE, PG_URL, RUN_ID, app_url
from tests.factories import make_records

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)

# Every policy of the migration, by table.
POLICIES = "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'unit_scope'"


class Acting:
    """A fresh app context (as a request or a job has) whose transactions act for one user: the user's
    ``database_scope``, or NOTHING for a transaction that acts for nobody."""

    def __init__(self, app, scope=NOTHING):
        self.context = app.app_context()
        self.scope = scope

    def __enter__(self):
        self.context.push()
        act_as(self.scope)
        return db.session

    def __exit__(self, *exc):
        db.session.rollback()
        db.session.remove()
        self.context.pop()


@pytest.fixture
def ids(world):
    """The world's ids and scopes as plain values: its objects belong to the test's own session."""
    records = make_records(world.premise_b, world.other_users["inspector"])
    db.session.commit()
    return SimpleNamespace(
        unit_a=world.unit_a.id,
        unit_a2=world.unit_a2.id,
        unit_b=world.unit_b.id,
        premise_a=world.premise_a.id,
        premise_b=world.premise_b.id,
        inspection_b=records["inspection"].id,
        finding_b=records["finding"].id,
        inspector=world.users["inspector"].id,
        as_inspector=database_scope(world.users["inspector"]),
        as_inspector_b=database_scope(world.other_users["inspector"]),
        as_province=database_scope(world.users["supervisor_province"]),
    )


def unscoped_premise_units(app, scope) -> set[int]:
    """The units of the premises a query that forgot the door returns, run in ``scope``."""
    with Acting(app, scope) as session:
        return set(session.execute(select(Premise.unit_id)).scalars())


def assert_commune_user_sees_only_its_commune(app, ids) -> None:
    assert unscoped_premise_units(app, ids.as_inspector) == {ids.unit_a}


def test_the_app_runs_as_a_role_that_neither_owns_the_tables_nor_bypasses_the_policies(app):
    with db.engine.connect() as conn:
        role = conn.execute(
            text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        assert role == (APP_ROLE, False, False)
        owners = set(
            conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        assert APP_ROLE not in owners
        granted = conn.execute(
            text(
                "SELECT has_table_privilege(current_user, 'premises', 'SELECT, INSERT, UPDATE, DELETE'), "
                "has_table_privilege(current_user, 'premises', 'TRUNCATE'), "
                "has_table_privilege(current_user, 'alembic_version', 'UPDATE')"
            )
        ).one()
        assert granted == (True, False, False)
    with (
        db.engine.connect() as conn,
        pytest.raises(ProgrammingError, match="must be owner|permission denied"),
    ):
        conn.execute(text("ALTER TABLE premises ADD COLUMN secret text"))
    with db.engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
        conn.execute(text("TRUNCATE premises"))


def test_every_table_that_belongs_to_a_unit_has_its_policy_forced(app):
    with db.engine.connect() as conn:
        with_policy = set(conn.execute(text(POLICIES)).scalars())
        forced = set(
            conn.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
                    "AND relrowsecurity AND relforcerowsecurity"
                )
            ).scalars()
        )
        tables = set(
            conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        )
    assert with_policy == forced
    # Outside on purpose: reference data, the accounts read before anyone is known, the chains' heads, the
    # province's letters and settings (README, "Row-level security").
    assert tables - with_policy == {
        "alembic_version",
        "provinces",
        "units",
        "users",
        "user_sessions",
        "api_tokens",
        "login_attempts",
        "audit_heads",
        "report_requests",
        "settings",
    }


def test_an_unscoped_query_as_a_commune_user_returns_only_its_commune(app, ids):
    assert_commune_user_sees_only_its_commune(app, ids)
    with Acting(app, ids.as_inspector) as session:
        # Children are kept to their parent's unit too.
        assert session.scalar(select(func.count()).select_from(Inspection)) == 0
        assert session.scalar(select(func.count()).select_from(Finding)) == 0
        assert session.scalar(select(func.count()).select_from(Photo)) == 0
        assert session.get(Premise, ids.premise_b) is None
    with Acting(app, ids.as_inspector_b) as session:
        assert session.scalars(select(Finding.id)).all() == [ids.finding_b]
    # The province's supervisor sees both communes of the province, never the other province.
    assert unscoped_premise_units(app, ids.as_province) == {ids.unit_a, ids.unit_a2}


def test_a_transaction_acting_for_nobody_sees_nothing(app, ids):
    assert unscoped_premise_units(app, NOTHING) == set()


def test_the_same_check_fails_once_the_policies_are_dropped(app, ids, app_config):
    """The unscoped query of the test above, on a copy of this database without the policies: the other
    commune's premise leaks, so the check fails; it is the policies that keep it out."""
    server_url = make_url(PG_URL)
    owner = make_url(app_config["SQLALCHEMY_DATABASE_URI"]).set(
        username=server_url.username, password=server_url.password
    )
    scratch = f"inspect_scratch_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    db.session.remove()
    db.engine.dispose()  # a database is copied only while no one is connected to it
    server = create_engine(owner.set(database="postgres"), isolation_level="AUTOCOMMIT")
    unprotected = None
    try:
        with server.connect() as conn:
            # Pools of this process's earlier tests may still hold idle connections to it: ended first.
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": owner.database},
            )
            conn.execute(text(f'CREATE DATABASE "{scratch}" TEMPLATE "{owner.database}"'))
        scratch_owner = create_engine(owner.set(database=scratch))
        with scratch_owner.begin() as conn:
            tables = conn.execute(text(POLICIES)).scalars().all()
            assert "premises" in tables
            for table in tables:
                conn.execute(text(f"DROP POLICY unit_scope ON {table}"))
        scratch_url = app_url(owner.set(database=scratch).render_as_string(hide_password=False))
        unprotected = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": scratch_url})
        # With row-level security still on and no policy, nothing at all is visible (PostgreSQL's default deny).
        assert unscoped_premise_units(unprotected, ids.as_inspector) == set()
        # Switched off, as on a database never migrated to 0030: the other commune's premise leaks.
        with scratch_owner.begin() as conn:
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
        scratch_owner.dispose()
        with pytest.raises(AssertionError):
            assert_commune_user_sees_only_its_commune(unprotected, ids)
        assert ids.unit_b in unscoped_premise_units(unprotected, ids.as_inspector)
        # And on the protected database the very same check passes.
        assert_commune_user_sees_only_its_commune(app, ids)
    finally:
        if unprotected is not None:
            with unprotected.app_context():
                db.engine.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        server.dispose()


def test_a_write_into_another_unit_is_refused_by_the_database(app, ids):
    with Acting(app, ids.as_inspector):
        # A write path that names another unit (a bug the write door would have caught): the database refuses.
        with pytest.raises(ProgrammingError, match="row-level security"):
            create_premise(ids.unit_b, {"name": "Sạp ghi nhầm đơn vị", "premise_type": "market_stall"}, None)
    with Acting(app, ids.as_inspector) as session:
        # Moving one's own premise into another unit is refused the same way.
        with pytest.raises(ProgrammingError, match="row-level security"):
            session.execute(
                text("UPDATE premises SET unit_id = :other WHERE id = :id"),
                {"other": ids.unit_b, "id": ids.premise_a},
            )
    with Acting(app, ids.as_inspector) as session:
        # A finding added to another unit's inspection: its parent is out of sight, so the row is refused.
        session.add(
            Finding(
                uuid=str(uuid.uuid4()),
                inspection_id=ids.inspection_b,
                item_code="GIA-02",
                answer="pass",
                created_by_id=ids.inspector,
            )
        )
        with pytest.raises(ProgrammingError, match="row-level security"):
            session.flush()
    with Acting(app, ids.as_inspector) as session:
        # A write that forgot the door changes nothing outside the unit.
        changed = session.execute(
            text("UPDATE premises SET name = 'x' WHERE unit_id = :b"), {"b": ids.unit_b}
        )
        assert changed.rowcount == 0
    with Acting(app, SYSTEM) as session:
        assert session.get(Premise, ids.premise_b).name != "x"


def test_the_policies_leave_the_doors_own_queries_on_their_indexes(app, world, ids):
    """The door's filter (unit_id IN …) still drives the indexes; the policy is checked on the rows they find, and
    a child's through its parent's primary key. With sequential scans priced out, no plan needs one."""
    inspector = world.users["inspector"]
    queries = {
        model: str(
            scoped(model, inspector).compile(
                dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
            )
        )
        for model in (Premise, Inspection, Finding)
    }
    with Acting(app, ids.as_inspector) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        for model, query in queries.items():
            plan = "\n".join(session.execute(text("EXPLAIN " + query)).scalars())
            assert "Seq Scan" not in plan, (model.__name__, plan)


def test_the_policies_read_the_scope_once_per_statement(app, world, ids):
    """Migration 0031: the settings are read by sub-selects the planner runs once (InitPlans), not split and cast
    again for every row; a province's dashboard spent most of its time doing that for 20,000 inspections."""
    with Acting(app, ids.as_province) as session:
        for table in ("inspections", "findings", "audit_events"):
            plan = "\n".join(session.execute(text(f"EXPLAIN (COSTS OFF) SELECT * FROM {table}")).scalars())
            assert "InitPlan" in plan and "current_setting" not in plan, (table, plan)
        visible = set(session.execute(select(Premise.unit_id).distinct()).scalars())
    assert visible == {ids.unit_a, ids.unit_a2}
