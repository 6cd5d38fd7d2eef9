"""The worker: claims jobs one at a time and runs them (``flask worker``, or a thread inside a single-commune app)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from dataclasses import astuple

from flask import Flask

from ..access import NOTHING, act_as
from ..auth.prune import prune_login_records
from ..extensions import db
from .kinds import JobRefused, kinds_for
from .queue import FAILED_MESSAGE, Claim, LeaseLost, claim, fail, finish, heartbeat, prune_results

log = logging.getLogger(__name__)

# An idle worker deletes expired result files at most this often,
PRUNE_EVERY_SECONDS = 600
# and the ended or expired login sessions and the login tries the throttle no longer reads (auth.prune).
PRUNE_LOGINS_EVERY_SECONDS = 3600


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs the app's job kinds until ``stop`` is set; a job under way is finished before it stops."""

    def __init__(self, app: Flask, worker_id: str | None = None, poll_seconds: float | None = None) -> None:
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.poll_seconds = (
            poll_seconds if poll_seconds is not None else app.config.get("JOBS_POLL_SECONDS", 2.0)
        )
        self.stop = threading.Event()
        self._pruned_at: float | None = None
        self._logins_pruned_at: float | None = None

    def run_one(self) -> bool:
        """Claim and run one job; False when none waits."""
        with self.app.app_context():
            kinds = kinds_for(self.app)
            held = claim(self.worker_id, sorted(kinds))
            if held is None:
                return False
            log.info(
                "job %s (%s) attempt %s started by %s", held.job_id, held.kind, held.attempt, self.worker_id
            )
            beating = threading.Event()
            pulse = threading.Thread(target=self._heartbeat, args=(held, beating), daemon=True)
            pulse.start()
            try:
                # The job's transactions see nothing until it acts for its requester (jobs.kinds).
                act_as(NOTHING)
                result = kinds[held.kind].run(held)
                db.session.rollback()  # end the job's read transaction before the result is written
                try:
                    finish(
                        held,
                        result.data,
                        result.filename,
                        result.content_type,
                        record=result.record,
                        extension=result.stored_extension,
                    )
                finally:
                    if not isinstance(result.data, bytes):
                        result.data.close()  # a temporary file: gone once closed
            except LeaseLost:
                log.warning(
                    "job %s attempt %s lost its lease; its work is dropped", held.job_id, held.attempt
                )
            except JobRefused as refused:
                db.session.rollback()
                fail(held, str(refused), str(refused), retry=False)
            except Exception:  # noqa: BLE001 - any failure of a job ends its attempt, never the worker
                db.session.rollback()
                log.exception("job %s attempt %s failed", held.job_id, held.attempt)
                fail(held, traceback.format_exc()[-4000:], FAILED_MESSAGE, retry=True)
            finally:
                beating.set()
                pulse.join()
                db.session.remove()
            return True

    def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        try:
            with self.app.app_context():
                pruned = prune_results(int(self.app.config.get("JOBS_KEEP_DAYS", 7)))
                db.session.remove()
            if pruned:
                log.info("deleted the expired files of %s jobs", pruned)
        except Exception:  # noqa: BLE001 - tried again later
            log.exception("could not delete expired job files")
        if self._logins_pruned_at is not None and now - self._logins_pruned_at < PRUNE_LOGINS_EVERY_SECONDS:
            return
        self._logins_pruned_at = now
        try:
            with self.app.app_context():
                logins = prune_login_records()
                db.session.remove()
            log.info("deleted %s ended or expired sessions and %s old login tries", *astuple(logins))
        except Exception:  # noqa: BLE001 - tried again later
            log.exception("could not prune login sessions and tries")

    def _heartbeat(self, held: Claim, done: threading.Event) -> None:
        """Keep the lease while the job runs, also through a long step that reports no progress. The thread dies
        with the process: a killed worker's lease runs out and the job is taken again."""
        every = max(0.5, float(self.app.config.get("JOBS_LEASE_SECONDS", 120)) / 3)
        with self.app.app_context():
            while not done.wait(every):
                try:
                    if not heartbeat(held):
                        return
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    log.exception("heartbeat of job %s failed", held.job_id)

    def run(self, once: bool = False) -> int:
        """Run jobs until stopped (or, with ``once``, until none waits); how many were run."""
        count = 0
        while not self.stop.is_set():
            try:
                ran = self.run_one()
            except Exception:  # noqa: BLE001 - a database out of reach: wait and try again
                log.exception("worker %s could not claim a job", self.worker_id)
                ran = False
                if once:
                    raise
            if ran:
                count += 1
                continue
            self._prune_now_and_then()
            if once:
                break
            self.stop.wait(self.poll_seconds)
        return count


def start_inline_worker(app: Flask) -> Worker:
    """A worker thread inside the serving process, for an install with no separate ``flask worker``."""
    worker = Worker(app)
    thread = threading.Thread(target=worker.run, name="inline-job-worker", daemon=True)
    thread.start()
    return worker
