"""A bare Flask endpoint, the yardstick for the CPU time of the app's API reads: served by the same gunicorn
settings and driven by the same Locust settings as the app (``load_test.py``'s CPU comparison).

    gunicorn --chdir <repo> --pythonpath bench/load bare_app:app
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    # What load_test.py waits for before it starts Locust, as it does for the app.
    return jsonify({"status": "ok"})


@app.get("/bare/<int:record_id>")
def bare(record_id: int):
    return jsonify({"id": record_id, "status": "ok"})
