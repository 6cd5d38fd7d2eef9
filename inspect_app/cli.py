"""Flask commands: create-user, import-units, import-premises, seed-demo, rebuild-premise-state,
rebuild-inspection-tallies, worker (background jobs), files check and migrate-to-s3, audit verify, sessions prune,
and the backup group (create, verify, restore)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from . import writes
from .extensions import db
from .domain.vocabulary import ROLES
from .models import Province, Unit, User


def register_commands(app: Flask) -> None:
    from .audit.cli import audit_cli
    from .auth.prune import sessions_cli
    from .backup.cli import backup_cli
    from .files.check import files_cli
    from .files.migrate import migrate_command

    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_cli)
    files_cli.add_command(migrate_command)
    app.cli.add_command(files_cli)
    app.cli.add_command(sessions_cli)

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
    @click.option("--unit", "unit_code", help="Mã xã/phường/đặc khu")
    @click.option("--province", "province_code", help="Mã tỉnh")
    @click.option("--full-name", default=None)
    @click.option("--position", default="")
    def create_user(username, password, role, unit_code, province_code, full_name, position):
        """Create an account (or reset its password and role if it exists)."""
        from .admin.forms import password_rule, username_rule
        from .domain.errors import RuleError

        try:
            username = username_rule(username)
            password_rule(password)
        except RuleError as error:
            raise click.ClickException(str(error)) from None
        if unit_code and province_code:
            raise click.ClickException("Chỉ chọn một trong --unit hoặc --province.")
        if role in ("inspector", "staff") and not unit_code:
            raise click.ClickException("Cán bộ kiểm tra và cán bộ văn phòng cần --unit.")
        unit = province = None
        if unit_code:
            unit = db.session.scalars(select(Unit).where(Unit.code == unit_code)).first()
            if unit is None:
                raise click.ClickException(f"Không có đơn vị mã {unit_code}.")
        if province_code:
            province = db.session.scalars(select(Province).where(Province.code == province_code)).first()
            if province is None:
                raise click.ClickException(f"Không có tỉnh mã {province_code}.")
        user = db.session.scalars(select(User).where(func.lower(User.username) == username)).first()
        created = user is None
        user = user or User(username=username)
        user.full_name = full_name or user.full_name or username
        user.position = position or user.position or ""
        user.role = role
        user.unit_id = unit.id if unit else None
        user.province_id = province.id if province else None
        user.active = True
        user.set_password(password)
        changes = {}
        if not created:
            # A reset from the command line ends every session, remember-me cookie and API token of the account.
            from .auth.sessions import end_credentials

            changes = writes.changes_of(user) | end_credentials(user)
        db.session.add(user)
        db.session.flush()
        # From the command line nobody is logged in: the event has no actor.
        writes.commit("create" if created else "edit", user, None, changes)
        click.echo(f"{'Đã tạo' if created else 'Đã cập nhật'} tài khoản {username} ({ROLES[role]}).")

    @app.cli.command("import-units")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_units_command(csv_file: Path):
        """Import administrative units from CSV (Mã tỉnh, Tên tỉnh, Mã đơn vị, Tên đơn vị, Cấp, Vĩ độ, Kinh độ)."""
        from .areas.csv_import import import_units
        from .domain.errors import RuleError

        try:
            report = import_units(csv_file.read_bytes())
        except (RuleError, UnicodeDecodeError, StopIteration) as error:
            raise click.ClickException(f"Không nhập được tệp: {error}") from None
        click.echo(f"Thêm {report.created}, cập nhật {report.updated}, giữ nguyên {report.unchanged}.")
        for line, reason in report.errors:
            click.echo(f"  Dòng {line}: {reason}", err=True)

    @app.cli.command("import-premises")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--unit", "unit_code", required=True, help="Mã xã/phường/đặc khu nhận các cơ sở")
    def import_premises_command(csv_file: Path, unit_code: str):
        """Import premises of one unit from a UTF-8 CSV file."""
        from .premises.csv_import import import_premises

        unit = db.session.scalars(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã {unit_code}.")
        report = import_premises(
            csv_file.read_bytes(), unit.id, None, current_app.config["CSV_IMPORT_MAX_BYTES"]
        )
        click.echo(report.summary())
        for line, reason in report.errors:
            click.echo(f"  Dòng {line}: {reason}", err=True)
        if not report.ok:
            raise SystemExit(1)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo data once (running it again adds nothing) and print the demo accounts."""
        from .demo.seed import ACCOUNTS, DEMO_PASSWORD, load_demo

        added = load_demo()
        click.echo(
            "Dữ liệu mẫu: thêm {units} đơn vị, {accounts} tài khoản, {markets} chợ, {premises} cơ sở, "
            "{standards} chuẩn đo lường, {instruments} phương tiện đo, {complaints} phản ánh, {decisions} quyết định "
            "kiểm tra, {plans} kế hoạch kiểm tra năm.".format(**added)
        )
        click.echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, full_name, _position, role, unit_code, province_code in ACCOUNTS:
            home = f"đơn vị {unit_code}" if unit_code else f"tỉnh {province_code}"
            click.echo(f"  {username:<18} {ROLES[role]:<22} {full_name} ({home})")

    @app.cli.command("rebuild-premise-state")
    @click.option(
        "--overdue-months",
        type=click.IntRange(min=1),
        default=None,
        help="Số tháng đến hạn kiểm tra lại (mặc định: INSPECTION_OVERDUE_MONTHS).",
    )
    def rebuild_premise_state(overdue_months):
        """Recompute every premise's latest state (latest inspection, result, next due date, open fix-by date,
        earliest stamp expiry) in one transaction, with set-based SQL: after a change of INSPECTION_OVERDUE_MONTHS,
        a bulk import, or to prove the stored state true."""
        import time

        from .models import Premise
        from .premises.state import refresh_premise_state

        started = time.perf_counter()
        months = overdue_months or current_app.config["INSPECTION_OVERDUE_MONTHS"]
        refresh_premise_state(None, overdue_months=months)
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(Premise))
        click.echo(
            f"Đã tính lại tình trạng của {count:,} cơ sở (hạn kiểm tra lại {months} tháng) "
            f"trong {time.perf_counter() - started:.1f} giây."
        )

    @app.cli.command("rebuild-inspection-tallies")
    def rebuild_inspection_tallies():
        """Recount every inspection's tallies (its findings, readings and lots per set the dashboard and the yearly
        report add up, the instruments it tested and the standards it used) in one transaction: after a bulk
        import, or to prove the stored counts true."""
        import time

        from .inspections.tallies import refresh
        from .models import InspectionTally

        started = time.perf_counter()
        refresh(db.session)
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(InspectionTally))
        click.echo(
            f"Đã đếm lại kết quả của {count:,} cuộc kiểm tra trong {time.perf_counter() - started:.1f} giây."
        )

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Chạy hết các tác vụ đang chờ rồi thoát.")
    @click.option("--poll", "poll_seconds", type=float, default=None, help="Số giây chờ giữa hai lần tìm tác vụ.")
    def worker_command(once: bool, poll_seconds: float | None):
        """Run background jobs (exports) from the jobs table until stopped; SIGTERM lets the job under way finish."""
        import signal

        from .jobs.worker import Worker

        worker = Worker(current_app._get_current_object(), poll_seconds=poll_seconds)

        def stop(signum, frame):
            click.echo("Đã nhận lệnh dừng: chạy xong tác vụ đang làm rồi thoát.")
            worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        click.echo(f"Bắt đầu chạy tác vụ nền ({worker.worker_id}).")
        count = worker.run(once=once)
        click.echo(f"Đã chạy {count} tác vụ.")

    from .access import system_commands

    system_commands(app.cli)
