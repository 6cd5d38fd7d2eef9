"""Locust users for the load test: inspectors on phones doing the real flow through API v1, supervisors at a desk
on the map, the dashboard and the yearly report. Started by ``bench/load_test.py``, which prepares the accounts and
reads back what is logged here; run alone only with its environment:

    LOAD_PLAN=plan.json LOAD_ACKS=acks.jsonl LOAD_TIMINGS=timings.tsv \
        python -m locust -f bench/load/locustfile.py --headless -u 55 -r 11 --run-time 2m --host http://127.0.0.1:8765

- ``Inspector`` (one per inspector account of the plan, ``fixed_count``): with its own bearer token, as
  ``static/field/app.js`` and ``sync.js`` do — the catalogue and the unit's standards at start, then per visit the
  nearest premises to a spot in its commune, the chosen premise's instruments, the inspection created under a new
  UUID, one finding per checklist item that applies (Đạt, a few "Không kiểm tra" with a reason or "Không áp dụng",
  now and then one "Không đạt"), two readings on a scale with a weight of the unit, two photos (real JPEGs made with
  Pillow, different for each user), the suggested answers, and completion. One request per Locust task, a think
  time between them (``LOAD_THINK``, seconds "min,max").
- ``Supervisor`` (``fixed_count`` from the plan): logs in through the web form (CSRF token from the page), then
  the map page and the map's API calls (the whole scope, a pan, the GPS layer, a popup), the dashboard, the reports
  list and one report's page.

Every create the server acknowledges (201, or 200 for the completion) is appended to ``LOAD_ACKS`` as one JSON line
(kind, uuid, id, and a photo's SHA-256), and every request's time to ``LOAD_TIMINGS``, for the checks and the
percentiles ``load_test.py`` computes.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import sys
import uuid
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from locust import HttpUser, between, events, task
from PIL import Image, ImageDraw

from flow import items_for, reference_of, scale_and_weight
from naming import request_name

PLAN = json.load(open(os.environ["LOAD_PLAN"], encoding="utf-8"))
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)
TIMINGS = open(os.environ["LOAD_TIMINGS"], "a", encoding="utf-8", buffering=1)
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "0.5,1.5").split(","))
SKIP_REASON = "Chủ cơ sở vắng mặt, không xuất trình được giấy tờ"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

_inspector_numbers = itertools.count()
_supervisor_numbers = itertools.count()


@events.request.add_listener
def _time(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    TIMINGS.write(f"{request_type}\t{name}\t{response_time:.3f}\t{status}\t{0 if exception else 1}\n")


def acknowledge(**record) -> None:
    # One write per line; gevent does not switch inside it, so lines never interleave.
    ACKS.write(json.dumps(record) + "\n")


def photo_bytes(seed: int) -> bytes:
    """A real, small phone-like JPEG (1200×900, ~55 KB): a gradient and shapes that differ with the seed."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((1200, 900)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(1100), rng.randrange(800)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 150)), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


class Client(HttpUser):
    abstract = True

    def call(self, method: str, url: str, expect=(200,), record: tuple[str, str] | None = None, **kwargs):
        """One request under its shared name; the JSON answer, or None (a failure) when the status is not expected.

        ``record`` (kind, uuid) names what a write sends: it is logged as sent before the request and, when not
        acknowledged, as refused with the status (0: no answer), so the check can tell what happened to it."""
        parts = urlsplit(url)
        name = request_name(parts.path, parts.query)
        if record:
            acknowledge(kind="sent", what=record[0], uuid=record[1])
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code not in expect:
                if record:
                    acknowledge(kind="refused", what=record[0], uuid=record[1], status=response.status_code)
                # Status 0: no answer (the connection failed); requests' exception says how.
                detail = response.text[:300] if response.status_code else repr(response.error)[:300]
                response.failure(f"{response.status_code} {detail!r}")
                return None
            if "json" not in response.headers.get("Content-Type", ""):
                return response.text
            try:
                return response.json()
            except ValueError:
                response.failure("answer is not JSON")
                return None


class Inspector(Client):
    fixed_count = len(PLAN["inspectors"])
    wait_time = between(*THINK)

    def on_start(self):
        number = next(_inspector_numbers)
        self.account = PLAN["inspectors"][number % len(PLAN["inspectors"])]
        self.client.headers.update(
            {"Authorization": f"Bearer {self.account['token']}", "Accept": "application/json"}
        )
        self.photos = [photo_bytes(number * 2), photo_bytes(number * 2 + 1)]
        self.rng = random.Random(number)
        self.candidates = set(self.account["premise_ids"])
        self.catalogue = self.standards = None
        self.visit = None

    def create(self, kind: str, url: str, record_uuid: str, **request) -> dict | None:
        """POST a new record; what the server acknowledged (201) is logged at once, before the think time, so a
        user stopped at the end of the run has logged everything it was answered."""
        stored = self.call("POST", url, expect=(201,), record=(kind, record_uuid), **request)
        if stored is not None:
            # A photo's answer carries the SHA-256 of the stored file, which the check compares with the disk.
            acknowledge(kind=kind, uuid=record_uuid, id=stored["id"], sha256=stored.get("sha256"))
        return stored

    @task
    def step(self):
        if self.visit is None:
            self.visit = self.visit_steps()
        try:
            next(self.visit)
        except StopIteration:
            self.visit = None

    def visit_steps(self):
        """One visit to a premise, one request per step (so stopping the test lets the request in flight end)."""
        # What the phone loads at start (and keeps): the catalogue and the unit's reference standards.
        while self.catalogue is None:
            self.catalogue = self.call("GET", "/api/v1/checklists")
            yield
        while self.standards is None:
            answer = self.call("GET", "/api/v1/standards")
            self.standards = answer["items"] if answer else None
            yield
        spot = self.rng.choice(self.account["spots"])
        near = self.call("GET", f"/api/v1/premises?near={spot[0]:.6f},{spot[1]:.6f}")
        yield
        if not near or not near["items"]:
            return
        premise = next((p for p in near["items"] if p["id"] in self.candidates), near["items"][0])
        instruments = self.call("GET", f"/api/v1/premises/{premise['id']}/instruments")
        yield
        if instruments is None:
            return
        base = "/api/v1/inspections"
        payload = {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise["id"],
            "kind": "planned",
            "basis": "Kế hoạch kiểm tra năm 2026 của UBND",
        }
        if premise.get("latitude") is not None:
            payload["gps"] = {
                "latitude": round(premise["latitude"] + self.rng.uniform(-0.0002, 0.0002), 6),
                "longitude": round(premise["longitude"] + self.rng.uniform(-0.0002, 0.0002), 6),
                "accuracy_m": round(self.rng.uniform(5, 30), 1),
            }
        inspection = self.create("inspection", base, payload["uuid"], json=payload)
        yield
        if inspection is None:
            return
        url = f"{base}/{inspection['id']}"
        items = items_for(self.catalogue, premise["premise_type"])
        failing = self.rng.choice(items)["code"] if self.rng.random() < 0.15 else None
        for item in items:
            roll = self.rng.random()
            finding = {"uuid": str(uuid.uuid4()), "item_code": item["code"], "answer": "pass"}
            if item["code"] == failing:
                finding.update(answer="fail", note="Phát hiện khi kiểm tra tại chỗ")
            elif roll < 0.05:
                finding.update(answer="skip", note=SKIP_REASON)
            elif roll < 0.08:
                finding["answer"] = "na"
            stored = self.create("finding", f"{url}/findings", finding["uuid"], json=finding)
            yield
            if stored is None:
                return
        chosen = scale_and_weight((instruments or {}).get("items", []), self.standards)
        if chosen is not None:
            scale, weight = chosen
            reference = reference_of(scale, weight)
            for indication in (reference, reference + _decimal(scale["e"])):
                reading = {
                    "uuid": str(uuid.uuid4()),
                    "instrument_id": scale["id"],
                    "kind": "weighing",
                    "standard_ids": [weight["id"]],
                    "indication": _plain(indication),
                }
                stored = self.create("reading", f"{url}/readings", reading["uuid"], json=reading)
                yield
                if stored is None:
                    return
        for number, content in enumerate(self.photos):
            photo_uuid = str(uuid.uuid4())
            form = {"uuid": photo_uuid, "caption": f"Ảnh {number + 1}"}
            files = {"file": (f"{photo_uuid}.jpg", content, "image/jpeg")}
            stored = self.create("photo", f"{url}/photos", photo_uuid, data=form, files=files)
            yield
            if stored is None:
                return
        self.call("GET", f"{url}/automatic-findings")
        yield
        outcome = "reminder" if failing else "pass"
        done = self.call(
            "PATCH",
            url,
            record=("completed", payload["uuid"]),
            json={"version": inspection["version"], "status": "completed", "outcome": outcome},
        )
        if done is not None:
            acknowledge(kind="completed", uuid=payload["uuid"], id=inspection["id"], version=done["version"])


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value))


def _plain(value) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Supervisor(Client):
    fixed_count = len(PLAN["supervisors"])
    wait_time = between(*THINK)

    def on_start(self):
        self.account = PLAN["supervisors"][next(_supervisor_numbers) % len(PLAN["supervisors"])]
        self.client.headers.update({"Accept": "text/html,application/json"})
        page = self.call("GET", "/login")
        token = CSRF_FIELD.search(page or "")
        form = {
            "username": self.account["username"],
            "password": PLAN["password"],
            "csrf_token": token.group(1) if token else "",
        }
        # The answer is a redirect to the home page, which the client follows (200 there).
        self.call("POST", "/login", data=form)
        self.card_ids = self.account["premise_ids"]

    @task(4)
    def map(self):
        self.call("GET", "/map")
        bbox = self.account["bbox"]
        self.call("GET", "/api/v1/map/premises?zoom=10")
        west, south, east, north = bbox
        # A pan at street level somewhere in the scope, then the GPS layer of the same view.
        lat = random.uniform(south, north)
        lon = random.uniform(west, east)
        view = f"{lon - 0.01:.5f},{lat - 0.006:.5f},{lon + 0.01:.5f},{lat + 0.006:.5f}"
        self.call("GET", f"/api/v1/map/premises?bbox={view}&zoom=15")
        self.call("GET", f"/api/v1/map/gps?bbox={view}&zoom=15")
        self.call("GET", f"/api/v1/map/premises/{random.choice(self.card_ids)}")

    @task(2)
    def dashboard(self):
        self.call("GET", "/dashboard")

    @task(2)
    def report(self):
        self.call("GET", "/reports")
        if self.account.get("report_id"):
            self.call("GET", f"/reports/{self.account['report_id']}")
