"""Whether the public address printed in QR codes (``PUBLIC_BASE_URL``) answers: an issued biên bản or report
cannot be changed, so a wrong address is warned about when the app starts, not found out from a printed page."""

from __future__ import annotations

import sys
import threading
import time
import urllib.error
import urllib.request

from flask import Flask

__all__ = ["public_url_problem", "serving", "warn_if_unreachable"]


def serving(argv: list[str] | None = None) -> bool:
    """This process serves requests (``flask run`` or gunicorn), not a command such as a migration or seed-demo."""
    argv = sys.argv if argv is None else argv
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    return "gunicorn" in program or (program == "flask" and "run" in argv[1:])


def maintenance_command(argv: list[str] | None = None) -> bool:
    """This process runs a ``flask`` command other than ``run`` (a migration, a rebuild, a backup): its long
    statements are expected, so the database's per-statement timeout does not apply."""
    argv = sys.argv if argv is None else argv
    program = argv[0].replace("\\", "/") if argv else ""
    # ``flask …`` names its script; ``python -m flask …`` names the package's __main__.py.
    is_flask = program.rsplit("/", 1)[-1] == "flask" or program.endswith("/flask/__main__.py")
    return is_flask and "run" not in argv[1:]


def public_url_problem(base_url: str, timeout: float = 5.0) -> str | None:
    """None when ``base_url``/healthz answers 200; otherwise what went wrong, in Vietnamese."""
    url = f"{base_url.rstrip('/')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - the operator's own address
            if response.status == 200:
                return None
            return f"{url} trả lời mã {response.status}"
    except urllib.error.HTTPError as error:
        return f"{url} trả lời mã {error.code}"
    except (OSError, ValueError) as error:
        return f"không mở được {url} ({error})"


def warn_if_unreachable(app: Flask, delay: float) -> threading.Thread:
    """After ``delay`` seconds (the server is listening by then), log a warning if the public address does not
    answer. In a daemon thread, so a short command (a migration) ends before it asks."""

    def check() -> None:
        time.sleep(delay)
        base = app.config["PUBLIC_BASE_URL"]
        problem = public_url_problem(base)
        if problem:
            app.logger.warning(
                "PUBLIC_BASE_URL=%s không trả lời: %s. Mã QR trên biên bản và báo cáo lập từ bây giờ sẽ trỏ tới "
                "địa chỉ này và không sửa được sau khi lập; hãy đặt PUBLIC_BASE_URL là địa chỉ người dân mở được.",
                base,
                problem,
            )

    thread = threading.Thread(target=check, name="public-url-check", daemon=True)
    thread.start()
    return thread
