"""When the database stops, freezes or runs out of disk, residents get a translated "try again
later" (503 with Retry-After), never a bare 500, and /healthz says the site is down and why."""

import copy
import errno
import os
import subprocess
import time

import pytest
from flask_migrate import upgrade

from participation.accounts import operations as accounts
from participation.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow

UNAVAILABLE = "Ruamkid is temporarily unavailable"


def _resident_signed_in(app, email="somchai@example.org"):
    """Register a Thai-speaking resident on the app's database and sign a client in."""
    with app.app_context():
        accounts.register_user(email=email, display_name="สมชาย ใจดี", password=PASSWORD,
                               preferred_language="th", consent=True)  # fmt: skip
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _assert_thai_503(response, thai):
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert response.headers["Retry-After"] == "30"
    assert '<html lang="th">' in page
    assert thai(UNAVAILABLE) in page


@pytest.fixture
def postgres_app(faulty_postgres, config, make_app):
    """The app on a private PostgreSQL, answering 503 after 2 s of silence from it."""
    config = copy.copy(config)  # the test's own app keeps the run's database
    config.SQLALCHEMY_DATABASE_URI = faulty_postgres.url
    config.DATABASE_TIMEOUT = 2
    app = make_app(config)
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def test_a_signed_in_resident_gets_a_thai_503_while_the_database_is_frozen(
    postgres_app, faulty_postgres, thai
):
    client = _resident_signed_in(postgres_app)
    assert client.get("/notifications/").status_code == 200  # the pool holds a connection

    faulty_postgres.pause()
    try:
        started = time.monotonic()
        page = client.get("/notifications/")
        waited = time.monotonic() - started
        health = client.get("/healthz")
    finally:
        faulty_postgres.resume()

    _assert_thai_503(page, thai)
    # The pool's ping gives up after 2 s, a new connection after 2 more: seconds, not a hang.
    assert waited < 8, waited
    assert health.status_code == 503
    assert health.json["status"] == "down"
    assert health.json["checks"]["database"]["problem"] == "timeout"
    # Once it answers again, so does the site.
    assert client.get("/notifications/").status_code == 200


def test_residents_get_503s_in_their_language_while_the_database_is_stopped(
    postgres_app, faulty_postgres, thai
):
    client = _resident_signed_in(postgres_app)
    assert client.get("/").status_code == 200
    faulty_postgres.stop()

    _assert_thai_503(client.get("/"), thai)
    # Even a missing page: its 404 page would need the database for its header.
    _assert_thai_503(client.get("/no-such-page"), thai)
    # A write (the language switch saves a signed-in person's choice) is refused the same way.
    _assert_thai_503(client.post("/language", data={"language": "th", "next": "/"}), thai)
    # The saved preference cannot be read: the language cookie decides, without the database.
    client.set_cookie("lang", "en")
    english = client.get("/notifications/")
    assert english.status_code == 503
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert UNAVAILABLE in english.get_data(as_text=True)
    # The API answers a problem document in the language asked for.
    problem = client.get("/api/v1/processes", headers={"Accept-Language": "th"})
    assert problem.status_code == 503
    assert problem.mimetype == "application/problem+json"
    assert problem.headers["Retry-After"] == "30"
    assert problem.json["status"] == 503
    assert problem.json["detail"] == thai(
        "Our storage is not answering, so nothing you sent just now was saved. "
        "Please try again in a few minutes."
    )
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "down"
    assert health.json["reasons"] == ["the database cannot be reached"]

    faulty_postgres.start()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json["status"] == "ok"


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 16 MiB file system (tmpfs) that a test can fill; unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _write_forever(descriptor, block):
    while True:
        os.write(descriptor, block)


def _fill(folder):
    """Write until the file system refuses (ENOSPC), down to its last small block."""
    for number, size in enumerate((65536, 512)):
        descriptor = os.open(folder / f"filler-{number}", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            with pytest.raises(OSError, match="No space left") as refused:
                _write_forever(descriptor, b"\0" * size)
        finally:
            os.close(descriptor)
        assert refused.value.errno == errno.ENOSPC


@pytest.fixture
def full_disk_app(tiny_disk, config, make_app):
    config = copy.copy(config)
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tiny_disk / 'ruamkid.sqlite3'}"
    app = make_app(config)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()  # the last connection checkpoints and removes the WAL
    return app


def test_with_the_disk_full_health_is_down_and_writes_get_a_503_not_busy(
    full_disk_app, tiny_disk, thai
):
    from datetime import timedelta

    from participation.extensions import socketio

    client = _resident_signed_in(full_disk_app)
    with full_disk_app.app_context():
        from participation.core.models import utcnow
        from participation.townhall.models import TownHall

        now = utcnow()
        ends = now + timedelta(hours=2)
        db.session.add(TownHall(slug="full", title_th="เวที", title_en="Town hall",
                                venue_th="หอประชุม", starts_dt=now, ends_dt=ends, state="live",
                                allow_visitors=True))  # fmt: skip
        db.session.commit()
        db.session.remove()
    assert client.get("/healthz").json["status"] == "ok"
    live = socketio.test_client(full_disk_app, namespace="/townhall", flask_test_client=client)
    assert live.emit("join", {"townhall": "full"}, namespace="/townhall", callback=True)["ok"]

    _fill(tiny_disk)

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "down"
    assert health.json["checks"]["database"]["problem"] == "full"
    assert health.json["reasons"] == ["the database cannot write: the disk is full"]
    # Reading still works; a write is refused with 503, not a 500 and not "busy".
    assert client.get("/").status_code == 200
    _assert_thai_503(client.post("/language", data={"language": "en", "next": "/"}), thai)
    answer = live.emit("post", {"townhall": "full", "body": "สวัสดี", "client_id": "full-1"},
                       namespace="/townhall", callback=True)  # fmt: skip
    assert (answer["ok"], answer["error"]) == (False, "unavailable")
    assert answer["message"] == thai(
        "Storage is unavailable, so this was not saved. Please try again in a few minutes."
    )
    live.disconnect(namespace="/townhall")


def test_health_is_degraded_but_200_within_seconds_while_redis_is_frozen(
    faulty_redis, config, make_app
):
    config = copy.copy(config)
    config.REDIS_URL = faulty_redis.url
    client = make_app(config).test_client()
    assert client.get("/healthz").json["status"] == "ok"

    faulty_redis.pause()
    try:
        started = time.monotonic()
        health = client.get("/healthz")
        waited = time.monotonic() - started
    finally:
        faulty_redis.resume()

    assert health.status_code == 200  # pages work without Redis
    assert health.json["status"] == "degraded"
    assert health.json["reasons"] == ["Redis did not answer in time"]
    assert waited < 3, waited
    assert client.get("/healthz").json["status"] == "ok"
