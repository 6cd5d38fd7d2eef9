"""Photos on the S3 backend through the real API while the store goes away and comes back: the phone is told to
send again later (503, Retry-After), nothing is recorded, and the resend after the store returns is taken once."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.files.evidence import references
from inspect_app.files.uploads import storage_for
from inspect_app.models import Photo
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for, upload_photo
from tests.conftest import running_s3_server, s3_settings


@pytest.fixture
def own_store(tmp_path):
    """A store of this test's own, so stopping it disturbs no other test."""
    with running_s3_server(tmp_path / "weed") as server:
        yield server


@pytest.fixture
def app_config(app_config, own_store):
    return {**app_config, **s3_settings(own_store)}


def photo_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Photo))


def test_a_store_outage_makes_the_upload_wait_and_the_resend_is_taken_once(client, world, app, own_store):
    auth = token_for(client, world.users["inspector"])
    inspection_id = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()["id"]
    green, red = jpeg_bytes(color=(10, 200, 10)), jpeg_bytes(color=(200, 10, 10))
    kept = upload_photo(client, inspection_id, auth, green, str(uuid.uuid4()))
    assert kept.status_code == 201
    image_url = kept.get_json()["image_url"]
    stored_image = client.get(image_url, headers=auth)
    assert stored_image.status_code == 200
    assert hashlib.sha256(stored_image.get_data()).hexdigest() == kept.get_json()["sha256"]

    own_store.stop()
    photo_uuid = str(uuid.uuid4())
    refused = upload_photo(client, inspection_id, auth, red, photo_uuid)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"].startswith("Máy chủ không lưu được tệp")
    assert photo_count() == 1
    # Reading a photo needs the store too: "try again", never a 500.
    assert client.get(image_url, headers=auth).status_code == 503

    own_store.start()
    taken = upload_photo(client, inspection_id, auth, red, photo_uuid)
    assert taken.status_code == 201
    resent = upload_photo(client, inspection_id, auth, red, photo_uuid)
    assert resent.status_code == 200 and resent.get_json()["id"] == taken.get_json()["id"]
    assert photo_count() == 2
    # The other way round: the files reach the store but the row is refused (other bytes under a used UUID), and
    # the store keeps nothing of it.
    assert (
        upload_photo(client, inspection_id, auth, jpeg_bytes(color=(10, 10, 200)), photo_uuid).status_code
        == 409
    )
    storage = storage_for(app)
    assert sorted(storage.keys()) == sorted({reference.key for reference in references()})
    for photo in db.session.scalars(select(Photo)):
        assert hashlib.sha256(storage.get(photo.storage_key)).hexdigest() == photo.sha256
    assert client.get(image_url, headers=auth).get_data() == stored_image.get_data()
