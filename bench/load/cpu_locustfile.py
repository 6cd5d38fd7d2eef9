"""One user class asking for one URL again and again, no think time: ``load_test.py``'s CPU comparison runs it
against the app (a typical API read, with an inspector's token) and against ``bare_app.py`` with the same settings.
Environment: ``LOAD_CPU_PATH``, ``LOAD_CPU_TOKEN``; ``LOAD_CPU_RATE``, when set, the requests per second of each user
(``--cpu-rate``: every case at the same rate instead of as fast as it is served)."""

from __future__ import annotations

import os

from locust import HttpUser, constant, constant_throughput, task

PATH = os.environ["LOAD_CPU_PATH"]
HEADERS = {"Authorization": f"Bearer {os.environ.get('LOAD_CPU_TOKEN', '')}", "Accept": "application/json"}


class Reader(HttpUser):
    wait_time = constant_throughput(float(os.environ["LOAD_CPU_RATE"])) if os.environ.get("LOAD_CPU_RATE") else constant(0)

    @task
    def read(self):
        self.client.get(PATH, headers=HEADERS, name=PATH)
